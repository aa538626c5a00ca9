// The `distlab` command line as a user meets it: determinism and replay, bad input,
// --help, --json and the demo (DESIGN.md, "CLI contract").
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "run.h"

namespace distlab::testing::cli_test {
namespace {

using Args = std::vector<std::string>;

Args with(Args args, const Args& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The kinds of the events in a JSONL trace, in order (the header is skipped).
std::vector<std::string> event_kinds(const std::string& trace) {
  std::vector<std::string> kinds;
  const auto lines = split_lines(trace);
  for (std::size_t i = 1; i < lines.size(); ++i) kinds.push_back(nlohmann::json::parse(lines[i]).at("kind"));
  return kinds;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// ---- Determinism: the same seed and options, the same bytes ----

struct DeterminismCase {
  std::string name;
  Args args;
  bool faults = false;  // the trace must show the injected crash and recover
};

void PrintTo(const DeterminismCase& c, std::ostream* os) { *os << command_line(c.args); }

class Determinism : public ::testing::TestWithParam<DeterminismCase> {};

TEST_P(Determinism, SameSeedSameStdoutAndTrace) {
  const DeterminismCase& c = GetParam();
  TempDir dir("determinism");
  // The same trace path both times: the replay line on stdout names it.
  const Args args = with(c.args, {"--trace", dir.file("run.jsonl")});
  std::string out[2];
  std::string trace[2];
  for (int i = 0; i < 2; ++i) {
    const RunResult r = run_distlab(args);
    ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
    ASSERT_EQ(r.err, "") << command_line(args);
    out[i] = r.out;
    trace[i] = read_file(dir.file("run.jsonl"));
    std::filesystem::remove(dir.file("run.jsonl"));
  }
  ASSERT_FALSE(out[0].empty());
  ASSERT_GT(split_lines(trace[0]).size(), 1u) << "the trace has no events";
  EXPECT_TRUE(out[0] == out[1]) << command_line(args) << ": stdout differs between two runs";
  EXPECT_TRUE(trace[0] == trace[1]) << command_line(args) << ": the trace differs between two runs";
  if (c.faults) {
    const auto kinds = event_kinds(trace[0]);
    EXPECT_TRUE(contains(kinds, "crash")) << "no crash in the trace of " << command_line(args);
    EXPECT_TRUE(contains(kinds, "recover")) << "no recover in the trace of " << command_line(args);
    EXPECT_TRUE(contains(kinds, "drop")) << "no message lost with --loss 0.2 in " << command_line(args);
  }
}

const Args kFaultOptions = {"--loss",    "0.2",    "--dup",       "0.1",           "--latency", "exp:20ms",
                            "--no-fifo", "--crash", "2@1s",        "--recover",     "2@2.5s",    "--partition",
                            "1/3@0s..2s", "--faults", "2"};

INSTANTIATE_TEST_SUITE_P(
    Cli, Determinism,
    ::testing::Values(
        DeterminismCase{"RoundsMode", {"lamport", "--seed", "42", "--nodes", "5", "--rounds", "20"}},
        DeterminismCase{"RandomModeWithVectorClocks",
                        {"lamport", "--seed", "42", "--mode", "random", "--vector", "--nodes", "4", "--rounds", "10"}},
        DeterminismCase{"RoundsModeWithFaults", with({"lamport", "--seed", "11", "--rounds", "20"}, kFaultOptions),
                        true},
        DeterminismCase{"RandomModeWithFaults",
                        with({"lamport", "--seed", "11", "--mode", "random", "--vector", "--nodes", "4", "--rounds",
                              "10"},
                             kFaultOptions),
                        true}),
    [](const ::testing::TestParamInfo<DeterminismCase>& info) { return info.param.name; });

TEST(CliReplay, DifferentSeedsGiveDifferentTraces) {
  TempDir dir("seeds");
  std::vector<std::string> events[2];
  std::string out[2];
  for (int i = 0; i < 2; ++i) {
    const Args args = {"lamport", "--seed", std::to_string(i + 1), "--mode", "random", "--nodes", "4",
                       "--trace", dir.file("run.jsonl")};
    const RunResult r = run_distlab(args);
    ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
    auto lines = split_lines(read_file(dir.file("run.jsonl")));
    ASSERT_GT(lines.size(), 1u);
    events[i].assign(lines.begin() + 1, lines.end());  // the header names the seed; compare the events
    out[i] = r.out;
  }
  EXPECT_NE(events[0], events[1]) << "seeds 1 and 2 give the same events in random mode";
  EXPECT_NE(out[0], out[1]);
}

// The trace depends on the seed and the simulation options only, not on how the
// run is shown.
TEST(CliReplay, OutputOptionsDoNotChangeTheTrace) {
  TempDir dir("output_options");
  const Args base = {"lamport", "--seed", "9", "--mode", "random", "--vector", "--loss", "0.1"};
  std::string first;
  for (const Args& extra : {Args{}, Args{"--lang", "pt"}, Args{"--json"}, Args{"--quiet"}}) {
    const Args args = with(with(base, extra), {"--trace", dir.file("run.jsonl")});
    const RunResult r = run_distlab(args);
    ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
    const std::string trace = read_file(dir.file("run.jsonl"));
    if (first.empty()) {
      first = trace;
    } else {
      EXPECT_TRUE(trace == first) << command_line(args) << " wrote a different trace";
    }
  }
}

struct Replay {
  std::string seed;
  Args args;  // the replay command's arguments after "distlab"
};

// Finds "Seed N. Replay: distlab ARGS" in stdout.
Replay find_replay(const std::string& out) {
  static const std::regex kLine(R"(^Seed ([0-9]+)\. Replay: distlab (.*)$)");
  for (const std::string& line : split_lines(out)) {
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    Replay replay{m[1].str(), {}};
    std::istringstream words(m[2].str());  // the tests' arguments need no quoting
    for (std::string w; words >> w;) replay.args.push_back(w);
    return replay;
  }
  return {};
}

TEST(CliReplay, WithoutSeedTheDrawnSeedIsPrintedAndReplays) {
  const Args args = {"lamport", "--mode", "random", "--vector", "--nodes", "4"};
  const RunResult first = run_distlab(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Replay replay = find_replay(first.out);
  ASSERT_FALSE(replay.seed.empty()) << "no 'Seed N. Replay: distlab ...' line in:\n" << first.out;
  EXPECT_EQ(replay.args, with(args, {"--seed", replay.seed}));

  const RunResult again = run_distlab(replay.args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(first.out == again.out) << "replaying with " << command_line(replay.args)
                                      << " gives a different stdout";

  // A fresh draw (from 10^12 seeds) differs.
  const RunResult other = run_distlab(args);
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(find_replay(other.out).seed, replay.seed);
}

// The replay line starts with the program as it was invoked, so that it pastes back
// as it is ("build/distlab ..." from the repository root), quoted when it must be.
TEST(CliReplay, TheReplayLineNamesTheProgramAsItWasInvoked) {
  const Args args = {"lamport", "--seed", "3", "--quiet"};
  EXPECT_NE(
      run_distlab(args, "build/distlab").out.find("Seed 3. Replay: build/distlab lamport --seed 3 --quiet\n"),
      std::string::npos);
  EXPECT_NE(run_distlab(args, "/opt/my tools/distlab").out.find("Replay: '/opt/my tools/distlab' lamport"),
            std::string::npos);
  EXPECT_NE(run_distlab(args).out.find("Replay: distlab lamport"), std::string::npos);
}

TEST(CliReplay, DrawnSeedIsInTheJsonAndTheTrace) {
  TempDir dir("drawn");
  const Args args = {"lamport", "--mode", "random", "--json", "--trace", dir.file("run.jsonl")};
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  const auto lines = split_lines(read_file(dir.file("run.jsonl")));
  ASSERT_FALSE(lines.empty());
  const auto header = nlohmann::json::parse(lines[0]);
  ASSERT_TRUE(summary.at("seed").is_number_unsigned());
  EXPECT_EQ(header.at("seed"), summary.at("seed"));

  const std::string first_trace = read_file(dir.file("run.jsonl"));
  const Args replay = with(args, {"--seed", std::to_string(summary.at("seed").get<std::uint64_t>())});
  const RunResult again = run_distlab(replay);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
  EXPECT_TRUE(read_file(dir.file("run.jsonl")) == first_trace) << command_line(replay) << " wrote another trace";
}

// ---- Bad input: one line on stderr, nothing on stdout, exit 2 ----

struct BadInputCase {
  std::string name;
  Args args;
  std::string says;  // the message names the problem
};

void expect_usage_error(const RunResult& r, const Args& args, const std::string& says) {
  EXPECT_EQ(r.exit_code, 2) << command_line(args);
  EXPECT_EQ(r.out, "") << command_line(args) << " printed on stdout";
  ASSERT_FALSE(r.err.empty()) << command_line(args) << " printed no error";
  EXPECT_EQ(r.err.back(), '\n') << command_line(args);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << command_line(args) << " printed:\n" << r.err;
  EXPECT_EQ(r.err.rfind("distlab: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << command_line(args) << ": expected the message to mention '"
                                                 << says << "', got: " << r.err;
}

void PrintTo(const BadInputCase& c, std::ostream* os) { *os << command_line(c.args); }

class BadInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(BadInput, OneLineOnStderrAndExitTwo) {
  const BadInputCase& c = GetParam();
  expect_usage_error(run_distlab(c.args), c.args, c.says);
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadInput,
    ::testing::Values(
        BadInputCase{"UnknownFlag", {"lamport", "--bogus"}, "--bogus"},
        BadInputCase{"UnknownSubcommand", {"frobnicate"}, "frobnicate"},
        BadInputCase{"NoSubcommand", {}, "subcommand"},
        BadInputCase{"OneNode", {"lamport", "--nodes", "1"}, "--nodes"},
        BadInputCase{"ZeroNodes", {"lamport", "--nodes", "0"}, "--nodes"},
        BadInputCase{"NegativeNodes", {"lamport", "--nodes", "-3"}, "--nodes"},
        BadInputCase{"ZeroRounds", {"lamport", "--rounds", "0"}, "--rounds"},
        BadInputCase{"NegativeRounds", {"lamport", "--rounds", "-1"}, "--rounds"},
        BadInputCase{"UnknownMode", {"lamport", "--mode", "bogus"}, "--mode"},
        BadInputCase{"NegativeSeed", {"lamport", "--seed", "-1"}, "--seed"},
        BadInputCase{"SeedNotANumber", {"lamport", "--seed", "abc"}, "--seed"},
        BadInputCase{"SeedTooLarge", {"lamport", "--seed", "18446744073709551616"}, "--seed"},
        BadInputCase{"UnknownLanguage", {"lamport", "--lang", "fr"}, "--lang"},
        BadInputCase{"DemoUnknownLanguage", {"demo", "--lang", "fr"}, "--lang"},
        BadInputCase{"UnknownLatency", {"lamport", "--latency", "foo"}, "--latency"},
        BadInputCase{"UniformMinAboveMax", {"lamport", "--latency", "uniform:5ms:1ms"}, "--latency"},
        BadInputCase{"LatencyWithoutUnit", {"lamport", "--latency", "const:5"}, "--latency"},
        BadInputCase{"LossAboveOne", {"lamport", "--loss", "1.5"}, "--loss"},
        BadInputCase{"NegativeDup", {"lamport", "--dup", "-0.1"}, "--dup"},
        BadInputCase{"CrashUnknownNode", {"lamport", "--crash", "9@1s"}, "--crash"},
        BadInputCase{"CrashNegativeTime", {"lamport", "--crash", "2@-1s"}, "--crash"},
        BadInputCase{"RecoverWithoutCrash", {"lamport", "--recover", "2@1s"}, "--recover"},
        BadInputCase{"CrashWhileDown", {"lamport", "--crash", "2@1s", "--crash", "2@2s"}, "already down"},
        BadInputCase{"PauseWithoutDuration", {"lamport", "--pause", "2@1s"}, "--pause"},
        BadInputCase{"PartitionEndsBeforeStart", {"lamport", "--partition", "1/2@5s..1s"}, "--partition"},
        BadInputCase{"PartitionGroupsOverlap", {"lamport", "--partition", "1,2/2@0s..1s"}, "overlap"},
        BadInputCase{"PartitionOneGroup", {"lamport", "--partition", "1@0s..1s"}, "--partition"},
        BadInputCase{"UntilZero", {"lamport", "--until", "0s"}, "--until"},
        BadInputCase{"NegativeFaults", {"lamport", "--faults", "-1"}, "--faults"},
        BadInputCase{"PaceNotADuration", {"lamport", "--pace", "abc"}, "--pace"},
        BadInputCase{"CheckWithoutTrace", {"check"}, "TRACE"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

TEST(CliBadInput, TraceIntoMissingDirectoryLeavesNothingBehind) {
  TempDir dir("trace_missing_dir");
  const std::string path = (dir.path() / "no_such_dir" / "run.jsonl").string();
  const Args args = {"lamport", "--seed", "1", "--trace", path};
  expect_usage_error(run_distlab(args), args, "run.jsonl");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_TRUE(dir.entries().empty()) << "left behind: " << dir.entries().front();
}

TEST(CliBadInput, BadOptionAfterTraceOpensLeavesNoFile) {
  // The trace file is opened before the fault options are checked: a failed run must
  // still leave neither the trace nor its temporary file.
  TempDir dir("trace_bad_option");
  const Args args = {"lamport", "--seed", "1", "--trace", dir.file("run.jsonl"), "--crash", "9@1s"};
  expect_usage_error(run_distlab(args), args, "--crash");
  EXPECT_TRUE(dir.entries().empty()) << "left behind: " << dir.entries().front();
}

TEST(CliHelp, HelpExitsZeroAndPrintsUsage) {
  const RunResult r = run_distlab({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("Usage:"), std::string::npos) << r.out;
  for (const char* command : {"demo", "lamport", "check"}) {
    EXPECT_NE(r.out.find(command), std::string::npos) << "--help does not list " << command;
  }
}

TEST(CliHelp, LamportHelpListsItsOptions) {
  const RunResult r = run_distlab({"lamport", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  for (const char* option : {"--nodes", "--rounds", "--mode", "--vector", "--seed", "--trace", "--json", "--lang",
                             "--latency", "--loss", "--crash", "--partition", "--faults", "--until"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << "lamport --help does not list " << option;
  }
}

// ---- --json ----

TEST(CliJson, LamportPrintsOneObjectWithTheContractKeys) {
  const Args args = {"lamport", "--seed", "7", "--json"};
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(split_lines(r.out).size(), 1u) << "--json prints only the JSON object:\n" << r.out;
  const auto out = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object()) << r.out;
  for (const char* key : {"algorithm", "seed", "nodes", "checks"}) {
    EXPECT_TRUE(out.contains(key)) << "missing \"" << key << "\" in " << r.out;
  }
  EXPECT_EQ(out.value("algorithm", ""), "lamport");
  EXPECT_EQ(out.value("seed", std::uint64_t{0}), 7u);
  EXPECT_EQ(out.value("nodes", 0), 3);
  ASSERT_TRUE(out["checks"].is_object()) << r.out;
  EXPECT_EQ(out["checks"].value("clock_condition", ""), "pass") << r.out;
  EXPECT_EQ(out["checks"].value("causality", ""), "pass") << r.out;
}

TEST(CliJson, VectorRunReportsTheVectorClockCheck) {
  const RunResult r = run_distlab({"lamport", "--seed", "7", "--mode", "random", "--vector", "--nodes", "4", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object()) << r.out;
  EXPECT_EQ(out.value("nodes", 0), 4);
  ASSERT_TRUE(out.contains("checks")) << r.out;
  EXPECT_EQ(out["checks"].value("clock_condition", ""), "pass") << r.out;
  EXPECT_EQ(out["checks"].value("vector_clocks", ""), "pass") << r.out;
}

// ---- demo ----

TEST(CliDemo, PrintsTheLamportScenario) {
  const RunResult demo = run_distlab({"demo"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  EXPECT_EQ(demo.err, "");
  const RunResult lamport = run_distlab({"lamport", "--seed", "2379"});
  ASSERT_EQ(lamport.exit_code, 0) << lamport.err;
  EXPECT_NE(demo.out.find(lamport.out), std::string::npos)
      << "distlab demo does not contain the whole output of distlab lamport --seed 2379:\n"
      << demo.out;
}

TEST(CliDemo, PortugueseDemoIsThePortugueseScenario) {
  const RunResult demo = run_distlab({"demo", "--lang", "pt"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const RunResult lamport = run_distlab({"lamport", "--seed", "2379", "--lang", "pt"});
  ASSERT_EQ(lamport.exit_code, 0) << lamport.err;
  EXPECT_NE(demo.out.find(lamport.out), std::string::npos)
      << "distlab demo --lang pt does not contain the whole output of distlab lamport --seed 2379 --lang pt:\n"
      << demo.out;
  EXPECT_EQ(demo.out.find("Node "), std::string::npos) << "English narrative in the Portuguese demo";
}

}  // namespace
}  // namespace distlab::testing::cli_test
