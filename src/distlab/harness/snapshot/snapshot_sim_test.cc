#include "distlab/algo/snapshot/descriptor.h"
#include "distlab/algo/snapshot/snapshot.h"

#include <gtest/gtest.h>

#include "distlab/core/types.h"
#include "distlab/runtime/sim/simulator.h"
#include "distlab/trace/causality.h"
#include "distlab/trace/checks.h"
#include "distlab/algo/snapshot/checker.h"
#include "distlab/trace/trace.h"

namespace distlab::snapshot {
namespace {

// A minimal application: it sends numbers when told and sums what it receives.
struct Number {
  int value;
};
std::string_view trace_type(const Number&) { return "number"; }

class Summer {
 public:
  using Message = Number;
  static constexpr std::size_t kTimerTags = 0;
  static std::string_view timer_name(TimerTag) { return "none"; }
  void on_start(Context<Number>&) {}
  void on_message(Context<Number>&, NodeId, const Number& n) { sum_ += n.value; }
  void on_timer(Context<Number>&, TimerTag) {}
  void on_recover(Context<Number>&) {}
  nlohmann::ordered_json snapshot_state() const { return {{"sum", sum_}}; }
  int sum_ = 0;
};

using Node = Snapshotting<Summer>;

struct TwoNodeRun {
  trace::Trace trace;
  snapshot::SnapshotRun snapshots;
};

// Two nodes, 10 ms links. 1 sends 1 at 0 ms; 1 initiates at 5 ms; 2 sends 10 at 6 ms
// (before 2 records, at 15 ms) and 100 at 20 ms (after). So channel 2->1 must hold
// exactly the 10, and channel 1->2 nothing (the 1 arrives before 2 records).
TwoNodeRun two_node_run(RecordingRule rule) {
  const auto ids = node_ids(2);
  const auto topology = std::make_shared<const Topology>(Topology::complete(ids));
  trace::Recorder recorder({.algorithm = "snapshot", .mode = "sim", .seed = 0, .nodes = ids});
  sim::SimConfig config{.seed = 0, .first_id = 1, .node_count = 2, .sink = &recorder};
  config.network.defaults.latency = sim::Latency::constant(10 * kMillisecond);
  sim::Simulator<Node> sim(config, [&](NodeId id) { return Node(id, Summer{}, topology, rule); });
  auto send = [&](Nanos at, NodeId from, NodeId to, int value) {
    sim.inject(at, from, [=](Node& node, Context<Node::Message>& ctx) {
      node.act(ctx, [&](Summer&, Context<Number>& app) { app.send(to, Number{value}); });
    });
  };
  send(0, 1, 2, 1);
  sim.inject(5 * kMillisecond, 1, [](Node& node, Context<Node::Message>& ctx) { node.initiate(ctx, {1, 1}); });
  send(6 * kMillisecond, 2, 1, 10);
  send(20 * kMillisecond, 2, 1, 100);
  sim.run();
  for (NodeId id : ids) sim.inject(sim.now(), id, [](Node& node, auto& ctx) { node.finish(ctx); });
  sim.run();
  EXPECT_TRUE(sim.node(1).completed({1, 1}) || rule == RecordingRule::seed);
  TwoNodeRun run{recorder.trace(), {}};
  run.snapshots = snapshot::collect_snapshots(run.trace);
  return run;
}

const snapshot::SnapshotChannel& channel(const snapshot::SnapshotView& s, NodeId from, NodeId to) {
  for (const auto& c : s.channels) {
    if (c.from == from && c.to == to) return c;
  }
  throw std::runtime_error("no such channel");
}

TEST(SnapshottingTest, RecordsExactlyTheMessagesInFlight) {
  const TwoNodeRun run = two_node_run(RecordingRule::chandy_lamport);
  ASSERT_EQ(run.snapshots.snapshots.size(), 1u);
  const auto& s = run.snapshots.snapshots[0];
  EXPECT_EQ(s.id, "1.1");
  EXPECT_EQ(s.initiator, 1u);
  EXPECT_EQ(s.states.at(1).state["sum"], 0);  // recorded at 5 ms, before the 10 arrives
  EXPECT_EQ(s.states.at(2).state["sum"], 1);  // recorded at 15 ms, after the 1 arrived
  EXPECT_EQ(channel(s, 2, 1).messages, (std::vector<std::string>{"2.1"}));  // the 10
  EXPECT_TRUE(channel(s, 1, 2).messages.empty());
  EXPECT_EQ(run.snapshots.markers, 2u);  // one per channel
  EXPECT_TRUE(trace::all_passed(trace::check_trace(run.trace, Descriptor::kCheckers)));
}

TEST(SnapshottingTest, TheSeedsRuleKeepsLaterMessagesAndTheCheckerSaysSo) {
  const TwoNodeRun run = two_node_run(RecordingRule::seed);
  const auto& s = run.snapshots.snapshots.at(0);
  // The 100, sent after 2 recorded, is wrongly kept as "in flight".
  EXPECT_EQ(channel(s, 2, 1).messages, (std::vector<std::string>{"2.1", "2.3"}));
  const auto results = trace::check_trace(run.trace, Descriptor::kCheckers);
  EXPECT_FALSE(trace::all_passed(results));
  for (const auto& r : results) {
    if (r.name == "snapshot_channels") {
      EXPECT_EQ(r.status, trace::CheckStatus::fail);
      EXPECT_NE(r.detail.find("channel 2->1 recorded [2.1, 2.3]"), std::string::npos) << r.detail;
    }
  }
}

TEST(SnapshottingTest, ConcurrentSnapshotsFromDifferentInitiatorsAllComplete) {
  const auto ids = node_ids(5);
  const auto topology = std::make_shared<const Topology>(Topology::ring(ids));
  trace::Recorder recorder({.algorithm = "snapshot", .mode = "sim", .seed = 3, .nodes = ids});
  sim::SimConfig config{.seed = 3, .first_id = 1, .node_count = 5, .sink = &recorder};
  config.network.defaults.latency = sim::Latency::uniform(1 * kMillisecond, 30 * kMillisecond);
  sim::Simulator<Node> sim(config, [&](NodeId id) { return Node(id, Summer{}, topology, RecordingRule::chandy_lamport); });
  for (int i = 0; i < 40; ++i) {
    const NodeId from = 1 + i % 5;
    sim.inject(i * kMillisecond, from, [from](Node& node, Context<Node::Message>& ctx) {
      node.act(ctx, [&](Summer&, Context<Number>& app) { app.send(from % 5 + 1, Number{1}); });
    });
  }
  sim.inject(3 * kMillisecond, 1, [](Node& node, auto& ctx) { node.initiate(ctx, {1, 1}); });
  sim.inject(3 * kMillisecond, 3, [](Node& node, auto& ctx) { node.initiate(ctx, {3, 1}); });
  sim.inject(9 * kMillisecond, 1, [](Node& node, auto& ctx) { node.initiate(ctx, {1, 2}); });
  sim.run();
  for (NodeId id : ids) {
    for (SnapshotId s : {SnapshotId{1, 1}, SnapshotId{3, 1}, SnapshotId{1, 2}}) {
      EXPECT_TRUE(sim.node(id).completed(s)) << "node " << id << " snapshot " << to_string(s);
    }
  }
  const auto run = snapshot::collect_snapshots(recorder.trace());
  EXPECT_EQ(run.snapshots.size(), 3u);
  EXPECT_EQ(run.markers, 15u);  // 5 channels x 3 snapshots
  const auto results = trace::check_trace(recorder.trace(), Descriptor::kCheckers);
  EXPECT_TRUE(trace::all_passed(results));
  // Every unit sent before its sender recorded is found exactly once: in the
  // receiver's recorded sum, or in a recorded channel.
  const trace::CausalGraph graph(recorder.trace());
  const auto& events = recorder.trace().events;
  for (const auto& s : run.snapshots) {
    int found = 0;
    for (const auto& [node, st] : s.states) found += st.state["sum"].get<int>();
    for (const auto& c : s.channels) found += static_cast<int>(c.messages.size());
    int sent_before_cut = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (events[i].kind != EventKind::send || events[i].type != "number") continue;
      if (graph.position(i) < graph.position(s.states.at(events[i].node).event)) ++sent_before_cut;
    }
    EXPECT_EQ(found, sent_before_cut) << "snapshot " << s.id;
    EXPECT_GT(found, 0) << "snapshot " << s.id;
  }
}

}  // namespace
}  // namespace distlab::snapshot
