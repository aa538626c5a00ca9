// `distlab ricart` as a user meets it: the JSON summary on reliable runs (every request
// entered, 2(n-1) messages per entry), the replay line, bad input, a crash (the
// algorithm's known weakness: everyone waits for the dead node), `distlab check` on
// its traces, the --html diagram and the help of `run ricart` and `launch ricart`.
// Goldens are in tests/golden/ricart_*.txt and traces/ricart_*.jsonl.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>
#include <string>
#include <vector>

#include "run.h"

namespace distlab::testing::ricart_cli_test {
namespace {

using Args = std::vector<std::string>;
using json = nlohmann::json;

Args with(Args args, const Args& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool has_line(const std::string& text, const std::string& line) {
  const auto lines = split_lines(text);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// The first line of `text` that starts with `prefix`, or "".
std::string line_starting(const std::string& text, const std::string& prefix) {
  for (const std::string& line : split_lines(text)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Runs `args` plus --json; the run must exit 0 and print one object.
json run_json(const Args& args) {
  const Args full = with(args, {"--json"});
  const RunResult r = run_distlab(full);
  EXPECT_EQ(r.exit_code, 0) << command_line(full) << "\n" << r.out << r.err;
  EXPECT_EQ(r.err, "") << command_line(full);
  EXPECT_EQ(split_lines(r.out).size(), 1u) << command_line(full) << " prints only the JSON object:\n" << r.out;
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(out.is_object()) << command_line(full) << ":\n" << r.out;
  return out.is_object() ? out : json::object();
}

// The checks every ricart run reports (clock condition only when messages were sent).
const std::vector<std::string> kMutexChecks = {"mutual_exclusion", "requests_granted", "entry_order"};

// ---- Reliable runs: every request is entered, with 2(n-1) messages per entry ----

struct ReliableCase {
  std::int64_t nodes;
  std::int64_t requests;
};

void PrintTo(const ReliableCase& c, std::ostream* os) { *os << c.nodes << " nodes, " << c.requests << " requests"; }

class RicartReliable : public ::testing::TestWithParam<ReliableCase> {};

TEST_P(RicartReliable, EveryRequestIsEnteredWithARequestAndAReplyPerOtherNode) {
  const auto [n, k] = GetParam();
  const Args args = {"ricart", "--seed", "5", "--nodes", std::to_string(n), "--requests", std::to_string(k)};
  SCOPED_TRACE(command_line(args));
  const json out = run_json(args);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.value("algorithm", ""), "ricart");
  EXPECT_EQ(out.value("seed", 0), 5);
  EXPECT_EQ(out.value("nodes", 0), n);
  EXPECT_EQ(out.value("requested", -1), n * k) << out.dump();
  EXPECT_EQ(out.value("entered", -1), n * k) << out.dump();
  EXPECT_EQ(out["waiting"], json::array()) << out.dump();
  EXPECT_GE(out.value("longest_wait_ns", -1), 0) << out.dump();
  // Each entry: a request to each of the n-1 others and a reply from each.
  const json expected_messages =
      n == 1 ? json::object() : json{{"reply", n * k * (n - 1)}, {"request", n * k * (n - 1)}};
  EXPECT_EQ(out["messages"], expected_messages) << out.dump();
  ASSERT_TRUE(out["checks"].is_object()) << out.dump();
  for (const std::string& check : kMutexChecks) EXPECT_EQ(out["checks"].value(check, ""), "pass") << out.dump();
  EXPECT_EQ(out["checks"].value("causality", ""), "pass") << out.dump();
  if (n > 1) {
    EXPECT_EQ(out["checks"].value("clock_condition", ""), "pass") << out.dump();
  }
  for (const auto& [name, status] : out["checks"].items()) EXPECT_EQ(status, "pass") << name << ": " << out.dump();

  // The text summary says the same.
  const RunResult text = run_distlab(with(args, {"--quiet"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const std::int64_t entries = n * k;
  EXPECT_TRUE(has_line(text.out, "Critical sections entered: " + std::to_string(entries) + " of " +
                                      std::to_string(entries) + " requested."))
      << text.out;
  const std::string per_entry = n == 1 ? "0.0" : std::to_string(2 * (n - 1)) + ".0";
  EXPECT_TRUE(has_line(text.out, "Messages: " + std::to_string(entries * (n - 1)) + " requests, " +
                                      std::to_string(entries * (n - 1)) + " replies (" + per_entry + " per entry)."))
      << text.out;
  EXPECT_FALSE(contains(text.out, "Never granted")) << text.out;
}

INSTANTIATE_TEST_SUITE_P(Cli, RicartReliable,
                         ::testing::Values(ReliableCase{1, 3}, ReliableCase{2, 3}, ReliableCase{3, 3},
                                           ReliableCase{5, 2}, ReliableCase{12, 2}),
                         [](const ::testing::TestParamInfo<ReliableCase>& info) {
                           return "Nodes" + std::to_string(info.param.nodes) + "Requests" +
                                  std::to_string(info.param.requests);
                         });

TEST(RicartDefaults, ThreeNodesAskThreeTimesEach) {
  const json out = run_json({"ricart", "--seed", "5"});
  EXPECT_EQ(out.value("nodes", 0), 3);
  EXPECT_EQ(out.value("requested", 0), 9);
  EXPECT_EQ(out.value("entered", 0), 9);
  EXPECT_EQ(out["messages"], json::parse(R"({"reply":18,"request":18})")) << out.dump();
}

// ---- The replay line ----

TEST(RicartReplay, WithoutASeedOneIsDrawnAndTheReplayLineReplaysTheSameOutput) {
  const RunResult first = run_distlab({"ricart", "--nodes", "4", "--requests", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string replay = line_starting(first.out, "Seed ");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(replay, m, std::regex(R"(Seed (\d+)\. Replay: distlab (ricart --nodes 4 --requests 2 --seed (\d+)))")))
      << replay;
  EXPECT_EQ(m[1].str(), m[3].str());
  EXPECT_EQ(split_lines(first.out).back(), replay) << "the replay line comes last";

  // The replay line's command (the regex pins each of its words) prints the same,
  // replay line included.
  const Args args = {"ricart", "--nodes", "4", "--requests", "2", "--seed", m[1].str()};
  ASSERT_EQ(command_line(args), "distlab " + m[2].str());
  const RunResult again = run_distlab(args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(again.out == first.out) << command_line(args) << " printed:\n" << again.out << "\nthe first run:\n"
                                      << first.out;
}

TEST(RicartReplay, SameSeedSameTraceWhateverTheOutputOptions) {
  TempDir dir("ricart_replay");
  const Args base = {"ricart", "--seed", "9", "--nodes", "4", "--latency", "exp:3ms", "--dup", "0.1"};
  const std::string first = read_file(make_trace(dir, "first.jsonl", base));
  ASSERT_GT(split_lines(first).size(), 1u);
  for (const Args& extra : {Args{}, Args{"--lang", "pt"}, Args{"--json"}}) {
    const std::string path = make_trace(dir, "again.jsonl", with(base, extra));
    EXPECT_TRUE(read_file(path) == first) << command_line(with(base, extra)) << " wrote a different trace";
  }
  const std::string other = read_file(make_trace(dir, "other.jsonl", {"ricart", "--seed", "10", "--nodes", "4"}));
  EXPECT_NE(split_lines(other).at(1), split_lines(first).at(1)) << "seeds 9 and 10 start alike";
}

// ---- Bad input: one line on stderr, nothing on stdout, exit 2, no trace ----

struct BadInputCase {
  std::string name;
  Args args;  // after "ricart --seed 1 --trace FILE"
  std::string says;
};

void PrintTo(const BadInputCase& c, std::ostream* os) { *os << command_line(c.args); }

class RicartBadInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(RicartBadInput, OneLineOnStderrExitTwoAndNoTrace) {
  const BadInputCase& c = GetParam();
  TempDir dir("ricart_bad_input");
  const Args args = with({"ricart", "--seed", "1", "--trace", dir.file("run.jsonl")}, c.args);
  expect_refused(args, c.says, dir);
}

INSTANTIATE_TEST_SUITE_P(Cli, RicartBadInput,
                         ::testing::Values(BadInputCase{"ZeroNodes", {"--nodes", "0"}, "--nodes"},
                                           BadInputCase{"TooManyNodes", {"--nodes", "100000"}, "--nodes"},
                                           BadInputCase{"ZeroRequests", {"--requests", "0"}, "--requests"},
                                           BadInputCase{"NegativeRequests", {"--requests", "-1"}, "--requests"},
                                           BadInputCase{"ZeroHold", {"--hold", "0"}, "--hold"},
                                           BadInputCase{"HoldNotADuration", {"--hold", "abc"}, "--hold"},
                                           BadInputCase{"ZeroThink", {"--think", "0"}, "--think"},
                                           BadInputCase{"HoldTooLong", {"--hold", "2000s"}, "--hold"},
                                           BadInputCase{"CrashUnknownNode", {"--crash", "9@1s"}, "node 9"},
                                           BadInputCase{"TooManyMessages",
                                                        {"--nodes", "1000", "--requests", "3"},
                                                        "would send 5994000 messages"}),
                         [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

// ---- A crash: mutual exclusion holds, the others wait for the dead node ----

const Args kCrash = {"ricart", "--nodes", "4", "--crash", "2@50ms", "--seed", "3"};

TEST(RicartCrash, ExitsZeroWithRequestsGrantedSkippedAndMutualExclusionPassing) {
  const json out = run_json(kCrash);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out["checks"].value("mutual_exclusion", ""), "pass") << out.dump();
  EXPECT_EQ(out["checks"].value("requests_granted", ""), "skipped") << out.dump();
  EXPECT_EQ(out["checks"].value("entry_order", ""), "pass") << out.dump();
  EXPECT_EQ(out["checks"].value("causality", ""), "pass") << out.dump();
  EXPECT_LT(out.value("entered", 0), out.value("requested", 0)) << out.dump();
  EXPECT_FALSE(out["waiting"].empty()) << out.dump();
  for (const json& node : out["waiting"]) EXPECT_NE(node, 2) << "the crashed node waits for nothing: " << out.dump();

  const RunResult r = run_distlab(with(kCrash, {"--quiet"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(line_starting(r.out, "Check mutual exclusion: pass").empty()) << r.out;
  const std::string skipped = line_starting(r.out, "Check requests granted: skipped (");
  EXPECT_TRUE(contains(skipped, "1 crash")) << r.out;
  EXPECT_TRUE(contains(skipped, "known weakness")) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Never granted, still waiting at the end: ").empty()) << r.out;
  EXPECT_FALSE(contains(r.out, "FAIL")) << r.out;
}

// ---- distlab check on ricart traces ----

TEST(RicartCheck, TheTracePassesEveryMutexCheck) {
  TempDir dir("ricart_check");
  const std::string trace = make_trace(dir, "run.jsonl", {"ricart", "--seed", "5"});
  const RunResult r = run_distlab({"check", trace});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(contains(split_lines(r.out).at(0), "ricart trace (sim, seed 5), 3 nodes")) << r.out;
  for (const char* line : {"Check causality: pass", "Check clock condition: pass",
                           "Check mutual exclusion: pass (9 critical sections, never two at once)",
                           "Check requests granted: pass (9 requests, each followed by an entry)",
                           "Check entry order: pass (9 entries in (timestamp, node) order)"}) {
    EXPECT_FALSE(line_starting(r.out, line).empty()) << "no '" << line << "' in:\n" << r.out;
  }

  // `check --json` and the run's --json agree.
  const RunResult j = run_distlab({"check", "--json", trace});
  EXPECT_EQ(j.exit_code, 0) << j.out << j.err;
  const json checked = json::parse(j.out, nullptr, false);
  ASSERT_TRUE(checked.is_object()) << j.out;
  EXPECT_EQ(checked.value("algorithm", ""), "ricart");
  EXPECT_EQ(checked["checks"], run_json({"ricart", "--seed", "5"})["checks"]) << j.out;
}

TEST(RicartCheck, ACrashTraceSkipsRequestsGrantedAndPasses) {
  TempDir dir("ricart_check_crash");
  const RunResult r = run_distlab({"check", make_trace(dir, "run.jsonl", kCrash)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(line_starting(r.out, "Check mutual exclusion: pass").empty()) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check requests granted: skipped").empty()) << r.out;
}

// A node that never leaves: the next node's entry overlaps it, and check says who.
TEST(RicartCheck, ADroppedExitFailsMutualExclusionNamingBothNodes) {
  TempDir dir("ricart_check_corrupt");
  const std::string text = read_file(make_trace(dir, "run.jsonl", {"ricart", "--seed", "5"}));
  std::string corrupt;
  bool dropped = false;
  for (const std::string& line : split_lines(text)) {
    if (!dropped && contains(line, R"("mutex":"exit")")) {
      dropped = true;
      continue;
    }
    corrupt += line + "\n";
  }
  ASSERT_TRUE(dropped) << "no exit in the trace";
  write_file(dir.file("corrupt.jsonl"), corrupt);
  const RunResult r = run_distlab({"check", dir.file("corrupt.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string failing = line_starting(r.out, "Check mutual exclusion: FAIL");
  ASSERT_FALSE(failing.empty()) << r.out;
  EXPECT_TRUE(std::regex_search(failing, std::regex(R"(nodes \d and \d were both inside the critical section)")))
      << failing;
}

// ---- --html ----

TEST(RicartHtml, CriticalSectionsAreShadedOnePerEntry) {
  TempDir dir("ricart_html");
  const Args args = {"ricart", "--seed", "5", "--quiet", "--html", dir.file("run.html")};
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string page = read_file(dir.file("run.html"));
  EXPECT_TRUE(contains(page, "class=\"inside\"")) << "no critical-section rectangle";
  // One shaded rectangle per entry, each saying whose section it is and when.
  EXPECT_EQ(count_of(page, "<rect class=\"inside\" x="), 9u);
  EXPECT_EQ(count_of(page, " inside the critical section from t = "), 9u);
  EXPECT_TRUE(contains(page, "data-tip=\"n1 inside the critical section from t = ")) << "node 1's section";
}

// ---- Help ----

TEST(RicartHelp, RicartRunAndLaunchEachHaveTheirHelp) {
  for (const Args& args : {Args{"ricart", "--help"}, Args{"run", "ricart", "--help"}, Args{"launch", "ricart", "--help"}}) {
    const RunResult r = run_distlab(args);
    EXPECT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
    EXPECT_TRUE(contains(r.out, "Ricart-Agrawala mutual exclusion")) << command_line(args) << ":\n" << r.out;
    for (const char* option : {"--requests", "--hold", "--think"}) {
      EXPECT_TRUE(contains(r.out, option)) << option << " missing from " << command_line(args) << ":\n" << r.out;
    }
  }
  EXPECT_TRUE(contains(run_distlab({"run", "ricart", "--help"}).out, "--cluster FILE REQUIRED"));
  EXPECT_TRUE(contains(run_distlab({"launch", "ricart", "--help"}).out, "--kill ID@TIME"));
  const RunResult top = run_distlab({"--help"});
  EXPECT_FALSE(line_starting(top.out, "  ricart ").empty()) << top.out;
}

}  // namespace
}  // namespace distlab::testing::ricart_cli_test
