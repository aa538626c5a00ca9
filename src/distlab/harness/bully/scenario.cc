#include "distlab/harness/bully/scenario.h"

#include <fmt/format.h>

#include "distlab/harness/lamport/scenario.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"

namespace distlab::harness {

void validate(const BullyScenario& s) {
  if (s.nodes < 2) throw InputError(fmt::format("--nodes must be at least 2, got {}", s.nodes));
  if (s.nodes > kMaxBullyNodes) throw InputError(fmt::format("--nodes is at most {}, got {}", kMaxBullyNodes, s.nodes));
  if (s.starter && (*s.starter < 1 || *s.starter > s.nodes)) {
    throw InputError(fmt::format("--starter {} is not a node (nodes are 1..{})", *s.starter, s.nodes));
  }
  const bully::Options& o = s.options;
  for (auto [name, value] : {std::pair{"--heartbeat", o.heartbeat_ns}, {"--leader-timeout", o.leader_timeout_ns},
                             {"--answer-timeout", o.answer_timeout_ns},
                             {"--coordinator-timeout", o.coordinator_timeout_ns}}) {
    if (value <= 0) throw InputError(fmt::format("{} must be longer than 0, got {}", name, format_duration(value)));
  }
  if (o.heartbeats && o.leader_timeout_ns <= o.heartbeat_ns) {
    throw InputError(fmt::format("--leader-timeout ({}) must be longer than --heartbeat ({}), or followers "
                                 "would suspect a live leader",
                                 format_duration(o.leader_timeout_ns), format_duration(o.heartbeat_ns)));
  }
  if (s.fail_leader_ns && s.recover_ns && *s.recover_ns <= *s.fail_leader_ns) {
    throw InputError(fmt::format("--recover {} must come after --fail-leader {}", format_duration(*s.recover_ns),
                                 format_duration(*s.fail_leader_ns)));
  }
  if (o.heartbeats) {
    require_timer_period("--heartbeat", o.heartbeat_ns);
    // The leader's heartbeat to each follower, sent and received, per period.
    const Nanos end = run_end(s.faults, bully_end(s));
    require_event_bound(fmt::format("{} of simulated time, --nodes {}, --heartbeat {}", format_duration(end), s.nodes,
                                    format_duration(o.heartbeat_ns)),
                        events_over(end, 2.0 * s.nodes, o.heartbeat_ns));
  }
}

Nanos bully_end(const BullyScenario& s) {
  Nanos end = s.options.heartbeats ? 2 * kSecond : kNanosMax;
  if (s.fail_leader_ns) end = std::max(end, *s.fail_leader_ns + 2 * kSecond);
  if (s.recover_ns) end = std::max(end, *s.recover_ns + 2 * kSecond);
  return end;
}

NodeId bully_starter(const BullyScenario& s) {
  Rng workload(derive_seed(s.seed, kStreamWorkload));
  return s.starter.value_or(static_cast<NodeId>(1 + workload.uniform(s.nodes)));
}

Plan<bully::BullyNode> bully_plan(const BullyScenario& s) {
  validate(s);
  Plan<bully::BullyNode> plan;
  plan.ids = node_ids(s.nodes);
  plan.make = [options = s.options](NodeId id) { return bully::BullyNode(id, options); };
  plan.stimuli.push_back({0, bully_starter(s), [](bully::BullyNode& node, Context<bully::Message>& ctx) {
                            node.start_election(ctx, "asked");
                          }});
  plan.duration_ns = 6 * kSecond;
  return plan;
}

BullyOutcome run_bully_scenario(const BullyScenario& s, EventSink* sink) {
  const Plan<bully::BullyNode> plan = bully_plan(s);
  const Nanos end = bully_end(s);
  const SimDefaults defaults{.latency = sim::Latency::uniform(1 * kMillisecond, 10 * kMillisecond),
                             .horizon_ns = end == kNanosMax ? 10 * kSecond : end,
                             .until_ns = end};
  const SimSetup setup = build_sim_setup(s.faults, plan.ids, s.seed, defaults);

  BullyOutcome out;
  out.starter = bully_starter(s);
  SimHooks<bully::BullyNode> hooks;
  hooks.before = [&](sim::Simulator<bully::BullyNode>& sim) {
    if (s.fail_leader_ns) {
      sim.schedule(*s.fail_leader_ns, [&] {
        // Whoever holds leadership now; the highest, should there be several.
        for (auto it = plan.ids.rbegin(); it != plan.ids.rend(); ++it) {
          if (sim.is_up(*it) && sim.node(*it).holds_leadership()) {
            out.failed_leader = *it;
            sim.crash(*it);
            return;
          }
        }
      });
    }
    if (s.recover_ns) {
      sim.schedule(*s.recover_ns, [&] {
        if (out.failed_leader) sim.recover(*out.failed_leader);
      });
    }
  };
  hooks.after = [&](sim::Simulator<bully::BullyNode>& sim) {
    for (NodeId id : plan.ids) {
      if (sim.is_up(id) && sim.node(id).holds_leadership()) out.final_leader = id;
    }
  };
  out.stats = simulate(plan, setup, s.seed, sink, hooks);
  return out;
}

}  // namespace distlab::harness
