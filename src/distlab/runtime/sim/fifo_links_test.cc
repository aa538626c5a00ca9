#include "distlab/runtime/sim/fifo_links.h"

#include <gtest/gtest.h>

#include "distlab/core/random.h"

namespace distlab::sim {
namespace {

TEST(FifoLinksTest, ArrivalNeverPrecedesThePreviousOnTheLink) {
  FifoLinks fifo(1, 3);
  EXPECT_EQ(fifo.arrival(1, 2, 50, 0, 0), 50);
  EXPECT_EQ(fifo.arrival(1, 2, 20, 0, 1), 50);  // would overtake: held back
  EXPECT_EQ(fifo.arrival(2, 1, 20, 0, 2), 20);  // the other direction is its own link
  EXPECT_EQ(fifo.arrival(1, 2, 70, 0, 3), 70);
}

TEST(FifoLinksTest, DenseAndSparseTablesAgree) {
  // Same ids on both sides; the large node count forces the sparse map.
  FifoLinks dense(1, 8);
  FifoLinks sparse(1, FifoLinks::kDenseNodesMax + 1);
  Rng rng(3);
  Nanos now = 0;
  for (int i = 0; i < 20'000; ++i) {
    now += static_cast<Nanos>(rng.uniform(10));
    const auto from = static_cast<NodeId>(1 + rng.uniform(8));
    const auto to = static_cast<NodeId>(1 + rng.uniform(8));
    const Nanos t = now + static_cast<Nanos>(rng.uniform(500));
    // A small `pending` makes the sparse map prune often.
    ASSERT_EQ(dense.arrival(from, to, t, now, 4), sparse.arrival(from, to, t, now, 4)) << i;
  }
}

}  // namespace
}  // namespace distlab::sim
