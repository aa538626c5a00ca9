#include "distlab/core/random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace distlab {
namespace {

TEST(RandomTest, Mix64MatchesSplitmix64Reference) {
  // splitmix64 seeded with 0: its first output is mix64(golden gamma).
  EXPECT_EQ(mix64(0x9e3779b97f4a7c15ULL), 0xe220a8397b1dcdafULL);
}

TEST(RandomTest, Xoshiro256StarStarMatchesReference) {
  // Reference outputs of xoshiro256** 1.0 from the state {1, 2, 3, 4}.
  Rng rng(std::array<std::uint64_t, 4>{1, 2, 3, 4});
  EXPECT_EQ(rng.next(), 11520u);
  EXPECT_EQ(rng.next(), 0u);
  EXPECT_EQ(rng.next(), 1509978240u);
  EXPECT_EQ(rng.next(), 1215971899390074240u);
}

TEST(RandomTest, SameSeedSameStream) {
  Rng a(42);
  Rng b(42);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next(), b.next());
}

TEST(RandomTest, DerivedSeedsDifferPerStreamAndPerRoot) {
  std::set<std::uint64_t> seen;
  for (std::uint64_t root : {0ULL, 1ULL, 7ULL}) {
    for (std::uint64_t stream :
         {kStreamNetwork, kStreamWorkload, kStreamFaults, kStreamNodeBase + 1, kStreamNodeBase + 2}) {
      EXPECT_TRUE(seen.insert(derive_seed(root, stream)).second) << root << "/" << stream;
    }
  }
}

TEST(RandomTest, UniformStaysInRangeAndIsRoughlyFlat) {
  Rng rng(1);
  constexpr int kBuckets = 10;
  constexpr int kDraws = 100'000;
  std::array<int, kBuckets> counts{};
  for (int i = 0; i < kDraws; ++i) {
    const auto v = rng.uniform(kBuckets);
    ASSERT_LT(v, static_cast<std::uint64_t>(kBuckets));
    ++counts[v];
  }
  for (int c : counts) {
    EXPECT_GT(c, kDraws / kBuckets * 95 / 100);
    EXPECT_LT(c, kDraws / kBuckets * 105 / 100);
  }
}

TEST(RandomTest, UniformWithHugeBoundIsUnbiasedEnough) {
  // A bound just above 2^63 makes a naive modulo badly biased toward small values.
  Rng rng(2);
  const std::uint64_t bound = (1ULL << 63) + (1ULL << 62);
  int low = 0;
  constexpr int kDraws = 20'000;
  for (int i = 0; i < kDraws; ++i) {
    if (rng.uniform(bound) < bound / 2) ++low;
  }
  EXPECT_NEAR(low, kDraws / 2, kDraws / 50);
}

TEST(RandomTest, BetweenIsInclusive) {
  Rng rng(3);
  bool saw_lo = false;
  bool saw_hi = false;
  for (int i = 0; i < 1000; ++i) {
    const auto v = rng.between(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    saw_lo |= v == -2;
    saw_hi |= v == 2;
  }
  EXPECT_TRUE(saw_lo && saw_hi);
  EXPECT_EQ(rng.between(5, 5), 5);
}

TEST(RandomTest, ChanceExtremesAndRate) {
  Rng rng(4);
  int hits = 0;
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_FALSE(rng.chance(0.0));
    ASSERT_TRUE(rng.chance(1.0));
    hits += rng.chance(0.25) ? 1 : 0;
  }
  EXPECT_NEAR(hits, 2500, 200);
}

TEST(RandomTest, UnitIsInHalfOpenInterval) {
  Rng rng(5);
  for (int i = 0; i < 10'000; ++i) {
    const double u = rng.unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace distlab
