#include "clock/vector_clock.h"

#include <gtest/gtest.h>

namespace distlab {
namespace {

TEST(VectorClockTest, Smoke) {
  VectorClock a(1);
  a.tick();
  EXPECT_EQ(a.get(1), 1u);
}

}  // namespace
}  // namespace distlab
