// Property tests over many seeds: after random crash and recovery schedules on a
// reliable network with random (bounded) latency, every run ends with every live node
// following the highest live id, within the bound, never two leaders at once.
#include "distlab/algo/registry.h"
#include "distlab/harness/bully/scenario.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "distlab/harness/lamport/scenario.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/trace/checks.h"
#include "distlab/algo/bully/checker.h"
#include "distlab/trace/trace.h"
#include "distlab/testing/stride.h"

namespace distlab::harness {
namespace {

std::string replay(const BullyScenario& s) {
  std::string cmd = fmt::format("distlab bully --seed {} --nodes {} --latency {} --until {}", s.seed, s.nodes,
                                s.faults.latency, s.faults.until);
  cmd += s.fail_leader_ns ? fmt::format(" --fail-leader {}", format_duration(*s.fail_leader_ns)) : " --fail-leader off";
  for (const auto& c : s.faults.crash) cmd += " --crash " + c;
  for (const auto& r : s.faults.recover) cmd += " --recover " + r;
  return cmd;
}

// Random crashes and recoveries of random nodes in the first 4 s, each node's own
// schedule alternating crash, recover; some nodes stay down. Then 4 s to settle.
BullyScenario draw(std::uint64_t seed) {
  Rng rng(mix64(seed ^ 0xb011));
  BullyScenario s;
  s.seed = seed;
  s.nodes = static_cast<std::uint32_t>(rng.between(2, 8));
  s.starter = static_cast<NodeId>(rng.between(1, s.nodes));
  s.fail_leader_ns.reset();
  s.recover_ns.reset();
  s.faults.latency = rng.chance(0.5) ? "uniform:1ms:20ms" : "normal:8ms:4ms";
  s.faults.until = "8s";
  for (NodeId id = 1; id <= s.nodes; ++id) {
    Nanos t = rng.between(100, 1500) * kMillisecond;
    for (int k = 0; k < 2 && t < 4 * kSecond; ++k) {
      if (!rng.chance(0.35)) break;
      s.faults.crash.push_back(fmt::format("{}@{}ms", id, t / kMillisecond));
      t += rng.between(50, 1500) * kMillisecond;
      if (rng.chance(0.75)) {
        s.faults.recover.push_back(fmt::format("{}@{}ms", id, t / kMillisecond));
        t += rng.between(50, 1000) * kMillisecond;
      } else {
        break;  // stays down
      }
    }
  }
  return s;
}

TEST(BullyProperty, ThousandCrashRecoverSchedulesEndWithTheHighestLiveLeader) {
  std::size_t with_faults = 0;
  for (std::uint64_t seed = 1; seed <= 1000; seed += kTestSeedStride) {
    const BullyScenario s = draw(seed);
    trace::Recorder recorder({.algorithm = "bully", .mode = "sim", .seed = seed, .nodes = node_ids(s.nodes)});
    const BullyOutcome out = run_bully_scenario(s, &recorder);
    const auto& tr = recorder.trace();
    const bully::ElectionAnalysis a = bully::analyze_election(tr);
    ASSERT_TRUE(a.highest_live.has_value() || s.faults.crash.size() >= s.nodes) << replay(s);
    if (!a.highest_live) continue;  // everyone down at the end
    ASSERT_EQ(a.agreed_leader, a.highest_live) << "replay: " << replay(s);
    ASSERT_EQ(out.final_leader, a.highest_live) << "replay: " << replay(s);
    for (const auto& c : algorithms::check_trace(tr)) {
      ASSERT_EQ(c.status, trace::CheckStatus::pass) << c.name << ": " << c.detail << "\nreplay: " << replay(s);
    }
    with_faults += s.faults.crash.empty() ? 0 : 1;
  }
  EXPECT_GT(with_faults, 500u / kTestSeedStride);  // most schedules do crash something
}

TEST(BullyScenarioTest, DefaultsAreTheSeedsRun) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    BullyScenario s;
    s.seed = seed;
    trace::Recorder recorder({.algorithm = "bully", .mode = "sim", .seed = seed, .nodes = node_ids(5)});
    const BullyOutcome out = run_bully_scenario(s, &recorder);
    EXPECT_EQ(out.failed_leader, 5u) << seed;
    EXPECT_EQ(out.final_leader, 5u) << seed;
    const auto a = bully::analyze_election(recorder.trace());
    ASSERT_EQ(a.failovers.size(), 2u) << seed;
    EXPECT_EQ(a.failovers[0].cause, "crash");
    EXPECT_EQ(a.failovers[0].leader, 4u);
    EXPECT_EQ(a.failovers[1].cause, "recover");
    EXPECT_EQ(a.failovers[1].leader, 5u);
    // Noticing takes a leader timeout (350 to 525 ms); the election a little more.
    EXPECT_GT(*a.failovers[0].agreed_ns - a.failovers[0].at_ns, 350 * kMillisecond);
    EXPECT_LT(*a.failovers[0].agreed_ns - a.failovers[0].at_ns, *a.bound_ns);
  }
}

TEST(BullyScenarioTest, BadScenariosAreRefused) {
  auto refused = [](auto tweak) {
    BullyScenario s;
    tweak(s);
    try {
      validate(s);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refused([](BullyScenario& s) { s.nodes = 1; }).find("--nodes"), std::string::npos);
  EXPECT_NE(refused([](BullyScenario& s) { s.starter = 6; }).find("--starter 6"), std::string::npos);
  EXPECT_NE(refused([](BullyScenario& s) { s.options.heartbeat_ns = -1; }).find("--heartbeat"), std::string::npos);
  EXPECT_NE(refused([](BullyScenario& s) { s.options.leader_timeout_ns = 50 * kMillisecond; }).find("--leader-timeout"),
            std::string::npos);
  EXPECT_NE(refused([](BullyScenario& s) { s.recover_ns = 500 * kMillisecond; }).find("--recover"), std::string::npos);
  EXPECT_EQ(refused([](BullyScenario&) {}), "accepted");
}

}  // namespace
}  // namespace distlab::harness
