// BatchSpanProcessor: buffers ended spans and exports them in full batches from one background
// thread.
//
// Caller's thread (OnEnd): one push into a bounded lock-free ring (Vyukov; many producers, one
// consumer: the worker) of max_queue_size slots allocated at construction; when the ring is full
// the span is dropped and counted — it never blocks, waits, or allocates. When the queue reaches
// max_export_batch_size the worker is notified (at most once per wake-up, without taking a lock;
// producers look at the queue's length every few pushes, the worker also polls every 20 ms).
// Worker: exports when the queue holds a full batch, when schedule_delay has passed since the
// last export, on ForceFlush and on Shutdown; batches are at most max_export_batch_size, so under
// steady load every export is full. Export calls never overlap; each gets a deadline of
// export_timeout. Unsampled (record-only) spans are discarded, not exported.
// ForceFlush/Shutdown block the caller up to their timeout and return false when it passes, even
// if the exporter hangs in Export (a Shutdown that timed out abandons the batches not yet
// exported — counted as dropped_after_shutdown — and may be called again; the destructor waits
// for the worker, so the exporter must eventually return). Thread-safe.
// Tested by batch_span_processor_test.cc; measured by sdk_benchmark.cc.
#ifndef ARIADNE_SDK_BATCH_SPAN_PROCESSOR_H_
#define ARIADNE_SDK_BATCH_SPAN_PROCESSOR_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "ariadne/sdk/span_processor.h"

namespace ariadne::sdk {

struct BatchSpanProcessorOptions {
  size_t max_queue_size = 2048;                     // OTEL_BSP_MAX_QUEUE_SIZE
  std::chrono::milliseconds schedule_delay{5000};   // OTEL_BSP_SCHEDULE_DELAY
  std::chrono::milliseconds export_timeout{30000};  // OTEL_BSP_EXPORT_TIMEOUT (0 = none)
  size_t max_export_batch_size = 512;               // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
};

struct BatchSpanProcessorStats {
  uint64_t enqueued = 0;  // spans accepted into the queue
  uint64_t dropped_queue_full = 0;
  uint64_t dropped_after_shutdown = 0;
  uint64_t exported_spans = 0;  // spans in exports that succeeded
  uint64_t failed_spans = 0;    // spans in exports that failed
  uint64_t export_calls = 0;
};

class BatchSpanProcessor final : public SpanProcessor {
 public:
  BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, BatchSpanProcessorOptions options);
  ~BatchSpanProcessor() override;

  void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

  BatchSpanProcessorStats stats() const noexcept;
  const BatchSpanProcessorOptions& options() const noexcept { return options_; }

 private:
  struct Cell {
    std::atomic<size_t> sequence;
    SpanData* span;
  };
  bool TryPush(SpanData* span, size_t* pushed_at) noexcept;
  SpanData* TryPop() noexcept;
  size_t ApproxSize() const noexcept;
  void Run() noexcept;
  void ExportAvailable(bool drain_all) noexcept;
  void FinishShutdown() noexcept;  // joins the worker; caller holds shutdown_mu_

  std::unique_ptr<SpanExporter> exporter_;
  BatchSpanProcessorOptions options_;
  size_t capacity_mask_ = 0;
  bool exact_capacity_ = false;  // ring size == max_queue_size
  size_t wake_check_mask_ = 0;   // producers check the batch threshold every mask+1 pushes
  std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<size_t> enqueue_pos_{0};
  alignas(64) std::atomic<size_t> dequeue_pos_{0};
  alignas(64) std::atomic<bool> wake_pending_{false};
  std::atomic<uint64_t> dropped_queue_full_{0};
  std::atomic<uint64_t> dropped_after_shutdown_{0};
  std::atomic<uint64_t> exported_spans_{0};
  std::atomic<uint64_t> failed_spans_{0};
  std::atomic<uint64_t> export_calls_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> shut_down_{false};
  std::atomic<bool> abandon_{false};  // a Shutdown timed out: export no further batch

  std::mutex mu_;
  std::condition_variable wake_cv_;
  std::condition_variable flush_cv_;
  uint64_t flush_requested_ = 0;  // guarded by mu_
  uint64_t flush_done_ = 0;       // guarded by mu_
  bool worker_exited_ = false;    // guarded by mu_
  std::mutex shutdown_mu_;
  bool finished_ = false;  // guarded by shutdown_mu_: worker joined, exporter shut down
  std::thread worker_;
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_BATCH_SPAN_PROCESSOR_H_
