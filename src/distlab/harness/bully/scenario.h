// The Bully scenarios as a function: options in, one simulated run out.
//
// The seed's run by default: 5 nodes, a random node starts an election, the winner
// fails at 1 s, the others notice and elect the next, and the old leader comes back
// at 3 s and takes over. `fail_leader_ns` crashes whichever node holds leadership at
// that moment; `recover_ns` restarts that same node.
//
//   trace::Recorder recorder(header);
//   BullyOutcome out = run_bully_scenario({.seed = 7}, &recorder);
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "distlab/algo/bully/bully.h"
#include "distlab/harness/faults.h"
#include "distlab/harness/plan.h"
#include "distlab/core/event.h"
#include "distlab/runtime/sim/simulator.h"

namespace distlab::harness {

struct BullyScenario {
  std::uint64_t seed = 0;
  std::uint32_t nodes = 5;
  std::optional<NodeId> starter;                  // default: drawn from the seed
  std::optional<Nanos> fail_leader_ns = 1 * kSecond;
  std::optional<Nanos> recover_ns = 3 * kSecond;  // restart the failed leader
  bully::Options options;
  FaultOptions faults;
};

struct BullyOutcome {
  sim::SimStats stats;
  NodeId starter = 0;
  std::optional<NodeId> failed_leader;  // who --fail-leader crashed
  std::optional<NodeId> final_leader;   // held leadership when the run ended
};

inline constexpr std::uint32_t kMaxBullyNodes = 20'000;

// Throws InputError (one line) for a bad scenario.
void validate(const BullyScenario& scenario);
// When a run ends without --until.
Nanos bully_end(const BullyScenario& scenario);

// `sink` may be null. Throws InputError for bad fault options.
BullyOutcome run_bully_scenario(const BullyScenario& scenario, EventSink* sink);

// The nodes, and the starter asked to start the first election at time 0. Crashing
// the leader is the simulator's (--fail-leader) or the launcher's (--kill) business.
Plan<bully::BullyNode> bully_plan(const BullyScenario& scenario);
NodeId bully_starter(const BullyScenario& scenario);

}  // namespace distlab::harness
