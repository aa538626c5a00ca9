#include "distlab/core/fingerprint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <set>

#include "distlab/core/random.h"

namespace distlab {
namespace {

std::uint64_t fingerprint(std::initializer_list<std::uint64_t> words) {
  StateHasher h;
  for (std::uint64_t w : words) h.add(w);
  return h.value();
}

// A seed is each word mixed in turn, as it always was: explored random draws, and so
// the states an exploration counts, depend on it.
TEST(StateHasher, ASeedMixesEachWordInTurnAsItAlwaysDid) {
  StateHasher h(42, StateHasher::Kind::seed);
  std::uint64_t want = 42;
  for (std::uint64_t w : {0ULL, 7ULL, ~0ULL}) {
    h.add(w);
    want = mix64(want ^ (w + 0x9e3779b97f4a7c15ULL));
  }
  EXPECT_EQ(h.value(), want);
}

TEST(StateHasher, AFingerprintTellsOrderLengthAndStartApart) {
  EXPECT_NE(fingerprint({1, 2}), fingerprint({2, 1}));
  EXPECT_NE(fingerprint({1, 2, 3}), fingerprint({1, 3, 2}));
  EXPECT_NE(fingerprint({}), fingerprint({0}));
  EXPECT_NE(fingerprint({0}), fingerprint({0, 0}));
  EXPECT_NE(fingerprint({0, 0}), fingerprint({0, 0, 0}));
  EXPECT_NE(fingerprint({5}), fingerprint({5, 0}));
  EXPECT_EQ(fingerprint({1, 2, 3}), fingerprint({1, 2, 3}));
  StateHasher a(1);
  StateHasher b(2);
  a.add(9);
  b.add(9);
  EXPECT_NE(a.value(), b.value());
}

// Small, similar states (what nodes hash: roles, ids, short ages) do not collide.
TEST(StateHasher, SmallSimilarSequencesDoNotCollide) {
  std::set<std::uint64_t> seen;
  std::size_t made = 0;
  for (std::uint64_t a = 0; a < 40; ++a) {
    for (std::uint64_t b = 0; b < 40; ++b) {
      for (std::uint64_t c = 0; c < 40; ++c) {
        seen.insert(fingerprint({a, b, c}));
        seen.insert(fingerprint({a, b, c, 1}));
        made += 2;
      }
    }
  }
  EXPECT_EQ(seen.size(), made);
}

}  // namespace
}  // namespace distlab
