// Golden outputs of the seed scenarios, and parity with the seed assignment's transcript.
//
// A golden test runs a command and compares its stdout byte for byte with a file in
// tests/golden/. To change a golden on purpose, regenerate it and review the diff:
//
//   make golden          # DISTLAB_UPDATE_GOLDEN=1 distlab_cli_tests --gtest_filter='Golden*'
//   git diff tests/golden
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "run.h"

namespace distlab::testing {
namespace {

bool updating_goldens() {
  const char* update = std::getenv("DISTLAB_UPDATE_GOLDEN");
  return update != nullptr && std::string(update) == "1";
}

// Where two texts first differ, by line, for a readable failure.
std::string first_difference(const std::string& expected, const std::string& actual) {
  const auto want = split_lines(expected);
  const auto got = split_lines(actual);
  for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const std::string w = i < want.size() ? "\"" + want[i] + "\"" : "(end of golden file)";
    const std::string g = i < got.size() ? "\"" + got[i] + "\"" : "(end of output)";
    if (w != g) return "first difference at line " + std::to_string(i + 1) + ":\n  golden: " + w + "\n  actual: " + g;
  }
  // Same lines: the difference is in a trailing newline.
  return "the texts differ only in the final newline (golden " + std::to_string(expected.size()) +
         " bytes, actual " + std::to_string(actual.size()) + " bytes)";
}

// Runs the command; compares its stdout with tests/golden/<name>, or rewrites that
// file when DISTLAB_UPDATE_GOLDEN=1.
void expect_golden(const std::string& name, const std::vector<std::string>& args) {
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
  ASSERT_EQ(r.err, "") << command_line(args);
  ASSERT_FALSE(r.out.empty()) << command_line(args);
  const std::filesystem::path golden = std::filesystem::path(DISTLAB_GOLDEN_DIR) / name;
  if (updating_goldens()) {
    write_file(golden, r.out);
    std::cout << "[golden] wrote " << golden.string() << " (" << command_line(args) << ")\n";
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(golden))
      << golden.string() << " is missing; create it with `make golden` and review it";
  const std::string expected = read_file(golden);
  EXPECT_TRUE(expected == r.out) << command_line(args) << " no longer matches " << golden.string() << "\n"
                                 << first_difference(expected, r.out)
                                 << "\nIf the change is intended: make golden, then review `git diff tests/golden`.";
}

TEST(Golden, LamportSeedScenarioPortuguese) {
  expect_golden("lamport_seed_pt.txt", {"lamport", "--seed", "2379", "--lang", "pt"});
}

TEST(Golden, LamportSeedScenarioEnglish) {
  expect_golden("lamport_seed_en.txt", {"lamport", "--seed", "2379"});
}

TEST(Golden, LamportRandomModeWithVectorClocks) {
  expect_golden("lamport_random_vector_seed7.txt",
                {"lamport", "--seed", "7", "--mode", "random", "--vector", "--nodes", "4", "--rounds", "4"});
}

// The output of the seed's lamport_simulation.py, as printed in the assignment
// (question 1). Between rounds it printed a blank line, the separator, a blank line.
const std::vector<std::string> kSeedTranscript = {
    "Nó 2 executou um evento local. Timestamp: 1",
    "Nó 2 enviou uma mensagem com timestamp 2",
    "Nó 1 recebeu uma mensagem. Novo relógio: 3",
    "",
    "----- (Aguardando nova mensagem ...) -----",
    "",
    "Nó 3 executou um evento local. Timestamp: 1",
    "Nó 3 enviou uma mensagem com timestamp 2",
    "Nó 1 recebeu uma mensagem. Novo relógio: 4",
    "",
    "----- (Aguardando nova mensagem ...) -----",
    "",
    "Nó 3 executou um evento local. Timestamp: 3",
    "Nó 3 enviou uma mensagem com timestamp 4",
    "Nó 2 recebeu uma mensagem. Novo relógio: 5",
    "",
    "----- (Aguardando nova mensagem ...) -----",
    "",
    "Nó 3 executou um evento local. Timestamp: 5",
    "Nó 3 enviou uma mensagem com timestamp 6",
    "Nó 2 recebeu uma mensagem. Novo relógio: 7",
    "",
    "----- (Aguardando nova mensagem ...) -----",
    "",
    "Nó 2 executou um evento local. Timestamp: 8",
    "Nó 2 enviou uma mensagem com timestamp 9",
    "Nó 1 recebeu uma mensagem. Novo relógio: 10",
};

// The transcript as one block of text, each line ending in '\n'.
std::string transcript_text() {
  std::string text;
  for (const std::string& line : kSeedTranscript) text += line + "\n";
  return text;
}

TEST(SeedParity, LamportPortugueseStartsWithTheSeedTranscript) {
  const std::vector<std::string> args = {"lamport", "--seed", "2379", "--lang", "pt"};
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), kSeedTranscript.size()) << r.out;
  for (std::size_t i = 0; i < kSeedTranscript.size(); ++i) {
    EXPECT_EQ(lines[i], kSeedTranscript[i]) << "line " << i + 1 << " of " << command_line(args);
  }
  // The seed ran five rounds and stopped: no further round follows the transcript.
  std::size_t separators = 0;
  for (const std::string& line : lines) separators += line == kSeedTranscript[4] ? 1 : 0;
  EXPECT_EQ(separators, 4u) << r.out;
}

TEST(SeedParity, DemoPortugueseContainsTheSeedTranscript) {
  const RunResult r = run_distlab({"demo", "--lang", "pt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find(transcript_text()), std::string::npos)
      << "distlab demo --lang pt does not contain the seed transcript:\n"
      << r.out;
}

}  // namespace
}  // namespace distlab::testing
