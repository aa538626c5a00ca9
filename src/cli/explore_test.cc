// `distlab explore`, in process: the summary, the counterexample as a trace the other
// commands read, the replay line that reproduces it, and the refusals of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_test_support.h"

namespace distlab::cli {
namespace explore_test {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::lines_of;
using test::replay_args;
using Output = test::CliOutput;
constexpr auto cli = &test::capture_cli;

using test::TempDir;

std::string line_starting(const std::string& out, const std::string& prefix) {
  for (const std::string& line : lines_of(out)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return {};
}

TEST(ExploreCli, ACorrectRunSaysCompleteAndTheJsonSummaryCarriesTheCounts) {
  const Output text = cli({"explore", "bully", "--nodes", "3"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("No violation in "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(", complete\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("probability that a collision hid a state"), std::string::npos);

  const Output j = cli({"explore", "bully", "--nodes", "3", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  const json summary = json::parse(j.out);
  EXPECT_EQ(summary["algorithm"], "bully");
  EXPECT_EQ(summary["complete"], true);
  EXPECT_EQ(summary["stopped"], "complete");
  EXPECT_GT(summary["distinct_states"].get<std::uint64_t>(), 1000u);
  EXPECT_FALSE(summary.contains("violation"));
  EXPECT_EQ(summary["reduction"], false);
  EXPECT_FALSE(summary.contains("transitions_saved"));
  const Output red = cli({"explore", "bully", "--nodes", "3", "--json", "--reduce"});
  const json reduced = json::parse(red.out);
  EXPECT_EQ(reduced["reduction"], true);
  EXPECT_EQ(reduced["distinct_states"], summary["distinct_states"]);
  EXPECT_GT(summary["transitions"], reduced["transitions"]);
  EXPECT_EQ(reduced["transitions_saved"].get<std::uint64_t>() + reduced["transitions"].get<std::uint64_t>(),
            summary["transitions"].get<std::uint64_t>());
  const Output red_text = cli({"explore", "bully", "--nodes", "3", "--reduce"});
  EXPECT_NE(red_text.out.find("Reduction (sleep sets): "), std::string::npos) << red_text.out;
  EXPECT_FALSE(summary.contains("seconds"));  // only with --timing: the output is the same on every run
  EXPECT_EQ(cli({"explore", "bully", "--nodes", "3", "--json"}).out, j.out);
}

TEST(ExploreCli, ABoundThatCutsTheSearchShortIsSaid) {
  const Output r = cli({"explore", "bully", "--max-states", "100"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("NOT complete: stopped at --max-states 100"), std::string::npos) << r.out;
}

TEST(ExploreCli, TheCounterexampleIsATraceTheOtherCommandsReadAndItsReplayFailsAlike) {
  const TempDir dir("distlab-explore");
  const std::string trace = dir / "cx.jsonl";
  const std::string page = dir / "cx.html";
  const Output r =
      cli({"explore", "ricart", "--requests", "1", "--bug", "reply-in-cs", "--trace", trace, "--html", page});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("Violation of mutual_exclusion"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Check mutual exclusion: FAIL"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(trace));
  ASSERT_TRUE(fs::exists(page));
  // The trace ends with the property broken, on the lane of the step that broke it, and
  // the diagram marks it.
  std::ifstream in(trace);
  std::string last;
  for (std::string line; std::getline(in, line);) last = line;
  const json note = json::parse(last);
  EXPECT_EQ(note["kind"], "state");
  EXPECT_EQ(note["data"]["violation"]["check"], "mutual_exclusion") << last;
  std::ifstream html(page);
  const std::string drawn((std::istreambuf_iterator<char>(html)), {});
  EXPECT_NE(drawn.find("VIOLATED: mutual_exclusion"), std::string::npos);
  const Output checked = cli({"check", trace});
  EXPECT_EQ(checked.code, 1) << checked.out << checked.err;
  EXPECT_NE(checked.out.find("mutual exclusion: FAIL"), std::string::npos) << checked.out;
  const std::string shiviz = dir / "cx.shiviz";
  EXPECT_EQ(cli({"export", "--shiviz", trace, "-o", shiviz}).code, 0);

  const std::string replay = line_starting(r.out, "Replay: ");
  ASSERT_FALSE(replay.empty()) << r.out;
  std::vector<std::string> args = replay_args(replay.substr(std::string("Replay: ").size()));
  EXPECT_EQ(std::find(args.begin(), args.end(), "--trace"), args.end());
  const std::string again = dir / "again.jsonl";
  args.insert(args.end(), {"--trace", again});
  const Output replayed = cli(args);
  EXPECT_EQ(replayed.code, 1) << replayed.out << replayed.err;
  EXPECT_NE(replayed.out.find("Violation of mutual_exclusion"), std::string::npos) << replayed.out;
  std::ifstream a(trace), b(again);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}),
            std::string(std::istreambuf_iterator<char>(b), {}));
}

TEST(ExploreCli, AScheduleFileReplaysLikeTheInlineOne) {
  const TempDir dir("distlab-explore");
  const std::string file = dir.write("schedule.txt", "fire:1:leader_timeout\nfire:2:leader_timeout\n");
  const Output r = cli({"explore", "bully", "--bug", "crown-without-waiting", "--schedule", file});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("Violation of single_leader"), std::string::npos) << r.out;
  const Output fine = cli({"explore", "bully", "--schedule", file});
  EXPECT_EQ(fine.code, 0) << fine.out << fine.err;
  EXPECT_NE(fine.out.find("keeps every property"), std::string::npos) << fine.out;
}

TEST(ExploreCli, BadInputGetsOneLineAndExitTwo) {
  const std::vector<std::vector<std::string>> bad{
      {"explore", "bully", "--latency", "exp:5ms"},
      {"explore", "bully", "--nodes", "1"},
      {"explore", "bully", "--nodes", "40"},
      {"explore", "bully", "--crashes", "99"},
      {"explore", "bully", "--max-states", "0"},
      {"explore", "bully", "--max-memory", "lots"},
      {"explore", "bully", "--time-limit", "-1s"},
      {"explore", "bully", "--no-heartbeat"},
      {"explore", "bully", "--replay", "deliver:9.9"},
      {"explore", "bully", "--replay", "teleport:1"},
      {"explore", "bully", "--schedule", "/nonexistent/schedule"},
      {"explore", "ricart", "--requests", "0"},
      {"explore", "snapshot", "--crashes", "1"},
      {"explore", "snapshot", "--no-fifo"},
      {"explore", "snapshot", "--transfers", "7"},
      {"explore", "snapshot", "--initiator", "4"},
      {"explore", "snapshot", "--topology", "random"},
      {"explore", "snapshot", "--nodes", "5"},
      {"explore"},
  };
  for (const auto& args : bad) {
    const Output r = cli(args);
    EXPECT_EQ(r.code, 2) << args.back() << ": " << r.out << r.err;
    EXPECT_EQ(lines_of(r.err).size(), 1u) << args.back() << ": " << r.err;
  }
}

}  // namespace explore_test
}  // namespace distlab::cli
