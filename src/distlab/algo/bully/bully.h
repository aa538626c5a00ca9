// Bully leader election (the seed's question 3), with real messages and timeouts.
//
// A node knows only what messages and timers tell it:
// - To elect, it sends ELECTION to every higher id. A live higher node answers (OK)
//   and runs its own election, unless it already follows a higher leader it heard
//   from recently (that leader got the same ELECTION and answers it with COORDINATOR;
//   a new wave would only repeat the last one). No answer within answer_timeout: it
//   wins. An answer but no coordinator within coordinator_timeout: it starts again.
// - The winner sends COORDINATOR to every other node. Each steps down if it led,
//   follows the winner and acknowledges; the winner holds leadership once every
//   node acknowledged or answer_timeout passed (a handover, so that on a connected,
//   reliable network two nodes never hold leadership at the same time).
// - The leader sends ALIVE every heartbeat; a follower that hears nothing from its
//   leader for leader_timeout (spread at random up to 1.5x, so that followers do not
//   all start at once) starts an election. A node never follows a lower id:
//   hearing one, it bullies it with an election of its own; nor does it go back to
//   a leader below the live one it follows (that leader just has not heard yet).
// - A recovering node starts an election, and, being the highest, takes over.
//
//   BullyNode node(5, options);
//   node.start_election(ctx, "asked");
//
// Trace annotations: {"bully":{...timeouts...}} at start, {"election":"start",
// "reason":...}, {"election":"won"} when it sends COORDINATOR, {"leader":L} when it
// learns or takes up leadership of L.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "distlab/algo/wire_types.h"
#include "distlab/core/context.h"
#include "distlab/core/fingerprint.h"
#include "distlab/core/id_set.h"
#include "distlab/core/types.h"

namespace distlab::bully {

struct Election {};     // "do you have a higher id?"
struct Answer {};       // "yes, I take it from here" (OK)
struct Coordinator {};  // "I am the leader"
struct Ack {};          // "I follow you"
struct Alive {};        // the leader's heartbeat

using Message = std::variant<Election, Answer, Coordinator, Ack, Alive>;

// "election", "answer", "coordinator", "ack", "alive".
std::string_view trace_type(const Message& m);

// Wire codec: types 30 to 34 in the order above, no payload.
inline constexpr std::uint8_t kFirstWireType = wire_types::kBully.first;
std::uint8_t wire_encode(const Message& m, std::vector<std::byte>& payload);
std::optional<Message> wire_decode(std::type_identity<Message>, std::uint8_t type, std::span<const std::byte> payload);

// The classic mistakes it can make on purpose (Descriptor::kBugs, in this order).
enum class Bug : std::uint8_t {
  none,
  crown_without_waiting,  // declares itself the winner as soon as it sends ELECTION
  follow_lower,           // follows a COORDINATOR from a lower id
};

struct Options {
  Nanos heartbeat_ns = 100 * kMillisecond;
  Nanos leader_timeout_ns = 350 * kMillisecond;
  Nanos answer_timeout_ns = 50 * kMillisecond;
  Nanos coordinator_timeout_ns = 200 * kMillisecond;  // also how long a winner waits for acks
  bool heartbeats = true;  // off: no ALIVE and no leader timeout (complexity runs)
  Bug bug = Bug::none;

  // A follower's leader timeout is drawn from [leader_timeout, this]: the longest a
  // follower waits for a dead leader before it starts an election.
  Nanos leader_timeout_max_ns() const { return leader_timeout_ns + leader_timeout_ns / 2; }
};

class BullyNode {
 public:
  using Message = bully::Message;
  enum : TimerTag { kAnswerTimeout, kCoordinatorTimeout, kAckTimeout, kHeartbeat, kLeaderTimeout };
  static constexpr std::size_t kTimerTags = 5;
  static std::string_view timer_name(TimerTag tag);

  enum class Role : std::uint8_t {
    follower,  // follows leader(), or knows none yet
    electing,  // sent ELECTION, waiting for an answer
    waiting,   // answered, waiting for the higher node's COORDINATOR
    claiming,  // sent COORDINATOR, waiting for acknowledgements
    leader,    // holds leadership
  };

  BullyNode(NodeId self, const Options& options) : self_(self), options_(options) {}

  void on_start(Context<Message>& ctx);
  void on_message(Context<Message>& ctx, NodeId from, const Message& m);
  void on_timer(Context<Message>& ctx, TimerTag tag);
  void on_recover(Context<Message>& ctx);

  // Start an election unless one is already running here. `reason` goes in the trace.
  void start_election(Context<Message>& ctx, std::string_view reason);

  Role role() const { return role_; }
  std::optional<NodeId> leader() const { return leader_; }
  bool holds_leadership() const { return role_ == Role::leader; }

  // Everything its future depends on, for `distlab explore` (core/fingerprint.h).
  void fingerprint(StateHasher& h, Nanos now) const;
  // Whether destroying it does anything (only its IdSet can hold memory): the explorer
  // walks back to a stored state only to destroy what does.
  bool holds_memory() const { return acks_.holds_memory(); }

 private:
  void note_config(Context<Message>& ctx);
  void claim(Context<Message>& ctx);
  void take_leadership(Context<Message>& ctx);
  void follow(Context<Message>& ctx, NodeId leader);
  void stop_election_timers(Context<Message>& ctx);
  void expect_heartbeat(Context<Message>& ctx);
  // Follows a higher leader it heard from recently: an election from below needs only
  // an answer from us, since that leader receives the same election and replies.
  bool follows_live_leader(const Context<Message>& ctx) const;
  // A leader's message from below the live leader we follow: it has been replaced
  // and does not know yet (the new leader's COORDINATOR is on its way to it).
  bool superseded(const Context<Message>& ctx, NodeId from) const;

  NodeId self_;
  Role role_ = Role::follower;  // beside self_: 104 bytes a node, not 112 (the explorer packs 3 a state)
  Options options_;
  std::optional<NodeId> leader_;
  IdSet acks_;                            // while claiming
  std::optional<Nanos> heard_leader_ns_;  // last COORDINATOR or ALIVE from a higher node
};

}  // namespace distlab::bully
