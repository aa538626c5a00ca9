#include "distlab/algo/bully/bully.h"

#include <gtest/gtest.h>

#include "distlab/core/types.h"
#include "distlab/runtime/sim/simulator.h"
#include "distlab/trace/trace.h"

namespace distlab::bully {
namespace {

using Sim = sim::Simulator<BullyNode>;

struct Harness {
  explicit Harness(std::uint32_t n, Options o = {}, sim::Latency latency = sim::Latency::constant(5 * kMillisecond))
      : options(o), recorder({.algorithm = "bully", .mode = "sim", .seed = 1, .nodes = node_ids(n)}) {
    sim::SimConfig config{.seed = 1, .first_id = 1, .node_count = n, .sink = &recorder};
    config.network.defaults.latency = latency;
    config.until_ns = 20 * kSecond;
    sim.emplace(config, [this](NodeId id) { return BullyNode(id, options); });
  }
  void elect(Nanos at, NodeId starter) {
    sim->inject(at, starter, [](BullyNode& node, Context<Message>& ctx) { node.start_election(ctx, "asked"); });
  }
  std::uint64_t sent(std::string_view type) const {
    const auto counts = recorder.sent_by_type();
    auto it = counts.find(type);
    return it == counts.end() ? 0 : it->second;
  }
  // Every live node follows `leader`, and only `leader` holds leadership.
  void expect_all_follow(NodeId leader) {
    for (NodeId id : sim->ids()) {
      if (!sim->is_up(id)) continue;
      EXPECT_EQ(sim->node(id).leader(), leader) << "node " << id;
      EXPECT_EQ(sim->node(id).holds_leadership(), id == leader) << "node " << id;
    }
  }
  Options options;
  trace::Recorder recorder;
  std::optional<Sim> sim;
};

TEST(BullyTest, LowestStarterCostsTheTextbookMessages) {
  for (std::uint32_t n : {2u, 5u, 20u}) {
    Options o;
    o.heartbeats = false;
    Harness h(n, o);
    h.elect(0, 1);
    h.sim->run();
    h.expect_all_follow(n);
    // Node i asks every higher node: sum of (n - i) = n(n-1)/2 elections, each answered.
    EXPECT_EQ(h.sent("election"), n * (n - 1) / 2) << "n=" << n;
    EXPECT_EQ(h.sent("answer"), n * (n - 1) / 2) << "n=" << n;
    EXPECT_GE(h.sent("coordinator"), n - 1);
    EXPECT_EQ(h.sent("alive"), 0u);
  }
}

TEST(BullyTest, TheHighestStarterWinsAtOnce) {
  Options o;
  o.heartbeats = false;
  Harness h(5, o);
  h.elect(0, 5);
  h.sim->run();
  h.expect_all_follow(5);
  EXPECT_EQ(h.sent("election"), 0u);
  EXPECT_EQ(h.sent("coordinator"), 4u);
  EXPECT_EQ(h.sent("ack"), 4u);
}

TEST(BullyTest, ACrashedLeaderIsNoticedAndTheNextHighestTakesOver) {
  Harness h(5);
  h.elect(0, 2);
  h.sim->schedule(1 * kSecond, [&] { h.sim->crash(5); });
  h.sim->schedule(3 * kSecond, [&] { h.expect_all_follow(4); });
  h.sim->run();
  h.expect_all_follow(4);
}

TEST(BullyTest, ARecoveredHigherNodeBulliesBackIntoLeadership) {
  Harness h(5);
  h.elect(0, 1);
  h.sim->schedule(1 * kSecond, [&] { h.sim->crash(5); });
  h.sim->schedule(3 * kSecond, [&] { h.sim->recover(5); });
  h.sim->schedule(3 * kSecond + 200 * kMillisecond, [&] { h.expect_all_follow(5); });
  h.sim->run();
  h.expect_all_follow(5);
}

TEST(BullyTest, WithoutAnyLeaderSomeoneTimesOutAndElects) {
  Harness h(4);  // nobody is asked to start
  h.sim->run();
  h.expect_all_follow(4);
}

TEST(BullyTest, ACoordinatorFromALowerNodeIsBullied) {
  Options o;
  o.heartbeats = false;
  Harness h(3, o);
  // Node 1 wrongly claims leadership straight away; 2 and 3 must not follow it.
  h.sim->inject(0, 1, [](BullyNode&, Context<Message>& ctx) {
    ctx.send(2, Coordinator{});
    ctx.send(3, Coordinator{});
  });
  h.sim->run();
  h.expect_all_follow(3);
}

TEST(BullyTest, AllFollowersAgreeUnderRandomLatencyWithManyStarters) {
  Options o;
  Harness h(12, o, sim::Latency::uniform(1 * kMillisecond, 20 * kMillisecond));
  for (NodeId starter = 1; starter <= 11; starter += 2) h.elect(starter * kMillisecond, starter);
  h.sim->run();
  h.expect_all_follow(12);
}

}  // namespace
}  // namespace distlab::bully
