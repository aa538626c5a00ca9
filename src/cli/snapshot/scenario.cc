#include "cli/snapshot/scenario.h"

#include <fmt/format.h>

#include "algo/snapshot/bank.h"
#include "algo/snapshot/game.h"
#include "cli/lamport/scenario.h"
#include "core/error.h"

namespace distlab::cli {
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

template <class App, class MakeApp, class Script>
sim::SimStats simulate(const SnapshotScenario& s, const Topology& topology, const SimSetup& setup,
                       const std::vector<PlannedSnapshot>& plan, EventSink* sink, MakeApp make_app,
                       Script script) {
  using Node = snapshot::Snapshotting<App>;
  sim::Simulator<Node> simulator({.seed = s.seed,
                                  .first_id = 1,
                                  .node_count = s.nodes,
                                  .network = setup.network,
                                  .faults = setup.faults,
                                  .until_ns = setup.until_ns,
                                  .sink = sink},
                                 [&](NodeId id) { return Node(id, make_app(id), topology, s.rule); });
  script(simulator);
  for (const PlannedSnapshot& p : plan) {
    simulator.inject(p.at_ns, p.id.initiator, [id = p.id](Node& node, auto& ctx) { node.initiate(ctx, id); });
  }
  simulator.run();
  // The run is over: every node reports what it still records.
  for (NodeId id : simulator.ids()) {
    simulator.inject(simulator.now(), id, [](Node& node, auto& ctx) { node.finish(ctx); });
  }
  simulator.run();
  return simulator.stats();
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
  // Chandy-Lamport's model: reliable FIFO channels between nodes that stay up.
  const FaultOptions& f = s.faults;
  const char* refused = f.no_fifo                ? "--no-fifo: markers need FIFO channels, or a message sent "
                                                   "after a marker could be recorded as in flight before it"
                        : f.loss > 0             ? "--loss: a lost marker never closes its channel"
                        : f.dup > 0              ? "--dup: a duplicated message would be recorded twice"
                        : !f.partition.empty()   ? "--partition: a cut link loses markers"
                        : !f.crash.empty() || f.faults > 0 ? "--crash/--faults: a crashed node loses its part of "
                                                             "every snapshot"
                        : !f.recover.empty()     ? "--recover: nodes never crash in this scenario"
                                                 : nullptr;
  if (refused != nullptr) {
    throw InputError(fmt::format("Chandy-Lamport needs reliable FIFO channels and live nodes; refusing {}",
                                 refused));
  }
}

SnapshotOutcome run_snapshot_scenario(const SnapshotScenario& s, EventSink* sink) {
  validate(s);
  const std::vector<NodeId> ids = node_ids(s.nodes);
  const Topology topology = make_topology(s, ids);
  DISTLAB_ASSERT(topology.strongly_connected());
  SnapshotOutcome out;
  out.scripted = plays_seed_script(s);
  out.channels = topology.channel_count();

  const std::uint32_t per_node = s.messages != 0 ? s.messages : (s.scenario == "bank" ? 10 : 5);
  const Nanos window = out.scripted ? 2 * kSeedSnapshotAt : static_cast<Nanos>(per_node) * kMeanGapNs;
  SimDefaults defaults{.latency = sim::Latency::uniform(1 * kMillisecond, 50 * kMillisecond),
                       .horizon_ns = window};
  const SimSetup setup = build_sim_setup(s.faults, ids, s.seed, defaults);
  out.planned = plan_snapshots(s, out.scripted ? kSeedSnapshotAt : window / 3, window);

  if (s.scenario == "bank") {
    const snapshot::BankOptions options{.topology = &topology, .transfers = per_node, .mean_gap_ns = kMeanGapNs};
    out.stats = simulate<snapshot::BankNode>(
        s, topology, setup, out.planned, sink, [&](NodeId id) { return snapshot::BankNode(id, options); },
        [](auto&) {});
    return out;
  }
  const snapshot::GameOptions options{
      .topology = &topology, .moves = out.scripted ? 0 : per_node, .mean_gap_ns = kMeanGapNs};
  out.stats = simulate<snapshot::GameNode>(
      s, topology, setup, out.planned, sink, [&](NodeId id) { return snapshot::GameNode(id, options); },
      [&](auto& simulator) {
        if (!out.scripted) return;
        for (const ScriptedMove& m : kSeedScript) {
          simulator.inject(m.at_ns, m.from, [m](auto& node, auto& ctx) {
            node.act(ctx, [&m](snapshot::GameNode& app, auto& app_ctx) { app.play(app_ctx, m.to, m.move); });
          });
        }
      });
  return out;
}

}  // namespace distlab::cli
