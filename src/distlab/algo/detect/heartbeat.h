// Heartbeat failure detection with failover (the seed's question 4), sans-I/O.
//
// HeartbeatSender sends a heartbeat to the monitor every interval +- jitter (the
// seed: 5 s +- 1 s). Monitor keeps a detector per node it has heard from, checks
// them every check_every (the seed: 1 s), traces each transition, suspected or
// trusted again, and directs "purchase orders" to the lowest-id trusted node: away
// from a node that fails, back when a lower node returns, and nowhere, with a
// critical alert, when none is left.
//
//   Monitor monitor(options);          // node 0 in a simulated run
//   HeartbeatSender sender(3, options);
//
// Trace annotations (monitor): {"monitor":{...detector settings...}} at start,
// {"trust":N} when it first hears from N or hears from it again after suspecting it,
// {"suspect":N}, and {"redirect_to":N} or {"redirect_to":null} after every suspicion
// and whenever the target changes.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

#include "distlab/algo/wire_types.h"
#include "distlab/algo/detect/detector.h"
#include "distlab/core/bytes.h"
#include "distlab/core/context.h"
#include "distlab/core/fingerprint.h"

namespace distlab::detect {

struct Heartbeat {
  std::uint64_t seq = 0;  // the sender's count, from 1
};
inline std::string_view trace_type(const Heartbeat&) { return "heartbeat"; }

// Wire codec (see runtime/udp/codec.h for the frame around it): type 1, the count
// as 8 bytes.
inline constexpr std::uint8_t kHeartbeatWireType = wire_types::kHeartbeat.first;
inline std::uint8_t wire_encode(const Heartbeat& h, std::vector<std::byte>& payload) {
  put_le(payload, h.seq, 8);
  return kHeartbeatWireType;
}
inline std::optional<Heartbeat> wire_decode(std::type_identity<Heartbeat>, std::uint8_t type,
                                            std::span<const std::byte> payload) {
  if (type != kHeartbeatWireType || payload.size() != 8) return std::nullopt;
  return Heartbeat{*get_le(payload, 0, 8)};
}

enum class DetectorKind { fixed, phi };

// The classic mistakes it can make on purpose (Descriptor::kBugs, in this order).
enum class Bug : std::uint8_t {
  none,
  silence_from_check,  // the monitor counts silence from its last check, not the last heartbeat
};

struct MonitorOptions {
  Nanos check_every_ns = 1 * kSecond;  // the seed's
  DetectorKind detector = DetectorKind::fixed;
  FixedTimeout::Options fixed;
  PhiAccrual::Options phi;
  Bug bug = Bug::none;
};

struct SenderOptions {
  NodeId monitor = 0;
  Nanos interval_ns = 5 * kSecond;  // the seed's INTERVAL
  Nanos jitter_ns = 1 * kSecond;    // the seed's random.uniform(-1, 1)
};

class HeartbeatSender {
 public:
  using Message = Heartbeat;
  enum : TimerTag { kBeat };
  static constexpr std::size_t kTimerTags = 1;
  static std::string_view timer_name(TimerTag) { return "beat"; }

  HeartbeatSender(NodeId, const SenderOptions& options) : options_(options) {}

  void on_start(Context<Message>& ctx) { beat(ctx); }
  void on_message(Context<Message>&, NodeId, const Message&) {}
  void on_timer(Context<Message>& ctx, TimerTag) { beat(ctx); }
  void on_recover(Context<Message>& ctx) { beat(ctx); }

  std::uint64_t sent() const { return seq_; }
  // For `distlab explore`: nothing the monitor reads. The count only numbers the
  // heartbeats, and the monitor reads no field of a heartbeat.
  void fingerprint(StateHasher&, Nanos) const {}

 private:
  void beat(Context<Message>& ctx);

  SenderOptions options_;
  std::uint64_t seq_ = 0;
};

class Monitor {
 public:
  using Message = Heartbeat;
  enum : TimerTag { kCheck = 1 };  // distinct from the sender's, for HeartbeatNode
  static constexpr std::size_t kTimerTags = 2;
  static std::string_view timer_name(TimerTag) { return "check"; }

  explicit Monitor(const MonitorOptions& options) : options_(options) {}

  void on_start(Context<Message>& ctx);
  void on_message(Context<Message>& ctx, NodeId from, const Message& m);
  void on_timer(Context<Message>& ctx, TimerTag tag);
  void on_recover(Context<Message>& ctx) { on_start(ctx); }

  // Where orders go now: the lowest-id trusted node, if any.
  std::optional<NodeId> target() const {
    return trusted_.empty() ? std::nullopt : std::optional<NodeId>(*trusted_.begin());
  }
  bool suspected(NodeId node) const;
  std::size_t tracked() const { return nodes_.size(); }
  std::uint64_t heartbeats() const { return heartbeats_; }
  // It has heard from `node` (so it detects its failure).
  bool tracks(NodeId node) const { return index_.contains(node); }
  // For `distlab explore` (fixed detector only): what each tracked node's detection
  // depends on, times relative to `now` (core/fingerprint.h); not the heartbeat count.
  void fingerprint(StateHasher& h, Nanos now) const;

 private:
  struct Tracked {
    NodeId id;
    Nanos last_ns = 0;
    bool suspected = false;
    std::optional<PhiAccrual> phi;
  };

  bool suspect_now(const Tracked& t, Nanos now) const;
  void redirect(Context<Message>& ctx);

  MonitorOptions options_;
  // Nodes in the order first heard from; lookups by id through the index. The
  // index is never iterated, so hash order cannot reach the trace.
  std::vector<Tracked> nodes_;
  std::unordered_map<NodeId, std::uint32_t> index_;
  std::set<NodeId> trusted_;
  std::optional<NodeId> target_;
  std::uint64_t heartbeats_ = 0;
  Nanos last_check_ns_ = 0;  // read only by Bug::silence_from_check
};

// One simulated system: node 0 monitors, the others send heartbeats.
class HeartbeatNode {
 public:
  using Message = Heartbeat;
  static constexpr std::size_t kTimerTags = 2;
  static std::string_view timer_name(TimerTag tag) { return tag == Monitor::kCheck ? "check" : "beat"; }

  HeartbeatNode(NodeId self, const MonitorOptions& monitor, const SenderOptions& sender);

  void on_start(Context<Message>& ctx) { std::visit([&](auto& r) { r.on_start(ctx); }, role_); }
  void on_message(Context<Message>& ctx, NodeId from, const Message& m) {
    std::visit([&](auto& r) { r.on_message(ctx, from, m); }, role_);
  }
  void on_timer(Context<Message>& ctx, TimerTag tag) { std::visit([&](auto& r) { r.on_timer(ctx, tag); }, role_); }
  void on_recover(Context<Message>& ctx) { std::visit([&](auto& r) { r.on_recover(ctx); }, role_); }

  const Monitor* monitor() const { return std::get_if<Monitor>(&role_); }
  void fingerprint(StateHasher& h, Nanos now) const {
    h.add(role_.index());
    std::visit([&](const auto& r) { r.fingerprint(h, now); }, role_);
  }

 private:
  std::variant<Monitor, HeartbeatSender> role_;
};

}  // namespace distlab::detect
