// Property tests over many seeds: every snapshot of every run is complete, exact,
// consistent and, in the bank, conserves money. A failure prints the command that
// replays the run.
#include "distlab/algo/registry.h"
#include "distlab/harness/snapshot/scenario.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "distlab/harness/lamport/scenario.h"
#include "distlab/core/error.h"
#include "distlab/trace/checks.h"
#include "distlab/algo/snapshot/checker.h"
#include "distlab/trace/trace.h"
#include "distlab/testing/stride.h"

namespace distlab::harness {
namespace {

std::string replay(const SnapshotScenario& s) {
  return fmt::format("distlab snapshot --seed {} --nodes {} --scenario {} --topology {} --snapshots {} --initiator {}{}{}",
                     s.seed, s.nodes, s.scenario, s.topology, s.snapshots, s.initiator,
                     s.faults.latency.empty() ? "" : " --latency " + s.faults.latency,
                     s.rule == snapshot::RecordingRule::seed ? " --rule seed" : "");
}

trace::Trace simulate(const SnapshotScenario& s) {
  trace::Recorder recorder({.algorithm = "snapshot", .mode = "sim", .seed = s.seed, .nodes = node_ids(s.nodes)});
  run_snapshot_scenario(s, &recorder);
  return recorder.trace();
}

std::string failures(const std::vector<trace::CheckResult>& results) {
  std::string out;
  for (const auto& r : results) {
    if (r.status != trace::CheckStatus::pass) out += fmt::format("{}: {}\n", r.name, r.detail);
  }
  return out;
}

// A scenario drawn from the seed itself: 2..9 nodes, 1..4 snapshots, a latency law.
SnapshotScenario draw(std::uint64_t seed, const std::string& topology, const std::string& scenario) {
  Rng rng(mix64(seed));
  SnapshotScenario s;
  s.seed = seed;
  s.topology = topology;
  s.scenario = scenario;
  s.nodes = static_cast<std::uint32_t>(rng.between(2, 9));
  s.initiator = static_cast<NodeId>(rng.between(1, s.nodes));
  s.snapshots = static_cast<std::uint32_t>(rng.between(1, 4));
  s.messages = static_cast<std::uint32_t>(rng.between(1, 12));
  static const char* kLatencies[] = {"uniform:1ms:50ms", "exp:15ms", "normal:20ms:10ms", "uniform:0s:5ms", "const:3ms"};
  s.faults.latency = kLatencies[rng.uniform(std::size(kLatencies))];
  return s;
}

class SnapshotProperty : public ::testing::TestWithParam<std::string> {};

TEST_P(SnapshotProperty, ThousandBankSeedsAllExactConsistentAndConserving) {
  std::size_t snapshots = 0;
  std::size_t busy_channels = 0;  // recorded with money in flight: the interesting case
  for (std::uint64_t seed = 1; seed <= 1000; seed += kTestSeedStride) {
    const SnapshotScenario s = draw(seed, GetParam(), "bank");
    const trace::Trace tr = simulate(s);
    const auto results = algorithms::check_trace(tr);
    ASSERT_EQ(results.size(), 5u) << replay(s);  // causality + four snapshot properties
    ASSERT_EQ(failures(results), "") << "replay: " << replay(s);
    for (const auto& view : snapshot::collect_snapshots(tr).snapshots) {
      ++snapshots;
      for (const auto& c : view.channels) busy_channels += c.messages.empty() ? 0 : 1;
    }
  }
  EXPECT_GE(snapshots, 2000u / kTestSeedStride);  // 1 to 4 per run
  EXPECT_GT(busy_channels, 500u / kTestSeedStride);
}

TEST_P(SnapshotProperty, GameSeedsAllExactAndConsistent) {
  for (std::uint64_t seed = 1; seed <= 300; seed += kTestSeedStride) {
    const SnapshotScenario s = draw(seed, GetParam(), "game");
    ASSERT_EQ(failures(algorithms::check_trace(simulate(s))), "") << "replay: " << replay(s);
  }
}

INSTANTIATE_TEST_SUITE_P(Topologies, SnapshotProperty, ::testing::Values("complete", "ring", "random"));

TEST(SnapshotScenarioTest, TheSeedsRuleIsCaughtWheneverItRecordsALateMessage) {
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    SnapshotScenario s = draw(seed, "complete", "bank");
    s.rule = snapshot::RecordingRule::seed;
    const auto results = algorithms::check_trace(simulate(s));
    for (const auto& r : results) {
      // Only channel states can be wrong under the seed's rule: it records states
      // at the right moments.
      if (r.name == "snapshot_complete" || r.name == "consistent_cut" || r.name == "causality") {
        EXPECT_EQ(r.status, trace::CheckStatus::pass) << replay(s) << ": " << r.detail;
      }
      if (r.name == "snapshot_channels" && r.status == trace::CheckStatus::fail) ++caught;
    }
  }
  EXPECT_GT(caught, 50);  // most runs send something after a node recorded
}

TEST(SnapshotScenarioTest, TheSeedScriptIsPlayedOnlyWithTheSeedsSetUp) {
  SnapshotScenario s;
  EXPECT_TRUE(plays_seed_script(s));
  s.nodes = 4;
  EXPECT_FALSE(plays_seed_script(s));
  s = {};
  s.scenario = "bank";
  EXPECT_FALSE(plays_seed_script(s));
}

TEST(SnapshotScenarioTest, RefusesCrashesButNotANetworkThatLosesOrReorders) {
  auto refused = [](auto tweak) {
    SnapshotScenario s;
    tweak(s);
    try {
      validate(s);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // The reliable layer gives the channels Chandy-Lamport needs over such a network.
  EXPECT_EQ(refused([](SnapshotScenario& s) { s.faults.no_fifo = true; }), "accepted");
  EXPECT_EQ(refused([](SnapshotScenario& s) { s.faults.loss = 0.1; }), "accepted");
  EXPECT_EQ(refused([](SnapshotScenario& s) { s.faults.dup = 0.1; }), "accepted");
  EXPECT_EQ(refused([](SnapshotScenario& s) { s.faults.partition = {"1/2,3@0s..1s"}; }), "accepted");
  EXPECT_NE(refused([](SnapshotScenario& s) { s.faults.crash = {"1@1s"}; }).find("--crash"), std::string::npos);
  EXPECT_NE(refused([](SnapshotScenario& s) { s.initiator = 9; }).find("--initiator 9"), std::string::npos);
  EXPECT_EQ(refused([](SnapshotScenario& s) { s.faults.pause = {"1@1s+1s"}; }), "accepted");
}

TEST(SnapshotScenarioTest, APauseDelaysButDoesNotBreakASnapshot) {
  SnapshotScenario s{.seed = 4, .nodes = 5, .scenario = "bank", .topology = "random", .snapshots = 2};
  s.faults.pause = {"3@50ms+200ms"};
  EXPECT_EQ(failures(algorithms::check_trace(simulate(s))), "") << replay(s);
}

// Over the reliable layer, every snapshot of every seed completes and is exact on a
// network that loses 20% of the frames, duplicates 10%, reorders (no FIFO) and cuts
// a link for a while: the checker's verdict is the one of a perfect network.
TEST(SnapshotScenarioTest, SnapshotsAreExactOverALossyReorderingNetwork) {
  std::size_t retransmitted = 0;
  for (std::uint64_t seed = 1; seed <= 300; seed += kTestSeedStride) {
    SnapshotScenario s = draw(seed, seed % 2 == 0 ? "complete" : "random", seed % 3 == 0 ? "game" : "bank");
    s.faults.loss = 0.2;
    s.faults.dup = 0.1;
    s.faults.no_fifo = true;
    if (s.nodes >= 3) s.faults.partition = {"1/2@10ms..300ms"};
    if (seed % 4 == 0) s.faults.pause = {"2@20ms+400ms"};
    trace::Recorder recorder(
        {.algorithm = "snapshot", .mode = "sim", .seed = s.seed, .nodes = node_ids(s.nodes)});
    const SnapshotOutcome out = run_snapshot_scenario(s, &recorder);
    retransmitted += out.stats.reliable.retransmitted;
    const trace::Trace t = recorder.trace();
    ASSERT_EQ(failures(algorithms::check_trace(t)), "")
        << replay(s) << " --loss 0.2 --dup 0.1 --no-fifo --partition 1/2@10ms..300ms";
    for (const auto& e : t.events)
      ASSERT_NE(e.kind, EventKind::drop) << "no message is given up: " << replay(s);
  }
  EXPECT_GT(retransmitted, 300U / kTestSeedStride)
      << "the network did lose frames, and the layer sent them again";
}

// With nothing lost, the layer adds few frames: acks ride on traffic going back, or
// come on their own after a delay; nothing is sent twice.
TEST(SnapshotScenarioTest, TheReliableLayerCostsLittleOnALosslessNetwork) {
  SnapshotScenario s{.seed = 3, .nodes = 5, .scenario = "bank", .topology = "complete", .snapshots = 2};
  s.messages = 40;
  const SnapshotOutcome out = run_snapshot_scenario(s, nullptr);
  EXPECT_EQ(out.stats.reliable.retransmitted, 0U);
  EXPECT_EQ(out.stats.reliable.data, out.stats.sent);
  EXPECT_LT(static_cast<double>(out.stats.reliable.bare_acks), 0.1 * static_cast<double>(out.stats.sent))
      << out.stats.reliable.bare_acks << " acks of their own for " << out.stats.sent << " messages";
}

}  // namespace
}  // namespace distlab::harness
