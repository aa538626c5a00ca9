#include "distlab/runtime/sim/event_queue.h"

#include <gtest/gtest.h>

#include <set>
#include <span>
#include <tuple>
#include <vector>

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

// The look-ahead the simulator prefetches by: along the ring the last event came from,
// the event k places on is the k-th popped next (each delivery sends one on at the
// same delay, as with a constant latency); after a pop from the heap there is no ring
// to look along, and heap_next() is the heap's top.
TEST(EventQueueTest, AheadIsWhatComesNextAlongTheRingAndHeapNextTheHeapsTop) {
  EventQueue q;
  EXPECT_EQ(q.ahead(1), nullptr);
  std::uint32_t slot = 0;
  for (; slot < 20; ++slot) q.push({.t = 10, .seq = q.next_seq(), .slot = slot, .kind = 0});
  for (int step = 0; step < 100; ++step) {
    const QueuedEvent e = q.pop();
    q.push({.t = e.t + 10, .seq = q.next_seq(), .slot = slot++, .kind = 0});
    std::vector<std::uint32_t> guessed;
    for (std::size_t k = 1; k <= 8; ++k) {
      const QueuedEvent* a = q.ahead(k);
      ASSERT_NE(a, nullptr);
      guessed.push_back(a->slot);
    }
    EXPECT_EQ(q.heap_next(), nullptr);
    EXPECT_EQ(q.ahead(q.size() + 1), nullptr);
    EventQueue copy = q;
    for (const std::uint32_t want : guessed) EXPECT_EQ(copy.pop().slot, want);
  }
  // Delays of their own beyond the rings go to the heap.
  EventQueue h;
  for (std::uint32_t i = 0; i < 40; ++i) h.push({.t = 1000 - 7 * i, .seq = h.next_seq(), .slot = i, .kind = 0});
  const QueuedEvent first = h.pop();
  EXPECT_EQ(first.slot, 39u);  // the earliest, t = 727
  EXPECT_EQ(h.ahead(1), nullptr);
  ASSERT_NE(h.heap_next(), nullptr);
  EXPECT_EQ(h.heap_next()->slot, h.top().slot);
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

// A random latency's deliveries, over a wide range of delays and in bursts (every
// node answering at once): the radix heap pops them in (time, sequence) order, ties
// and deferred sequence numbers included.
TEST(EventQueueTest, RandomDelaysOverAWideRangeMatchASingleOrderedSet) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    Rng rng(seed);
    EventQueue q;
    std::set<Key> reference;
    std::vector<QueuedEvent> deferred;  // popped, to be pushed again with their sequence numbers
    Nanos now = 0;
    std::uint32_t slot = 0;
    for (std::uint32_t i = 0; i < 100'000; ++i) {
      if (!reference.empty() && rng.uniform(2) == 0) {
        const QueuedEvent e = q.pop();
        ASSERT_EQ(Key(e.t, e.seq, e.slot), *reference.begin()) << "seed " << seed << " step " << i;
        reference.erase(reference.begin());
        now = e.t;
        if (rng.uniform(20) == 0) deferred.push_back(e);
        continue;
      }
      const int burst = rng.uniform(100) == 0 ? 500 : 1;
      for (int k = 0; k < burst; ++k) {
        const Nanos delay = rng.uniform(10) == 0 ? 0 : static_cast<Nanos>(rng.uniform(10'000'000));
        QueuedEvent e{.t = now + delay, .seq = q.next_seq(), .slot = slot++, .kind = 0};
        if (!deferred.empty() && rng.uniform(10) == 0) {  // a deferred event, at now or later
          e = deferred.back();
          deferred.pop_back();
          e.t = now + (rng.uniform(2) == 0 ? 0 : delay);
        }
        q.push(e);
        reference.insert({e.t, e.seq, e.slot});
      }
    }
    expect_same_order(q, reference);
  }
}

// Delays of every width, from 0 to 2^50 ns: an event's time differs from the last
// popped one in any of the radix heap's digits, high ones included, and it pops in
// order as it moves down, digit by digit.
TEST(EventQueueTest, DelaysOfEveryWidthMatchASingleOrderedSet) {
  Rng rng(21);
  EventQueue q;
  std::set<Key> reference;
  Nanos now = 0;
  std::uint32_t slot = 0;
  for (std::uint32_t i = 0; i < 200'000; ++i) {
    if (reference.size() > 2000 && rng.uniform(3) != 0) {
      const QueuedEvent e = q.pop();
      ASSERT_EQ(Key(e.t, e.seq, e.slot), *reference.begin()) << "step " << i;
      reference.erase(reference.begin());
      now = e.t;
      continue;
    }
    const auto width = static_cast<unsigned>(rng.uniform(51));
    const auto delay = static_cast<Nanos>(rng.next() & ((std::uint64_t{1} << width) - 1));
    const QueuedEvent e{.t = now + delay, .seq = q.next_seq(), .slot = slot++, .kind = 0};
    q.push(e);
    reference.insert({e.t, e.seq, e.slot});
  }
  expect_same_order(q, reference);
}

// The heap is binary while small and radix while large: a pending count that rises
// past the switch and falls back below it, again and again, with deferred sequence
// numbers moved across, keeps the (time, sequence) order.
TEST(EventQueueTest, APendingCountRisingAndFallingAcrossTheHeapSwitchKeepsTheOrder) {
  Rng rng(7);
  EventQueue q;
  std::set<Key> reference;
  std::vector<QueuedEvent> deferred;
  Nanos now = 0;
  std::uint32_t slot = 0;
  int switches = 0;
  bool rising = true;
  for (std::uint32_t i = 0; switches < 12; ++i) {
    ASSERT_LT(i, 10'000'000u);
    if (rising && reference.size() > 3000) rising = false, ++switches;
    if (!rising && reference.size() < 20) rising = true, ++switches;
    if (!reference.empty() && rng.uniform(10) < (rising ? 2u : 8u)) {
      const QueuedEvent e = q.pop();
      ASSERT_EQ(Key(e.t, e.seq, e.slot), *reference.begin()) << "step " << i;
      reference.erase(reference.begin());
      now = e.t;
      if (rng.uniform(10) == 0) deferred.push_back(e);
      continue;
    }
    QueuedEvent e{.t = now + static_cast<Nanos>(rng.uniform(1'000'000)),
                  .seq = q.next_seq(),
                  .slot = slot++,
                  .kind = 0};
    if (!deferred.empty() && rng.uniform(5) == 0) {
      e = deferred.back();
      deferred.pop_back();
      e.t = now + (rng.uniform(2) == 0 ? 0 : static_cast<Nanos>(rng.uniform(1000)));
    }
    q.push(e);
    reference.insert({e.t, e.seq, e.slot});
  }
  expect_same_order(q, reference);
}

// A burst like a large election's (hundreds of thousands of events pending at delays
// of up to 10 ms, each pop pushing one more): buckets far larger than those kept grow,
// empty and hand their memory on as spares, and the order stays exact. Each span
// take_upcoming() gives holds the event just popped and is exactly what the next pops
// bring (nothing pushed meanwhile), each span once.
TEST(EventQueueTest, ALargeBurstKeepsTheOrderAndUpcomingIsWhatComesNext) {
  Rng rng(31);
  RadixHeap heap;
  heap.start_at(0);
  std::set<Key> reference;
  std::uint64_t seq = 0;
  std::uint32_t slot = 0;
  const auto push = [&](Nanos now) {
    const QueuedEvent e{.t = now + 1000 + static_cast<Nanos>(rng.uniform(10'000'000)),
                        .seq = seq++,
                        .slot = slot++,
                        .kind = 0};
    heap.push(e);
    reference.insert({e.t, e.seq, e.slot});
  };
  const auto pop = [&] {
    const QueuedEvent e = heap.pop();
    EXPECT_EQ(Key(e.t, e.seq, e.slot), *reference.begin());
    reference.erase(reference.begin());
    return e;
  };
  for (int i = 0; i < 300'000; ++i) push(0);
  std::size_t spans = 0;
  std::size_t spanned = 0;
  while (!reference.empty()) {
    const QueuedEvent e = pop();
    if (slot < 1'000'000) push(e.t);
    const std::span<const QueuedEvent> span = heap.take_upcoming();
    if (span.empty()) continue;
    ASSERT_TRUE(heap.take_upcoming().empty()) << "a span is given once";
    std::multiset<std::uint64_t> expected;
    for (const QueuedEvent& u : span) expected.insert(u.seq);
    ASSERT_EQ(expected.count(e.seq), 1u) << "the span holds the event just popped";
    expected.erase(e.seq);
    std::multiset<std::uint64_t> next;
    for (std::size_t k = 0; k < expected.size(); ++k) next.insert(pop().seq);
    ASSERT_EQ(next, expected);
    ++spans;
    spanned += span.size();
  }
  EXPECT_GT(spans, 1000u);
  EXPECT_GT(spanned, 100'000u);
}

}  // namespace
}  // namespace distlab::sim
