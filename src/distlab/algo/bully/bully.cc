#include "distlab/algo/bully/bully.h"

#include "distlab/algo/bully/notes.h"

#include <algorithm>

namespace distlab::bully {

namespace {
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;  // for compilers without aggregate deduction
}  // namespace

std::string_view trace_type(const Message& m) {
  return std::visit(Overloaded{[](const Election&) { return "election"; },
                               [](const Answer&) { return "answer"; },
                               [](const Coordinator&) { return "coordinator"; },
                               [](const Ack&) { return "ack"; }, [](const Alive&) { return "alive"; }},
                    m);
}

std::uint8_t wire_encode(const Message& m, std::vector<std::byte>&) {
  return static_cast<std::uint8_t>(kFirstWireType + m.index());
}

std::optional<Message> wire_decode(std::type_identity<Message>, std::uint8_t type, std::span<const std::byte> payload) {
  if (!payload.empty()) return std::nullopt;
  switch (type) {
    case kFirstWireType + 0: return Election{};
    case kFirstWireType + 1: return Answer{};
    case kFirstWireType + 2: return Coordinator{};
    case kFirstWireType + 3: return Ack{};
    case kFirstWireType + 4: return Alive{};
    default: return std::nullopt;
  }
}

std::string_view BullyNode::timer_name(TimerTag tag) {
  switch (tag) {
    case kAnswerTimeout: return "answer_timeout";
    case kCoordinatorTimeout: return "coordinator_timeout";
    case kAckTimeout: return "ack_timeout";
    case kHeartbeat: return "heartbeat";
    case kLeaderTimeout: return "leader_timeout";
    default: return "?";
  }
}

void BullyNode::note_config(Context<Message>& ctx) {
  if (!ctx.observed()) return;
  const Options& o = options_;
  ctx.note(ConfigNote{.heartbeat_ns = o.heartbeats ? o.heartbeat_ns : 0,
                      .leader_timeout_ns = o.heartbeats ? o.leader_timeout_ns : 0,
                      .leader_timeout_max_ns = o.heartbeats ? o.leader_timeout_max_ns() : 0,
                      .answer_timeout_ns = o.answer_timeout_ns,
                      .coordinator_timeout_ns = o.coordinator_timeout_ns,
                      .ack_timeout_ns = o.answer_timeout_ns}
               .to_json());
}

void BullyNode::on_start(Context<Message>& ctx) {
  note_config(ctx);
  // Nobody leads yet: wait a leader timeout for someone to win, then run for it.
  expect_heartbeat(ctx);
}

void BullyNode::on_recover(Context<Message>& ctx) {
  note_config(ctx);
  start_election(ctx, "recover");
}

void BullyNode::start_election(Context<Message>& ctx, std::string_view reason) {
  if (role_ == Role::electing || role_ == Role::waiting || role_ == Role::claiming) return;
  if (role_ == Role::leader) {
    claim(ctx);  // asked again: announce again
    return;
  }
  if (ctx.observed()) ctx.note(ElectionNote{ElectionNote::Kind::start, std::string(reason)}.to_json());
  ctx.cancel_timer(kLeaderTimeout);
  bool any_higher = false;
  for (NodeId id : ctx.nodes()) {
    if (id <= self_) continue;
    ctx.send(id, Election{});
    any_higher = true;
  }
  if (!any_higher) {
    claim(ctx);
    return;
  }
  if (options_.bug == Bug::crown_without_waiting) {  // the bug: crowned before any answer could come
    claim(ctx);
    take_leadership(ctx);
    return;
  }
  role_ = Role::electing;
  ctx.set_timer(options_.answer_timeout_ns, kAnswerTimeout);
}

void BullyNode::on_message(Context<Message>& ctx, NodeId from, const Message& m) {
  std::visit(Overloaded{
                 [&](const Election&) {
                   // Only lower nodes send us elections: answer, and take over.
                   ctx.send(from, Answer{});
                   if (role_ == Role::leader || role_ == Role::claiming) {
                     ctx.send(from, Coordinator{});  // already leading: just tell it
                   } else if (!follows_live_leader(ctx)) {
                     start_election(ctx, "bullied");
                   }
                   // Otherwise our leader, higher than us, got the same election and
                   // tells the sender itself; a new wave from here would only repeat it.
                 },
                 [&](const Answer&) {
                   if (role_ != Role::electing) return;  // late: a coordinator will come
                   role_ = Role::waiting;
                   ctx.cancel_timer(kAnswerTimeout);
                   ctx.set_timer(options_.coordinator_timeout_ns, kCoordinatorTimeout);
                 },
                 [&](const Coordinator&) {
                   if (from < self_ && options_.bug != Bug::follow_lower) {
                     start_election(ctx, "lower_coordinator");  // never follow a lower id
                     return;
                   }
                   if (superseded(ctx, from)) return;  // stale: we follow a higher live leader
                   heard_leader_ns_ = ctx.now();
                   follow(ctx, from);
                   ctx.send(from, Ack{});
                 },
                 [&](const Ack&) {
                   if (role_ != Role::claiming) return;
                   acks_.insert(from);
                   if (acks_.size() + 1 == ctx.nodes().size()) take_leadership(ctx);
                 },
                 [&](const Alive&) {
                   if (superseded(ctx, from)) return;  // an old leader not yet told
                   if (leader_ == from && role_ == Role::follower) {
                     heard_leader_ns_ = ctx.now();
                     expect_heartbeat(ctx);
                   } else if (from > self_) {
                     heard_leader_ns_ = ctx.now();
                     follow(ctx, from);  // a higher leader: it wins
                   } else if (role_ == Role::follower) {
                     start_election(ctx, "lower_leader");
                   }
                 },
             },
             m);
}

void BullyNode::on_timer(Context<Message>& ctx, TimerTag tag) {
  switch (tag) {
    case kAnswerTimeout:
      if (role_ == Role::electing) claim(ctx);  // nobody higher is alive
      return;
    case kCoordinatorTimeout:
      if (role_ == Role::waiting) {
        role_ = Role::follower;  // the higher node went quiet: start again
        start_election(ctx, "coordinator_timeout");
      }
      return;
    case kAckTimeout:
      if (role_ == Role::claiming) take_leadership(ctx);
      return;
    case kHeartbeat:
      if (role_ != Role::leader) return;
      for (NodeId id : ctx.nodes()) {
        if (id != self_) ctx.send(id, Alive{});
      }
      ctx.set_timer(options_.heartbeat_ns, kHeartbeat);
      return;
    case kLeaderTimeout:
      if (role_ == Role::follower) start_election(ctx, "leader_timeout");
      return;
    default: return;
  }
}

void BullyNode::fingerprint(StateHasher& h, Nanos now) const {
  h.add(static_cast<std::uint64_t>(role_) << 32 | (leader_ ? *leader_ : 0U));
  h.add(leader_.has_value());
  h.add(acks_.size());
  for (NodeId id : acks_) h.add(id);
  // Only whether the leader was heard within fresh_ns is ever asked (follows_live_leader).
  const Nanos fresh_ns = options_.heartbeats ? options_.leader_timeout_ns : options_.coordinator_timeout_ns;
  h.add_age(heard_leader_ns_, now, fresh_ns);
}

bool BullyNode::superseded(const Context<Message>& ctx, NodeId from) const {
  return leader_ && from < *leader_ && follows_live_leader(ctx);
}

bool BullyNode::follows_live_leader(const Context<Message>& ctx) const {
  if (role_ != Role::follower || !leader_ || *leader_ <= self_ || !heard_leader_ns_) return false;
  // Heard from it within the time it would take us to suspect it.
  const Nanos fresh_ns = options_.heartbeats ? options_.leader_timeout_ns : options_.coordinator_timeout_ns;
  return ctx.now() - *heard_leader_ns_ < fresh_ns;
}

void BullyNode::claim(Context<Message>& ctx) {
  if (ctx.observed()) ctx.note(ElectionNote{ElectionNote::Kind::won, {}}.to_json());
  stop_election_timers(ctx);
  role_ = Role::claiming;
  acks_.clear();
  if (ctx.nodes().size() == 1) {
    take_leadership(ctx);
    return;
  }
  for (NodeId id : ctx.nodes()) {
    if (id != self_) ctx.send(id, Coordinator{});
  }
  ctx.set_timer(options_.answer_timeout_ns, kAckTimeout);  // acks take a round trip, like answers
}

void BullyNode::take_leadership(Context<Message>& ctx) {
  ctx.cancel_timer(kAckTimeout);
  role_ = Role::leader;
  leader_ = self_;
  if (ctx.observed()) ctx.note(LeaderNote{self_}.to_json());
  if (options_.heartbeats) ctx.set_timer(0, kHeartbeat);
}

void BullyNode::follow(Context<Message>& ctx, NodeId leader) {
  stop_election_timers(ctx);
  ctx.cancel_timer(kHeartbeat);
  role_ = Role::follower;
  if (leader_ != leader && ctx.observed()) ctx.note(LeaderNote{leader}.to_json());
  leader_ = leader;
  expect_heartbeat(ctx);
}

void BullyNode::stop_election_timers(Context<Message>& ctx) {
  ctx.cancel_timer(kAnswerTimeout);
  ctx.cancel_timer(kCoordinatorTimeout);
  ctx.cancel_timer(kAckTimeout);
}

// Spread over [T, 1.5 T]: followers that heard the same last heartbeat do not all
// start elections at the same instant; usually the first to notice settles it.
void BullyNode::expect_heartbeat(Context<Message>& ctx) {
  if (!options_.heartbeats) return;
  const Nanos t = options_.leader_timeout_ns;
  ctx.set_timer(t + ctx.random().between(0, options_.leader_timeout_max_ns() - t), kLeaderTimeout);
}

}  // namespace distlab::bully
