// Ricart–Agrawala distributed mutual exclusion: n nodes share one critical section,
// with no coordinator and 2(n-1) messages per entry.
//
// A node that wants the critical section sends REQUEST, stamped with its Lamport
// time, to every other node and waits for a REPLY from each. A node receiving a
// request replies at once, unless it is inside the critical section, or wants it
// itself with an earlier request in (timestamp, id) order: then it defers the reply
// until it leaves. So no two nodes are ever inside at once, and requests are granted
// in (timestamp, id) order. The known weakness: every node must answer, so one
// crashed node, or one lost message, blocks every request that needs it.
//
// Each node asks `options.requests` times, each after a random think time, and stays
// inside for `options.hold_ns`.
//
// Crash and recovery: the Lamport clock and the count of completed entries survive
// (`Durable`), everything else is lost: a restarted node is idle, has forgotten the
// replies it deferred (their requesters wait forever: the weakness again) and asks
// for its remaining critical sections, one cut short by the crash included. Its clock
// keeps growing, so a new request never reuses an old one's timestamp, and each REPLY
// names the request it grants: a late reply to a request from before the crash, or a
// copy of one duplicated by the network, is told apart and ignored.
//
//   sim::Simulator<RicartNode> sim(config, [](NodeId id) { return RicartNode(id, {.requests = 5}); });
//   sim.run();  // each node enters 5 times, one at a time
//
// Trace annotations: MutexNote below (algo/ricart/checker.h judges them).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "distlab/algo/wire_types.h"
#include "distlab/clock/lamport_clock.h"
#include "distlab/core/context.h"
#include "distlab/core/fingerprint.h"
#include "distlab/core/types.h"

namespace distlab::ricart {

// "May I enter?" `ts` is the requester's Lamport timestamp (the time of the last of
// its n-1 sends, the same in every copy): its place in the queue, and the request's
// name in the replies.
struct Request {
  std::int64_t ts = 0;
};

// "Go ahead" for the request with timestamp `request_ts`; `ts` is the sender's
// Lamport time, which the receiver merges.
struct Reply {
  std::int64_t ts = 0;
  std::int64_t request_ts = 0;
};

using Message = std::variant<Request, Reply>;

// "request", "reply".
std::string_view trace_type(const Message& m);
// {"ts":T} for a request, {"ts":T,"request_ts":R} for a reply.
nlohmann::ordered_json trace_body(const Message& m);

// Wire codec: a request is type 40 with its timestamp (8 bytes, little-endian); a
// reply is type 41 with ts then request_ts (8 bytes each). Refused: other types and
// lengths, timestamps below 1 (each is a clock tick; the top bit would make it
// negative), and a reply whose ts is not above its request_ts (it left after merging it).
inline constexpr std::uint8_t kFirstWireType = wire_types::kRicart.first;
std::uint8_t wire_encode(const Message& m, std::vector<std::byte>& payload);
std::optional<Message> wire_decode(std::type_identity<Message>, std::uint8_t type,
                                   std::span<const std::byte> payload);

// A node's trace notes, as the node writes them and the checker and the narrative
// read them: {"mutex":"request","ts":T} when it asks, {"mutex":"enter","ts":T} when
// it enters, {"mutex":"exit"} when it leaves.
struct MutexNote {
  static constexpr const char* kKey = "mutex";  // the note's top-level key
  enum class Kind : std::uint8_t {
    request,
    enter,
    exit,
    other,  // a "mutex" note of another kind (a later version, or a damaged trace)
  };
  Kind kind = Kind::other;
  std::optional<std::int64_t> ts;  // request and enter; absent from a damaged note

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it holds no "mutex" string.
  static std::optional<MutexNote> from_json(const nlohmann::ordered_json& data);
};

// The classic mistakes it can make on purpose (Descriptor::kBugs, in this order).
enum class Bug : std::uint8_t {
  none,
  reply_in_cs,  // replies to a request at once while inside the critical section
};

struct Options {
  std::uint32_t requests = 3;               // critical sections each node asks for
  Nanos hold_ns = 10 * kMillisecond;        // time inside each one
  Nanos think_mean_ns = 30 * kMillisecond;  // mean gap before each request, drawn from ctx.random()
  Bug bug = Bug::none;
};

class RicartNode {
 public:
  using Message = ricart::Message;
  enum : TimerTag { kThink, kHold };
  static constexpr std::size_t kTimerTags = 2;
  static std::string_view timer_name(TimerTag tag);

  enum class State : std::uint8_t {
    idle,     // neither inside nor asking
    wanting,  // asked, waiting for a reply from every other node
    held,     // inside the critical section
  };

  RicartNode(NodeId self, Options options) : self_(self), options_(options) {}

  void on_start(Context<Message>& ctx);
  void on_message(Context<Message>& ctx, NodeId from, const Message& m);
  void on_timer(Context<Message>& ctx, TimerTag tag);
  void on_recover(Context<Message>& ctx);

  // What survives a crash (the simulator keeps it; a real process keeps it on disk).
  struct Durable {
    LamportClock clock;
    std::uint32_t entries = 0;
  };
  Durable durable() const { return {clock_, entries_}; }
  void restore(const Durable& d) {
    clock_ = d.clock;
    entries_ = d.entries;
  }
  // {"lamport":N,"entries":N}.
  static nlohmann::ordered_json durable_to_json(const Durable& d);
  static std::optional<Durable> durable_from_json(const nlohmann::ordered_json& j);

  State state() const { return state_; }
  // Critical sections completed (entered and left).
  std::uint32_t entries() const { return entries_; }
  // The timestamp of the current or last request since the last (re)start; 0 before any.
  LamportClock::Time request_ts() const { return request_ts_; }
  // Requests this node holds back until it leaves the critical section.
  std::size_t deferred() const;
  // Replies that granted nothing: late ones to a request from before a crash, or copies
  // made by the network.
  std::uint64_t ignored_replies() const { return ignored_replies_; }
  const LamportClock& clock() const { return clock_; }

  // Everything its future depends on, for `distlab explore` (core/fingerprint.h).
  void fingerprint(StateHasher& h, Nanos now) const;

 private:
  // What this node knows of another node's requests (lost in a crash).
  struct Requester {
    LamportClock::Time newest_ts = 0;    // newest request seen; older or equal ones are stale or copies
    LamportClock::Time answered_ts = 0;  // newest request replied to
    bool deferred = false;               // its newest request waits for our exit
  };

  void become_wanting(Context<Message>& ctx);
  void become_held(Context<Message>& ctx);
  void become_released(Context<Message>& ctx);
  void handle_request(Context<Message>& ctx, NodeId from, const Request& m);
  void handle_reply(Context<Message>& ctx, NodeId from, const Reply& m);
  void send_reply(Context<Message>& ctx, NodeId to, LamportClock::Time request_ts);
  // Sets the think timer if requests remain.
  void think(Context<Message>& ctx);
  // Our current request comes before `from`'s request with timestamp `ts`.
  bool goes_first(NodeId from, LamportClock::Time ts) const;
  Stamp stamp() const;

  NodeId self_;
  Options options_;
  LamportClock clock_;
  std::uint32_t entries_ = 0;
  State state_ = State::idle;
  LamportClock::Time request_ts_ = 0;
  std::set<NodeId> granted_;                // who replied to the current request; at most n - 1
  std::map<NodeId, Requester> requesters_;  // at most n - 1
  std::uint64_t ignored_replies_ = 0;
};

std::string_view to_string(RicartNode::State state);

}  // namespace distlab::ricart
