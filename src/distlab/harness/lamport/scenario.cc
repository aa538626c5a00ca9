#include "distlab/harness/lamport/scenario.h"

namespace distlab::harness {

Plan<lamport::LamportNode> lamport_plan(const LamportScenario& s) {
  auto options = std::make_shared<lamport::Options>();
  options->vector = s.vector;
  options->random_mode = s.random_mode;
  options->actions = s.rounds;
  options->bug = s.bug;
  Plan<lamport::LamportNode> plan;
  plan.ids = node_ids(s.nodes);
  plan.make = [options](NodeId id) { return lamport::LamportNode(id, *options); };
  if (s.random_mode) {
    // Every action within about two mean gaps of the last; then messages land.
    plan.duration_ns = static_cast<Nanos>(s.rounds) * 2 * options->mean_gap_ns + 1 * kSecond;
  } else {
    const auto rounds = lamport::draw_rounds(s.seed, plan.ids, s.rounds);
    for (std::size_t r = 0; r < rounds.size(); ++r) {
      const NodeId receiver = rounds[r].receiver;
      plan.stimuli.push_back({static_cast<Nanos>(r) * kRoundGapNs, rounds[r].sender,
                              [receiver](lamport::LamportNode& node, Context<lamport::AppMessage>& ctx) {
                                node.local_then_send(ctx, receiver);
                              }});
    }
    plan.duration_ns = static_cast<Nanos>(s.rounds) * kRoundGapNs;
  }
  return plan;
}

SimDefaults lamport_sim_defaults(const LamportScenario& s) {
  SimDefaults defaults;
  if (s.random_mode) {
    // Latencies longer than the gaps between actions: messages cross, events are concurrent.
    defaults.latency = sim::Latency::uniform(1 * kMillisecond, 100 * kMillisecond);
    defaults.horizon_ns = static_cast<Nanos>(s.rounds) * 2 * lamport::Options{}.mean_gap_ns;
  } else {
    defaults.latency = sim::Latency::constant(1 * kMillisecond);
    defaults.horizon_ns = static_cast<Nanos>(s.rounds) * kRoundGapNs;
  }
  return defaults;
}

sim::SimStats run_lamport_scenario(const LamportScenario& s, EventSink& sink) {
  const Plan<lamport::LamportNode> plan = lamport_plan(s);
  const SimSetup setup = build_sim_setup(s.faults, plan.ids, s.seed, lamport_sim_defaults(s));
  return simulate(plan, setup, s.seed, &sink);
}

}  // namespace distlab::harness
