#include "ariadne/sdk/batch_span_processor.h"

#include <algorithm>
#include <vector>

#include "ariadne/sdk/deadline.h"

namespace ariadne::sdk {
namespace {
// Bounds how long a lost (lock-free) wake-up can delay an export of a full batch.
constexpr std::chrono::milliseconds kMaxSleepSlice{20};

size_t RoundUpPow2(size_t n) {
  size_t p = 2;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                       BatchSpanProcessorOptions options)
    : exporter_(std::move(exporter)), options_(options) {
  if (options_.max_queue_size == 0) options_.max_queue_size = 2048;
  if (options_.max_export_batch_size == 0) options_.max_export_batch_size = 512;
  options_.max_export_batch_size =
      std::min(options_.max_export_batch_size, options_.max_queue_size);
  size_t cap = RoundUpPow2(options_.max_queue_size);
  capacity_mask_ = cap - 1;
  // With a power-of-two size the ring's own sequence numbers bound the queue; otherwise the
  // producer also checks the distance to the consumer.
  exact_capacity_ = cap == options_.max_queue_size;
  size_t every = 1;
  while (every * 2 <= options_.max_export_batch_size / 2 && every < 64) every *= 2;
  wake_check_mask_ = every - 1;
  cells_ = std::make_unique<Cell[]>(cap);
  for (size_t i = 0; i < cap; ++i) {
    cells_[i].sequence.store(i, std::memory_order_relaxed);
    cells_[i].span = nullptr;
  }
  worker_ = std::thread([this] { Run(); });
}

BatchSpanProcessor::~BatchSpanProcessor() {
  // export_timeout 0 means "no limit", not "abandon the queue at once".
  Shutdown(options_.export_timeout.count() > 0 ? options_.export_timeout
                                               : std::chrono::milliseconds::max());
  // If that timed out (an exporter overran its deadline), the worker still uses this object:
  // wait for it, however long, rather than free what it is using.
  std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
  FinishShutdown();
}

size_t BatchSpanProcessor::ApproxSize() const noexcept {
  size_t tail = enqueue_pos_.load(std::memory_order_relaxed);
  size_t head = dequeue_pos_.load(std::memory_order_relaxed);
  return tail >= head ? tail - head : 0;
}

bool BatchSpanProcessor::TryPush(SpanData* span, size_t* pushed_at) noexcept {
  size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
  for (;;) {
    if (!exact_capacity_ &&
        pos - dequeue_pos_.load(std::memory_order_relaxed) >= options_.max_queue_size) {
      return false;
    }
    Cell& cell = cells_[pos & capacity_mask_];
    size_t seq = cell.sequence.load(std::memory_order_acquire);
    intptr_t dif = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
    if (dif == 0) {
      if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        cell.span = span;
        cell.sequence.store(pos + 1, std::memory_order_release);
        *pushed_at = pos;
        return true;
      }
    } else if (dif < 0) {
      return false;  // full
    } else {
      pos = enqueue_pos_.load(std::memory_order_relaxed);
    }
  }
}

// Single consumer (the worker, or Shutdown after joining it): no compare-and-swap needed.
SpanData* BatchSpanProcessor::TryPop() noexcept {
  size_t pos = dequeue_pos_.load(std::memory_order_relaxed);
  Cell& cell = cells_[pos & capacity_mask_];
  if (cell.sequence.load(std::memory_order_acquire) != pos + 1) return nullptr;  // empty
  SpanData* span = cell.span;
  cell.sequence.store(pos + capacity_mask_ + 1, std::memory_order_release);
  dequeue_pos_.store(pos + 1, std::memory_order_release);
  return span;
}

void BatchSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
  if (!span->context.IsSampled()) {  // record-only spans are not exported
    ReleaseSpan(std::move(span));
    return;
  }
  if (shut_down_.load(std::memory_order_relaxed)) {
    dropped_after_shutdown_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  size_t pos = 0;
  if (!TryPush(span.get(), &pos)) {
    dropped_queue_full_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  span.release();
  // Look at the consumer's position (another core's cache line) only every few pushes.
  if ((pos & wake_check_mask_) == wake_check_mask_ &&
      ApproxSize() >= options_.max_export_batch_size &&
      !wake_pending_.load(std::memory_order_relaxed)) {
    // try_lock, never lock: holding mu_ for the exchange means the worker is either before its
    // size check (it will see the full batch) or inside wait (it gets this notify), so the wake-up
    // cannot be lost. If mu_ is busy, the next check (a few pushes later) tries again.
    if (mu_.try_lock()) {
      bool was_pending = wake_pending_.exchange(true, std::memory_order_acq_rel);
      mu_.unlock();
      if (!was_pending) wake_cv_.notify_one();
    }
  }
}

void BatchSpanProcessor::ExportAvailable(bool drain_all) noexcept {
  std::vector<std::unique_ptr<SpanData>> batch;
  try {
    batch.reserve(options_.max_export_batch_size);
  } catch (...) {
  }
  do {
    // A Shutdown that timed out gave up on the rest; FinishShutdown counts what is left.
    if (abandon_.load(std::memory_order_acquire)) return;
    batch.clear();
    while (batch.size() < options_.max_export_batch_size) {
      SpanData* s = TryPop();
      if (s == nullptr) break;
      batch.emplace_back(s);
    }
    if (batch.empty()) return;
    Deadline deadline = options_.export_timeout.count() > 0
                            ? SaturatingDeadline(options_.export_timeout)
                            : Deadline::max();
    ExportResult r = exporter_ ? exporter_->Export(batch, deadline) : ExportResult::kSuccess;
    export_calls_.fetch_add(1, std::memory_order_relaxed);
    (r == ExportResult::kSuccess ? exported_spans_ : failed_spans_)
        .fetch_add(batch.size(), std::memory_order_relaxed);
    for (auto& s : batch) ReleaseSpan(std::move(s));
  } while (drain_all || ApproxSize() >= options_.max_export_batch_size);
}

void BatchSpanProcessor::Run() noexcept {
  using Clock = std::chrono::steady_clock;
  auto last_export = Clock::now();
  for (;;) {
    uint64_t flush_target = 0;
    bool stopping = false, flushing = false, timer_due = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        wake_pending_.store(false, std::memory_order_release);  // before the checks (see OnEnd)
        stopping = stopping_.load(std::memory_order_acquire);
        flush_target = flush_requested_;
        flushing = flush_target > flush_done_;
        size_t size = ApproxSize();
        auto now = Clock::now();
        if (size == 0) last_export = now;  // the delay counts from the first buffered span
        timer_due = size > 0 && now - last_export >= options_.schedule_delay;
        if (stopping || flushing || timer_due || size >= options_.max_export_batch_size) break;
        auto until_due = options_.schedule_delay - (now - last_export);
        auto slice = std::min<Clock::duration>(until_due, kMaxSleepSlice);
        wake_cv_.wait_for(lock, slice);
      }
    }
    // Full batches only, unless the timer is due or a flush or stop asks for everything.
    ExportAvailable(stopping || flushing || timer_due);
    last_export = Clock::now();
    if (flushing || stopping) {
      std::lock_guard<std::mutex> lock(mu_);
      flush_done_ = stopping ? flush_requested_ : std::max(flush_done_, flush_target);
      if (stopping) worker_exited_ = true;
      flush_cv_.notify_all();
    }
    if (stopping) return;
  }
}

bool BatchSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  if (shut_down_.load()) return true;
  Deadline deadline = SaturatingDeadline(timeout);
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = ++flush_requested_;
  wake_cv_.notify_one();
  // wait_until, not wait_for: the caller's timeout may be milliseconds::max().
  bool done = flush_cv_.wait_until(lock, deadline, [&] { return flush_done_ >= target; });
  if (done && exporter_) {
    lock.unlock();
    return exporter_->ForceFlush(TimeLeft(deadline));  // what is left of the caller's budget
  }
  return done;
}

bool BatchSpanProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
  Deadline deadline = SaturatingDeadline(timeout);
  std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
  if (finished_) return true;
  shut_down_.store(true);
  {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_.store(true, std::memory_order_release);
    wake_cv_.notify_one();
    // The worker exports what is queued, then exits. An exporter that hangs past its deadline
    // must not hang the caller: give up at the timeout, tell the worker to export no further
    // batch, and report failure. The destructor waits for the worker.
    if (!flush_cv_.wait_until(lock, deadline, [&] { return worker_exited_; })) {
      abandon_.store(true, std::memory_order_release);
      return false;
    }
  }
  FinishShutdown();
  return true;
}

void BatchSpanProcessor::FinishShutdown() noexcept {
  if (finished_) return;
  if (worker_.joinable()) worker_.join();
  // Spans that raced with shutdown, or that a timed-out Shutdown abandoned: delete them.
  while (SpanData* s = TryPop()) {
    delete s;
    dropped_after_shutdown_.fetch_add(1, std::memory_order_relaxed);
  }
  if (exporter_) exporter_->Shutdown();
  finished_ = true;
}

BatchSpanProcessorStats BatchSpanProcessor::stats() const noexcept {
  BatchSpanProcessorStats s;
  s.enqueued = enqueue_pos_.load();
  s.dropped_queue_full = dropped_queue_full_.load();
  s.dropped_after_shutdown = dropped_after_shutdown_.load();
  s.exported_spans = exported_spans_.load();
  s.failed_spans = failed_spans_.load();
  s.export_calls = export_calls_.load();
  return s;
}

}  // namespace ariadne::sdk
