#include "distlab/clock/vector_clock.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace distlab {
namespace {

VectorClock make(std::initializer_list<VectorClock::Entry> entries) {
  VectorClock v;
  for (auto [node, counter] : entries) v.set(node, counter);
  return v;
}

TEST(VectorClockTest, TickSendReceive) {
  VectorClock a(1);
  VectorClock b(2);
  EXPECT_EQ(a.tick(), 1u);
  const VectorClock stamp = a.send();
  EXPECT_EQ(stamp, make({{1, 2}}));
  b.tick();
  b.receive(stamp);
  EXPECT_EQ(b, make({{1, 2}, {2, 2}}));
  EXPECT_EQ(to_string(b), "{1:2, 2:2}");
}

TEST(VectorClockTest, CompareAllFourOutcomes) {
  EXPECT_EQ(compare(make({{1, 1}}), make({{1, 1}, {2, 1}})), Order::before);
  EXPECT_EQ(compare(make({{1, 2}, {2, 1}}), make({{1, 1}, {2, 1}})), Order::after);
  EXPECT_EQ(compare(make({{1, 1}}), make({{2, 1}})), Order::concurrent);
  EXPECT_EQ(compare(make({{1, 3}, {5, 1}}), make({{5, 1}, {1, 3}})), Order::equal);
  EXPECT_EQ(compare(VectorClock(), VectorClock(7)), Order::equal);
}

TEST(VectorClockTest, MissingEntriesCountAsZero) {
  VectorClock v = make({{3, 4}});
  EXPECT_EQ(v.get(1), 0u);
  EXPECT_EQ(v.get(3), 4u);
  v.set(3, 0);
  EXPECT_TRUE(v.entries().empty());
  EXPECT_EQ(v, VectorClock());
}

TEST(VectorClockTest, WorksWithSparseLargeIds) {
  VectorClock a(77'777'777);
  VectorClock b(13);
  b.receive(a.send());
  EXPECT_EQ(b.get(77'777'777), 1u);
  EXPECT_TRUE(happened_before(make({{77'777'777, 1}}), b));
}

// Arbitrary clocks over a few nodes, so that comparisons hit every outcome.
rc::Gen<VectorClock> arbitrary_clock() {
  return rc::gen::map(rc::gen::container<std::vector<std::uint8_t>>(4, rc::gen::inRange<std::uint8_t>(0, 4)),
                      [](const std::vector<std::uint8_t>& counters) {
                        VectorClock v;
                        for (std::size_t i = 0; i < counters.size(); ++i) v.set(static_cast<NodeId>(i + 1), counters[i]);
                        return v;
                      });
}

RC_GTEST_PROP(VectorClockProperty, CompareIsAntisymmetric, ()) {
  const VectorClock a = *arbitrary_clock();
  const VectorClock b = *arbitrary_clock();
  const Order ab = compare(a, b);
  const Order ba = compare(b, a);
  switch (ab) {
    case Order::before: RC_ASSERT(ba == Order::after); break;
    case Order::after: RC_ASSERT(ba == Order::before); break;
    case Order::equal: RC_ASSERT(ba == Order::equal && a == b); break;
    case Order::concurrent: RC_ASSERT(ba == Order::concurrent); break;
  }
}

RC_GTEST_PROP(VectorClockProperty, MergeIsTheLeastUpperBound, ()) {
  const VectorClock a = *arbitrary_clock();
  const VectorClock b = *arbitrary_clock();
  VectorClock m = a;
  m.merge(b);
  RC_ASSERT(compare(a, m) != Order::after && compare(a, m) != Order::concurrent);
  RC_ASSERT(compare(b, m) != Order::after && compare(b, m) != Order::concurrent);
  for (NodeId n = 1; n <= 4; ++n) RC_ASSERT(m.get(n) == std::max(a.get(n), b.get(n)));
}

RC_GTEST_PROP(VectorClockProperty, ReceiveIsAfterBothInputs, ()) {
  VectorClock receiver = *arbitrary_clock();
  const VectorClock stamp = *arbitrary_clock();
  const VectorClock before = receiver;
  VectorClock owned(1);
  for (auto [node, counter] : receiver.entries()) owned.set(node, counter);
  owned.receive(stamp);
  RC_ASSERT(happened_before(stamp, owned));
  RC_ASSERT(happened_before(before, owned));
}

}  // namespace
}  // namespace distlab
