#include "cli/lamport/scenario.h"

#include "algo/lamport/lamport.h"

namespace distlab::cli {

std::vector<NodeId> node_ids(std::uint32_t count) {
  std::vector<NodeId> ids;
  ids.reserve(count);
  for (std::uint32_t i = 1; i <= count; ++i) ids.push_back(i);
  return ids;
}

sim::SimStats run_lamport_scenario(const LamportScenario& s, EventSink& sink) {
  const std::vector<NodeId> ids = node_ids(s.nodes);
  lamport::Options algo;
  algo.vector = s.vector;
  algo.random_mode = s.random_mode;
  algo.actions = s.rounds;

  SimDefaults defaults;
  if (s.random_mode) {
    // Latencies longer than the gaps between actions: messages cross, events are concurrent.
    defaults.latency = sim::Latency::uniform(1 * kMillisecond, 100 * kMillisecond);
    defaults.horizon_ns = static_cast<Nanos>(s.rounds) * 2 * algo.mean_gap_ns;
  } else {
    defaults.latency = sim::Latency::constant(1 * kMillisecond);
    defaults.horizon_ns = static_cast<Nanos>(s.rounds) * kRoundGapNs;
  }
  const SimSetup setup = build_sim_setup(s.faults, ids, s.seed, defaults);

  sim::Simulator<lamport::LamportNode> simulator(
      {.seed = s.seed,
       .first_id = 1,
       .node_count = s.nodes,
       .network = setup.network,
       .faults = setup.faults,
       .until_ns = setup.until_ns,
       .sink = &sink},
      [&algo](NodeId id) { return lamport::LamportNode(id, algo); });
  if (!s.random_mode) {
    const auto rounds = lamport::draw_rounds(s.seed, ids, s.rounds);
    for (std::size_t r = 0; r < rounds.size(); ++r) {
      const NodeId receiver = rounds[r].receiver;
      simulator.inject(static_cast<Nanos>(r) * kRoundGapNs, rounds[r].sender,
                       [receiver](lamport::LamportNode& node, Context<lamport::AppMessage>& ctx) {
                         node.local_then_send(ctx, receiver);
                       });
    }
  }
  simulator.run();
  return simulator.stats();
}

}  // namespace distlab::cli
