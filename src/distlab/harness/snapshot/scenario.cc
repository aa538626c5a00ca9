#include "distlab/harness/snapshot/scenario.h"

#include <fmt/format.h>

#include "distlab/algo/snapshot/bank.h"
#include "distlab/algo/snapshot/game.h"
#include "distlab/harness/lamport/scenario.h"
#include "distlab/core/error.h"

namespace distlab::harness {
namespace {

using snapshot::Move;
using snapshot::RecordingRule;
using snapshot::SnapshotId;
using snapshot::Topology;

// The seed's script: (sender, receiver, move, time). Moves before the snapshot are a
// tenth of a second apart, so each lands before the next is sent, as in the seed;
// the second batch leaves while the markers are in flight.
struct ScriptedMove {
  NodeId from;
  NodeId to;
  Move move;
  Nanos at_ns;
};
constexpr Nanos kSeedSnapshotAt = 1 * kSecond;
constexpr ScriptedMove kSeedScript[] = {
    {1, 2, Move::attack, 0},
    {2, 3, Move::defend, 100 * kMillisecond},
    {3, 1, Move::potion, 200 * kMillisecond},
    {1, 3, Move::potion, kSeedSnapshotAt + 1 * kMillisecond},
    {2, 3, Move::defend, kSeedSnapshotAt + 2 * kMillisecond},
    {3, 2, Move::low_life, kSeedSnapshotAt + 3 * kMillisecond},
    {3, 1, Move::attack, kSeedSnapshotAt + 4 * kMillisecond},
};

constexpr Nanos kMeanGapNs = 20 * kMillisecond;

Topology make_topology(const SnapshotScenario& s, std::span<const NodeId> ids) {
  if (s.topology == "ring") return Topology::ring(ids);
  if (s.topology == "random") return Topology::random(ids, derive_seed(s.seed, kStreamTopology), kRandomOutDegree);
  return Topology::complete(ids);
}

// The first snapshot at the --initiator; the others at random nodes, later, in the
// window of activity. Ids count each initiator's snapshots in time order.
std::vector<PlannedSnapshot> plan_snapshots(const SnapshotScenario& s, Nanos first_at, Nanos window_ns) {
  struct Start {
    NodeId node;
    Nanos at;
  };
  std::vector<Start> starts{{s.initiator, first_at}};
  Rng rng(derive_seed(s.seed, kStreamWorkload));
  for (std::uint32_t k = 1; k < s.snapshots; ++k) {
    const auto node = static_cast<NodeId>(1 + rng.uniform(s.nodes));
    starts.push_back({node, rng.between(first_at, std::max(first_at, 3 * window_ns / 4))});
  }
  std::stable_sort(starts.begin(), starts.end(), [](const Start& a, const Start& b) { return a.at < b.at; });
  std::vector<PlannedSnapshot> plan;
  std::map<NodeId, std::uint32_t> seq;
  for (const Start& start : starts) plan.push_back({SnapshotId{start.node, ++seq[start.node]}, start.at});
  return plan;
}

}  // namespace

bool plays_seed_script(const SnapshotScenario& s) {
  return s.scenario == "game" && s.nodes == 3 && s.topology == "complete" && s.messages == 0;
}

void validate(const SnapshotScenario& s) {
  if (s.nodes < 2) throw InputError(fmt::format("--nodes must be at least 2, got {}", s.nodes));
  if (s.nodes > kMaxSnapshotNodes) {
    throw InputError(fmt::format("--nodes is at most {}, got {}", kMaxSnapshotNodes, s.nodes));
  }
  if (s.scenario != "game" && s.scenario != "bank") {
    throw InputError(fmt::format("--scenario must be game or bank, got '{}'", s.scenario));
  }
  if (s.topology != "complete" && s.topology != "ring" && s.topology != "random") {
    throw InputError(fmt::format("--topology must be complete, ring or random, got '{}'", s.topology));
  }
  const std::uint64_t channels = s.topology == "complete" ? std::uint64_t{s.nodes} * (s.nodes - 1)
                                 : s.topology == "ring"   ? s.nodes
                                                          : std::uint64_t{s.nodes} * kRandomOutDegree;
  if (channels > kMaxChannels) {
    throw InputError(fmt::format("--topology {} with {} nodes has {} channels; at most {} (try ring or random)",
                                 s.topology, s.nodes, channels, kMaxChannels));
  }
  if (s.initiator < 1 || s.initiator > s.nodes) {
    throw InputError(fmt::format("--initiator {} is not a node (nodes are 1..{})", s.initiator, s.nodes));
  }
  if (s.snapshots < 1 || s.snapshots > kMaxSnapshots) {
    throw InputError(fmt::format("--snapshots must be between 1 and {}, got {}", kMaxSnapshots, s.snapshots));
  }
  // Chandy-Lamport's model: reliable FIFO channels (the reliable layer makes them over a
  // network that loses, duplicates, reorders or cuts) between nodes that stay up.
  const FaultOptions& f = s.faults;
  const char* refused = !f.crash.empty() || f.faults > 0
                            ? "--crash/--faults: a crashed node loses its part of "
                              "every snapshot"
                        : !f.recover.empty() ? "--recover: nodes never crash in this scenario"
                                             : nullptr;
  if (refused != nullptr) {
    throw InputError(fmt::format("Chandy-Lamport needs nodes that stay up; refusing {}", refused));
  }
}

namespace {

// What every node of a snapshot run points to: the topology and the app's options.
template <class Options>
struct Shared {
  std::shared_ptr<const Topology> topology;
  Options options;
};

std::uint32_t per_node(const SnapshotScenario& s) { return s.messages != 0 ? s.messages : (s.scenario == "bank" ? 10 : 5); }

Nanos window_of(const SnapshotScenario& s) {
  return plays_seed_script(s) ? 2 * kSeedSnapshotAt : static_cast<Nanos>(per_node(s)) * kMeanGapNs;
}

// The parts every snapshot plan has: nodes, initiations, the end-of-run report.
template <class App, class Options>
Plan<snapshot::Snapshotting<App>> base_plan(const SnapshotScenario& s, std::shared_ptr<Shared<Options>> shared) {
  using Node = snapshot::Snapshotting<App>;
  Plan<Node> plan;
  plan.ids = node_ids(s.nodes);
  const RecordingRule rule = s.rule;
  plan.make = [shared, rule](NodeId id) { return Node(id, App(id, shared->options), shared->topology, rule); };
  for (const PlannedSnapshot& p : planned_snapshots(s)) {
    plan.stimuli.push_back({p.at_ns, p.id.initiator, [id = p.id](Node& node, auto& ctx) { node.initiate(ctx, id); }});
  }
  plan.at_end = [](Node& node, auto& ctx) { node.finish(ctx); };  // report what is still recorded
  // Activity, then time for the last markers to go around (a ring of n is n hops).
  plan.duration_ns = window_of(s) + 1 * kSecond + static_cast<Nanos>(s.nodes) * 60 * kMillisecond;
  return plan;
}

}  // namespace

std::vector<PlannedSnapshot> planned_snapshots(const SnapshotScenario& s) {
  const Nanos window = window_of(s);
  return plan_snapshots(s, plays_seed_script(s) ? kSeedSnapshotAt : window / 3, window);
}

std::size_t channel_count(const SnapshotScenario& s) { return make_topology(s, node_ids(s.nodes)).channel_count(); }

SimDefaults snapshot_sim_defaults(const SnapshotScenario& s) {
  return SimDefaults{.latency = sim::Latency::uniform(1 * kMillisecond, 50 * kMillisecond), .horizon_ns = window_of(s)};
}

Plan<snapshot::Snapshotting<snapshot::BankNode>> bank_plan(const SnapshotScenario& s) {
  validate(s);
  auto shared = std::make_shared<Shared<snapshot::BankOptions>>(
      Shared<snapshot::BankOptions>{std::make_shared<const Topology>(make_topology(s, node_ids(s.nodes))), {}});
  shared->options = {.topology = shared->topology, .transfers = per_node(s), .mean_gap_ns = kMeanGapNs};
  return base_plan<snapshot::BankNode>(s, shared);
}

Plan<snapshot::Snapshotting<snapshot::GameNode>> game_plan(const SnapshotScenario& s) {
  validate(s);
  const bool scripted = plays_seed_script(s);
  auto shared = std::make_shared<Shared<snapshot::GameOptions>>(
      Shared<snapshot::GameOptions>{std::make_shared<const Topology>(make_topology(s, node_ids(s.nodes))), {}});
  shared->options = {.topology = shared->topology, .moves = scripted ? 0 : per_node(s), .mean_gap_ns = kMeanGapNs};
  auto plan = base_plan<snapshot::GameNode>(s, shared);
  if (scripted) {
    for (const ScriptedMove& m : kSeedScript) {
      plan.stimuli.push_back({m.at_ns, m.from, [m](auto& node, auto& ctx) {
                                node.act(ctx, [&m](snapshot::GameNode& app, auto& app_ctx) {
                                  app.play(app_ctx, m.to, m.move);
                                });
                              }});
    }
  }
  return plan;
}

SnapshotOutcome run_snapshot_scenario(const SnapshotScenario& s, EventSink* sink) {
  validate(s);
  SnapshotOutcome out;
  out.scripted = plays_seed_script(s);
  out.channels = channel_count(s);
  out.planned = planned_snapshots(s);
  const SimSetup setup = build_sim_setup(s.faults, node_ids(s.nodes), s.seed, snapshot_sim_defaults(s));
  out.stats = with_snapshot_plan(s, [&](const auto& plan) { return simulate(plan, setup, s.seed, sink); });
  return out;
}

}  // namespace distlab::harness
