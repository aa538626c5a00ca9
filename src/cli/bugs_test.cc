// The gallery of classic bugs (`--bug NAME`), in process: for every registered
// algorithm and every bug in its descriptor's kBugs, `distlab sweep ALGO --bug NAME`
// finds it within the number of seeds stated below, the check that fails is the one
// stated below, and the replay command of a failing seed fails that check too. A bug
// added to a descriptor is tested here once it has a line in the table.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/app.h"
#include "cli/cli_test_support.h"
#include "distlab/algo/registry.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::cli {
namespace bugs_test {

using json = nlohmann::json;
using test::lines_of;
using test::replay_args;
using Output = test::CliOutput;
constexpr auto cli = &test::capture_cli;

struct Expected {
  std::int64_t seeds;      // the sweep finds the bug within this many seeds from 1
  std::string_view check;  // and this is the check that fails
};

// Measured with `distlab sweep ALGO --bug NAME --seeds 100`: the first failing seed
// (in the comment), rounded up to the bound.
const std::map<std::string_view, Expected, std::less<>> kExpected{
    {"lamport/receive-no-max", {10, "clock_condition"}},              // seed 2
    {"lamport/vector-no-merge", {10, "vector_clocks"}},               // seed 1
    {"snapshot/seed-rule", {10, "snapshot_channels"}},                // seed 1
    {"bully/crown-without-waiting", {10, "single_leader"}},           // seed 2
    {"bully/follow-lower", {20, "leader_agreement"}},                 // seed 8
    {"heartbeat/silence-from-check", {10, "detector_completeness"}},  // seed 2
    {"ricart/reply-in-cs", {20, "mutual_exclusion"}},                 // seed 11
};

TEST(Bugs, TheSweepFindsEveryBugWithinItsBoundAndTheReplayFailsTheSameCheck) {
  std::size_t tested = 0;
  algorithms::for_each([&]<class D>() {
    for (const algorithms::Bug& bug : D::kBugs) {
      const std::string id = fmt::format("{}/{}", D::kName, bug.name);
      const auto expected = kExpected.find(id);
      ASSERT_NE(expected, kExpected.end()) << id << ": no line in kExpected (measure it with the sweep)";
      const Expected& e = expected->second;
      const Output r = cli({"sweep", std::string(D::kName), "--bug", std::string(bug.name), "--seeds",
                            std::to_string(e.seeds), "--jobs", "2", "--json", "--shrink-first", "0"});
      EXPECT_EQ(r.code, 1) << id << " not found within " << e.seeds << " seeds";
      const auto lines = lines_of(r.out);
      ASSERT_GE(lines.size(), 2u) << id << ": " << r.out << r.err;
      const json summary = json::parse(lines.back());
      EXPECT_EQ(summary["seeds"], e.seeds) << id;
      EXPECT_GT(summary["checks"][std::string(e.check)]["fail"], 0) << id;
      const json first = json::parse(lines.front());
      EXPECT_EQ(first["check"], e.check) << id << ": " << lines.front();
      // The replay command of the failing seed names the bug, and fails the same check.
      const std::string replay = first["replay"];
      EXPECT_NE(replay.find(fmt::format("--bug {}", bug.name)), std::string::npos) << replay;
      std::vector<std::string> args = replay_args(replay);
      const test::TempDir dir;
      args.insert(args.end(), {"--json", "--trace", dir / "t.jsonl"});
      const Output again = cli(args);
      EXPECT_EQ(again.code, 1) << replay;
      EXPECT_EQ(json::parse(again.out)["checks"][std::string(e.check)], "fail") << replay;
      // The failing check names the events of its violation, which the diagram marks.
      const trace::Trace t = trace::read_trace_file(dir / "t.jsonl");
      for (const trace::CheckResult& c : algorithms::check_trace(t)) {
        if (c.status != trace::CheckStatus::fail) continue;
        EXPECT_FALSE(c.events.empty()) << id << ": " << c.name << " names no event";
        EXPECT_TRUE(std::is_sorted(c.events.begin(), c.events.end())) << id;
        EXPECT_EQ(std::adjacent_find(c.events.begin(), c.events.end()), c.events.end()) << id;
        EXPECT_LT(c.events.empty() ? 0 : c.events.back(), t.events.size()) << id;
      }
      ++tested;
    }
  });
  EXPECT_EQ(tested, kExpected.size()) << "a line of kExpected names no registered bug";
}

// `distlab explore ALGO --bug NAME` with these flags (at 3 nodes) finds the bug: the
// property that breaks, the length of the shortest counterexample (measured), and what
// the trace checkers say of its trace. They judge a whole run: Bully's single_leader
// sees two leaderships that start at the trace's last instant as not overlapping (its
// leader_agreement fails instead), and its leader_agreement waits for a quiet period
// that a shortest counterexample never has (skipped).
struct Explored {
  std::vector<std::string> flags;
  std::string_view check;
  std::size_t steps;
  std::string_view trace_check;
  std::string_view trace_status;
};
const std::map<std::string_view, Explored, std::less<>> kExplored{
    {"lamport/receive-no-max", {{}, "clock_condition", 2, "clock_condition", "fail"}},
    {"lamport/vector-no-merge", {{"--vector"}, "vector_clocks", 2, "vector_clocks", "fail"}},
    {"bully/crown-without-waiting", {{}, "single_leader", 2, "leader_agreement", "fail"}},
    {"bully/follow-lower",
     {{"--crashes", "1", "--recoveries", "1"}, "leader_agreement", 10, "leader_agreement", "skipped"}},
    {"ricart/reply-in-cs", {{"--requests", "1"}, "mutual_exclusion", 10, "mutual_exclusion", "fail"}},
    {"heartbeat/silence-from-check", {{}, "detector_completeness", 19, "detector_completeness", "fail"}},
    {"snapshot/seed-rule", {{}, "snapshot_channels", 11, "snapshot_channels", "fail"}},
};

TEST(Bugs, TheExplorerFindsEveryBugOfEveryAlgorithmItExploresWithAShortestCounterexample) {
  std::size_t tested = 0;
  algorithms::for_each([&]<class D>() {
    if constexpr (requires { &D::add_explore; }) {
      for (const algorithms::Bug& bug : D::kBugs) {
        const std::string id = fmt::format("{}/{}", D::kName, bug.name);
        const auto expected = kExplored.find(id);
        ASSERT_NE(expected, kExplored.end()) << id << ": no line in kExplored (measure it with distlab explore)";
        const Explored& e = expected->second;
        std::vector<std::string> args{"explore", std::string(D::kName), "--bug", std::string(bug.name), "--json"};
        args.insert(args.end(), e.flags.begin(), e.flags.end());
        const Output r = cli(args);
        ASSERT_EQ(r.code, 1) << id << ": " << r.out << r.err;
        const json summary = json::parse(r.out);
        EXPECT_EQ(summary["violation"]["check"], e.check) << id;
        EXPECT_EQ(summary["violation"]["steps"], e.steps) << id;
        EXPECT_EQ(summary["checks"][std::string(e.trace_check)], e.trace_status) << id << ": " << r.out;
        ++tested;
      }
    }
  });
  EXPECT_EQ(tested, kExplored.size()) << "a line of kExplored names no explored bug";
}

TEST(Bugs, TheHumanReportSaysWhichBugTheRunHas) {
  const Output r = cli({"ricart", "--bug", "reply-in-cs", "--seed", "1", "--quiet"});
  EXPECT_NE(r.out.find("Bug on purpose: reply-in-cs ("), std::string::npos) << r.out;
  const Output plain = cli({"ricart", "--seed", "1", "--quiet"});
  EXPECT_EQ(plain.out.find("Bug on purpose"), std::string::npos) << plain.out;
}

TEST(Bugs, AnUnknownBugIsOneLineNamingTheValidOnesAndExit2) {
  algorithms::for_each([]<class D>() {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{std::string(D::kName), "--bug", "no-such-bug", "--seed", "1"},
          std::vector<std::string>{"sweep", std::string(D::kName), "--bug", "no-such-bug", "--seeds", "2"}}) {
      const Output r = cli(args);
      EXPECT_EQ(r.code, 2) << D::kName << " " << args.front();
      EXPECT_TRUE(r.out.empty()) << r.out;
      ASSERT_EQ(lines_of(r.err).size(), 1u) << r.err;
      EXPECT_NE(r.err.find("no-such-bug"), std::string::npos) << r.err;
      for (const algorithms::Bug& bug : D::kBugs) EXPECT_NE(r.err.find(bug.name), std::string::npos) << r.err;
    }
  });
}

}  // namespace bugs_test
}  // namespace distlab::cli
