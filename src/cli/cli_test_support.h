// What the in-process tests of the sweep and the CLI share: running `distlab ARGS`
// with stdout and stderr captured, splitting output into lines, and reading back the
// words of a replay command.
//
//   const CliOutput r = capture_cli({"sweep", "bully", "--seeds", "10", "--json"});
//   for (const std::string& line : lines_of(r.out)) ...
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"

namespace distlab::cli::test {

struct CliOutput {
  int code;
  std::string out;
  std::string err;
};

// `distlab args...`, in this process.
inline CliOutput capture_cli(const std::vector<std::string>& args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = run_cli(args);
  std::string out = ::testing::internal::GetCapturedStdout();
  return {code, std::move(out), ::testing::internal::GetCapturedStderr()};
}

// `distlab sweep args...`, in this process.
inline CliOutput capture_sweep(const std::vector<std::string>& args) {
  std::vector<std::string> all{"sweep"};
  all.insert(all.end(), args.begin(), args.end());
  return capture_cli(all);
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The words of a replay command after "distlab" (the sweep quotes nothing but
// partitions, whose quotes hold no spaces).
inline std::vector<std::string> replay_args(const std::string& replay) {
  std::vector<std::string> words;
  std::istringstream in(replay);
  for (std::string w; in >> w;) {
    if (w.size() >= 2 && w.front() == '\'' && w.back() == '\'') w = w.substr(1, w.size() - 2);
    words.push_back(w);
  }
  EXPECT_EQ(words.front(), "distlab");
  words.erase(words.begin());
  return words;
}

}  // namespace distlab::cli::test
