// SaturatingDeadline / TimeLeft: huge timeouts saturate instead of overflowing; ordinary ones add.
#include "ariadne/sdk/deadline.h"

#include <gtest/gtest.h>

namespace ariadne::sdk {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;
using System = std::chrono::system_clock;

TEST(Deadline, OrdinaryTimeoutsAdd) {
  Steady::time_point now = Steady::now();
  EXPECT_EQ(SaturatingDeadline(milliseconds(1500), now), now + milliseconds(1500));
  EXPECT_EQ(SaturatingDeadline(std::chrono::hours(24 * 365), now),
            now + std::chrono::hours(24 * 365));
}

TEST(Deadline, HugeTimeoutsSaturate) {
  Steady::time_point now = Steady::now();
  EXPECT_EQ(SaturatingDeadline(milliseconds::max(), now), Steady::time_point::max());
  EXPECT_EQ(SaturatingDeadline(std::chrono::seconds::max(), now), Steady::time_point::max());
  // Just over what nanoseconds can hold from now.
  EXPECT_EQ(SaturatingDeadline(std::chrono::hours(24 * 365 * 300), now), Steady::time_point::max());
  System::time_point snow = System::now();
  EXPECT_EQ(SaturatingDeadline<System>(milliseconds::max(), snow), System::time_point::max());
  EXPECT_GT(SaturatingDeadline<System>(milliseconds::max(), snow), snow);
}

TEST(Deadline, NegativeOrZeroTimeoutIsNow) {
  Steady::time_point now = Steady::now();
  EXPECT_EQ(SaturatingDeadline(milliseconds(0), now), now);
  EXPECT_EQ(SaturatingDeadline(milliseconds(-5), now), now);
  EXPECT_EQ(SaturatingDeadline(milliseconds::min(), now), now);
}

TEST(Deadline, TimeLeftIsZeroOncePassed) {
  Steady::time_point now = Steady::now();
  EXPECT_EQ(TimeLeft(now + milliseconds(250), now), milliseconds(250));
  EXPECT_EQ(TimeLeft(now - milliseconds(250), now), milliseconds(0));
  EXPECT_GT(TimeLeft(Steady::time_point::max(), now), milliseconds(0));
}

}  // namespace
}  // namespace ariadne::sdk
