// SpanClock: readings agree with the system clock (within a generous bound: the fast clock is
// anchored to CLOCK_REALTIME), never run backwards within a span, and the forced system mode
// and the fast mode give the same kind of timestamps.
#include "sdk/src/span_clock.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace ariadne::sdk {
namespace {

uint64_t SystemNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Drives the clock through its warm-up (the first rate needs two readings >= 10 ms apart).
void WarmUp() {
  for (int i = 0; i < 5; ++i) {
    (void)SpanClockStart();
    std::this_thread::sleep_for(std::chrono::milliseconds(12));
    (void)SpanClockStart();
  }
}

void ExpectCloseToSystemClock() {
  constexpr uint64_t kTolerance = 50'000'000;  // 50 ms: catches a wrong rate or anchor
  for (int i = 0; i < 200; ++i) {
    uint64_t before = SystemNanos();
    ClockReading r = SpanClockStart();
    uint64_t after = SystemNanos();
    EXPECT_GE(r.unix_nano + kTolerance, before);
    EXPECT_LE(r.unix_nano, after + kTolerance);
    uint64_t end = SpanClockEnd(r);
    EXPECT_GE(end, r.unix_nano);
    EXPECT_LE(end, SystemNanos() + kTolerance);
  }
}

TEST(SpanClock, FastClockAgreesWithTheSystemClock) {
  SpanClockForceSystemForTesting(false);
  WarmUp();
  ExpectCloseToSystemClock();
}

TEST(SpanClock, DurationsFollowElapsedTime) {
  SpanClockForceSystemForTesting(false);
  WarmUp();
  ClockReading start = SpanClockStart();
  uint64_t sys_start = SystemNanos();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  uint64_t sys_elapsed = SystemNanos() - sys_start;
  uint64_t elapsed = SpanClockEnd(start) - start.unix_nano;
  // At least the sleep; and not wildly more than what the system clock saw (a wrong tick rate
  // would be off by a large factor).
  EXPECT_GE(elapsed, 29'000'000u);
  EXPECT_LE(elapsed, 2 * sys_elapsed + 10'000'000);
}

TEST(SpanClock, ForcedSystemModeReadsTheWallClock) {
  SpanClockForceSystemForTesting(true);
  EXPECT_FALSE(SpanClockUsesTsc());
  ClockReading r = SpanClockStart();
  EXPECT_EQ(r.ticks, 0u);
  ExpectCloseToSystemClock();
  SpanClockForceSystemForTesting(false);
}

TEST(SpanClock, ATscThatMovedBackIsReanchoredAtOnce) {
  SpanClockForceSystemForTesting(false);
  WarmUp();
  if (!SpanClockUsesTsc()) GTEST_SKIP() << "no usable TSC on this machine";
  // As after a VM snapshot restore: the TSC now reads ~50 s (at 2 GHz) behind the anchor.
  SpanClockMoveAnchorForTesting(100'000'000'000ull);
  ExpectCloseToSystemClock();  // without the check, readings would be ~50 s in the past
  EXPECT_TRUE(SpanClockUsesTsc());
}

TEST(SpanClock, TscBasedClocksources) {
  EXPECT_TRUE(ClocksourceIsTscBased("tsc"));
  EXPECT_TRUE(ClocksourceIsTscBased("kvm-clock"));  // a KVM guest's clock scales the TSC
  EXPECT_FALSE(ClocksourceIsTscBased("hpet"));
  EXPECT_FALSE(ClocksourceIsTscBased("acpi_pm"));
  EXPECT_FALSE(ClocksourceIsTscBased("xen"));
  EXPECT_FALSE(ClocksourceIsTscBased("tsc-early"));
  EXPECT_FALSE(ClocksourceIsTscBased(""));
}

TEST(SpanClock, ManyThreadsReadConsistently) {
  SpanClockForceSystemForTesting(false);
  WarmUp();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 20000; ++i) {
        ClockReading r = SpanClockStart();
        uint64_t end = SpanClockEnd(r);
        if (end < r.unix_nano) ADD_FAILURE() << "end before start";
      }
    });
  }
  for (auto& th : threads) th.join();
  ExpectCloseToSystemClock();
}

}  // namespace
}  // namespace ariadne::sdk
