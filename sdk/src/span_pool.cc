#include "sdk/src/span_pool.h"

#include <algorithm>
#include <cstdint>
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
      slots_(new SpanData*[capacity_]),
      slot_bytes_(new uint32_t[capacity_]) {}

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
    bytes_ -= slot_bytes_[size_];  // not read from the span: it may be in another core's cache
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
  size_t done = 0;
  while (done < n) {
    // The spans' sizes are read before taking the lock, so that it is held only while pointers
    // are copied (an application thread that finds it busy allocates a new span).
    constexpr size_t kChunk = 64;
    uint32_t sizes[kChunk];
    size_t m = std::min(n - done, kChunk);
    for (size_t i = 0; i < m; ++i) {
      sizes[i] =
          static_cast<uint32_t>(std::min<size_t>(spans[done + i]->retained_bytes(), UINT32_MAX));
    }
    if (!LockBounded(may_yield)) return done;
    size_t k = 0;
    while (k < m && size_ < capacity_ && bytes_ + sizes[k] <= max_bytes_) {
      slots_[size_] = spans[done + k];
      slot_bytes_[size_++] = sizes[k];
      bytes_ += sizes[k++];
    }
    Unlock();
    done += k;
    if (k < m) return done;
  }
  return done;
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
