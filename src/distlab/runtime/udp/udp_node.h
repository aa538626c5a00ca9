// Runs one node of an algorithm as a real process over UDP.
//
// The node's handlers run on its Host's single-threaded loop (runtime/udp/host.h),
// stepped through the same Driver as anywhere else: the clock is the process's
// steady clock, timers are the host's, and sends become frames (runtime/udp/codec.h).
// Anything malformed, truncated, oversized or of an unknown type is counted and
// dropped, never a crash or a stall; a summary line goes to stderr at most once a
// second.
//
//   UdpNode<Monitor> node(Monitor(options), {.self = 0, .bind = parse_address("127.0.0.1:5000")});
//   node.start();
//   node.host().run();
//
// The message type provides `std::uint8_t wire_encode(const M&, std::vector<std::byte>&)`
// and `std::optional<M> wire_decode(std::type_identity<M>, std::uint8_t, span)`.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "distlab/core/context.h"
#include "distlab/core/driver.h"
#include "distlab/runtime/udp/address.h"
#include "distlab/runtime/udp/codec.h"
#include "distlab/runtime/udp/host.h"

namespace distlab::udp {

template <class M>
concept WireMessage = requires(const M& m, std::vector<std::byte>& out, std::uint8_t type,
                               std::span<const std::byte> in) {
  { wire_encode(m, out) } -> std::convertible_to<std::uint8_t>;
  { wire_decode(std::type_identity<M>{}, type, in) } -> std::convertible_to<std::optional<M>>;
};

struct UdpCounters {
  std::uint64_t received = 0;    // datagrams read
  std::uint64_t delivered = 0;   // handed to the algorithm
  std::uint64_t malformed = 0;   // dropped: not a valid frame or message
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t wakeups = 0;  // times the socket was found readable
  std::uint64_t batches = 0;  // recvmmsg calls that returned datagrams
};

// Message numbers given to the seed's text datagrams, which have none.
inline constexpr std::uint64_t kTextSeqBit = std::uint64_t{1} << 63;

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
    // The first message number is first_seq + 1: a restarted process starts past the
    // numbers its previous incarnation used, so message ids stay unique.
    std::uint64_t first_seq = 0;
    // Called after every handler, with the node (to keep its durable state on disk).
    std::function<void(const Algo&)> on_settled;
  };

  using Action = std::function<void(Algo&, Context<Message>&)>;

  // Binds the socket: a busy port is a RuntimeFailure (exit 3) naming the address.
  UdpNode(Algo algo, Options options)
      : options_(std::move(options)),
        host_({.bind = options_.bind, .peers = options_.peers, .epoch = options_.epoch}),
        driver_(std::move(algo), {.self = options_.self,
                                  .nodes = options_.nodes,
                                  .seed = options_.seed,
                                  .first_seq = options_.first_seq,
                                  .sink = options_.sink}) {}

  // Calls on_start (or, for a restarted process, on_recover after tracing the
  // recovery) on the loop, and starts reading.
  void start(bool recovering = false) {
    host_.post([this, recovering] { settle(recovering ? driver_.recover(now()) : driver_.start(now())); });
    host_.read([this](std::span<const std::byte> datagram, bool truncated, Nanos at_ns) {
      if (truncated) return malformed(DecodeError::too_long);
      handle(datagram, at_ns);
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
  UdpCounters counters() const {
    const HostCounters& h = host_.counters();
    return {.received = h.received,
            .delivered = delivered_,
            .malformed = malformed_,
            .sent = h.sent,
            .send_errors = h.send_errors,
            .wakeups = h.wakeups,
            .batches = h.batches};
  }
  Nanos now() const { return host_.now(); }
  Address local_address() const { return host_.local_address(); }

 private:
  void handle(std::span<const std::byte> datagram, Nanos at_ns) {
    const DecodeResult r = decode_frame(datagram);
    if (r.frame && r.frame->header.sender == options_.self) return malformed(DecodeError::own_id);
    if (r.frame && !member(r.frame->header.sender)) return malformed(DecodeError::unknown_sender);
    if (r.frame) {
      std::optional<Message> m = wire_decode(std::type_identity<Message>{}, r.frame->header.type, r.frame->payload);
      if (!m) return malformed(DecodeError::bad_type);
      deliver(at_ns, MsgId{r.frame->header.sender, r.frame->header.seq}, r.frame->header.sender, *m);
      return;
    }
    if (options_.text_decoder) {
      if (auto text = options_.text_decoder(datagram)) {
        if (text->first == options_.self) return malformed(DecodeError::own_id);
        if (!member(text->first)) return malformed(DecodeError::unknown_sender);
        // Text carries no message number: count them apart from framed ones (top bit).
        deliver(at_ns, MsgId{text->first, kTextSeqBit | ++text_seq_[text->first]}, text->first, text->second);
        return;
      }
    }
    malformed(r.error);
  }

  bool member(NodeId sender) const {
    return !options_.closed_membership ||
           std::binary_search(options_.nodes.begin(), options_.nodes.end(), sender);
  }

  void deliver(Nanos at_ns, MsgId id, NodeId from, const Message& m) {
    ++delivered_;
    settle(driver_.deliver(at_ns, from, id, m));
  }

  void malformed(DecodeError why) {
    ++malformed_;
    ++malformed_since_report_;
    last_error_ = why;
    const Nanos t = now();
    if (t - last_report_ns_ < kSecond) return;  // rate-limited: one line a second at most
    fmt::print(stderr, "distlab: ignored {} malformed datagram{} (last: {})\n", malformed_since_report_,
               malformed_since_report_ == 1 ? "" : "s", to_string(last_error_));
    malformed_since_report_ = 0;
    last_report_ns_ = t;
  }

  // Carries out what the node asked for in one step.
  void settle(typename Driver<Algo>::Ready ready) {
    for (auto& out : ready.sends) send(out);
    for (const TimerOp& op : ready.timers) {
      if (op.cancel) {
        host_.cancel_timer(op.tag);
      } else {
        host_.set_timer(op.tag, op.after_ns, [this, tag = op.tag] { settle(driver_.fire(now(), tag)); });
      }
    }
    driver_.advance();
    if (options_.on_settled) options_.on_settled(driver_.node());
  }

  void send(typename Context<Message>::Outgoing& out) {
    if (options_.text_encoder) {
      const std::string text = options_.text_encoder(out.message);
      host_.send(out.to, std::as_bytes(std::span(text)));
      return;
    }
    payload_.clear();
    send_buffer_.clear();
    const std::uint8_t type = wire_encode(out.message, payload_);
    encode_frame({.type = type, .sender = options_.self, .seq = out.id.seq}, payload_, send_buffer_);
    host_.send(out.to, send_buffer_);
  }

  Options options_;
  Host host_;
  Driver<Algo> driver_;  // the node, stepped one input at a time
  std::vector<std::byte> send_buffer_;
  std::vector<std::byte> payload_;
  std::unordered_map<NodeId, std::uint64_t> text_seq_;  // lookup only
  std::uint64_t delivered_ = 0;
  std::uint64_t malformed_ = 0;
  std::uint64_t malformed_since_report_ = 0;
  DecodeError last_error_ = DecodeError::none;
  Nanos last_report_ns_ = -kSecond;
};

}  // namespace distlab::udp
