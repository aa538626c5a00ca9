// What the launch tests share (launch_test.cc on loopback, launch_netns_test.cc in
// network namespaces): running distlab to the end, and running one scenario in both
// runtimes to compare their checks.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "distlab/core/error.h"
#include "process.h"

namespace distlab::testing::launch_support {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Longer than any run here takes (bully's 6 s launch, with its start and grace).
constexpr auto kRunDeadline = 15s;

struct Dir {
  Dir() : path(fs::temp_directory_path() / fmt::format("distlab_launch_{}_{}", getpid(), counter++)) {
    fs::create_directories(path);
  }
  ~Dir() { fs::remove_all(path); }
  fs::path path;
  static inline int counter = 0;
};

struct Finished {
  int code = -1;
  std::string out;
  std::string err;
  std::string command;  // to replay it by hand
};

// Runs distlab with `args` to the end (or kRunDeadline); output in <prefix>.out/.err.
inline Finished run_distlab(const std::vector<std::string>& args, const fs::path& prefix) {
  std::vector<std::string> argv{DISTLAB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, prefix);
  Finished f;
  f.code = p.wait(kRunDeadline);
  f.out = p.out();
  f.err = p.err();
  f.command = fmt::format("{}", fmt::join(argv, " "));
  return f;
}

inline std::string describe(const Finished& f) {
  return fmt::format("command: {}\nexit code: {}\nstdout:\n{}\nstderr:\n{}", f.command, f.code, f.out, f.err);
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The "checks" object of a --json summary: check name -> "pass" or "fail".
inline std::map<std::string, std::string> checks_of(const nlohmann::json& summary) {
  std::map<std::string, std::string> out;
  for (const auto& [name, status] : summary.at("checks").items()) out[name] = status.get<std::string>();
  return out;
}

// What both runtimes must agree on beyond "every check passes": checks both skip.
struct Expected {
  std::vector<std::string> skipped;
};

struct BothRuns {
  nlohmann::json simulated;
  nlohmann::json launched;
};

// Runs `distlab ALGO sim_args` and `distlab launch ALGO launch_args` with seed 7 and
// --json; expects both to pass every check, the same ones (the launch adds
// "processes"), and the launch's merged trace to pass `distlab check`.
inline BothRuns expect_same_checks(const std::string& algorithm, const std::vector<std::string>& sim_args,
                                   const std::vector<std::string>& launch_args,
                                   const Expected& expected = {}) {
  Dir dir;
  const fs::path trace = dir.path / "launch.jsonl";
  std::vector<std::string> sim{algorithm, "--seed", "7", "--json"};
  sim.insert(sim.end(), sim_args.begin(), sim_args.end());
  const fs::path html = dir.path / "launch.html";
  std::vector<std::string> real{"launch",  algorithm,      "--seed", "7",          "--json",
                                "--trace", trace.string(), "--html", html.string()};
  real.insert(real.end(), launch_args.begin(), launch_args.end());

  const Finished s = run_distlab(sim, dir.path / "sim");
  const Finished l = run_distlab(real, dir.path / "launch");
  BothRuns both;
  EXPECT_EQ(s.code, kExitOk) << describe(s);
  EXPECT_EQ(l.code, kExitOk) << describe(l);
  if (s.code != kExitOk || l.code != kExitOk) return both;
  both.simulated = nlohmann::json::parse(s.out);
  both.launched = nlohmann::json::parse(l.out);

  std::map<std::string, std::string> sim_checks = checks_of(both.simulated);
  std::map<std::string, std::string> real_checks = checks_of(both.launched);
  EXPECT_EQ(real_checks["processes"], "pass") << describe(l);
  real_checks.erase("processes");
  EXPECT_GE(sim_checks.size(), 2u) << describe(s);  // causality and the algorithm's own
  EXPECT_EQ(sim_checks, real_checks) << describe(s) << "\n" << describe(l);
  for (const auto& [name, status] : sim_checks) {
    const bool skip =
        std::find(expected.skipped.begin(), expected.skipped.end(), name) != expected.skipped.end();
    EXPECT_EQ(status, skip ? "skipped" : "pass") << name;
  }

  // --html draws the merged trace: one event shape per trace line after the header.
  std::ifstream lines(trace);
  const auto events =
      std::count(std::istreambuf_iterator<char>(lines), std::istreambuf_iterator<char>(), '\n') - 1;
  std::ifstream page_file(html);
  const std::string page((std::istreambuf_iterator<char>(page_file)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(page, algorithm + ", real, seed 7")) << html;
  std::size_t shapes = 0;
  for (auto at = page.find("<g class=\"ev k-"); at != std::string::npos;
       at = page.find("<g class=\"ev k-", at + 1)) {
    ++shapes;
  }
  EXPECT_EQ(static_cast<long>(shapes), events) << html;

  const Finished c = run_distlab({"check", trace.string()}, dir.path / "check");
  EXPECT_EQ(c.code, kExitOk) << describe(c);
  EXPECT_TRUE(contains(c.out, "Check causality: pass")) << describe(c);
  return both;
}

}  // namespace distlab::testing::launch_support
