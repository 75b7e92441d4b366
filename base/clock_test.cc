#include "base/clock.h"

#include <gtest/gtest.h>

namespace ariadne {
namespace {

TEST(ClockTest, RealClockIsPlausibleAndMonotonic) {
  Clock* c = Clock::Real();
  EXPECT_GT(c->NowUnixNanos(), int64_t{1'600'000'000} * 1'000'000'000);
  int64_t a = c->MonotonicNanos();
  int64_t b = c->MonotonicNanos();
  EXPECT_LE(a, b);
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock c(1000);
  EXPECT_EQ(c.NowUnixNanos(), 1000);
  c.Advance(500);
  EXPECT_EQ(c.NowUnixNanos(), 1500);
  EXPECT_EQ(c.MonotonicNanos(), 1500);
  c.Set(7);
  EXPECT_EQ(c.NowUnixNanos(), 7);
}

}  // namespace
}  // namespace ariadne
