// RetrySchedule: backoff growth and cap, jitter range, attempts, the deadline, server delays,
// and saturation on values that would overflow.
#include "sdk/exporters/otlp_common/retry_policy.h"

#include <limits>

#include <gtest/gtest.h>

namespace ariadne::exporters {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kMidJitter = 500;  // random % 1000 == 500: factor 1.0

RetryOptions Options(int attempts, int initial_ms, int max_ms, double multiplier) {
  RetryOptions o;
  o.max_attempts = attempts;
  o.initial_backoff = milliseconds(initial_ms);
  o.max_backoff = milliseconds(max_ms);
  o.backoff_multiplier = multiplier;
  return o;
}

TEST(RetrySchedule, BackoffGrowsByTheMultiplierUpToTheCap) {
  Clock::time_point now = Clock::now();
  RetrySchedule s(Options(10, 100, 400, 2.0), now + std::chrono::hours(1));
  std::vector<int64_t> waits;
  for (int attempt = 1; attempt < 6; ++attempt) {
    RetrySchedule::Step step = s.Next(attempt, std::nullopt, kMidJitter, now);
    ASSERT_TRUE(step.retry);
    waits.push_back(step.wait.count());
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{100, 200, 400, 400, 400}));
}

TEST(RetrySchedule, JitterStaysWithinHalfToOneAndAHalfTimesTheBackoff) {
  Clock::time_point now = Clock::now();
  for (uint64_t r : {uint64_t{0}, uint64_t{999}, uint64_t{123456789}, ~uint64_t{0}}) {
    RetrySchedule s(Options(5, 1000, 1000, 1.0), now + std::chrono::hours(1));
    RetrySchedule::Step step = s.Next(1, std::nullopt, r, now);
    ASSERT_TRUE(step.retry);
    EXPECT_GE(step.wait, milliseconds(500));
    EXPECT_LT(step.wait, milliseconds(1500));
  }
}

TEST(RetrySchedule, StopsWhenTheAttemptsAreUsedUp) {
  Clock::time_point now = Clock::now();
  RetrySchedule s(Options(3, 1, 1, 1.0), now + std::chrono::hours(1));
  EXPECT_TRUE(s.Next(1, std::nullopt, kMidJitter, now).retry);
  EXPECT_TRUE(s.Next(2, std::nullopt, kMidJitter, now).retry);
  RetrySchedule::Step last = s.Next(3, std::nullopt, kMidJitter, now);
  EXPECT_FALSE(last.retry);
  EXPECT_STREQ(last.why_not, "retries exhausted");
  // max_attempts below 1 means one attempt.
  RetrySchedule one(Options(0, 1, 1, 1.0), now + std::chrono::hours(1));
  EXPECT_EQ(one.max_attempts(), 1);
  EXPECT_FALSE(one.Next(1, std::nullopt, kMidJitter, now).retry);
}

TEST(RetrySchedule, AWaitThatEndsPastTheDeadlineIsNotTaken) {
  Clock::time_point now = Clock::now();
  RetrySchedule s(Options(5, 1000, 1000, 1.0), now + milliseconds(800));
  EXPECT_FALSE(s.Next(1, std::nullopt, kMidJitter, now).retry);
  RetrySchedule passed(Options(5, 1, 1, 1.0), now - milliseconds(1));
  EXPECT_FALSE(passed.Next(1, std::nullopt, kMidJitter, now).retry);
}

TEST(RetrySchedule, ServerDelayReplacesTheBackoffWithinTheDeadline) {
  Clock::time_point now = Clock::now();
  RetrySchedule s(Options(5, 1, 1, 1.0), now + std::chrono::seconds(10));
  RetrySchedule::Step step = s.Next(1, milliseconds(3000), kMidJitter, now);
  EXPECT_TRUE(step.retry);
  EXPECT_EQ(step.wait, milliseconds(3000));
  step = s.Next(2, milliseconds(-5), kMidJitter, now);  // a negative delay means "now"
  EXPECT_TRUE(step.retry);
  EXPECT_EQ(step.wait, milliseconds(0));
  step = s.Next(3, milliseconds(20000), kMidJitter, now);
  EXPECT_FALSE(step.retry);
  EXPECT_STREQ(step.why_not, "the server's retry delay passes the export deadline");
}

TEST(RetrySchedule, HugeValuesSaturateInsteadOfOverflowing) {
  Clock::time_point now = Clock::now();
  // No deadline at all, the largest server delay and backoff the types can hold.
  RetrySchedule s(Options(5, 1000, std::numeric_limits<int>::max(), 1e300),
                  Clock::time_point::max());
  RetrySchedule::Step step = s.Next(1, milliseconds::max(), kMidJitter, now);
  EXPECT_FALSE(step.retry);  // longer than even an unbounded export has: give up
  step = s.Next(2, std::chrono::hours(24 * 365), kMidJitter, now);
  EXPECT_TRUE(step.retry);
  EXPECT_EQ(step.wait, std::chrono::hours(24 * 365));
  for (int attempt = 3; attempt < 5; ++attempt) {
    step = s.Next(attempt, std::nullopt, 999, now);
    ASSERT_TRUE(step.retry);
    EXPECT_GT(step.wait, milliseconds(0));
    EXPECT_LE(step.wait, milliseconds(std::numeric_limits<int>::max()) * 3 / 2);
  }
  // A NaN multiplier counts as 1.
  RetrySchedule nan(Options(5, 100, 1000, std::numeric_limits<double>::quiet_NaN()),
                    now + std::chrono::hours(1));
  EXPECT_EQ(nan.Next(1, std::nullopt, kMidJitter, now).wait, milliseconds(100));
  EXPECT_EQ(nan.Next(2, std::nullopt, kMidJitter, now).wait, milliseconds(100));
}

}  // namespace
}  // namespace ariadne::exporters
