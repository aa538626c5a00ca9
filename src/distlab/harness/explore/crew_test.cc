// Crew: every helper runs each job once, with its own number, and wait() returns only
// once all of them are done, round after round; a crew of none runs nothing.
#include "distlab/harness/explore/crew.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <vector>

namespace distlab::explore {
namespace {

TEST(Crew, EveryHelperRunsEachJobOnceAndWaitWaitsForAll) {
  Crew crew(3);
  ASSERT_EQ(crew.size(), 3u);
  std::vector<std::atomic<int>> runs(4);
  for (int round = 1; round <= 2000; ++round) {
    std::atomic<int> finished{0};
    crew.start([&](std::size_t t) {
      runs[t].fetch_add(1);
      finished.fetch_add(1);
    });
    crew.wait();
    ASSERT_EQ(finished.load(), 3) << "round " << round;
  }
  EXPECT_EQ(runs[0].load(), 0);  // the caller's number: never a helper's
  for (std::size_t t = 1; t <= 3; ++t) EXPECT_EQ(runs[t].load(), 2000) << "helper " << t;
}

TEST(Crew, OfNoneRunsNothingAndDoesNotWait) {
  Crew crew(0);
  int runs = 0;
  crew.start([&](std::size_t) { ++runs; });
  crew.wait();
  EXPECT_EQ(runs, 0);
}

}  // namespace
}  // namespace distlab::explore
