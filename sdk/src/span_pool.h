// SpanPool: recycles finished SpanData objects so that a steady stream of spans stops calling
// malloc for the span and its attribute buffer (their capacity is kept).
// A bounded lock-free MPMC ring (Vyukov) of pointers: processors push after export, application
// threads pop in StartSpan; when empty a new SpanData is allocated, when full the span is
// deleted. With the BatchSpanProcessor this is only the fallback: exported spans go back to the
// thread that ended them (thread_span_buffer.h), and only the excess, stolen spans and those of
// exited threads come here. Owned by the provider's TracerSharedState; deletes what it holds on
// destruction. Thread-safe. Covered by tracer_test.cc (reuse) and batch_span_processor_test.cc.
#ifndef ARIADNE_SDK_SRC_SPAN_POOL_H_
#define ARIADNE_SDK_SRC_SPAN_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace ariadne::sdk {

class SpanData;

class SpanPool {
 public:
  explicit SpanPool(size_t capacity_pow2 = 4096);
  ~SpanPool();
  SpanPool(const SpanPool&) = delete;
  SpanPool& operator=(const SpanPool&) = delete;

  bool Push(SpanData* span) noexcept;
  SpanData* Pop() noexcept;

 private:
  struct Cell {
    std::atomic<size_t> sequence;
    SpanData* span;
  };
  size_t mask_;
  std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<size_t> enqueue_pos_{0};
  alignas(64) std::atomic<size_t> dequeue_pos_{0};
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SRC_SPAN_POOL_H_
