// Runs one node of an algorithm as a real process over UDP.
//
// The node's handlers run on its Host's single-threaded loop (runtime/udp/host.h),
// stepped through the same Driver as anywhere else: the clock is the process's
// steady clock, timers are the host's, and sends become frames (runtime/udp/codec.h).
// Anything malformed, truncated, oversized or of an unknown type is counted and
// dropped, never a crash or a stall; a summary line goes to stderr at most once a
// second.
//
// Who may speak: with a closed membership (a cluster file), a frame must claim a node
// of the cluster and come from the address the file gives for it (resolved once, at
// start); an open one (the monitor) keeps at most `max_senders` node ids. With a
// cluster key (Options::sealing, seal.h) every frame is sealed and opened: forged,
// replayed, unsealed and misaddressed frames are rejected and counted by reason, and
// the key file is re-read when it changes (looked at once a second at most), so keys
// rotate without a restart.
//
//   UdpNode<Monitor> node(Monitor(options), {.self = 0, .bind = parse_address("127.0.0.1:5000")});
//   node.start();
//   node.host().run();
//
// An algorithm that asks for reliable channels (runtime/reliable.h) gets them: each
// frame's payload then starts with the layer's header (four 64-bit words, little-endian:
// the sender's incarnation, the receiver's as the sender knows it, the message's
// number on the link, the cumulative ack of the link going back), and a frame of type
// wire_types::kReliableAck carries an ack alone. The trace shows the messages as the
// node sent and received them; a message the layer gives up is traced as a drop, and
// giving a peer up is said on stderr.
//
// The message type provides `std::uint8_t wire_encode(const M&, std::vector<std::byte>&)`
// and `std::optional<M> wire_decode(std::type_identity<M>, std::uint8_t, span)`.
#pragma once

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "distlab/algo/wire_types.h"
#include "distlab/core/assert.h"
#include "distlab/core/bytes.h"
#include "distlab/core/context.h"
#include "distlab/core/driver.h"
#include "distlab/core/error.h"
#include "distlab/runtime/reliable.h"
#include "distlab/runtime/udp/address.h"
#include "distlab/runtime/udp/codec.h"
#include "distlab/runtime/udp/host.h"
#include "distlab/runtime/udp/seal.h"

namespace distlab::udp {

template <class M>
concept WireMessage = requires(const M& m, std::vector<std::byte>& out, std::uint8_t type,
                               std::span<const std::byte> in) {
  { wire_encode(m, out) } -> std::convertible_to<std::uint8_t>;
  { wire_decode(std::type_identity<M>{}, type, in) } -> std::convertible_to<std::optional<M>>;
};

// Rejections are counted by reason: rejected[static_cast<std::size_t>(DecodeError::forged)].
inline constexpr std::size_t kDecodeErrors = static_cast<std::size_t>(DecodeError::wrong_address) + 1;

// A rejection reason as a JSON key: "forged", "replayed", "too_many_senders", ...
constexpr std::string_view reason_id(DecodeError e) {
  constexpr std::array<std::string_view, kDecodeErrors> kIds{
      "none",     "too_short",    "bad_magic", "bad_version", "bad_type", "bad_length",       "too_long",
      "own_id",   "unknown_sender", "unsealed", "text_refused", "wrong_receiver", "unknown_key", "forged",
      "old_epoch", "replayed",    "stale",     "too_many_senders", "wrong_address"};
  return kIds[static_cast<std::size_t>(e)];
}

struct UdpCounters {
  std::uint64_t received = 0;    // datagrams read
  std::uint64_t delivered = 0;   // handed to the algorithm
  std::uint64_t malformed = 0;   // dropped: not a valid frame or message
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t wakeups = 0;  // times the socket was found readable
  std::uint64_t batches = 0;  // recvmmsg calls that returned datagrams
  std::array<std::uint64_t, kDecodeErrors> rejected{};  // the malformed ones, by reason
  std::uint64_t key_reloads = 0;  // times a changed key file was installed
};

// What a node needs to seal and open frames with a cluster key.
struct Sealing {
  std::string cluster = "distlab";  // the cluster name bound into every frame
  std::shared_ptr<const Keyring> keyring;
  std::string key_file;  // re-read when it changes; empty: never
  // This start's epoch (next_epoch); unset for a node that never sends (the monitor).
  std::optional<std::uint64_t> epoch;
  bool allow_text = false;  // accept the seed's plain-text heartbeat, which carries no tag
};

// The most node ids a monitor without a cluster file tracks by default.
inline constexpr std::size_t kDefaultMaxSenders = 4096;

// Message numbers given to the seed's text datagrams, which have none.
inline constexpr std::uint64_t kTextSeqBit = std::uint64_t{1} << 63;

// The reliable layer's header at the start of a frame's payload, and the latency its
// timeouts assume for a real network (an ack waits 100 ms for traffic back, a message
// is sent again after 300 ms, then 600 ms, ... up to 4.8 s; a peer is given up after
// twelve timeouts, about 40 s).
inline constexpr std::size_t kReliableHeaderBytes = 32;
inline constexpr Nanos kReliableLatencyHighNs = 25 * kMillisecond;
// What a real run over the layer adds to its scenario's length, so that a message sent
// near the end can still be sent three more times (300 + 600 + 1200 ms) and arrive: with
// one datagram in ten lost, 2 of 100 snapshot launches of 1.44 s ended with a marker
// lost three times still on its way.
inline constexpr Nanos kReliableDrainNs = 2 * kSecond;

template <class Algo>
class UdpNode {
 public:
  using Message = typename Algo::Message;
  static_assert(WireMessage<Message>, "the algorithm's messages need a wire codec");

  struct Options {
    NodeId self = 0;
    Address bind;                      // port 0: the system picks one
    std::map<NodeId, Address> peers;   // where messages to each node go
    std::vector<NodeId> nodes;         // ctx.nodes(); sorted
    // Only the nodes of `nodes` may send: a datagram claiming any other sender is
    // dropped as malformed (a cluster run). Off for a monitor that takes all comers.
    bool closed_membership = false;
    // With an open membership: the most distinct senders heard from; a datagram from
    // one more is dropped (too_many_senders), and stderr says so once.
    std::size_t max_senders = kDefaultMaxSenders;
    // A cluster key: seal every frame sent and accept only sealed ones.
    std::optional<Sealing> sealing;
    std::uint64_t seed = 0;
    EventSink* sink = nullptr;
    // The seed's "Heartbeat from Node <id>" datagrams, turned into a message from
    // that node; null to treat them as malformed.
    std::function<std::optional<std::pair<NodeId, Message>>(std::span<const std::byte>)> text_decoder;
    // Replaces the frame encoding of outgoing messages (the seed's text heartbeat).
    std::function<std::string(const Message&)> text_encoder;
    // Time zero of the run, shared by every process of a launch (the steady clock is
    // one clock for all processes of a host); default: when this node was made.
    std::optional<std::chrono::steady_clock::time_point> epoch;
    // Set: time zero is what this returns once the socket is bound (Host::Options).
    std::function<std::chrono::steady_clock::time_point()> epoch_once_bound;
    // The first message number is first_seq + 1: a restarted process starts past the
    // numbers its previous incarnation used, so message ids stay unique.
    std::uint64_t first_seq = 0;
    // How many times this node restarted (the reliable layer's incarnation is one more).
    std::uint64_t incarnation = 0;
    // Called after every handler, before its messages are sent, with the node (to keep
    // its durable state on disk).
    std::function<void(const Algo&)> on_settled;
  };

  using Action = std::function<void(Algo&, Context<Message>&)>;

  // Binds the socket: a busy port is a RuntimeFailure (exit 3) naming the address.
  UdpNode(Algo algo, Options options)
      : options_(std::move(options)),
        host_({.bind = options_.bind,
               .peers = options_.peers,
               .epoch = options_.epoch,
               .epoch_once_bound = options_.epoch_once_bound}),
        driver_(std::move(algo), {.self = options_.self,
                                  .nodes = options_.nodes,
                                  .seed = options_.seed,
                                  .first_seq = options_.first_seq,
                                  .sink = options_.sink}) {
    if constexpr (kReliable) {
      DISTLAB_ASSERT(!options_.text_encoder, "the seed's text datagrams carry no layer header");
      links_.emplace(options_.incarnation + 1, reliable::Settings::for_latency(kReliableLatencyHighNs));
    }
    if (options_.closed_membership) {
      for (NodeId id : options_.nodes) sources_.push_back(host_.source_of(id));
    }
    if (options_.sealing) {
      const Sealing& s = *options_.sealing;
      DISTLAB_ASSERT(s.keyring != nullptr, "sealing without a keyring");
      if (s.epoch) sealer_.emplace(Sealer::Options{.cluster = s.cluster, .self = options_.self, .epoch = *s.epoch, .keyring = s.keyring});
      opener_.emplace(Opener::Options{
          .cluster = s.cluster,
          .self = options_.self,
          .keyring = s.keyring,
          .max_senders = options_.closed_membership ? options_.nodes.size() : options_.max_senders});
      if (!s.key_file.empty()) key_file_seen_ = key_file_identity();
    }
  }

  // Calls on_start (or, for a restarted process, on_recover after tracing the
  // recovery) on the loop, and starts reading.
  void start(bool recovering = false) {
    host_.post([this, recovering] { settle(recovering ? driver_.recover(now()) : driver_.start(now())); });
    host_.read([this](std::span<const std::byte> datagram, bool truncated, Nanos at_ns, const Source& from) {
      if (truncated) return malformed(DecodeError::too_long);
      if (options_.sealing) {
        maybe_reload_keys(at_ns);
        handle_sealed(datagram, at_ns, from);
      } else {
        handle(datagram, at_ns, from);
      }
    });
  }

  // Runs `action` on the node at `at_ns` (run time, from the epoch): an outside
  // stimulus of the scenario. Times already past are skipped.
  void schedule(Nanos at_ns, Action action) {
    if (at_ns < now()) return;
    host_.at(at_ns, [this, action = std::move(action)] { settle(driver_.act(now(), action)); });
  }

  // Runs `action` now, on the loop's thread (call from a handler, or before run()).
  void act_now(const Action& action) { settle(driver_.act(now(), action)); }

  // Stops reading and cancels the timers; the loop then runs out of work.
  void stop() { host_.close(); }

  Algo& algo() { return driver_.node(); }
  Host& host() { return host_; }
  // The reliable layer's counters (all zero without it).
  reliable::Counters reliable_counters() const { return links_ ? links_->counters() : reliable::Counters{}; }

  UdpCounters counters() const {
    const HostCounters& h = host_.counters();
    return {.received = h.received,
            .delivered = delivered_,
            .malformed = malformed_,
            .sent = h.sent,
            .send_errors = h.send_errors,
            .wakeups = h.wakeups,
            .batches = h.batches,
            .rejected = rejected_,
            .key_reloads = key_reloads_};
  }
  Nanos now() const { return host_.now(); }
  Address local_address() const { return host_.local_address(); }

 private:
  void handle(std::span<const std::byte> datagram, Nanos at_ns, const Source& from) {
    const DecodeResult r = decode_frame(datagram);
    if (r.frame) {
      if (const DecodeError e = admit(r.frame->header.sender, from); e != DecodeError::none) return malformed(e);
      return handle_frame(*r.frame, at_ns);
    }
    if (handle_text(datagram, at_ns, from)) return;
    malformed(r.error);
  }

  // With a cluster key: who the frame claims to come from is checked first (cheap),
  // then its tag and its place in the sender's replay window.
  void handle_sealed(std::span<const std::byte> datagram, Nanos at_ns, const Source& from) {
    if (datagram.size() >= 8 && datagram[0] == std::byte{'D'} && datagram[1] == std::byte{'L'}) {
      const auto claimed = static_cast<NodeId>(*get_le(datagram, 4, 4));
      if (const DecodeError e = admit(claimed, from); e != DecodeError::none) return malformed(e);
      const OpenResult r = opener_->open(datagram);
      if (!r.frame) return malformed(r.error);
      return handle_frame(*r.frame, at_ns);  // the tag covers the sender: the one admitted
    }
    if (handle_text(datagram, at_ns, from)) return;
    malformed(datagram.size() < 8 ? DecodeError::too_short : DecodeError::bad_magic);
  }

  // A frame from an admitted sender.
  void handle_frame(const Frame& frame, Nanos at_ns) {
    const NodeId sender = frame.header.sender;
    if constexpr (kReliable) return handle_reliable(frame, at_ns);
    std::optional<Message> m = wire_decode(std::type_identity<Message>{}, frame.header.type, frame.payload);
    if (!m) return malformed(DecodeError::bad_type);
    heard_from(sender);
    deliver(at_ns, MsgId{sender, frame.header.seq}, sender, *m);
  }

  // The seed's text heartbeat, when the node takes it; false: not one.
  bool handle_text(std::span<const std::byte> datagram, Nanos at_ns, const Source& from) {
    if (!options_.text_decoder) return false;
    auto text = options_.text_decoder(datagram);
    if (!text) return false;
    if (options_.sealing && !options_.sealing->allow_text) {
      malformed(DecodeError::text_refused);
      return true;
    }
    if (const DecodeError e = admit(text->first, from); e != DecodeError::none) {
      malformed(e);
      return true;
    }
    heard_from(text->first);
    // Text carries no message number: count them apart from framed ones (top bit).
    deliver(at_ns, MsgId{text->first, kTextSeqBit | ++text_seq_[text->first]}, text->first, text->second);
    return true;
  }

  // Whether `sender`, speaking from `from`, may be heard at all.
  DecodeError admit(NodeId sender, const Source& from) {
    if (sender == options_.self) return DecodeError::own_id;
    if (options_.closed_membership) {
      const auto it = std::lower_bound(options_.nodes.begin(), options_.nodes.end(), sender);
      if (it == options_.nodes.end() || *it != sender) return DecodeError::unknown_sender;
      const std::optional<Source>& expected = sources_[static_cast<std::size_t>(it - options_.nodes.begin())];
      if (expected && !(*expected == from)) return DecodeError::wrong_address;
      return DecodeError::none;
    }
    if (senders_.size() >= options_.max_senders && !senders_.contains(sender)) {
      if (!said_full_) {
        said_full_ = true;
        fmt::print(stderr, "distlab: tracking {} node ids, the most allowed (--max-nodes); datagrams from further ids are dropped\n",
                   options_.max_senders);
      }
      return DecodeError::too_many_senders;
    }
    return DecodeError::none;
  }

  // A sender whose datagram was accepted (open membership: one more id tracked).
  void heard_from(NodeId sender) {
    if (!options_.closed_membership) senders_.insert(sender);
  }

  // The key file's identity on disk, to notice a change without reading it.
  struct FileIdentity {
    ino_t inode = 0;
    off_t size = 0;
    std::int64_t modified_ns = 0;
    bool exists = false;
    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
  };
  FileIdentity key_file_identity() const {
    struct stat st {};
    if (::stat(options_.sealing->key_file.c_str(), &st) != 0) return {};
    return {st.st_ino, st.st_size, std::int64_t{st.st_mtim.tv_sec} * kSecond + st.st_mtim.tv_nsec, true};
  }

  // Key rotation: at most once a second, look whether the key file changed; install a
  // good new one, or say once that it is bad and keep the keys in use.
  void maybe_reload_keys(Nanos at_ns) {
    const Sealing& s = *options_.sealing;
    if (s.key_file.empty() || at_ns - last_key_check_ns_ < kSecond) return;
    last_key_check_ns_ = at_ns;
    const FileIdentity now = key_file_identity();
    if (now == key_file_seen_) return;
    key_file_seen_ = now;
    try {
      auto ring = std::make_shared<const Keyring>(Keyring::read_file(s.key_file));
      if (sealer_) sealer_->set_keyring(ring);
      opener_->set_keyring(ring);
      ++key_reloads_;
      fmt::print(stderr, "distlab: key file {} changed: {} key{} installed\n", s.key_file, ring->keys().size(),
                 ring->keys().size() == 1 ? "" : "s");
    } catch (const Error& e) {
      fmt::print(stderr, "distlab: key file {} changed but cannot be used ({}); the keys in use are kept\n",
                 s.key_file, e.what());
    }
  }

  void deliver(Nanos at_ns, MsgId id, NodeId from, const Message& m) {
    ++delivered_;
    settle(driver_.deliver(at_ns, from, id, m));
  }

  void malformed(DecodeError why) {
    ++malformed_;
    ++malformed_since_report_;
    ++rejected_[static_cast<std::size_t>(why)];
    last_error_ = why;
    const Nanos t = now();
    if (t - last_report_ns_ < kSecond) return;  // rate-limited: one line a second at most
    std::string reasons;  // the reasons since the last report, said with a key
    for (std::size_t i = 0; i < kDecodeErrors; ++i) {
      const std::uint64_t n = rejected_[i] - reported_[i];
      if (n == 0) continue;
      reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", n, to_string(static_cast<DecodeError>(i)));
    }
    reported_ = rejected_;
    if (options_.sealing) {
      fmt::print(stderr, "distlab: ignored {} datagram{} ({})\n", malformed_since_report_,
                 malformed_since_report_ == 1 ? "" : "s", reasons);
    } else {
      fmt::print(stderr, "distlab: ignored {} malformed datagram{} (last: {})\n", malformed_since_report_,
                 malformed_since_report_ == 1 ? "" : "s", to_string(last_error_));
    }
    malformed_since_report_ = 0;
    last_report_ns_ = t;
  }

  // Carries out what the node asked for in one step.
  void settle(typename Driver<Algo>::Ready ready) {
    // The durable state is kept before anything of the step leaves the process: killed
    // at any point, its next life remembers at least what it has said (a Lamport clock
    // never goes back to a time a sent message already carried).
    if (options_.on_settled) options_.on_settled(driver_.node());
    for (auto& out : ready.sends) send(out);
    for (const TimerOp& op : ready.timers) {
      if (op.cancel) {
        host_.cancel_timer(op.tag);
      } else {
        host_.set_timer(op.tag, op.after_ns, [this, tag = op.tag] { settle(driver_.fire(now(), tag)); });
      }
    }
    driver_.advance();
  }

  // ---- the reliable layer ----

  static constexpr bool kReliable = reliable::wants_reliable_channels<Algo>();
  // What the layer keeps of a message: its number (the trace's id) and its encoding.
  struct Payload {
    std::uint64_t seq = 0;
    std::uint8_t type = 0;
    std::vector<std::byte> bytes;
  };
  struct LinkIo {
    UdpNode* node;
    void transmit(NodeId to, const reliable::Header& h, const Payload* p) {
      node->transmit_layer_frame(to, h, p);
    }
    void deliver(NodeId from, Payload&& p) { node->ready_.emplace_back(from, std::move(p)); }
    void abandon(NodeId to, Payload&& p, reliable::Abandoned why) { node->abandoned(to, p, why); }
  };

  void handle_reliable(const Frame& frame, Nanos at_ns) {
    const NodeId sender = frame.header.sender;
    if (frame.payload.size() < kReliableHeaderBytes) return malformed(DecodeError::bad_length);
    const reliable::Header h{.from_inc = *get_le(frame.payload, 0, 8),
                             .to_inc = *get_le(frame.payload, 8, 8),
                             .seq = *get_le(frame.payload, 16, 8),
                             .ack = *get_le(frame.payload, 24, 8)};
    const auto body = frame.payload.subspan(kReliableHeaderBytes);
    const bool bare = frame.header.type == wire_types::kReliableAck;
    if (bare != (h.seq == 0) || (bare && !body.empty()) || h.from_inc == 0)
      return malformed(DecodeError::bad_length);
    if (!bare && !wire_decode(std::type_identity<Message>{}, frame.header.type, body)) {
      return malformed(DecodeError::bad_type);  // checked before the layer counts it as arrived
    }
    heard_from(sender);
    LinkIo io{this};
    std::optional<Payload> p;
    if (!bare) p = Payload{frame.header.seq, frame.header.type, {body.begin(), body.end()}};
    links_->on_frame(sender, h, p ? &*p : nullptr, at_ns, io);
    std::vector<std::pair<NodeId, Payload>> ready;
    ready.swap(ready_);
    for (auto& [from, payload] : ready) {
      const auto m = wire_decode(std::type_identity<Message>{}, payload.type, payload.bytes);
      deliver(at_ns, MsgId{from, payload.seq}, from, *m);
    }
    arm_layer();
  }

  void transmit_layer_frame(NodeId to, const reliable::Header& h, const Payload* p) {
    payload_.clear();
    put_le(payload_, h.from_inc, 8);
    put_le(payload_, h.to_inc, 8);
    put_le(payload_, h.seq, 8);
    put_le(payload_, h.ack, 8);
    if (p != nullptr) payload_.insert(payload_.end(), p->bytes.begin(), p->bytes.end());
    const FrameHeader header{.type = p != nullptr ? p->type : wire_types::kReliableAck,
                             .sender = options_.self,
                             .seq = p != nullptr ? p->seq : 0};
    send_frame(to, header);
  }

  // Keeps the layer's timer at its next deadline.
  void arm_layer() {
    const std::size_t slot = Algo::kTimerTags;  // past the algorithm's own timers
    const std::optional<Nanos> due = links_->next_deadline();
    if (!due) return host_.cancel_timer(slot);
    host_.set_timer(slot, std::max<Nanos>(0, *due - now()), [this] {
      LinkIo io{this};
      links_->on_deadline(now(), io);
      arm_layer();
    });
  }

  void abandoned(NodeId to, const Payload& p, reliable::Abandoned why) {
    if (why == reliable::Abandoned::unreachable && !said_gone_.contains(to)) {
      said_gone_.insert(to);
      fmt::print(
          stderr,
          "distlab: node {} gave up on node {}: no acknowledgement after {} retransmissions; messages to it "
          "are dropped until it restarts\n",
          options_.self, to, reliable::Settings{}.max_tries);
    }
    if (why != reliable::Abandoned::unreachable) said_gone_.erase(to);
    if (options_.sink == nullptr) return;
    const auto m = wire_decode(std::type_identity<Message>{}, p.type, p.bytes);
    Event e;
    e.t = now();
    e.node = options_.self;
    e.kind = EventKind::drop;
    e.msg = MsgId{options_.self, p.seq};
    e.peer = to;
    if (m) e.type = trace_type(*m);
    e.label = to_string(why == reliable::Abandoned::peer_restarted ? DropReason::crashed : DropReason::loss);
    options_.sink->on_event(e);
  }

  void send(typename Context<Message>::Outgoing& out) {
    if constexpr (kReliable) {
      Payload p{out.id.seq, 0, {}};
      p.type = wire_encode(out.message, p.bytes);
      LinkIo io{this};
      links_->send(out.to, std::move(p), now(), io);
      return arm_layer();
    }
    if (options_.text_encoder) {
      const std::string text = options_.text_encoder(out.message);
      host_.send(out.to, std::as_bytes(std::span(text)));
      return;
    }
    payload_.clear();
    const std::uint8_t type = wire_encode(out.message, payload_);
    send_frame(out.to, {.type = type, .sender = options_.self, .seq = out.id.seq});
  }

  // Sends payload_ under `header`, sealed when there is a key.
  void send_frame(NodeId to, const FrameHeader& header) {
    send_buffer_.clear();
    if (options_.sealing) {
      DISTLAB_ASSERT(sealer_.has_value(), "a node that sends needs an epoch to seal with");
      maybe_reload_keys(now());
      sealer_->seal(header, to, payload_, send_buffer_);
    } else {
      encode_frame(header, payload_, send_buffer_);
    }
    host_.send(to, send_buffer_);
  }

  Options options_;
  Host host_;
  Driver<Algo> driver_;  // the node, stepped one input at a time
  std::vector<std::byte> send_buffer_;
  std::vector<std::byte> payload_;
  std::unordered_map<NodeId, std::uint64_t> text_seq_;  // lookup only
  std::vector<std::optional<Source>> sources_;  // closed membership: by index in options_.nodes
  std::unordered_set<NodeId> senders_;          // open membership: ids heard from; lookup only
  bool said_full_ = false;
  std::optional<Sealer> sealer_;
  std::optional<Opener> opener_;
  FileIdentity key_file_seen_;
  Nanos last_key_check_ns_ = 0;
  std::uint64_t key_reloads_ = 0;
  std::array<std::uint64_t, kDecodeErrors> rejected_{};
  std::array<std::uint64_t, kDecodeErrors> reported_{};  // rejected_ at the last report
  std::uint64_t delivered_ = 0;
  std::uint64_t malformed_ = 0;
  std::uint64_t malformed_since_report_ = 0;
  DecodeError last_error_ = DecodeError::none;
  Nanos last_report_ns_ = -kSecond;
  std::optional<reliable::Links<Payload>> links_;  // when the algorithm asks for reliable channels
  std::vector<std::pair<NodeId, Payload>> ready_;  // delivered by the layer, for the node to handle
  std::set<NodeId> said_gone_;                     // peers given up, said on stderr once
};

}  // namespace distlab::udp
