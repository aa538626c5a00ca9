#include "distlab/algo/snapshot/topology.h"

#include <gtest/gtest.h>

#include "distlab/core/types.h"

namespace distlab::snapshot {
namespace {



TEST(TopologyTest, CompleteHasEveryOrderedPair) {
  const auto ids = node_ids(4);
  const Topology t = Topology::complete(ids);
  EXPECT_EQ(t.channel_count(), 12u);
  EXPECT_EQ(std::vector<NodeId>(t.out(2).begin(), t.out(2).end()), (std::vector<NodeId>{1, 3, 4}));
  EXPECT_EQ(std::vector<NodeId>(t.in(2).begin(), t.in(2).end()), (std::vector<NodeId>{1, 3, 4}));
  EXPECT_TRUE(t.strongly_connected());
}

TEST(TopologyTest, RingIsDirected) {
  const auto ids = node_ids(5);
  const Topology t = Topology::ring(ids);
  EXPECT_EQ(t.channel_count(), 5u);
  EXPECT_TRUE(t.has_channel(5, 1));
  EXPECT_FALSE(t.has_channel(1, 5));
  EXPECT_TRUE(t.strongly_connected());
}

TEST(TopologyTest, RandomIsStronglyConnectedForEverySeedAndSize) {
  for (std::uint32_t n : {2u, 3u, 7u, 50u, 1000u}) {
    const auto ids = node_ids(n);
    for (std::uint64_t seed = 0; seed < (n > 100 ? 5u : 200u); ++seed) {
      const Topology t = Topology::random(ids, seed, 3);
      ASSERT_TRUE(t.strongly_connected()) << "n=" << n << " seed=" << seed;
      for (NodeId id : ids) {
        EXPECT_EQ(t.out(id).size(), std::min<std::size_t>(3, n - 1)) << "n=" << n << " seed=" << seed;
        for (NodeId to : t.out(id)) EXPECT_NE(to, id);
      }
    }
  }
}

TEST(TopologyTest, RandomIsReplayableFromItsSeed) {
  const auto ids = node_ids(30);
  const Topology a = Topology::random(ids, 9, 3);
  const Topology b = Topology::random(ids, 9, 3);
  const Topology c = Topology::random(ids, 10, 3);
  bool differs = false;
  for (NodeId id : ids) {
    EXPECT_TRUE(std::equal(a.out(id).begin(), a.out(id).end(), b.out(id).begin(), b.out(id).end()));
    differs |= !std::equal(a.out(id).begin(), a.out(id).end(), c.out(id).begin(), c.out(id).end());
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace distlab::snapshot
