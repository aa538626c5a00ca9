// The snapshot scenarios as a function: options in, one simulated run out.
//
// game: the seed's players. With its defaults (3 nodes, complete topology) it plays
// the seed's script: three moves, node 2 initiates, four more moves sent while the
// markers are still in flight. Otherwise every player makes random moves on its own
// timer. bank: every node keeps sending random transfers on its own timer.
//
// Snapshots start at planned times: the first at the --initiator, any others later,
// at random nodes and times drawn from the seed, overlapping in time.
//
//   trace::Recorder recorder(header);
//   SnapshotOutcome out = run_snapshot_scenario({.seed = 7, .scenario = "bank"}, &recorder);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "distlab/algo/snapshot/bank.h"
#include "distlab/algo/snapshot/game.h"
#include "distlab/algo/snapshot/snapshot.h"
#include "distlab/harness/plan.h"
#include "distlab/harness/faults.h"
#include "distlab/core/event.h"
#include "distlab/runtime/sim/simulator.h"

namespace distlab::harness {

struct SnapshotScenario {
  std::uint64_t seed = 0;
  std::uint32_t nodes = 3;
  std::string scenario = "game";      // game | bank
  std::string topology = "complete";  // complete | ring | random
  NodeId initiator = 2;
  std::uint32_t snapshots = 1;
  std::uint32_t messages = 0;  // per node; 0: the scenario's default
  snapshot::RecordingRule rule = snapshot::RecordingRule::chandy_lamport;
  FaultOptions faults;
};

struct PlannedSnapshot {
  snapshot::SnapshotId id;
  Nanos at_ns;
};

struct SnapshotOutcome {
  sim::SimStats stats;
  std::vector<PlannedSnapshot> planned;
  bool scripted = false;      // the seed's game script was played
  std::size_t channels = 0;   // in the topology
};

// The random topology's out-degree (plus the cycle that keeps it strongly connected).
inline constexpr std::uint32_t kRandomOutDegree = 3;
// Bounds on one run.
inline constexpr std::uint32_t kMaxSnapshotNodes = 100'000;
inline constexpr std::uint32_t kMaxSnapshots = 64;
inline constexpr std::uint64_t kMaxChannels = 1'000'000;

// Throws InputError (one line) for a bad scenario or a network Chandy-Lamport
// cannot work on.
void validate(const SnapshotScenario& scenario);

// `sink` may be null: then nothing is traced and the run costs only the protocol.
SnapshotOutcome run_snapshot_scenario(const SnapshotScenario& scenario, EventSink* sink);

// The snapshots the scenario starts: who, when, with what id.
std::vector<PlannedSnapshot> planned_snapshots(const SnapshotScenario& scenario);
std::size_t channel_count(const SnapshotScenario& scenario);
SimDefaults snapshot_sim_defaults(const SnapshotScenario& scenario);

// Plans for either runtime. Throw InputError for a bad scenario.
Plan<snapshot::Snapshotting<snapshot::BankNode>> bank_plan(const SnapshotScenario& scenario);
Plan<snapshot::Snapshotting<snapshot::GameNode>> game_plan(const SnapshotScenario& scenario);

// Calls f with the plan of the scenario's application, game or bank.
template <class F>
decltype(auto) with_snapshot_plan(const SnapshotScenario& scenario, F&& f) {
  if (scenario.scenario == "bank") return f(bank_plan(scenario));
  return f(game_plan(scenario));
}

// True when the scenario plays the seed's script.
bool plays_seed_script(const SnapshotScenario& scenario);

}  // namespace distlab::harness
