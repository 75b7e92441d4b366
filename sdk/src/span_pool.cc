#include "sdk/src/span_pool.h"

#include "ariadne/sdk/span_data.h"

namespace ariadne::sdk {

SpanPool::SpanPool(size_t capacity_pow2)
    : mask_(capacity_pow2 - 1), cells_(std::make_unique<Cell[]>(capacity_pow2)) {
  for (size_t i = 0; i < capacity_pow2; ++i) {
    cells_[i].sequence.store(i, std::memory_order_relaxed);
    cells_[i].span = nullptr;
  }
}

SpanPool::~SpanPool() {
  while (SpanData* s = Pop()) delete s;
}

bool SpanPool::Push(SpanData* span) noexcept {
  size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
  for (;;) {
    Cell& cell = cells_[pos & mask_];
    size_t seq = cell.sequence.load(std::memory_order_acquire);
    intptr_t dif = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
    if (dif == 0) {
      if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        cell.span = span;
        cell.sequence.store(pos + 1, std::memory_order_release);
        return true;
      }
    } else if (dif < 0) {
      return false;
    } else {
      pos = enqueue_pos_.load(std::memory_order_relaxed);
    }
  }
}

SpanData* SpanPool::Pop() noexcept {
  size_t pos = dequeue_pos_.load(std::memory_order_relaxed);
  for (;;) {
    Cell& cell = cells_[pos & mask_];
    size_t seq = cell.sequence.load(std::memory_order_acquire);
    intptr_t dif = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos + 1);
    if (dif == 0) {
      if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        SpanData* s = cell.span;
        cell.sequence.store(pos + mask_ + 1, std::memory_order_release);
        return s;
      }
    } else if (dif < 0) {
      return nullptr;
    } else {
      pos = dequeue_pos_.load(std::memory_order_relaxed);
    }
  }
}

}  // namespace ariadne::sdk
