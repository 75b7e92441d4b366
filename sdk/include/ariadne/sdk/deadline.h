// Deadline arithmetic that cannot overflow. A timeout from configuration (OTEL_*_TIMEOUT,
// a caller's ForceFlush/Shutdown argument) may be huge — milliseconds::max() means "no limit" to
// many callers — and `now + timeout` on steady_clock (nanoseconds in an int64) overflows for
// anything above ~292 years, which is undefined behaviour and in practice a deadline in the past.
// These helpers saturate instead: the result is at most time_point::max().
// Header-only, pure; tested by deadline_test.cc.
#ifndef ARIADNE_SDK_DEADLINE_H_
#define ARIADNE_SDK_DEADLINE_H_

#include <chrono>

namespace ariadne::sdk {

// now + timeout, saturated at Clock::time_point::max(); a negative timeout counts as zero.
template <typename Clock = std::chrono::steady_clock, typename Rep, typename Period>
typename Clock::time_point SaturatingDeadline(std::chrono::duration<Rep, Period> timeout,
                                              typename Clock::time_point now = Clock::now()) {
  using TimePoint = typename Clock::time_point;
  using Duration = typename Clock::duration;
  if (timeout <= timeout.zero()) return now;
  // Headroom left before max(), compared in the caller's units (rounded down) so that neither
  // side of the comparison is converted into a type it does not fit.
  Duration headroom = TimePoint::max() - now;
  if (timeout >= std::chrono::duration_cast<std::chrono::duration<Rep, Period>>(headroom)) {
    return TimePoint::max();
  }
  Duration d = std::chrono::duration_cast<Duration>(timeout);
  return d >= headroom ? TimePoint::max() : now + d;
}

// Time left until deadline, in milliseconds (zero when it has passed).
inline std::chrono::milliseconds TimeLeft(
    std::chrono::steady_clock::time_point deadline,
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
  if (deadline <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
}

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_DEADLINE_H_
