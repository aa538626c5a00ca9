// `--timestamps` on every command that tells a run: each line of the narrative starts
// with the time of the event it tells, and is otherwise the line printed without it.
#include <gtest/gtest.h>

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "cli/cli_test_support.h"

namespace distlab::cli {
namespace {

using test::capture_cli;
using test::lines_of;

// "   1.000000s  Node 5 failed!" -> 1'000'000 microseconds and "Node 5 failed!".
const std::regex kStamped(R"(^ *([0-9]+)\.([0-9]{6})s  (.+)$)");

struct Told {
  std::vector<std::string> lines;   // as printed without --timestamps
  std::vector<std::int64_t> at_us;  // per line: its stamp, or -1 for none
};

Told without_stamps(const std::string& out) {
  Told t;
  for (const std::string& line : lines_of(out)) {
    std::smatch m;
    if (std::regex_match(line, m, kStamped)) {
      t.lines.push_back(m[3]);
      t.at_us.push_back(std::stoll(m[1]) * 1'000'000 + std::stoll(m[2]));
    } else {
      t.lines.push_back(line);
      t.at_us.push_back(-1);
    }
  }
  return t;
}

struct Case {
  std::vector<std::string> args;
  std::string line;    // a line the narrative tells (first)
  std::int64_t at_us;  // at this time
};

TEST(Timestamps, EveryNarrativeLineStartsWithItsEventsTimeAndIsOtherwiseUnchanged) {
  const std::vector<Case> cases{
      {{"bully", "--seed", "214"}, "Node 5 failed!", 1'000'000},  // --fail-leader 1s
      {{"lamport", "--seed", "1"}, "Node 1 ran a local event. Timestamp: 1", 1'000'000},
      {{"snapshot", "--seed", "1"}, "[SNAPSHOT] Player 2 started a global snapshot", 1'000'000},
      {{"ricart", "--seed", "1"}, "Node 2 leaves the critical section.", 56'868},
      {{"heartbeat", "--seed", "1", "--until", "30s", "--lang", "pt"},
       "O servidor do nó 3 foi interrompido.",
       27'000'000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0]);
    const test::CliOutput plain = capture_cli(c.args);
    std::vector<std::string> stamped_args = c.args;
    stamped_args.push_back("--timestamps");
    const test::CliOutput stamped = capture_cli(stamped_args);
    EXPECT_EQ(stamped.code, plain.code);
    const Told told = without_stamps(stamped.out);
    const std::vector<std::string> want = lines_of(plain.out);
    ASSERT_EQ(told.lines.size(), want.size());
    std::size_t stamps = 0;
    std::int64_t last = 0;
    bool found = false;
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (want[i].find("--seed") != std::string::npos) continue;  // the replay command names the flag
      EXPECT_EQ(told.lines[i], want[i]);
      if (told.at_us[i] < 0) continue;
      ++stamps;
      EXPECT_GE(told.at_us[i], last) << told.lines[i];  // in the order they happened
      last = told.at_us[i];
      if (!found && told.lines[i] == c.line) {
        found = true;
        EXPECT_EQ(told.at_us[i], c.at_us);
      }
    }
    EXPECT_TRUE(found) << c.line;
    EXPECT_GE(stamps, 5u);
    // The summary after the narrative has no time: it tells no single event.
    EXPECT_LT(told.at_us.back(), 0);
  }
}

}  // namespace
}  // namespace distlab::cli
