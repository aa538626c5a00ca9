// `distlab sweep`, in process: the correct algorithms pass a long sweep clean, the
// output is the same whatever --jobs, a known flaw is found and its replay command
// fails the same check with the same trace, and bad input is one line and exit 2.
#include "cli/sweep.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/app.h"
#include "cli/cli_test_support.h"
#include "distlab/algo/registry.h"
#include "distlab/core/error.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/testing/stride.h"

namespace distlab::cli {
namespace sweep_test {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::lines_of;
using test::replay_args;
using SweepOutput = test::CliOutput;
constexpr auto sweep = &test::capture_sweep;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr int kLongSweepSeeds = 2000 / kTestSeedStride;

TEST(Sweep, TheCorrectAlgorithmsPassALongSweepClean) {
  algorithms::for_each([]<class D>() {
    const SweepOutput r = sweep({std::string(D::kName), "--seeds", std::to_string(kLongSweepSeeds), "--jobs", "2", "--json"});
    const auto lines = lines_of(r.out);
    ASSERT_FALSE(lines.empty()) << D::kName;
    // Any record before the summary is a failing seed, printed with its replay command.
    EXPECT_EQ(lines.size(), 1u) << D::kName << ": " << lines.front();
    const json summary = json::parse(lines.back());
    EXPECT_EQ(r.code, 0) << D::kName;
    EXPECT_EQ(summary["seeds"], kLongSweepSeeds) << D::kName;
    EXPECT_EQ(summary["failures"], 0) << D::kName;
    ASSERT_FALSE(summary["checks"].empty()) << D::kName;
    for (const auto& [check, counts] : summary["checks"].items()) {  // a check absent from a run counts nowhere
      EXPECT_EQ(counts["skipped"], 0) << D::kName << " " << check;
      EXPECT_EQ(counts["fail"], 0) << D::kName << " " << check;
      EXPECT_GT(counts["pass"], 0) << D::kName << " " << check;
    }
    EXPECT_EQ(summary["checks"]["causality"]["pass"], kLongSweepSeeds) << D::kName;
  });
}

TEST(Sweep, SameSeedsSameBytesWhateverTheJobs) {
  const SweepOutput one = sweep({"snapshot", "--rule", "seed", "--seeds", "300", "--from", "40", "--jobs", "1"});
  const SweepOutput two = sweep({"snapshot", "--rule", "seed", "--seeds", "300", "--from", "40", "--jobs", "2"});
  EXPECT_EQ(one.code, 1);
  EXPECT_EQ(two.code, 1);
  EXPECT_GT(lines_of(one.out).size(), 2u);
  EXPECT_EQ(one.out, two.out);
  // Records come in seed order, then the shrunk seeds' minimal runs, in seed order too.
  std::uint64_t last = 0;
  std::uint64_t last_shrunk = 0;
  std::size_t shrunk = 0;
  for (const std::string& line : lines_of(one.out)) {
    if (!line.starts_with("{")) continue;
    const json record = json::parse(line);
    const std::uint64_t seed = record["seed"];
    if (record.contains("minimal")) {
      EXPECT_GT(seed, last_shrunk);
      last_shrunk = seed;
      ++shrunk;
      continue;
    }
    EXPECT_EQ(shrunk, 0u) << "a failing seed's record after the minimal runs";
    EXPECT_GT(seed, last);
    last = seed;
  }
  EXPECT_EQ(shrunk, 10u);  // --shrink-first's default
}

TEST(Sweep, TheSeedsSnapshotRuleIsCaughtAndEachReplayFailsTheSameCheckWithTheSameTrace) {
  const SweepOutput r = sweep({"snapshot", "--rule", "seed", "--seeds", "200", "--jobs", "2"});
  ASSERT_EQ(r.code, 1);
  const auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 2u);
  std::string dir = (fs::temp_directory_path() / "distlab-sweep.XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  int replayed = 0;
  for (std::size_t i = 0; i + 1 < lines.size() && replayed < 5; ++i, ++replayed) {
    const json record = json::parse(lines[i]);
    const std::string check = record["check"];
    // The seed's rule records messages received after the cut in a channel's state.
    ASSERT_TRUE(check == "snapshot_channels" || check == "consistent_cut" || check == "money_conserved") << lines[i];
    // The replay command, run as a user would: the same check fails.
    std::vector<std::string> args = replay_args(record["replay"]);
    const std::string replay_trace = dir + "/replay.jsonl";
    args.insert(args.end(), {"--json", "--trace", replay_trace});
    ::testing::internal::CaptureStdout();
    const int code = run_cli(args);
    const json report = json::parse(::testing::internal::GetCapturedStdout());
    EXPECT_EQ(code, 1) << record["replay"];
    EXPECT_EQ(report["checks"][check], "fail") << record["replay"];
    // The sweep's own run of that seed, written out: the same bytes.
    const std::string sweep_trace = dir + "/sweep.jsonl";
    trace::JsonlWriter writer(sweep_trace);
    const std::vector<std::string> config = record["configuration"];
    const SweepTrial trial = snapshot::Descriptor::sweep_subject().run(config, record["seed"], &writer);
    writer.commit(trial.header);
    EXPECT_EQ(read_bytes(sweep_trace), read_bytes(replay_trace)) << record["replay"];
  }
  EXPECT_GT(replayed, 0);
  fs::remove_all(dir);
}

TEST(Sweep, AReplayOfADrawnConfigurationGivesTheSameVerdictAndTrace) {
  // Drawn configurations of every algorithm, with faults, replayed through the command.
  std::string dir = (fs::temp_directory_path() / "distlab-sweep.XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  algorithms::for_each([&]<class D>() {
    const SweepSubject subject = D::sweep_subject();
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      SweepDraw draw(seed, {});
      subject.draw(draw);
      const std::string sweep_trace = dir + "/sweep.jsonl";
      trace::JsonlWriter writer(sweep_trace);
      const SweepTrial trial = subject.run(draw.args(), seed, &writer);
      writer.commit(trial.header);
      std::vector<std::string> args{std::string(D::kName)};
      args.insert(args.end(), draw.args().begin(), draw.args().end());
      args.insert(args.end(), {"--seed", std::to_string(seed), "--quiet", "--trace", dir + "/replay.jsonl"});
      ::testing::internal::CaptureStdout();
      const int code = run_cli(args);
      ::testing::internal::GetCapturedStdout();
      EXPECT_EQ(code, trace::all_passed(trial.checks) ? 0 : 1) << D::kName << " seed " << seed;
      EXPECT_EQ(read_bytes(sweep_trace), read_bytes(dir + "/replay.jsonl")) << D::kName << " seed " << seed;
    }
  });
  fs::remove_all(dir);
}

TEST(Sweep, ASeedsFlagsAloneDecideItsRunWhateverTheThreadRanBefore) {
  // Each thread parses every seed with one reused parser per command: no flag of an
  // earlier seed, nor of a refused one, may carry over to the next.
  std::string dir = (fs::temp_directory_path() / "distlab-sweep.XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  algorithms::for_each([&]<class D>() {
    const SweepSubject subject = D::sweep_subject();
    const auto trace_of = [&](const std::vector<std::string>& args, std::uint64_t seed) {
      trace::JsonlWriter writer(dir + "/run.jsonl");
      const SweepTrial trial = subject.run(args, seed, &writer);
      writer.commit(trial.header);
      return read_bytes(dir + "/run.jsonl");
    };
    SweepDraw first(1, {});
    subject.draw(first);
    std::string fresh;
    std::thread([&] { fresh = trace_of(first.args(), 1); }).join();  // a new thread's first parse
    for (std::uint64_t seed = 2; seed <= 4; ++seed) {
      SweepDraw draw(seed, {});
      subject.draw(draw);
      trace_of(draw.args(), seed);
    }
    const std::vector<std::string> refused{"--no-fifo", "--dup", "0.5", "--no-such-flag"};
    EXPECT_THROW(subject.run(refused, 1, nullptr), InputError) << D::kName;
    EXPECT_EQ(trace_of(first.args(), 1), fresh) << D::kName;
  });
  fs::remove_all(dir);
}

TEST(Sweep, TheUsersFlagsWinOverTheDrawnOnes) {
  const std::vector<std::string> given{"--nodes=4", "--no-fifo"};
  SweepDraw draw(9, given);
  lamport::Descriptor::sweep_subject().draw(draw);
  const auto& args = draw.args();
  EXPECT_EQ(std::count(args.begin(), args.end(), "--nodes"), 0);
  EXPECT_EQ(std::count(args.begin(), args.end(), "--no-fifo"), 0);
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--crash") {
      EXPECT_LE(std::stoi(args[i + 1]), 4) << args[i + 1];  // node ids from the user's --nodes
    }
  }
  // --fixed draws nothing: every seed runs the user's flags.
  const SweepOutput fixed = sweep({"bully", "--fixed", "--seeds", "5", "--nodes", "3", "--json"});
  EXPECT_EQ(fixed.code, 0) << fixed.out;
}

TEST(Sweep, BadInputIsOneLineAndExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"nosuch"},
      {"bully", "--seeds", "-1"},
      {"bully", "--seeds", "0"},
      {"bully", "--jobs", "0"},
      {"bully", "--time-limit", "soon"},
      {"bully", "--time-limit", "0s"},
      {"bully", "--from", "-3"},
      {"bully", "--seed", "4"},
      {"bully", "--nodes", "1"},
      {"bully", "--no-such-flag"},
  };
  for (const auto& args : cases) {
    const SweepOutput r = sweep(args);
    EXPECT_EQ(r.code, kExitUsage) << args.back();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(Sweep, ATimeLimitStopsStartingSeedsAndReportsWhatFinished) {
  const SweepOutput r = sweep({"heartbeat", "--seeds", "100000000", "--time-limit", "200ms", "--jobs", "2", "--json"});
  EXPECT_EQ(r.code, 0) << r.out;
  const json summary = json::parse(lines_of(r.out).back());
  EXPECT_EQ(summary["stopped"], "time limit");
  EXPECT_GT(summary["seeds"], 0);
  EXPECT_LT(summary["seeds"], 100000000);
}

TEST(Sweep, SigtermPrintsWhatFinishedAndExits143) {
  std::jthread signaller([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the sweep is under way by then
    std::raise(SIGTERM);
  });
  const SweepOutput r = sweep({"ricart", "--seeds", "100000000", "--jobs", "2", "--json"});
  EXPECT_EQ(r.code, 143);
  const json summary = json::parse(lines_of(r.out).back());
  EXPECT_EQ(summary["stopped"], "interrupted");
  EXPECT_GT(summary["seeds"], 0);
  EXPECT_EQ(summary["checks"]["causality"]["pass"], summary["seeds"]);
}

}  // namespace sweep_test
}  // namespace distlab::cli
