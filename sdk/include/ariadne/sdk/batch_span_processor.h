// BatchSpanProcessor: buffers ended spans and exports them in full batches from one background
// thread.
//
// Caller's thread (OnEnd): the span is appended to this thread's own buffer (a chunk of up to
// min(max_export_batch_size, 256) span pointers; sdk/src/thread_span_buffer.h) with plain stores;
// a full chunk is handed to the worker with one compare-and-swap, and the worker is woken once
// a batch's worth is ready — unless, under steady load, the worker set its own timer for when
// that batch is due (PredictBatch: from the arrival rate, when due within 2 ms and the queue has
// room for twice as long plus 1 ms), so the application's threads rarely make a system call; they
// still wake it when half the queue waits in handed-over chunks. Queue slots are reserved 64 at a
// time from max_queue_size, so the queue bound counts spans parked in threads' partial chunks too;
// when no slot is left the span is dropped and counted, and the worker takes every thread's parked
// spans at once — OnEnd never blocks, waits or throws (it allocates a chunk only when its thread
// has none to reuse). Spans for StartSpan are reused from the chunks the worker returns to the
// thread that filled them (TakeRecycledSpan): the worker only reads span memory. Worker: exports
// when a full batch is ready, when schedule_delay has passed since the first buffered span was seen
// (it then also takes the spans parked in every thread's partial chunk, idle threads included), on
// ForceFlush and on Shutdown (both take every thread's parked spans); batches are at most
// max_export_batch_size, so under steady load every export is full. Export calls never overlap;
// each gets a deadline of export_timeout. A thread that exits hands its parked spans over.
// Unsampled (record-only) spans are discarded, not exported. ForceFlush/Shutdown block the caller
// up to their timeout and return false when it passes, even if the exporter hangs in Export (a
// Shutdown that timed out abandons the batches not yet exported — counted as dropped_after_shutdown
// — and may be called again; the destructor waits for the worker, so the exporter must eventually
// return). Thread-safe. Tested by batch_span_processor_test.cc; measured by sdk_benchmark.cc.
#ifndef ARIADNE_SDK_BATCH_SPAN_PROCESSOR_H_
#define ARIADNE_SDK_BATCH_SPAN_PROCESSOR_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ariadne/sdk/span_processor.h"

namespace ariadne::sdk {

struct BatchSpanProcessorOptions {
  size_t max_queue_size = 2048;                     // OTEL_BSP_MAX_QUEUE_SIZE
  std::chrono::milliseconds schedule_delay{5000};   // OTEL_BSP_SCHEDULE_DELAY
  std::chrono::milliseconds export_timeout{30000};  // OTEL_BSP_EXPORT_TIMEOUT (0 = none)
  size_t max_export_batch_size = 512;               // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
};

namespace internal {
struct SpanChunk;
struct ThreadSpanBuffer;
struct ThreadBufferRegistry;
}  // namespace internal

struct BatchSpanProcessorStats {
  uint64_t enqueued = 0;  // spans handed to the worker (parked spans count once taken)
  uint64_t dropped_queue_full = 0;
  uint64_t dropped_after_shutdown = 0;
  uint64_t exported_spans = 0;  // spans in exports that succeeded
  uint64_t failed_spans = 0;    // spans in exports that failed
  uint64_t export_calls = 0;
  uint64_t producer_wakeups = 0;  // times an application thread woke the worker (a syscall)
};

class BatchSpanProcessor final : public SpanProcessor {
 public:
  BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, BatchSpanProcessorOptions options);
  ~BatchSpanProcessor() override;

  void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
  SpanData* TakeRecycledSpan() noexcept override;
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

  BatchSpanProcessorStats stats() const noexcept;
  const BatchSpanProcessorOptions& options() const noexcept { return options_; }

 private:
  using Chunk = internal::SpanChunk;
  using Buffer = internal::ThreadSpanBuffer;
  // Caller's thread.
  bool Reserve(Buffer* b) noexcept;
  void HandOver(Buffer* b, bool start_new_chunk) noexcept;
  void PushReady(Chunk* c, uint32_t spans) noexcept;
  // Wakes the worker unless a wake-up is pending; unless urgent, also unless the worker's own
  // timer will wake it when the batch is due (PredictBatch). False if mu_ was busy.
  bool TryWake(bool urgent) noexcept;
  void EnqueueAlone(std::unique_ptr<SpanData> span) noexcept;  // no buffer for this thread
  static void OnThreadExit(void* self, Buffer* b) noexcept;
  // Worker (or Shutdown after joining it).
  void TakeReady() noexcept;
  void AppendPending(Chunk* c) noexcept;
  void StealAll() noexcept;  // registry lock held
  bool AnyParked() noexcept;
  void ReturnChunks(Chunk* done) noexcept;
  void FreeOrphans() noexcept;
  void DropPending() noexcept;  // deletes the pending spans, counted as dropped after shutdown
  void Run() noexcept;
  bool PredictBatch(std::chrono::steady_clock::time_point now, size_t ready,
                    std::chrono::steady_clock::duration* due) noexcept;
  void ExportAvailable(bool drain_all) noexcept;
  void FinishShutdown() noexcept;  // joins the worker; caller holds shutdown_mu_

  std::unique_ptr<SpanExporter> exporter_;
  BatchSpanProcessorOptions options_;
  uint64_t id_;                // never reused: keys the threads' buffer caches
  uint32_t chunk_spans_ = 0;   // spans per chunk
  uint32_t reserve_step_ = 0;  // queue slots a thread reserves at once
  uint32_t return_limit_ = 0;  // spans a thread may have waiting in its return stack
  std::shared_ptr<internal::ThreadBufferRegistry> registry_;
  alignas(64) std::atomic<size_t> queued_{0};  // reserved slots: parked, ready or pending
  alignas(64) std::atomic<Chunk*> ready_{nullptr};
  std::atomic<size_t> ready_spans_{0};
  std::atomic<uint64_t> enqueued_{0};
  alignas(64) std::atomic<bool> wake_pending_{false};
  std::atomic<bool> self_waking_{false};  // the worker sleeps on a timer set for the next batch
  std::atomic<bool> has_orphans_{false};
  std::atomic<bool> queue_full_{false};  // a thread found no slot: take the parked spans now
  // Worker only: chunks taken from the ready list, oldest first; spans from pending_pos_ in the
  // first chunk on are not exported yet.
  Chunk* pending_head_ = nullptr;
  Chunk* pending_tail_ = nullptr;
  uint32_t pending_pos_ = 0;
  size_t pending_count_ = 0;
  std::chrono::steady_clock::time_point rate_since_{};  // PredictBatch's last sample
  uint64_t rate_enqueued_ = 0;
  uint64_t per_span_ = 0;  // the last arrival rate, ns per span (0 = none)
  std::atomic<uint64_t> dropped_queue_full_{0};
  std::atomic<uint64_t> dropped_after_shutdown_{0};
  std::atomic<uint64_t> exported_spans_{0};
  std::atomic<uint64_t> failed_spans_{0};
  std::atomic<uint64_t> export_calls_{0};
  std::atomic<uint64_t> producer_wakeups_{0};
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
