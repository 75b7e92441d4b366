#include "sdk/src/span_pool.h"

#include <algorithm>
#include <thread>

#include "ariadne/sdk/span_data.h"

namespace ariadne::sdk {
namespace {
// Push retries: the lock is held for a few nanoseconds (one pop, or a copy of at most 64
// pointers). PushMany (the export thread) also yields a few times to a holder that was preempted;
// Push (possibly an application thread) only spins briefly, then refuses.
constexpr int kSpinTries = 64;
constexpr int kYieldTries = 16;
}  // namespace

SpanPool::SpanPool(size_t capacity, size_t max_bytes)
    : capacity_(std::max<size_t>(capacity, 1)),
      max_bytes_(max_bytes),
      slots_(new SpanData*[capacity_]) {}

SpanPool::~SpanPool() {
  for (size_t i = 0; i < size_; ++i) delete slots_[i];
}

bool SpanPool::TryLock() noexcept {
  return !busy_.load(std::memory_order_relaxed) && !busy_.exchange(true, std::memory_order_acquire);
}

bool SpanPool::LockBounded(bool may_yield) noexcept {
  for (int i = 0; i < kSpinTries; ++i) {
    if (TryLock()) return true;
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
  for (int i = 0; may_yield && i < kYieldTries; ++i) {
    std::this_thread::yield();
    if (TryLock()) return true;
  }
  return false;
}

SpanData* SpanPool::Pop() noexcept {
  if (!TryLock()) return nullptr;
  SpanData* span = nullptr;
  if (size_ > 0) {
    span = slots_[--size_];
    bytes_ -= span->retained_bytes();
  }
  Unlock();
  return span;
}

bool SpanPool::Push(SpanData* span) noexcept {
  return PushLocked(&span, 1, /*may_yield=*/false) == 1;
}

size_t SpanPool::PushMany(SpanData* const* spans, size_t n) noexcept {
  return PushLocked(spans, n, /*may_yield=*/true);
}

size_t SpanPool::PushLocked(SpanData* const* spans, size_t n, bool may_yield) noexcept {
  if (n == 0 || !LockBounded(may_yield)) return 0;
  size_t k = 0;
  while (k < n && size_ < capacity_) {
    size_t b = spans[k]->retained_bytes();
    if (bytes_ + b > max_bytes_) break;
    slots_[size_++] = spans[k++];
    bytes_ += b;
  }
  Unlock();
  return k;
}

size_t SpanPool::BytesForTesting() noexcept {
  while (!TryLock()) std::this_thread::yield();
  size_t n = bytes_;
  Unlock();
  return n;
}

size_t SpanPool::SizeForTesting() noexcept {
  while (!TryLock()) std::this_thread::yield();
  size_t n = size_;
  Unlock();
  return n;
}

}  // namespace ariadne::sdk
