// SpanPool: recycles finished SpanData objects so that a steady stream of spans stops calling
// malloc for the span, its attribute vector and its strings (their capacity is kept).
//
// A bounded LIFO stack of pointers (capacity fixed at construction, storage allocated once)
// behind a try-lock: application threads pop in StartSpan, the processor's thread pushes after
// export, usually a whole batch under one lock (PushMany). Last in, first out, so that the spans
// reused next are the ones released last (warm in the caches) and a burst that grew the number
// of live spans does not make every later span cycle through all of them, as a FIFO did
// (docs/performance.md, SDK, 2026-12-03). Nobody waits: Pop returns nullptr when the pool is
// empty or another thread holds the lock (the caller allocates a new span); Push and PushMany
// retry a bounded number of times and then refuse (the caller deletes the spans). Owned by the
// provider's TracerSharedState; deletes what it holds on destruction. Thread-safe.
// Tested by span_pool_test.cc; reuse through the SDK by tracer_test.cc.
#ifndef ARIADNE_SDK_SRC_SPAN_POOL_H_
#define ARIADNE_SDK_SRC_SPAN_POOL_H_

#include <atomic>
#include <cstddef>
#include <memory>

namespace ariadne::sdk {

class SpanData;

class SpanPool {
 public:
  // Spans kept at most. A span keeps at most 4096 bytes of strings and 64 attribute slots (see
  // SpanData::End), so the pool pins a bounded amount of memory.
  static constexpr size_t kDefaultCapacity = 16384;

  explicit SpanPool(size_t capacity = kDefaultCapacity);
  ~SpanPool();
  SpanPool(const SpanPool&) = delete;
  SpanPool& operator=(const SpanPool&) = delete;

  // A span to reuse, or nullptr (empty, or busy this instant).
  SpanData* Pop() noexcept;
  // Takes the span, or returns false (full, or busy for too long): the caller keeps it.
  bool Push(SpanData* span) noexcept;
  // Takes spans[0, k) for the k it returns (k < n when full or busy): the caller keeps the rest.
  size_t PushMany(SpanData* const* spans, size_t n) noexcept;

  size_t capacity() const noexcept { return capacity_; }
  size_t SizeForTesting() noexcept;

 private:
  bool TryLock() noexcept;
  bool LockBounded(bool may_yield) noexcept;  // a few tries, then false
  void Unlock() noexcept { busy_.store(false, std::memory_order_release); }

  const size_t capacity_;
  std::unique_ptr<SpanData*[]> slots_;
  size_t size_ = 0;  // guarded by busy_
  std::atomic<bool> busy_{false};
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SRC_SPAN_POOL_H_
