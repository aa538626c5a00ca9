#include "distlab/core/id_set.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

#include "distlab/core/random.h"

namespace distlab {
namespace {

std::vector<NodeId> ids(const IdSet& s) { return {s.begin(), s.end()}; }

// Against std::set, in place and past kInline onto the heap: the same answers and the
// same ascending order.
TEST(IdSet, BehavesAsASortedSetInPlaceAndOnTheHeap) {
  for (const std::uint32_t n : {3U, IdSet::kInline, IdSet::kInline + 1, 200U}) {
    IdSet s;
    std::set<NodeId> want;
    Rng rng(n);
    for (std::uint32_t i = 0; i < 3 * n; ++i) {
      const auto id = static_cast<NodeId>(rng.between(1, n));
      EXPECT_EQ(s.insert(id), want.insert(id).second);
      EXPECT_TRUE(s.contains(id));
    }
    EXPECT_EQ(ids(s), std::vector<NodeId>(want.begin(), want.end()));
    EXPECT_EQ(s.size(), want.size());
    EXPECT_FALSE(s.contains(n + 1));
  }
}

TEST(IdSet, CopiesAndMovesAreIndependent) {
  for (const std::uint32_t n : {4U, 40U}) {  // in place, on the heap
    IdSet a;
    for (NodeId id = 1; id <= n; ++id) a.insert(id);
    IdSet b = a;
    b.insert(n + 1);
    EXPECT_EQ(a.size(), n);
    EXPECT_EQ(b.size(), n + 1);
    IdSet c;
    c.insert(99);
    c = a;  // over a set with ids of its own
    EXPECT_EQ(c, a);
    IdSet d = std::move(b);
    EXPECT_EQ(d.size(), n + 1);
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    b.insert(7);             // and usable
    EXPECT_EQ(ids(b), std::vector<NodeId>{7});
    c = std::move(d);
    EXPECT_EQ(c.size(), n + 1);
    c.clear();
    EXPECT_TRUE(c.empty());
    EXPECT_TRUE(c.insert(1));
  }
}

TEST(IdSet, HoldsMemoryOnlyWithItsIdsOnTheHeap) {
  IdSet s;
  for (NodeId id = 1; id <= IdSet::kInline; ++id) s.insert(id);
  EXPECT_FALSE(s.holds_memory());
  s.insert(IdSet::kInline + 1);
  EXPECT_TRUE(s.holds_memory());
  s.clear();
  s.insert(1);
  EXPECT_TRUE(s.holds_memory());  // clear() keeps the heap buffer
  const IdSet copy = s;           // a copy of few ids holds them in place
  EXPECT_FALSE(copy.holds_memory());
  EXPECT_EQ(copy, s);
}

}  // namespace
}  // namespace distlab
