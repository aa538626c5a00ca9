// Property tests: random Lamport runs satisfy every check, and broken traces fail.
#include "distlab/algo/registry.h"
#include "distlab/harness/lamport/scenario.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "distlab/core/error.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/trace.h"

namespace distlab::harness {
namespace {

struct Run {
  LamportScenario scenario;
  trace::Trace trace;
};

// The command that replays a scenario, for failure messages.
std::string replay(const LamportScenario& s) {
  std::string cmd = fmt::format("distlab lamport --seed {} --nodes {} --rounds {} --mode {}{}", s.seed, s.nodes,
                                s.rounds, s.random_mode ? "random" : "rounds", s.vector ? " --vector" : "");
  if (s.faults.loss > 0) cmd += fmt::format(" --loss {}", s.faults.loss);
  if (s.faults.dup > 0) cmd += fmt::format(" --dup {}", s.faults.dup);
  if (s.faults.no_fifo) cmd += " --no-fifo";
  if (!s.faults.latency.empty()) cmd += " --latency " + s.faults.latency;
  if (s.faults.faults > 0) cmd += fmt::format(" --faults {}", s.faults.faults);
  return cmd;
}

rc::Gen<LamportScenario> arbitrary_scenario() {
  return rc::gen::exec([] {
    LamportScenario s;
    s.seed = *rc::gen::arbitrary<std::uint64_t>();
    s.nodes = *rc::gen::inRange<std::uint32_t>(2, 9);
    s.rounds = *rc::gen::inRange<std::uint32_t>(1, 25);
    s.random_mode = *rc::gen::arbitrary<bool>();
    s.vector = *rc::gen::arbitrary<bool>();
    s.faults.loss = *rc::gen::element(0.0, 0.1, 0.5);
    s.faults.dup = *rc::gen::element(0.0, 0.2);
    s.faults.no_fifo = *rc::gen::arbitrary<bool>();
    s.faults.latency = *rc::gen::element<std::string>("", "exp:30ms", "normal:20ms:15ms", "uniform:0s:200ms");
    s.faults.faults = *rc::gen::inRange<std::int64_t>(0, 4);
    return s;
  });
}

Run simulate(const LamportScenario& s) {
  trace::Recorder recorder({.algorithm = "lamport", .mode = "sim", .seed = s.seed, .nodes = node_ids(s.nodes)});
  run_lamport_scenario(s, recorder);
  return {s, recorder.trace()};
}

std::string failed_checks(const std::vector<trace::CheckResult>& results) {
  std::string out;
  for (const auto& r : results) {
    if (r.status == trace::CheckStatus::fail) out += r.name + ": " + r.detail + "\n";
  }
  return out;
}

RC_GTEST_PROP(LamportProperty, EveryRandomRunSatisfiesItsChecks, ()) {
  const LamportScenario s = *arbitrary_scenario();
  const Run run = simulate(s);
  const auto results = algorithms::check_trace(run.trace);
  RC_LOG() << "replay: " << replay(s) << "\n";
  RC_ASSERT(failed_checks(results).empty());
  const bool has_vector = results.size() == 3 && results[2].name == "vector_clocks";
  RC_ASSERT(has_vector == s.vector);
}

RC_GTEST_PROP(LamportProperty, SameSeedSameTrace, ()) {
  const LamportScenario s = *arbitrary_scenario();
  RC_LOG() << "replay: " << replay(s) << "\n";
  const Run a = simulate(s);
  const Run b = simulate(s);
  RC_ASSERT(a.trace.events.size() == b.trace.events.size());
  for (std::size_t i = 0; i < a.trace.events.size(); ++i) {
    RC_ASSERT(trace::record_line(a.trace.events[i]) == trace::record_line(b.trace.events[i]));
  }
}

// Indices of receives whose send carries a Lamport time too.
std::vector<std::size_t> stamped_receives(const trace::Trace& t) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    if (t.events[i].kind == EventKind::recv && t.events[i].lamport) out.push_back(i);
  }
  return out;
}

RC_GTEST_PROP(LamportProperty, AReceiveThatDoesNotAdvanceIsCaught, ()) {
  LamportScenario s = *arbitrary_scenario();
  s.faults.loss = 0;
  Run run = simulate(s);
  const auto receives = stamped_receives(run.trace);
  RC_PRE(!receives.empty());
  const std::size_t victim = *rc::gen::elementOf(receives);
  auto& events = run.trace.events;
  // The recv keeps its send's time instead of max(local, sent) + 1.
  std::int64_t sent = 0;
  for (const auto& e : events) {
    if (e.kind == EventKind::send && e.msg == events[victim].msg) sent = *e.lamport;
  }
  events[victim].lamport = sent;
  events[victim].line = victim + 2;
  RC_LOG() << "replay: " << replay(s) << ", then set " << trace::describe(events[victim]) << "\n";
  const auto results = algorithms::check_trace(run.trace);
  RC_ASSERT(results.size() >= 2);
  RC_ASSERT(results[1].name == "clock_condition");
  RC_ASSERT(results[1].status == trace::CheckStatus::fail);
}

RC_GTEST_PROP(LamportProperty, AVectorClockThatForgetsTheSenderIsCaught, ()) {
  LamportScenario s = *arbitrary_scenario();
  s.vector = true;
  Run run = simulate(s);
  const auto receives = stamped_receives(run.trace);
  RC_PRE(!receives.empty());
  const std::size_t victim = *rc::gen::elementOf(receives);
  auto& e = run.trace.events[victim];
  const NodeId sender = e.peer;
  RC_PRE(e.vc->get(sender) > 0);
  e.vc->set(sender, e.vc->get(sender) - 1);
  RC_LOG() << "replay: " << replay(s) << ", then lowered " << trace::describe(e) << "\n";
  const auto results = algorithms::check_trace(run.trace);
  RC_ASSERT(results.back().name == "vector_clocks");
  RC_ASSERT(results.back().status == trace::CheckStatus::fail);
}

RC_GTEST_PROP(LamportProperty, SwappingTwoTimesAtANodeIsCaught, ()) {
  LamportScenario s = *arbitrary_scenario();
  Run run = simulate(s);
  auto& events = run.trace.events;
  // Two consecutive stamped events at one node, the second strictly later.
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  std::map<NodeId, std::size_t> last;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!events[i].lamport) continue;
    auto it = last.find(events[i].node);
    if (it != last.end()) pairs.emplace_back(it->second, i);
    last[events[i].node] = i;
  }
  RC_PRE(!pairs.empty());
  const auto [a, b] = *rc::gen::elementOf(pairs);
  std::swap(events[a].lamport, events[b].lamport);
  RC_LOG() << "replay: " << replay(s) << ", then swapped lines " << a + 2 << " and " << b + 2 << "\n";
  const auto results = algorithms::check_trace(run.trace);
  RC_ASSERT(results.size() >= 2 && results[1].status == trace::CheckStatus::fail);
}

TEST(LamportScenarioTest, FaultOptionsAreValidatedOnTheSamePathAsTheCommand) {
  LamportScenario s;
  s.faults.crash = {"7@1s"};
  trace::Recorder recorder({.algorithm = "lamport", .mode = "sim", .seed = 0, .nodes = node_ids(3)});
  EXPECT_THROW(run_lamport_scenario(s, recorder), InputError);
}

TEST(LamportScenarioTest, ACrashedReceiverLosesItsMessagesAndTheRunStillChecks) {
  LamportScenario s{.seed = 2379};
  s.faults.crash = {"1@0s"};  // node 1 receives in rounds 1, 2 and 5 of this seed
  s.faults.recover = {"1@2.5s"};
  trace::Recorder recorder({.algorithm = "lamport", .mode = "sim", .seed = s.seed, .nodes = node_ids(3)});
  const sim::SimStats stats = run_lamport_scenario(s, recorder);
  EXPECT_EQ(stats.dropped_crashed, 2u);
  EXPECT_EQ(stats.delivered, 3u);
  EXPECT_TRUE(trace::all_passed(algorithms::check_trace(recorder.trace())));
}

}  // namespace
}  // namespace distlab::harness
