// Clock: wall and monotonic time behind an interface, so tests control time.
//
// Clock::Real() reads the system clocks. ManualClock only moves when a test says so; both of its
// readings advance together. Thread-safe. Tested by clock_test.cc.
#ifndef ARIADNE_BASE_CLOCK_H_
#define ARIADNE_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace ariadne {

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since the Unix epoch (wall time; may jump).
  virtual int64_t NowUnixNanos() const = 0;
  // Nanoseconds on a clock that never goes backwards (for intervals and deadlines).
  virtual int64_t MonotonicNanos() const = 0;
  // The process-wide real clock. Never destroyed.
  static Clock* Real();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t unix_nanos = 1'700'000'000'000'000'000) : now_(unix_nanos) {}
  int64_t NowUnixNanos() const override { return now_.load(std::memory_order_relaxed); }
  int64_t MonotonicNanos() const override { return now_.load(std::memory_order_relaxed); }
  void Advance(int64_t nanos) { now_.fetch_add(nanos, std::memory_order_relaxed); }
  void Set(int64_t unix_nanos) { now_.store(unix_nanos, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace ariadne

#endif  // ARIADNE_BASE_CLOCK_H_
