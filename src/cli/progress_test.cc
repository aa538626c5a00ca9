#include "cli/progress.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <string>
#include <thread>

#include "cli/app.h"
#include "distlab/core/error.h"

namespace distlab::cli {
namespace {

using namespace std::chrono_literals;

// What a ProgressLine wrote to a temporary file.
std::string written(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text.push_back(static_cast<char>(c));
  return text;
}

TEST(ProgressLine, DrawsInPlaceAtMostTenTimesASecondAndErasesItselfAtTheEnd) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressLine line("sweep bully", f, true, 0ms);
    ASSERT_TRUE(line.due());
    line.show("3/10 seeds");
    EXPECT_FALSE(line.due()) << "a tenth of a second between two drawings";
    std::this_thread::sleep_for(110ms);
    ASSERT_TRUE(line.due());
    line.show("7/10 seeds");
  }
  EXPECT_EQ(written(f),
            "\rsweep bully: 3/10 seeds, 0s elapsed\x1b[K\rsweep bully: 7/10 seeds, 0s elapsed\x1b[K\r\x1b[K");
  std::fclose(f);
}

TEST(ProgressLine, ShortWorkAndAPipeShowNothing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressLine after_a_while("bully", f, true, 1h);
    EXPECT_FALSE(after_a_while.due()) << "not before the delay";
    ProgressLine off("bully", f, false, 0ms);
    EXPECT_FALSE(off.due());
    off.show("nothing");
    off.clear();
  }
  EXPECT_EQ(written(f), "");
  std::fclose(f);
}

TEST(ProgressLine, TheEnvironmentChoosesAndABadValueIsRefused) {
  ::setenv("DISTLAB_PROGRESS", "always", 1);
  EXPECT_EQ(ProgressLine::mode_from_environment(), ProgressLine::Mode::always);
  ::setenv("DISTLAB_PROGRESS", "never", 1);
  EXPECT_EQ(ProgressLine::mode_from_environment(), ProgressLine::Mode::never);
  ::setenv("DISTLAB_PROGRESS", "yes", 1);
  EXPECT_THROW(ProgressLine::mode_from_environment(), InputError);
  ::unsetenv("DISTLAB_PROGRESS");
  EXPECT_EQ(ProgressLine::mode_from_environment(), ProgressLine::Mode::automatic);
}

TEST(ProgressLine, CountsReadAtAGlance) {
  EXPECT_EQ(thousands(1234567), "1,234,567");
  EXPECT_EQ(thousands(999), "999");
  EXPECT_EQ(compact_count(2'412'000), "2.41M");
  EXPECT_EQ(compact_count(310'000), "310k");
  EXPECT_EQ(compact_count(950), "950");
}

struct Ran {
  int code;
  std::string out;
  std::string err;
};

Ran run_with_progress(const std::vector<std::string>& args, const char* mode) {
  ::setenv("DISTLAB_PROGRESS", mode, 1);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = run_cli(args);
  std::string out = ::testing::internal::GetCapturedStdout();
  std::string err = ::testing::internal::GetCapturedStderr();
  ::unsetenv("DISTLAB_PROGRESS");
  return {code, std::move(out), std::move(err)};
}

TEST(ProgressLine, LongSimulationsAndTablesShowOneOnStderrAndChangeNothingElse) {
  const std::vector<std::string> lamport{"lamport", "--rounds", "50000",
                                         "--seed",  "3",        "--quiet"};  // 100,000 steps
  const Ran shown = run_with_progress(lamport, "always");
  const Ran plain = run_with_progress(lamport, "never");
  EXPECT_EQ(shown.code, 0);
  EXPECT_EQ(shown.out, plain.out) << "the run and its report are the same";
  EXPECT_EQ(plain.err, "");
  EXPECT_TRUE(shown.err.starts_with("\rlamport: simulated ")) << shown.err;
  EXPECT_NE(shown.err.find(" events/s, "), std::string::npos) << shown.err;
  EXPECT_TRUE(shown.err.ends_with("\r\x1b[K")) << "erased at the end";

  const std::vector<std::string> table{"heartbeat", "--table", "--runs", "2",
                                       "--values",  "5s,7s",   "--seed", "1"};
  const Ran counted = run_with_progress(table, "always");
  EXPECT_EQ(counted.code, 0);
  EXPECT_EQ(counted.out, run_with_progress(table, "never").out);
  EXPECT_NE(counted.err.find("\rheartbeat --table: 0 of 4 runs (timeout 5s)"), std::string::npos)
      << counted.err;
  EXPECT_EQ(counted.err.find("simulated"), std::string::npos) << "runs counted, not each run's events";
}

}  // namespace
}  // namespace distlab::cli
