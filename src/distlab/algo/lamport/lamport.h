// The seed's Lamport clock protocol (question 1), with optional vector clocks.
//
// Each node keeps a LamportClock (and a VectorClock with `vector`). Two workloads:
// in rounds mode an outside driver picks a sender and a receiver each round and the
// sender runs a local event and then sends (the seed's program); in random mode every
// node acts on its own timer, a local event or a send to a random peer, while earlier
// messages are still in flight. Clocks survive a crash (stable storage): a restarted
// node that forgot its clock could stamp a new event lower than an old one.
//
//   LamportNode node(2, options);
//   node.local_then_send(ctx, 1);   // "Node 2 ran a local event. Timestamp: 1" ...
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>
#include <string_view>

#include "distlab/algo/wire_types.h"
#include "distlab/clock/lamport_clock.h"
#include "distlab/clock/vector_clock.h"
#include "distlab/core/context.h"
#include "distlab/core/fingerprint.h"
#include "distlab/core/types.h"

namespace distlab::lamport {

// The classic mistakes it can make on purpose (Descriptor::kBugs, in this order).
enum class Bug : std::uint8_t {
  none,
  receive_no_max,   // a receive ticks the clock without taking the max with the stamp
  vector_no_merge,  // a receive ticks the vector clock without merging the stamp
};

struct Options {
  bool vector = false;          // also keep vector clocks
  bool random_mode = false;     // act on timers instead of being driven in rounds
  std::uint32_t actions = 5;    // random mode: actions per node
  Nanos mean_gap_ns = 20 * kMillisecond;  // random mode: mean time between actions
  double send_share = 0.5;      // random mode: share of actions that are sends
  Bug bug = Bug::none;
};

// The one message: an application message carrying the sender's clocks.
struct AppMessage {
  LamportClock::Time lamport = 0;
  std::optional<VectorClock> vc;
};

inline std::string_view trace_type(const AppMessage&) { return "app"; }

// Wire codec (runtime/udp/codec.h frames it): type 10; the Lamport time, then the
// vector clock's entries (a count, then node id and counter each), if any.
inline constexpr std::uint8_t kAppWireType = wire_types::kLamport.first;
std::uint8_t wire_encode(const AppMessage& m, std::vector<std::byte>& payload);
std::optional<AppMessage> wire_decode(std::type_identity<AppMessage>, std::uint8_t type,
                                      std::span<const std::byte> payload);

// One round of the seed's driver: `sender` runs a local event, then messages `receiver`.
struct Round {
  NodeId sender;
  NodeId receiver;
};

// The seed's driver: each round a uniformly random ordered pair of distinct nodes,
// drawn from the run's workload stream (so the same seed gives the same rounds).
std::vector<Round> draw_rounds(std::uint64_t seed, std::span<const NodeId> ids, std::uint32_t rounds);

class LamportNode {
 public:
  using Message = AppMessage;
  enum : TimerTag { kAct };
  static constexpr std::size_t kTimerTags = 1;
  static std::string_view timer_name(TimerTag) { return "act"; }

  LamportNode(NodeId self, const Options& options) : options_(options), vc_(self) {}

  void on_start(Context<Message>& ctx);
  void on_message(Context<Message>& ctx, NodeId from, const Message& m);
  void on_timer(Context<Message>& ctx, TimerTag tag);
  void on_recover(Context<Message>& ctx);

  // One round of the seed: a local event, then a message to `to`.
  void local_then_send(Context<Message>& ctx, NodeId to);

  // What survives a crash.
  struct Durable {
    LamportClock lamport;
    VectorClock vc;
    std::uint32_t actions_done = 0;
  };
  Durable durable() const { return {lamport_, vc_, actions_done_}; }
  // On disk, for a real process that restarts: {"lamport":N,"vc":{...},"actions":N}.
  static nlohmann::ordered_json durable_to_json(const Durable& d);
  static std::optional<Durable> durable_from_json(const nlohmann::ordered_json& j);
  void restore(const Durable& d) {
    lamport_ = d.lamport;
    vc_ = d.vc;
    actions_done_ = d.actions_done;
  }

  const LamportClock& lamport() const { return lamport_; }
  const VectorClock& vc() const { return vc_; }
  std::uint32_t actions_done() const { return actions_done_; }

  // Everything its future depends on, for `distlab explore` (core/fingerprint.h).
  void fingerprint(StateHasher& h, Nanos now) const;

 private:
  void local_event(Context<Message>& ctx);
  void send_to(Context<Message>& ctx, NodeId to);
  void arm(Context<Message>& ctx);
  Stamp stamp() const;

  Options options_;
  LamportClock lamport_;
  VectorClock vc_;
  std::uint32_t actions_done_ = 0;
};

}  // namespace distlab::lamport
