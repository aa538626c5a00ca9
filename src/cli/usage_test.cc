// The command line's rough edges, smoothed (issue 18): --version, errors that point
// to the command's own help and guess a misspelt flag or command, help texts that
// say what the program does, and summaries that count in good English. In process,
// through run_cli.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/heartbeat/text.h"
#include "cli/version.h"
#include "distlab/core/error.h"

namespace distlab::cli {
namespace usage_test {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome run(const std::vector<std::string>& args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = run_cli(args);
  std::string out = ::testing::internal::GetCapturedStdout();
  return {code, std::move(out), ::testing::internal::GetCapturedStderr()};
}

TEST(CliUsage, VersionNamesTheReleaseAndTheRevision) {
  const Outcome r = run({"--version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "distlab " + std::string(version_text()) + "\n");
  EXPECT_TRUE(r.out.starts_with("distlab 0.")) << r.out;
  EXPECT_NE(r.out.find(" (git "), std::string::npos) << "built from a git checkout: " << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(CliUsage, AMisspeltFlagOrCommandGetsAGuessAndTheCommandsOwnHelp) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"bully", "--node", "5"}, "distlab: bully: unknown option --node (did you mean --nodes?) (see distlab bully --help)\n"},
      {{"bully", "--qiuet"}, "distlab: bully: unknown option --qiuet (did you mean --quiet?) (see distlab bully --help)\n"},
      {{"lamport", "--colour"}, "distlab: lamport: unknown option --colour (see distlab lamport --help)\n"},
      {{"bulyl"}, "distlab: unknown command 'bulyl' (did you mean bully? see distlab --help)\n"},
      {{"launch", "bul"}, "distlab: launch: unknown command 'bul' (did you mean bully?) (see distlab launch --help)\n"},
      {{"launch", "bully", "--sed", "3"},
       "distlab: launch bully: unknown option --sed (did you mean --seed?) (see distlab launch bully --help)\n"},
      {{"bully", "5", "6"}, "distlab: bully: unexpected 5 6 (see distlab bully --help)\n"},
      {{"bully", "--lang", "xx"}, "distlab: bully: --lang: 'xx': expected en or pt (see distlab bully --help)\n"},
  };
  for (const auto& [args, says] : cases) {
    const Outcome r = run(args);
    EXPECT_EQ(r.code, kExitUsage) << args[0];
    EXPECT_EQ(r.err, says);
    EXPECT_EQ(r.out, "");
  }
}

TEST(CliUsage, HelpTextsSayWhatTheProgramDoes) {
  const Outcome bully = run({"bully", "--help"});
  EXPECT_NE(bully.out.find("--lang en|pt "), std::string::npos) << "no validator residue after the type";
  EXPECT_EQ(bully.out.find("{en,pt}"), std::string::npos);
  for (const std::string command : {"monitor", "node"}) {
    const Outcome r = run({command, "--help"});
    EXPECT_EQ(r.out.find("replays the run exactly"), std::string::npos) << command << ": real timing is not replayed";
    EXPECT_NE(r.out.find("real timing is not replayed"), std::string::npos) << command;
  }
  EXPECT_NE(run({"bully", "--help"}).out.find("replays the run exactly"), std::string::npos) << "simulations do";
  EXPECT_NE(run({"--help"}).out.find("--version"), std::string::npos);
}

TEST(CliUsage, QuietMeansTheSummaryOnly) {
  const Outcome quiet = run({"heartbeat", "--seed", "1", "--quiet"});
  EXPECT_EQ(quiet.code, 0) << quiet.err;
  EXPECT_EQ(quiet.out.find("Waiting for heartbeats"), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.find("redirected"), std::string::npos) << quiet.out;
  EXPECT_TRUE(quiet.out.starts_with("Node 3 crashed at 20s; suspected at")) << quiet.out;
  const Outcome told = run({"heartbeat", "--seed", "1"});
  EXPECT_NE(told.out.find("Purchase orders redirected to node 2."), std::string::npos);
}

TEST(CliUsage, RenderWithoutAnOutputWritesBesideTheTrace) {
  const auto dir = std::filesystem::temp_directory_path() / ("distlab-usage-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string trace = (dir / "run.jsonl").string();
  ASSERT_EQ(run({"lamport", "--seed", "1", "--quiet", "--trace", trace}).code, 0);
  const Outcome r = run({"render", trace});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "run.html"));
  EXPECT_TRUE(r.out.starts_with((dir / "run.html").string() + ": ")) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(CliUsage, ChecksExplainThemselvesInPortugueseRunsToo) {
  const Outcome r = run({"lamport", "--seed", "1", "--quiet", "--lang", "pt"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Verificação causalidade: ok (15 events, 5 messages)\n"), std::string::npos) << r.out;
}

TEST(CliUsage, TimersAndNotesAreCountedApartFromTheClockEvents) {
  const Outcome r = run({"lamport", "--mode", "random", "--seed", "1", "--quiet"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("23 events; 8 messages sent, 8 delivered, 0 lost.\nThe trace holds 38 events: timers and "
                       "notes have no Lamport time.\nCheck causality: pass (38 events"),
            std::string::npos)
      << r.out;
}

TEST(CliUsage, BullyTellsEveryKindOfMessageItCounts) {
  const Outcome r = run({"bully", "--seed", "1"});
  EXPECT_EQ(r.code, 0) << r.err;
  for (const std::string said : {"do you have a higher id?", "(OK)", "(COORDINATOR)", "(ACK)"}) {
    EXPECT_NE(r.out.find(said), std::string::npos) << said;
  }
}

TEST(CliUsage, ARealKillIsToldAsOne) {
  trace::Record crash;
  crash.t = 1'000'000'000;
  crash.node = 2;
  crash.kind = EventKind::crash;
  ::testing::internal::CaptureStdout();
  MonitorNarrator(Lang::en, true, true, false, /*real=*/true).narrate(crash);
  MonitorNarrator(Lang::en, true, true, false, /*real=*/false).narrate(crash);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "[1s] node 2's process killed (SIGKILL)\n[1s] node 2 crashed (simulated)\n");
}

// The completion script knows every command, nested ones too, and completes in bash.
TEST(CliUsage, TheBashCompletionCompletesCommandsAndFlags) {
  const Outcome r = run({"completion", "bash"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto path =
      std::filesystem::temp_directory_path() / ("distlab-completion-" + std::to_string(::getpid()));
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(r.out.c_str(), f);
    std::fclose(f);
  }
  {
    // The script, then a driver asking it for completions as bash would.
    std::FILE* f = std::fopen(path.c_str(), "a");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "complete_for() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _distlab; echo \"${COMPREPLY[*]}\"; "
        "}\n"
        "complete_for distlab bul\ncomplete_for distlab launch bully --se\n"
        "complete_for distlab bully --seed 3 --no-h\ncomplete_for distlab rend\n",
        f);
    std::fclose(f);
  }
  std::FILE* bash = ::popen(("bash '" + path.string() + "' 2>&1").c_str(), "r");
  ASSERT_NE(bash, nullptr);
  std::string said;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, bash) != nullptr) said += buffer;
  EXPECT_EQ(::pclose(bash), 0) << said;
  std::filesystem::remove(path);
  EXPECT_EQ(said, "bully\n--seed\n--no-heartbeat\nrender\n");
  EXPECT_EQ(run({"completion", "zsh"}).code, kExitUsage);
}

}  // namespace usage_test
}  // namespace distlab::cli
