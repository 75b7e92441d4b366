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

SpanPool::SpanPool(size_t capacity)
    : capacity_(std::max<size_t>(capacity, 1)), slots_(new SpanData*[capacity_]) {}

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
  SpanData* span = size_ > 0 ? slots_[--size_] : nullptr;
  Unlock();
  return span;
}

bool SpanPool::Push(SpanData* span) noexcept {
  if (!LockBounded(false)) return false;
  bool taken = size_ < capacity_;
  if (taken) slots_[size_++] = span;
  Unlock();
  return taken;
}

size_t SpanPool::PushMany(SpanData* const* spans, size_t n) noexcept {
  if (n == 0 || !LockBounded(true)) return 0;
  size_t k = std::min(n, capacity_ - size_);
  std::copy(spans, spans + k, slots_.get() + size_);
  size_ += k;
  Unlock();
  return k;
}

size_t SpanPool::SizeForTesting() noexcept {
  while (!TryLock()) std::this_thread::yield();
  size_t n = size_;
  Unlock();
  return n;
}

}  // namespace ariadne::sdk
