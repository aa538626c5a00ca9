#include "distlab/runtime/sim/event_queue.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "distlab/core/random.h"

namespace distlab::sim {
namespace {

using Key = std::tuple<Nanos, std::uint64_t, std::uint32_t>;

// Pops everything in order and compares with the reference order.
void expect_same_order(EventQueue& q, std::set<Key>& reference) {
  while (!reference.empty()) {
    ASSERT_FALSE(q.empty());
    ASSERT_EQ(q.size(), reference.size());
    const QueuedEvent top = q.top();
    const QueuedEvent e = q.pop();
    EXPECT_EQ(top.seq, e.seq);
    const Key expected = *reference.begin();
    reference.erase(reference.begin());
    ASSERT_EQ(Key(e.t, e.seq, e.slot), expected);
  }
  EXPECT_TRUE(q.empty());
}

TEST(EventQueueTest, InOrderPushesComeOutFirstInFirstOut) {
  EventQueue q;
  std::set<Key> reference;
  for (std::uint32_t i = 0; i < 1000; ++i) {  // equal times: sequence decides
    const QueuedEvent e{.t = 5 + i / 100, .seq = q.next_seq(), .slot = i, .kind = 0};
    q.push(e);
    reference.insert({e.t, e.seq, e.slot});
  }
  expect_same_order(q, reference);
}

// Interleaved pushes and pops, in order and out of order, against an ordered set:
// the ring and the heap together give exactly the (time, sequence) order.
TEST(EventQueueTest, MixedPushesAndPopsMatchASingleOrderedSet) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    EventQueue q;
    std::set<Key> reference;
    Nanos now = 0;
    for (std::uint32_t i = 0; i < 20000; ++i) {
      if (!reference.empty() && rng.uniform(3) == 0) {
        const QueuedEvent e = q.pop();
        const Key expected = *reference.begin();
        reference.erase(reference.begin());
        ASSERT_EQ(Key(e.t, e.seq, e.slot), expected) << "seed " << seed << " step " << i;
        now = e.t;
        continue;
      }
      // Mostly a constant delay (in order), sometimes a random one (out of order),
      // sometimes an old sequence number again (a paused node's deferred event).
      const Nanos delay = rng.uniform(4) == 0 ? static_cast<Nanos>(rng.uniform(50)) : 10;
      const std::uint64_t seq = rng.uniform(50) == 0 && i > 0 ? 1'000'000 + i : q.next_seq();
      const QueuedEvent e{.t = now + delay, .seq = seq, .slot = i, .kind = 0};
      q.push(e);
      reference.insert({e.t, e.seq, e.slot});
    }
    expect_same_order(q, reference);
  }
}

}  // namespace
}  // namespace distlab::sim
