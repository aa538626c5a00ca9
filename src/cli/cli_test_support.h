// What the in-process tests of the sweep and the CLI share: running `distlab ARGS`
// with stdout and stderr captured, splitting output into lines, and reading back the
// words of a replay command.
//
//   const CliOutput r = capture_cli({"sweep", "bully", "--seeds", "10", "--json"});
//   for (const std::string& line : lines_of(r.out)) ...
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
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

// A fresh directory under the system's temporary one, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "distlab-test") {
    path_ = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
    EXPECT_NE(::mkdtemp(path_.data()), nullptr);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // The path of `name` in it.
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Writes `text` to `name` in it; its path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = *this / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

 private:
  std::string path_;
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
