#include "distlab/runtime/sim/fifo_links.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <utility>

#include "distlab/core/random.h"

namespace distlab::sim {
namespace {

TEST(FifoLinksTest, ArrivalNeverPrecedesThePreviousOnTheLink) {
  FifoLinks fifo(1, 3);
  EXPECT_EQ(fifo.arrival(1, 2, 50, 0), 50);
  EXPECT_EQ(fifo.arrival(1, 2, 20, 0), 50);  // would overtake: held back
  EXPECT_EQ(fifo.arrival(2, 1, 20, 0), 20);  // the other direction is its own link
  EXPECT_EQ(fifo.arrival(1, 2, 70, 0), 70);
}

TEST(FifoLinksTest, DenseAndSparseTablesAgree) {
  // Same ids on both sides; the large node count forces the sparse map.
  FifoLinks dense(1, 8);
  FifoLinks sparse(1, FifoLinks::kDenseNodesMax + 1);
  EXPECT_FALSE(dense.sparse());
  EXPECT_TRUE(sparse.sparse());
  EXPECT_FALSE(FifoLinks(1, 0).sparse());  // a simulator that tracks no FIFO order holds none
  Rng rng(3);
  Nanos now = 0;
  for (int i = 0; i < 20'000; ++i) {
    now += static_cast<Nanos>(rng.uniform(10));
    const auto from = static_cast<NodeId>(1 + rng.uniform(8));
    const auto to = static_cast<NodeId>(1 + rng.uniform(8));
    const Nanos t = now + static_cast<Nanos>(rng.uniform(500));
    dense.prefetch(from, to);   // nothing
    sparse.prefetch(from, to);  // where the table's probe starts
    ASSERT_EQ(dense.arrival(from, to, t, now), sparse.arrival(from, to, t, now)) << i;
  }
}

// Many links, so that the open-addressing table is rebuilt (pruned, grown, shrunk)
// many times: every arrival is what a map that forgets nothing gives.
TEST(FifoLinksTest, TheSparseTableAgreesWithAMapAcrossRebuilds) {
  constexpr std::uint32_t kNodes = 3000;
  FifoLinks sparse(1, kNodes);
  std::map<std::pair<NodeId, NodeId>, Nanos> reference;
  Rng rng(11);
  Nanos now = 0;
  std::size_t most = 0;
  for (int i = 0; i < 300'000; ++i) {
    // Bursts of sends at one time, then time moves on past many of them.
    if (i % 5000 == 0) now += static_cast<Nanos>(rng.uniform(2000));
    const auto from = static_cast<NodeId>(1 + rng.uniform(kNodes));
    const auto to = static_cast<NodeId>(1 + rng.uniform(i % 3 == 0 ? 4 : kNodes));  // some links often
    const Nanos t = now + static_cast<Nanos>(rng.uniform(1000));
    Nanos& last = reference[{from, to}];
    last = std::max(t, last);
    ASSERT_EQ(sparse.arrival(from, to, t, now), last) << i;
    most = std::max(most, sparse.held());
  }
  // Links whose last message landed were let go: far fewer held than ever used.
  EXPECT_LT(most, reference.size() / 4) << "held at most " << most << " of " << reference.size();
  EXPECT_GT(most, 1000u);  // and the table did grow past its first size
}

// A sender that opens links to an eighth of the nodes gets a row of its own (an
// election to every higher id); the others stay in the table. Every arrival is what a
// map gives, across the move: a link's time from the table holds back the row's sends.
TEST(FifoLinksTest, SendersToManyGetRowsThatAgreeWithAMap) {
  constexpr std::uint32_t kNodes = 2000;
  FifoLinks fifo(1, kNodes);
  std::map<std::pair<NodeId, NodeId>, Nanos> reference;
  auto send = [&](NodeId from, NodeId to, Nanos t, Nanos now) {
    Nanos& last = reference[{from, to}];
    last = std::max(t, last);
    return fifo.arrival(from, to, t, now) == last;
  };
  // Node 7's link to 2000 waits far ahead, in the table; then 7 sends to every higher id.
  ASSERT_TRUE(send(7, 2000, 5'000'000, 0));
  for (NodeId to = 8; to <= kNodes; ++to) ASSERT_TRUE(send(7, to, 1000, 0)) << to;
  EXPECT_EQ(fifo.rows(), 1u);
  EXPECT_EQ(fifo.arrival(7, 2000, 2000, 0), 5'000'000);  // read from the table by the row
  reference[{7, 2000}] = 5'000'000;
  Rng rng(5);
  Nanos now = 0;
  for (int i = 0; i < 200'000; ++i) {
    if (i % 1000 == 0) now += static_cast<Nanos>(rng.uniform(5000));
    if (i % 20'000 == 0) {  // a broadcast from a random sender
      const auto from = static_cast<NodeId>(1 + rng.uniform(kNodes));
      for (NodeId to = 1; to <= kNodes; ++to) {
        ASSERT_TRUE(send(from, to, now + static_cast<Nanos>(rng.uniform(10'000)), now)) << i;
      }
      continue;
    }
    const auto from = static_cast<NodeId>(1 + rng.uniform(kNodes));
    const auto to = static_cast<NodeId>(1 + rng.uniform(kNodes));
    ASSERT_TRUE(send(from, to, now + static_cast<Nanos>(rng.uniform(10'000)), now)) << i;
  }
  EXPECT_GT(fifo.rows(), 5u);   // the broadcasters
  EXPECT_LT(fifo.rows(), 20u);  // not the others
}

// The links a sender left in the table move into its row when the row is made, also
// after rebuilds have pruned the table (one of them landed, one still in flight), and a
// row's first message on a link holds back the next one.
TEST(FifoLinksTest, ARowTakesTheLinksItsSenderLeftInTheTableAcrossRebuilds) {
  constexpr std::uint32_t kNodes = 2000;
  FifoLinks fifo(1, kNodes);
  ASSERT_EQ(fifo.arrival(7, 2000, 5'000'000, 0), 5'000'000);  // in flight to the end
  ASSERT_EQ(fifo.arrival(7, 1999, 100, 0), 100);              // lands at 100
  // Other senders' traffic, enough for several rebuilds, while time passes 100.
  Rng rng(9);
  std::size_t most = 0;
  for (int i = 0; i < 50'000; ++i) {
    const Nanos now = 1000 + i;
    const auto from = static_cast<NodeId>(100 + rng.uniform(1000));
    const auto to = static_cast<NodeId>(1 + rng.uniform(kNodes));
    fifo.arrival(from, to, now + 10, now);
    most = std::max(most, fifo.held());
  }
  EXPECT_LT(fifo.held(), most);  // the table was pruned
  EXPECT_EQ(fifo.rows(), 0u);
  const Nanos now = 60'000;
  for (NodeId to = 8; to <= kNodes; ++to) {
    const Nanos want = to == 2000 ? 5'000'000 : now + 5;
    ASSERT_EQ(fifo.arrival(7, to, now + 5, now), want) << to;
  }
  EXPECT_EQ(fifo.rows(), 1u);
  EXPECT_EQ(fifo.arrival(7, 2000, now + 6, now), 5'000'000);  // still held back, from the row
  EXPECT_EQ(fifo.arrival(7, 3, now + 1, now), now + 1);       // a new link in the row
  EXPECT_EQ(fifo.arrival(7, 3, now, now), now + 1);           // held back by it
  EXPECT_EQ(fifo.arrival(7, 1999, now + 9, now), now + 9);
}

// Rows are cut from 2 MiB blocks, their times and their bits from blocks of their own:
// enough broadcasters for several blocks of times (131 rows of 2,000 times a block),
// each sending twice to everyone, agree with a map; and prefetching any link, with a
// row or without, changes nothing.
TEST(FifoLinksTest, RowsAcrossManyBlocksAgreeWithAMapAndPrefetchChangesNothing) {
  constexpr std::uint32_t kNodes = 2000;
  constexpr std::uint32_t kBroadcasters = 300;
  FifoLinks fifo(1, kNodes);
  std::map<std::pair<NodeId, NodeId>, Nanos> reference;
  Rng rng(11);
  Nanos now = 0;
  for (int round = 0; round < 2; ++round) {
    for (NodeId from = 1; from <= kBroadcasters; ++from) {
      now += 10;
      for (NodeId to = 1; to <= kNodes; ++to) {
        const Nanos t = now + static_cast<Nanos>(rng.uniform(100'000));
        Nanos& last = reference[{from, to}];
        last = std::max(t, last);
        fifo.prefetch(from, to);
        fifo.prefetch(to, from);  // a link without a row, for most
        ASSERT_EQ(fifo.arrival(from, to, t, now), last) << round << " " << from << " " << to;
      }
    }
  }
  EXPECT_EQ(fifo.rows(), kBroadcasters);
}

}  // namespace
}  // namespace distlab::sim
