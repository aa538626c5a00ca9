// The Lamport scenario: options in, a plan for either runtime, or one simulated run.
//
// `distlab lamport`, `distlab run lamport` and the property tests share it, so the
// tests exercise exactly what users run: the same defaults, the same fault
// validation, the same driver.
//
//   trace::Recorder recorder(header);
//   sim::SimStats stats = run_lamport_scenario({.seed = 7, .random_mode = true}, recorder);
#pragma once

#include <cstdint>
#include <vector>

#include "distlab/algo/lamport/lamport.h"
#include "distlab/harness/faults.h"
#include "distlab/harness/plan.h"
#include "distlab/core/event.h"
#include "distlab/runtime/sim/simulator.h"

namespace distlab::harness {

// Time between two rounds (the seed sleeps one second).
inline constexpr Nanos kRoundGapNs = 1 * kSecond;

struct LamportScenario {
  std::uint64_t seed = 0;
  std::uint32_t nodes = 3;   // ids 1..nodes
  std::uint32_t rounds = 5;  // rounds; in random mode, actions per node
  bool random_mode = false;
  bool vector = false;
  lamport::Bug bug = lamport::Bug::none;
  FaultOptions faults;       // validated here, through build_sim_setup
};

// The nodes and the seed's driver: each round's sender told to act at its time.
Plan<lamport::LamportNode> lamport_plan(const LamportScenario& scenario);

// The network the simulator uses by default for this scenario.
SimDefaults lamport_sim_defaults(const LamportScenario& scenario);

// Runs the scenario on the simulator, reporting every event to `sink`. Throws
// InputError for bad fault options.
sim::SimStats run_lamport_scenario(const LamportScenario& scenario, EventSink& sink);

}  // namespace distlab::harness
