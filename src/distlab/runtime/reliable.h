// Reliable FIFO channels over a network that loses, duplicates and reorders: the
// layer an algorithm asks for in its descriptor (Chandy-Lamport's markers need it),
// run by both runtimes under the algorithm's Context, so the node's code and its trace
// are the same with or without it. Sans-I/O, like the nodes: the runtime hands it
// what the node sends and the frames that arrive, and carries out what it asks for
// (transmit a frame, deliver a message, abandon one), at the times it names.
//
// Per link (this node and one peer): sequence numbers from 1, cumulative
// acknowledgements (carried on data frames going back, or on their own after
// Settings::ack_delay_ns or every kAckEvery messages), retransmission of every
// unacknowledged message when the link's timeout ends, the timeout doubling up to
// Settings::max_timeout_ns (and back to the first when the peer is heard from again),
// duplicates suppressed and messages delivered in order.
// At most kWindow messages are unacknowledged per link, kMaxBacklog more wait; the
// next one is abandoned. After Settings::max_tries timeouts without progress, the peer
// is gone for good: what waits for it is abandoned, and so is every later message to
// it, until it comes back with a new incarnation.
//
// Incarnations: each start of a node has a number above the last one (1 at the
// first). A frame says its sender's and, as far as it knows, its receiver's; a frame
// meant for an earlier incarnation of the receiver is answered with a bare ack that
// teaches the sender the new one, and a sender that learns its peer restarted
// abandons what it had queued for the peer's previous life and numbers from 1 again.
//
//   Links<Payload> links(/*incarnation=*/1, settings);
//   links.send(to, payload, now, io);            // io.transmit(to, header, &payload)
//   links.on_frame(from, header, payload, now, io);  // io.deliver(from, payload), in order
//   if (auto t = links.next_deadline()) ...;     // call on_deadline(t, io) then
//
// An Io has `transmit(NodeId to, const Header&, const Payload*)` (null: a bare ack),
// `deliver(NodeId from, Payload&&)` and `abandon(NodeId to, Payload&&, Abandoned why)`.
// None may call back into the Links it is called from (queue and act afterwards).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/types.h"

namespace distlab::reliable {

// An algorithm asks for the layer with `static constexpr bool kReliableChannels = true;`
// in its node class; both runtimes then put it under the node.
template <class Algo>
constexpr bool wants_reliable_channels() {
  if constexpr (requires { Algo::kReliableChannels; }) {
    return Algo::kReliableChannels;
  } else {
    return false;
  }
}

// Unacknowledged messages per link, and messages waiting for the window beyond them.
inline constexpr std::uint64_t kWindow = 256;
inline constexpr std::size_t kMaxBacklog = 1 << 16;
// A receiver acknowledges at once after this many messages not yet acknowledged.
inline constexpr std::uint32_t kAckEvery = 32;

struct Settings {
  Nanos ack_delay_ns = 20 * kMillisecond;     // a bare ack waits this long for a data frame to ride on
  Nanos first_timeout_ns = 200 * kMillisecond;  // retransmission, doubled on every timeout
  Nanos max_timeout_ns = 2 * kSecond;
  std::uint32_t max_tries = 12;  // timeouts without progress before the peer is given up

  // For a network whose messages take at most `latency_max_ns` (a bound, or a high
  // percentile for an unbounded latency): a timeout above a round trip plus the ack's
  // wait. An ack waits four latencies for a message going back to ride on: with one
  // latency, sparse traffic (a bank's transfers) got an ack of its own for one message
  // in four; with four, one in fifteen.
  static Settings for_latency(Nanos latency_max_ns) {
    Settings s;
    s.ack_delay_ns = std::max<Nanos>(kMillisecond, 4 * latency_max_ns);
    s.first_timeout_ns = 4 * latency_max_ns + 2 * s.ack_delay_ns;
    s.max_timeout_ns = std::max(s.first_timeout_ns, 16 * s.first_timeout_ns);
    return s;
  }
};

// What a frame of the layer carries besides the message.
struct Header {
  std::uint64_t from_inc = 0;  // the sender's incarnation (from 1)
  std::uint64_t to_inc = 0;    // the receiver's, as far as the sender knows (0: not yet)
  std::uint64_t seq = 0;       // its number on the link, from 1; 0: a bare ack
  std::uint64_t ack = 0;       // every message of the link going back up to this one arrived
  friend bool operator==(const Header&, const Header&) = default;
};

enum class Abandoned : std::uint8_t {
  peer_restarted,  // queued for an incarnation of the peer that is gone
  unreachable,     // the peer was given up (Settings::max_tries timeouts)
  backlog_full,    // kWindow + kMaxBacklog messages already wait for the peer
};

struct Counters {
  std::uint64_t data = 0;            // data frames transmitted, first times
  std::uint64_t retransmitted = 0;   // data frames transmitted again
  std::uint64_t bare_acks = 0;       // acks on frames of their own
  std::uint64_t duplicates = 0;      // data frames that arrived again, dropped
  std::uint64_t out_of_order = 0;    // data frames held until their predecessors came
  std::uint64_t stale = 0;           // frames of an earlier incarnation, dropped
  std::uint64_t abandoned = 0;       // messages given up
  std::uint64_t gave_up = 0;         // peers given up
};

// A queue on a vector, for a link's messages: nothing allocated while it is empty (a
// std::deque allocates 576 bytes when made, and a node of a complete topology makes
// two per peer), and a popped slot is reused once half the vector is popped.
template <class T>
class Fifo {
 public:
  void push_back(T item) { items_.push_back(std::move(item)); }
  T& front() { return items_[head_]; }
  T& back() { return items_.back(); }
  void pop_front() {
    ++head_;
    if (head_ == items_.size()) {
      clear();
    } else if (head_ >= kCompactAt && 2 * head_ >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  std::size_t size() const { return items_.size() - head_; }
  bool empty() const { return head_ == items_.size(); }
  void clear() {
    items_.clear();
    head_ = 0;
  }
  auto begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() { return items_.end(); }

 private:
  static constexpr std::size_t kCompactAt = 16;
  std::vector<T> items_;
  std::size_t head_ = 0;  // items_[0, head_) are popped
};

template <class Payload>
class Links {
 public:
  Links(std::uint64_t incarnation, Settings settings) : inc_(incarnation), settings_(settings) {
    DISTLAB_ASSERT(incarnation >= 1, "incarnations count from 1");
  }

  std::uint64_t incarnation() const { return inc_; }
  const Counters& counters() const { return counters_; }

  // The node sends `payload` to `to`.
  template <class Io>
  void send(NodeId to, Payload payload, Nanos now, Io& io) {
    Link& l = links_[to];
    send_on(to, l, std::move(payload), now, io);
    index_due(to, l);
  }

  // A frame from `from` arrived: `payload` is null for a bare ack.
  template <class Io>
  void on_frame(NodeId from, const Header& h, Payload* payload, Nanos now, Io& io) {
    if (h.from_inc == 0 || (h.seq == 0) != (payload == nullptr)) return;  // not a frame of the layer
    Link& l = links_[from];
    frame_on(from, l, h, payload, now, io);
    index_due(from, l);
  }

  // The earliest time something is due (a retransmission, an ack); nullopt: nothing.
  std::optional<Nanos> next_deadline() const {
    if (due_.empty()) return std::nullopt;
    return due_.front().first;
  }

  // Does what is due at `now`: bare acks, retransmissions, giving peers up; link by
  // link in the order of the peers' ids, whatever their deadlines.
  template <class Io>
  void on_deadline(Nanos now, Io& io) {
    due_now_.clear();
    while (!due_.empty() && due_.front().first <= now) {
      due_now_.push_back(due_.front().second);
      pop_due();
    }
    std::sort(due_now_.begin(), due_now_.end());
    // A link may have come back to a deadline it had left: two entries, one link.
    due_now_.erase(std::unique(due_now_.begin(), due_now_.end()), due_now_.end());
    for (const NodeId peer : due_now_) {
      Link& l = links_.find(peer)->second;
      if (l.indexed_at <= now) l.indexed_at = kNanosMax;  // its entry was popped
      deadline_on(peer, l, now, io);                      // nothing, for a link that had moved on
      index_due(peer, l);
    }
    drop_stale_due();
  }

  // Messages sent to `to` and not acknowledged yet, and those waiting behind them.
  std::size_t in_flight(NodeId to) const {
    const auto it = links_.find(to);
    return it == links_.end() ? 0 : it->second.unacked.size() + it->second.backlog.size();
  }

 private:
  struct Out {
    std::uint64_t seq;
    Payload payload;
  };
  struct Link {
    std::uint64_t peer_inc = 0;  // 0: not heard from yet
    bool gone = false;           // given up, until the peer comes back as a new incarnation
    // Sending.
    std::uint64_t next_seq = 1;
    Fifo<Out> unacked;      // in order, from the first not acknowledged
    Fifo<Payload> backlog;  // waiting for the window
    Nanos retransmit_at = kNanosMax;
    Nanos timeout_ns = 0;
    std::uint32_t tries = 0;
    // Receiving.
    std::uint64_t delivered = 0;            // every message up to this one was delivered
    std::map<std::uint64_t, Payload> early;  // arrived before a predecessor, within the window
    std::uint32_t unacked_received = 0;      // delivered or held, not acknowledged yet
    Nanos ack_at = kNanosMax;
    Nanos indexed_at = kNanosMax;  // its entry in due_ (kNanosMax: none)
  };

  template <class Io>
  void send_on(NodeId to, Link& l, Payload payload, Nanos now, Io& io) {
    if (l.gone) return abandon(to, std::move(payload), Abandoned::unreachable, io);
    if (l.unacked.size() < kWindow) return transmit_new(to, l, std::move(payload), now, io);
    if (l.backlog.size() >= kMaxBacklog) return abandon(to, std::move(payload), Abandoned::backlog_full, io);
    l.backlog.push_back(std::move(payload));
  }

  template <class Io>
  void frame_on(NodeId from, Link& l, const Header& h, Payload* payload, Nanos now, Io& io) {
    if (h.from_inc < l.peer_inc) {
      ++counters_.stale;
      return;
    }
    if (h.from_inc > l.peer_inc) {
      if (l.peer_inc != 0) restart_link(from, l, io);
      l.peer_inc = h.from_inc;
      l.gone = false;
    }
    if (h.to_inc != 0 && h.to_inc != inc_) {
      // Meant for an earlier incarnation of this node: say who answers now.
      ++counters_.stale;
      return send_ack(from, l, io);
    }
    if (h.to_inc == inc_) take_ack(from, l, h.ack, now, io);
    // The peer is heard again: a timeout that doubled while nothing came through (a
    // partition) starts again from the first, so what waits goes out soon after the
    // link heals, not at the end of the longest backoff.
    if (!l.unacked.empty() && l.timeout_ns > settings_.first_timeout_ns) {
      l.timeout_ns = settings_.first_timeout_ns;
      l.retransmit_at = std::min(l.retransmit_at, now + l.timeout_ns);
    }
    if (payload == nullptr) return;
    take_data(from, l, h.seq, std::move(*payload), now, io);
  }

  template <class Io>
  void deadline_on(NodeId peer, Link& l, Nanos now, Io& io) {
    if (l.ack_at <= now) send_ack(peer, l, io);
    if (l.retransmit_at > now) return;
    if (++l.tries > settings_.max_tries) return give_up(peer, l, io);
    l.timeout_ns = std::min(2 * l.timeout_ns, settings_.max_timeout_ns);
    l.retransmit_at = now + l.timeout_ns;
    for (Out& o : l.unacked) {
      ++counters_.retransmitted;
      transmit(peer, l, o.seq, &o.payload, io);
    }
  }

  // Gives the link an entry in due_ at its earliest deadline, after anything that may
  // have moved it. The entry it had stays, stale, until it comes to the top.
  void index_due(NodeId peer, Link& l) {
    const Nanos at = std::min(l.retransmit_at, l.ack_at);
    if (at == l.indexed_at) return;
    l.indexed_at = at;
    if (at != kNanosMax) {
      due_.emplace_back(at, peer);
      std::push_heap(due_.begin(), due_.end(), std::greater<>());
    }
    if (due_.size() > 2 * links_.size()) {
      reindex_due();
    } else {
      drop_stale_due();
    }
  }

  void pop_due() {
    std::pop_heap(due_.begin(), due_.end(), std::greater<>());
    due_.pop_back();
  }

  // Pops entries of links that have moved on, so that the top is a link's own.
  void drop_stale_due() {
    while (!due_.empty() && links_.find(due_.front().second)->second.indexed_at != due_.front().first)
      pop_due();
  }

  // Only each link's own entry, when stale ones have come to outnumber the links.
  void reindex_due() {
    due_.clear();
    for (const auto& [peer, l] : links_) {
      if (l.indexed_at != kNanosMax) due_.emplace_back(l.indexed_at, peer);
    }
    std::make_heap(due_.begin(), due_.end(), std::greater<>());
  }

  template <class Io>
  void transmit(NodeId to, Link& l, std::uint64_t seq, const Payload* payload, Io& io) {
    const Header h{.from_inc = inc_, .to_inc = l.peer_inc, .seq = seq, .ack = l.delivered};
    l.unacked_received = 0;  // the ack rides along
    l.ack_at = kNanosMax;
    io.transmit(to, h, payload);
  }

  template <class Io>
  void transmit_new(NodeId to, Link& l, Payload payload, Nanos now, Io& io) {
    const std::uint64_t seq = l.next_seq++;
    l.unacked.push_back(Out{seq, std::move(payload)});
    if (l.retransmit_at == kNanosMax) {
      l.timeout_ns = settings_.first_timeout_ns;
      l.retransmit_at = now + l.timeout_ns;
    }
    ++counters_.data;
    transmit(to, l, seq, &l.unacked.back().payload, io);
  }

  template <class Io>
  void send_ack(NodeId to, Link& l, Io& io) {
    ++counters_.bare_acks;
    transmit(to, l, 0, nullptr, io);
  }

  template <class Io>
  void take_ack(NodeId from, Link& l, std::uint64_t ack, Nanos now, Io& io) {
    const std::uint64_t acked = l.unacked.empty() ? l.next_seq - 1 : l.unacked.front().seq - 1;
    if (ack <= acked || ack >= l.next_seq) return;  // nothing new, or more than was ever sent
    while (!l.unacked.empty() && l.unacked.front().seq <= ack) l.unacked.pop_front();
    l.tries = 0;
    while (!l.backlog.empty() && l.unacked.size() < kWindow) {
      Payload p = std::move(l.backlog.front());
      l.backlog.pop_front();
      transmit_new(from, l, std::move(p), now, io);
    }
    l.timeout_ns = settings_.first_timeout_ns;
    l.retransmit_at = l.unacked.empty() ? kNanosMax : now + l.timeout_ns;
  }

  template <class Io>
  void take_data(NodeId from, Link& l, std::uint64_t seq, Payload payload, Nanos now, Io& io) {
    if (seq <= l.delivered || l.early.contains(seq)) {
      ++counters_.duplicates;  // our ack may have been lost: say it again now
      return send_ack(from, l, io);
    }
    if (seq > l.delivered + kWindow) return;  // beyond the window: it will come again
    ++l.unacked_received;
    if (seq != l.delivered + 1) {
      ++counters_.out_of_order;
      l.early.emplace(seq, std::move(payload));
    } else {
      ++l.delivered;
      io.deliver(from, std::move(payload));
      for (auto it = l.early.begin(); it != l.early.end() && it->first == l.delivered + 1;
           it = l.early.erase(it)) {
        ++l.delivered;
        io.deliver(from, std::move(it->second));
      }
    }
    if (l.unacked_received >= kAckEvery) return send_ack(from, l, io);
    if (l.ack_at == kNanosMax) l.ack_at = now + settings_.ack_delay_ns;
  }

  template <class Io>
  void abandon(NodeId to, Payload payload, Abandoned why, Io& io) {
    ++counters_.abandoned;
    io.abandon(to, std::move(payload), why);
  }

  template <class Io>
  void abandon_queued(NodeId to, Link& l, Abandoned why, Io& io) {
    for (Out& o : l.unacked) abandon(to, std::move(o.payload), why, io);
    for (Payload& p : l.backlog) abandon(to, std::move(p), why, io);
    l.unacked.clear();
    l.backlog.clear();
    l.retransmit_at = kNanosMax;
    l.tries = 0;
  }

  // The peer restarted: both directions start again, numbered from 1.
  template <class Io>
  void restart_link(NodeId peer, Link& l, Io& io) {
    abandon_queued(peer, l, Abandoned::peer_restarted, io);
    l.next_seq = 1;
    l.delivered = 0;
    l.early.clear();
    l.unacked_received = 0;
    l.ack_at = kNanosMax;
  }

  template <class Io>
  void give_up(NodeId peer, Link& l, Io& io) {
    ++counters_.gave_up;
    l.gone = true;
    abandon_queued(peer, l, Abandoned::unreachable, io);
  }

  std::uint64_t inc_;
  Settings settings_;
  // Looked up by peer, never walked (due_ orders what is met): one probe per frame
  // instead of a tree's descent through a node's every peer.
  std::unordered_map<NodeId, Link> links_;
  // Each link with a deadline, at its earliest, in a min-heap: finding what is due costs
  // no walk over every link (a node of a complete topology has one per other node).
  // Entries a link has left behind stay until they reach the top or outnumber the
  // links (a sweep of every link then, after as many pushes as links at least); the top
  // is always a link's own.
  std::vector<std::pair<Nanos, NodeId>> due_;
  std::vector<NodeId> due_now_;  // on_deadline's, kept for its capacity
  Counters counters_;
};

}  // namespace distlab::reliable
