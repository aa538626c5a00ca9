// A scenario, whichever runtime runs it: the nodes, how to make one, and what is
// done to them from outside at given times (a round's sender told to send, a
// snapshot started, an election asked for).
//
// The simulator turns the stimuli into injections; a real process (distlab run)
// schedules its own node's stimuli on its clock, counted from the run's epoch, so
// that the same plan drives both runtimes.
//
//   Plan<LamportNode> plan = lamport_plan(scenario);
//   simulate(plan, setup, seed, &recorder);
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "distlab/core/context.h"
#include "distlab/harness/faults.h"
#include "distlab/harness/sim_watcher.h"
#include "distlab/runtime/sim/simulator.h"

namespace distlab::harness {

template <class Algo>
using NodeAction = std::function<void(Algo&, Context<typename Algo::Message>&)>;

template <class Algo>
struct Stimulus {
  Nanos at_ns;
  NodeId node;
  NodeAction<Algo> act;
};

template <class Algo>
struct Plan {
  std::vector<NodeId> ids;                   // sorted and contiguous
  std::function<Algo(NodeId)> make;          // a fresh node
  std::vector<Stimulus<Algo>> stimuli;
  NodeAction<Algo> at_end;                       // optional: every node, when the run ends
  Nanos duration_ns = 10 * kSecond;          // a real run's default length
};

// What a scenario may do with the simulator itself: schedule decisions only a
// simulator can take before the run (crash whoever leads at 1 s), and look at the
// nodes after it.
template <class Algo>
struct SimHooks {
  std::function<void(sim::Simulator<Algo>&)> before;
  std::function<void(sim::Simulator<Algo>&)> after;
};

namespace internal {
template <class Sim>
void run_watched(Sim& simulator, Nanos until) {
  SimWatcher* watcher = current_sim_watcher;
  if (watcher == nullptr) {
    simulator.run();
    return;
  }
  constexpr std::uint64_t kEvery = std::uint64_t{1} << 16;
  while (simulator.step()) {
    if (simulator.stats().events % kEvery == 0)
      watcher->advanced(simulator.now(), until, simulator.stats().events);
  }
}
}  // namespace internal

// Runs `plan` on the simulator. Returns the simulator's counts.
template <class Algo>
sim::SimStats simulate(const Plan<Algo>& plan, const SimSetup& setup, std::uint64_t seed, EventSink* sink,
                       const SimHooks<Algo>& hooks = {}) {
  DISTLAB_ASSERT(!plan.ids.empty() && plan.ids.back() - plan.ids.front() + 1 == plan.ids.size(),
                 "the simulator numbers nodes contiguously");
  sim::NetworkModel network = setup.network;
  network.reliable = network.reliable || reliable::wants_reliable_channels<Algo>();
  sim::Simulator<Algo> simulator({.seed = seed,
                                  .first_id = plan.ids.front(),
                                  .node_count = static_cast<std::uint32_t>(plan.ids.size()),
                                  .network = std::move(network),
                                  .faults = setup.faults,
                                  .until_ns = setup.until_ns,
                                  .sink = sink},
                                 plan.make);
  for (const Stimulus<Algo>& s : plan.stimuli) simulator.inject(s.at_ns, s.node, s.act);
  if (hooks.before) hooks.before(simulator);
  internal::run_watched(simulator, setup.until_ns);
  if (hooks.after) hooks.after(simulator);
  if (plan.at_end) {
    for (NodeId id : simulator.ids()) simulator.inject(simulator.now(), id, plan.at_end);
    simulator.run();
  }
  sim::SimStats stats = simulator.stats();
  stats.reliable = simulator.reliable_counters();
  return stats;
}

}  // namespace distlab::harness
