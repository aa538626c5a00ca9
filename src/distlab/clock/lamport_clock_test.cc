#include "distlab/clock/lamport_clock.h"

#include <gtest/gtest.h>

namespace distlab {
namespace {

TEST(LamportClockTest, TickAndSendAdvanceByOne) {
  LamportClock c;
  EXPECT_EQ(c.time(), 0u);
  EXPECT_EQ(c.tick(), 1u);
  EXPECT_EQ(c.send(), 2u);
  EXPECT_EQ(c.time(), 2u);
}

TEST(LamportClockTest, ReceiveTakesMaxPlusOne) {
  LamportClock c(3);
  EXPECT_EQ(c.receive(10), 11u);  // behind: jump past the stamp
  EXPECT_EQ(c.receive(2), 12u);   // ahead: still advance
}

TEST(LamportClockTest, SeedTranscriptQuestion1) {
  // The assignment's run: rounds 2->1, 3->1, 3->2, 3->2, 2->1; each round the sender
  // ticks (local event) and sends, the receiver receives.
  LamportClock node[4];
  struct Step {
    int from, to;
    LamportClock::Time local, sent, received;
  };
  const Step steps[] = {{2, 1, 1, 2, 3}, {3, 1, 1, 2, 4}, {3, 2, 3, 4, 5}, {3, 2, 5, 6, 7}, {2, 1, 8, 9, 10}};
  for (const Step& s : steps) {
    EXPECT_EQ(node[s.from].tick(), s.local);
    const auto stamp = node[s.from].send();
    EXPECT_EQ(stamp, s.sent);
    EXPECT_EQ(node[s.to].receive(stamp), s.received);
  }
}

TEST(LamportClockTest, StampsFormATotalOrder) {
  EXPECT_EQ(compare(LamportStamp{1, 2}, LamportStamp{2, 1}), Order::before);
  EXPECT_EQ(compare(LamportStamp{2, 1}, LamportStamp{2, 3}), Order::before);
  EXPECT_EQ(compare(LamportStamp{2, 3}, LamportStamp{2, 1}), Order::after);
  EXPECT_EQ(compare(LamportStamp{4, 4}, LamportStamp{4, 4}), Order::equal);
}

}  // namespace
}  // namespace distlab
