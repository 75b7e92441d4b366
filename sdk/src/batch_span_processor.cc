#include "ariadne/sdk/batch_span_processor.h"

#include <algorithm>
#include <new>
#include <vector>

#include "ariadne/sdk/deadline.h"
#include "sdk/src/thread_span_buffer.h"

namespace ariadne::sdk {
namespace {
// Bounds how long a lost (lock-free) wake-up can delay an export of a full batch, and how late
// the worker notices the first span parked in an idle thread's buffer.
constexpr std::chrono::milliseconds kMaxSleepSlice{20};
// Under steady load the worker sleeps until the next batch should be ready rather than have a
// caller wake it (a futex wake costs the application's thread microseconds in a VM): only when
// that batch is due within this time, and the queue has room for twice as long plus
// kTimerLateness (a small queue filled fast, such as the default 2048 spans at millions of spans
// a second, keeps producer wake-ups: they come as soon as a batch is ready).
constexpr std::chrono::microseconds kMaxSelfWake{2000};
// How late a timed wake-up may come: the default 50 µs timer slack plus scheduling, which on a
// VM now and then takes most of a millisecond.
constexpr std::chrono::microseconds kTimerLateness{1000};
// Arrival rates are measured over at least this long.
constexpr std::chrono::microseconds kMinRateWindow{20};
// Queue slots a thread reserves at once: one atomic per this many spans, and at most this many
// slots per thread held but unused.
constexpr uint32_t kReserveStep = 64;
// Empty chunk shells a thread keeps.
constexpr uint32_t kMaxSpareChunks = 2;

std::atomic<uint64_t> g_next_processor_id{1};

using internal::GenOf;
using internal::IndexOf;
using internal::kSealedBit;
using internal::PackGen;
using internal::SpanChunk;
using internal::ThreadBufferRegistry;
using internal::ThreadSpanBuffer;

void ReleaseRaw(SpanData* s) noexcept { ReleaseSpan(std::unique_ptr<SpanData>(s)); }

// Frees a list of chunks linked through `next` and the spans [begin, end) they hold.
void ReleaseChunkList(SpanChunk* c) noexcept {
  while (c != nullptr) {
    SpanChunk* next = c->next;
    for (uint32_t i = c->begin; i < c->end; ++i) ReleaseRaw(c->spans[i]);
    delete c;
    c = next;
  }
}
}  // namespace

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                       BatchSpanProcessorOptions options)
    : exporter_(std::move(exporter)),
      options_(options),
      id_(g_next_processor_id.fetch_add(1, std::memory_order_relaxed)),
      registry_(std::make_shared<ThreadBufferRegistry>()) {
  if (options_.max_queue_size == 0) options_.max_queue_size = 2048;
  if (options_.max_export_batch_size == 0) options_.max_export_batch_size = 512;
  options_.max_export_batch_size =
      std::min(options_.max_export_batch_size, options_.max_queue_size);
  chunk_spans_ = static_cast<uint32_t>(
      std::min<size_t>(options_.max_export_batch_size, internal::kMaxChunkSpans));
  reserve_step_ = std::min(chunk_spans_, kReserveStep);
  // A worker that woke on its own timer may export two batches at once (PredictBatch).
  return_limit_ = 2 * static_cast<uint32_t>(options_.max_export_batch_size) + chunk_spans_;
  registry_->owner = this;
  registry_->on_thread_exit = &BatchSpanProcessor::OnThreadExit;
  worker_ = std::thread([this] { Run(); });
}

BatchSpanProcessor::~BatchSpanProcessor() {
  // export_timeout 0 means "no limit", not "abandon the queue at once".
  Shutdown(options_.export_timeout.count() > 0 ? options_.export_timeout
                                               : std::chrono::milliseconds::max());
  // If that timed out (an exporter overran its deadline), the worker still uses this object:
  // wait for it, however long, rather than free what it is using.
  {
    std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
    FinishShutdown();
  }
  // Threads that still exist keep their buffers until now: free them. Spans ended after the
  // final drain are counted as dropped after shutdown. No span may end concurrently (the
  // provider, which owns this processor, must outlive its spans).
  TakeReady();  // chunks of threads that exited after the final drain
  DropPending();
  std::lock_guard<std::mutex> lock(registry_->mu);
  for (ThreadSpanBuffer* b : registry_->buffers) {
    if (!b->orphaned && b->chunk != nullptr) {
      uint64_t taken = b->taken.load(std::memory_order_acquire);
      uint32_t from = (taken & kSealedBit) ? b->count : IndexOf(taken);
      for (uint32_t i = from; i < b->count; ++i) {
        delete b->chunk->spans[i];
        dropped_after_shutdown_.fetch_add(1, std::memory_order_relaxed);
      }
      delete b->chunk;
    }
    for (uint32_t i = 0; i < b->loose_count; ++i) delete b->loose[i];
    if (b->recycling != nullptr) {
      b->recycling->end = b->recycling_pos;  // [begin, pos) are unused
      b->recycling->next = nullptr;
      ReleaseChunkList(b->recycling);
    }
    ReleaseChunkList(b->returned_local);
    ReleaseChunkList(b->returned.exchange(nullptr));
    ReleaseChunkList(b->spare);
    delete b;
  }
  registry_->buffers.clear();
  registry_->owner = nullptr;
}

// ---- Caller's thread ----

// Reserves queue slots for the buffer's next spans; false when the queue is full.
bool BatchSpanProcessor::Reserve(Buffer* b) noexcept {
  size_t want = std::min<size_t>(reserve_step_, chunk_spans_ - b->count);
  size_t cur = queued_.load(std::memory_order_relaxed);
  size_t got = 0;
  do {
    if (cur >= options_.max_queue_size) return false;
    got = std::min(want, options_.max_queue_size - cur);
  } while (!queued_.compare_exchange_weak(cur, cur + got, std::memory_order_relaxed));
  b->reserved_left = static_cast<uint32_t>(got);
  b->short_reservation = got < want;
  return true;
}

bool BatchSpanProcessor::TryWake(bool urgent) noexcept {
  if (wake_pending_.load(std::memory_order_relaxed)) return true;
  // The worker set a timer for when this batch is due: no need to wake it unless urgent.
  // seq_cst, as PushReady's add and the worker's clearing store and read of ready_spans_: either
  // the worker sees the spans this thread just pushed or this thread sees it awake (on x86 a
  // plain load, and the locked add it already was).
  if (!urgent && self_waking_.load(std::memory_order_seq_cst)) return true;
  // try_lock, never lock: holding mu_ for the exchange means the worker is either before its
  // checks (it will see the ready spans) or inside wait (it gets this notify), so the wake-up
  // cannot be lost. If mu_ is busy, the caller's next span tries again.
  if (!mu_.try_lock()) return false;
  bool was_pending = wake_pending_.exchange(true, std::memory_order_acq_rel);
  mu_.unlock();
  if (!was_pending) {
    wake_cv_.notify_one();
    producer_wakeups_.fetch_add(1, std::memory_order_relaxed);
  }
  return true;
}

void BatchSpanProcessor::PushReady(Chunk* c, uint32_t spans) noexcept {
  Chunk* head = ready_.load(std::memory_order_relaxed);
  do {
    c->next = head;
  } while (
      !ready_.compare_exchange_weak(head, c, std::memory_order_release, std::memory_order_relaxed));
  enqueued_.fetch_add(spans, std::memory_order_relaxed);
  ready_spans_.fetch_add(spans, std::memory_order_seq_cst);  // see TryWake
}

// Seals the current chunk (a steal can no longer take from it) and hands over what the export
// thread has not stolen; then starts a new chunk unless the thread is exiting.
void BatchSpanProcessor::HandOver(Buffer* b, bool start_new_chunk) noexcept {
  Chunk* c = b->chunk;
  uint64_t prev = b->taken.exchange(PackGen(b->generation, kSealedBit), std::memory_order_acq_rel);
  uint32_t from = IndexOf(prev);
  // The chunk goes to the worker even when a steal took every span: the worker may still be
  // copying the stolen pointers out of it, so this thread must not write to it again until the
  // worker returns it.
  c->owner = b;
  c->begin = from;
  c->end = b->count;
  size_t before = ready_spans_.load(std::memory_order_relaxed);
  PushReady(c, b->count - from);
  // Wake the worker once a batch is ready, and whatever its timer says when half the queue waits
  // in handed-over chunks or the queue is nearly full.
  size_t after = before + (b->count - from);
  bool urgent = b->short_reservation || after >= options_.max_queue_size / 2;
  bool wake = from < b->count && (after >= options_.max_export_batch_size || urgent);
  b->chunk = nullptr;
  b->count = 0;
  ++b->generation;
  if (start_new_chunk) {
    Chunk* shell = b->spare;
    if (shell != nullptr) {
      b->spare = shell->next;
      --b->spare_count;
    } else {
      shell = new (std::nothrow) Chunk;
    }
    b->chunk = shell;
  }
  // Order matters for StealAll: current, then taken, then published.
  b->current.store(b->chunk, std::memory_order_release);
  b->taken.store(PackGen(b->generation, 0), std::memory_order_release);
  b->published.store(PackGen(b->generation, 0), std::memory_order_release);
  if (wake || b->wake_owed) b->wake_owed = !TryWake(urgent || b->wake_owed);
}

// A span of a thread without a buffer (out of memory, or ended by a thread_local destructor
// after the thread's exit hook ran): a chunk of its own.
void BatchSpanProcessor::EnqueueAlone(std::unique_ptr<SpanData> span) noexcept {
  size_t cur = queued_.load(std::memory_order_relaxed);
  do {
    if (cur >= options_.max_queue_size) {
      dropped_queue_full_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  } while (!queued_.compare_exchange_weak(cur, cur + 1, std::memory_order_relaxed));
  auto* c = new (std::nothrow) Chunk;
  if (c == nullptr) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    dropped_queue_full_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  c->owner = nullptr;
  c->begin = 0;
  c->end = 1;
  c->spans[0] = span.release();
  PushReady(c, 1);
  TryWake(false);
}

void BatchSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
  if (!span->context.IsSampled()) {  // record-only spans are not exported
    Buffer* b = internal::ThisThreadBuffer(id_, registry_);
    if (b != nullptr && span->recyclable() && b->loose_count < internal::kMaxLooseSpans) {
      b->loose[b->loose_count++] = span.release();
    } else {
      ReleaseSpan(std::move(span));
    }
    return;
  }
  if (shut_down_.load(std::memory_order_relaxed)) {
    dropped_after_shutdown_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Buffer* b = internal::ThisThreadBuffer(id_, registry_);
  if (b == nullptr) return EnqueueAlone(std::move(span));
  if (b->chunk == nullptr) {  // first span, or no memory for a chunk last time
    b->chunk = new (std::nothrow) Chunk;
    if (b->chunk == nullptr) return EnqueueAlone(std::move(span));
    b->current.store(b->chunk, std::memory_order_release);
    b->taken.store(PackGen(b->generation, 0), std::memory_order_release);
    b->published.store(PackGen(b->generation, 0), std::memory_order_release);
  }
  if (b->wake_owed) b->wake_owed = !TryWake(true);
  if (b->reserved_left == 0 && !Reserve(b)) {
    // The queue is full: make what this thread parked visible to the worker, drop this span,
    // and have the worker take every thread's parked spans now (with many threads, their
    // partial chunks may hold most of the queue while no full batch is ready).
    if (b->count > 0) HandOver(b, true);
    dropped_queue_full_.fetch_add(1, std::memory_order_relaxed);
    if (!queue_full_.load(std::memory_order_relaxed)) {
      queue_full_.store(true, std::memory_order_relaxed);
      b->wake_owed = !TryWake(true);
    }
    return;
  }
  --b->reserved_left;
  b->chunk->spans[b->count++] = span.release();
  b->published.store(PackGen(b->generation, b->count), std::memory_order_release);
  if (b->count == chunk_spans_ || (b->reserved_left == 0 && b->short_reservation)) {
    HandOver(b, true);
  }
}

SpanData* BatchSpanProcessor::TakeRecycledSpan() noexcept {
  Buffer* b = internal::ThisThreadBuffer(id_, registry_);
  if (b == nullptr) return nullptr;
  if (b->loose_count > 0) return b->loose[--b->loose_count];
  for (;;) {
    if (Chunk* r = b->recycling) {
      while (b->recycling_pos > r->begin) {  // the span ended last first: likeliest in cache
        SpanData* s = r->spans[--b->recycling_pos];
        // The next spans' memory left this core's L2 while they waited for export (about a
        // thousand spans circulate per thread): prefetch it a few spans ahead of its use, in
        // stages, since each stage reads pointers the previous one fetched.
        uint32_t pos = b->recycling_pos;
        if (pos > r->begin + 2) r->spans[pos - 3]->PrefetchAttributes();
        if (pos > r->begin + 5) r->spans[pos - 6]->PrefetchObject();
        if (s->recyclable()) return s;
        delete s;
      }
      b->recycling = nullptr;
      if (b->spare_count < kMaxSpareChunks) {
        r->begin = r->end = 0;  // an empty shell: its spans are in use again
        r->next = b->spare;
        b->spare = r;
        ++b->spare_count;
      } else {
        delete r;
      }
    }
    if (b->returned_local == nullptr) {
      // Read the return stack (a line the export thread writes) only when out of spans.
      if (b->returned.load(std::memory_order_relaxed) == nullptr) return nullptr;
      b->returned_local = b->returned.exchange(nullptr, std::memory_order_acquire);
    }
    b->recycling = b->returned_local;
    b->returned_local = b->recycling->next;
    b->recycling_pos = b->recycling->end;
    b->returned_spans.fetch_sub(b->recycling->end - b->recycling->begin, std::memory_order_relaxed);
  }
}

// Called with the registry's lock held, on the exiting thread: hands over the parked spans,
// gives back the unused queue slots, frees the spans kept for reuse. The worker frees the buffer
// itself once no chunk in flight points to it (FreeOrphans).
void BatchSpanProcessor::OnThreadExit(void* self, Buffer* b) noexcept {
  auto* p = static_cast<BatchSpanProcessor*>(self);
  if (b->chunk != nullptr) {
    if (b->count > 0) {
      p->HandOver(b, false);
    } else {
      delete b->chunk;
      b->chunk = nullptr;
      b->current.store(nullptr, std::memory_order_release);
    }
  }
  p->queued_.fetch_sub(b->reserved_left, std::memory_order_relaxed);
  b->reserved_left = 0;
  for (uint32_t i = 0; i < b->loose_count; ++i) ReleaseRaw(b->loose[i]);
  b->loose_count = 0;
  if (b->recycling != nullptr) {
    b->recycling->end = b->recycling_pos;  // [begin, pos) are unused
    b->recycling->next = nullptr;
    ReleaseChunkList(b->recycling);
    b->recycling = nullptr;
  }
  ReleaseChunkList(b->returned_local);
  b->returned_local = nullptr;
  ReleaseChunkList(b->returned.exchange(nullptr, std::memory_order_acquire));
  ReleaseChunkList(b->spare);
  b->spare = nullptr;
  b->orphaned = true;
  p->has_orphans_.store(true, std::memory_order_release);
}

// ---- Worker ----

void BatchSpanProcessor::AppendPending(Chunk* c) noexcept {
  c->next = nullptr;
  if (pending_tail_ != nullptr) {
    pending_tail_->next = c;
  } else {
    pending_head_ = c;
    pending_pos_ = c->begin;
  }
  pending_tail_ = c;
  pending_count_ += c->end - c->begin;
}

void BatchSpanProcessor::TakeReady() noexcept {
  if (ready_.load(std::memory_order_relaxed) == nullptr) return;
  Chunk* list = ready_.exchange(nullptr, std::memory_order_acquire);
  size_t spans = 0;
  Chunk* fifo = nullptr;
  while (list != nullptr) {  // the ready list is a stack: newest first
    Chunk* next = list->next;
    spans += list->end - list->begin;
    list->next = fifo;
    fifo = list;
    list = next;
  }
  ready_spans_.fetch_sub(spans, std::memory_order_relaxed);
  while (fifo != nullptr) {
    Chunk* next = fifo->next;
    AppendPending(fifo);
    fifo = next;
  }
}

// Takes the spans parked in every thread's current chunk (see thread_span_buffer.h for why a
// span is taken exactly once). Registry lock held.
void BatchSpanProcessor::StealAll() noexcept {
  for (Buffer* b : registry_->buffers) {
    if (b->orphaned) continue;
    uint64_t taken = b->taken.load(std::memory_order_acquire);
    if (taken & kSealedBit) continue;
    Chunk* c = b->current.load(std::memory_order_acquire);
    uint64_t published = b->published.load(std::memory_order_acquire);
    if (c == nullptr || GenOf(published) != GenOf(taken)) continue;
    uint32_t from = IndexOf(taken), to = IndexOf(published);
    if (to <= from) continue;
    auto* out = new (std::nothrow) Chunk;
    if (out == nullptr) continue;  // the owner hands them over later
    if (!b->taken.compare_exchange_strong(taken, PackGen(GenOf(taken), to),
                                          std::memory_order_acq_rel)) {
      delete out;  // sealed or stolen meanwhile
      continue;
    }
    out->owner = nullptr;  // the owner keeps its chunk: these spans go to the shared pool
    out->begin = 0;
    out->end = to - from;
    std::copy(c->spans + from, c->spans + to, out->spans);
    enqueued_.fetch_add(to - from, std::memory_order_relaxed);
    AppendPending(out);
  }
}

bool BatchSpanProcessor::AnyParked() noexcept {
  std::lock_guard<std::mutex> lock(registry_->mu);
  for (Buffer* b : registry_->buffers) {
    if (b->orphaned) continue;
    uint64_t taken = b->taken.load(std::memory_order_acquire);
    uint64_t published = b->published.load(std::memory_order_acquire);
    if (!(taken & kSealedBit) && GenOf(published) == GenOf(taken) &&
        IndexOf(published) > IndexOf(taken)) {
      return true;
    }
  }
  return false;
}

// Gives exported chunks back to the threads that filled them, for reuse; a thread that has
// enough waiting (an idle thread), or that exited, does not get them: those spans go to the
// provider's shared pool.
void BatchSpanProcessor::ReturnChunks(Chunk* done) noexcept {
  if (done == nullptr) return;
  std::lock_guard<std::mutex> lock(registry_->mu);
  while (done != nullptr) {
    Chunk* next = done->next;
    Buffer* owner = done->owner;
    uint32_t n = done->end - done->begin;
    if (owner == nullptr || owner->orphaned ||
        owner->returned_spans.load(std::memory_order_relaxed) + n > return_limit_) {
      done->next = nullptr;
      ReleaseChunkList(done);
    } else {
      owner->returned_spans.fetch_add(n, std::memory_order_relaxed);
      Chunk* head = owner->returned.load(std::memory_order_relaxed);
      do {
        done->next = head;
      } while (!owner->returned.compare_exchange_weak(head, done, std::memory_order_release,
                                                      std::memory_order_relaxed));
    }
    done = next;
  }
}

// Frees the buffers of exited threads. Every chunk in flight is then in the pending list
// (after TakeReady; the worker holds no other): chunks of a freed buffer lose their owner.
void BatchSpanProcessor::FreeOrphans() noexcept {
  if (!has_orphans_.exchange(false, std::memory_order_acq_rel)) return;
  std::lock_guard<std::mutex> lock(registry_->mu);
  TakeReady();
  std::erase_if(registry_->buffers, [&](Buffer* b) {
    if (!b->orphaned) return false;
    for (Chunk* c = pending_head_; c != nullptr; c = c->next) {
      if (c->owner == b) c->owner = nullptr;
    }
    delete b;
    return true;
  });
}
void BatchSpanProcessor::ExportAvailable(bool drain_all) noexcept {
  const size_t batch_size = options_.max_export_batch_size;
  std::vector<std::unique_ptr<SpanData>> batch;
  try {
    batch.reserve(batch_size);
  } catch (...) {
  }
  if (drain_all) {  // the spans parked in every thread's partial chunk too
    std::lock_guard<std::mutex> lock(registry_->mu);
    StealAll();
  }
  for (;;) {
    // A Shutdown that timed out gave up on the rest; FinishShutdown counts what is left.
    if (abandon_.load(std::memory_order_acquire)) return;
    TakeReady();
    if (pending_count_ == 0 || (!drain_all && pending_count_ < batch_size)) return;
    Chunk* done = nullptr;  // chunks whose spans are all in this batch or an earlier one
    while (batch.size() < batch_size && pending_head_ != nullptr) {
      Chunk* c = pending_head_;
      uint32_t n =
          static_cast<uint32_t>(std::min<size_t>(c->end - pending_pos_, batch_size - batch.size()));
      for (uint32_t i = pending_pos_; i < pending_pos_ + n; ++i) batch.emplace_back(c->spans[i]);
      pending_pos_ += n;
      if (pending_pos_ == c->end) {
        pending_head_ = c->next;
        if (pending_head_ == nullptr) {
          pending_tail_ = nullptr;
        } else {
          pending_pos_ = pending_head_->begin;
        }
        c->next = done;
        done = c;
      }
    }
    pending_count_ -= batch.size();
    queued_.fetch_sub(batch.size(), std::memory_order_relaxed);
    Deadline deadline = options_.export_timeout.count() > 0
                            ? SaturatingDeadline(options_.export_timeout)
                            : Deadline::max();
    ExportResult r = exporter_ ? exporter_->Export(batch, deadline) : ExportResult::kSuccess;
    export_calls_.fetch_add(1, std::memory_order_relaxed);
    (r == ExportResult::kSuccess ? exported_spans_ : failed_spans_)
        .fetch_add(batch.size(), std::memory_order_relaxed);
    for (auto& s : batch) (void)s.release();  // the chunks own the spans
    batch.clear();
    ReturnChunks(done);
  }
}

void BatchSpanProcessor::DropPending() noexcept {
  while (Chunk* c = pending_head_) {
    pending_head_ = c->next;
    for (uint32_t i = pending_pos_; i < c->end; ++i) {
      delete c->spans[i];
      dropped_after_shutdown_.fetch_add(1, std::memory_order_relaxed);
    }
    if (pending_head_ != nullptr) pending_pos_ = pending_head_->begin;
    delete c;
  }
  pending_tail_ = nullptr;
  pending_count_ = 0;
}

// Worker: from the rate at which spans arrived since the last call, when the next full batch is
// due; false when the rate is too low (or unknown) for the worker to time its own wake-up.
bool BatchSpanProcessor::PredictBatch(std::chrono::steady_clock::time_point now, size_t ready,
                                      std::chrono::steady_clock::duration* due) noexcept {
  uint64_t enqueued = enqueued_.load(std::memory_order_relaxed);
  auto window = std::chrono::duration_cast<std::chrono::nanoseconds>(now - rate_since_);
  if (window < kMinRateWindow) return false;
  const uint64_t arrived = enqueued - rate_enqueued_;
  const size_t batch = options_.max_export_batch_size;
  const auto window_ns = static_cast<uint64_t>(window.count());
  uint64_t per_span = 0;  // nanoseconds per span, rounded up: a wake-up at or after the batch
  uint64_t elapsed = 0;   // of the time the next batch takes, already gone
  if (arrived == 0) {
    // Nothing since the last sample: a bursty producer between bursts (keep the last rate and
    // the sample, so the next rate spans the gap), unless the gap is longer than a few batches
    // at that rate (the stream stopped).
    if (per_span_ == 0 || window_ns / 4 / batch > per_span_) {
      per_span_ = 0;
      return false;
    }
    per_span = per_span_;
    elapsed = window_ns;
  } else {
    rate_since_ = now;
    rate_enqueued_ = enqueued;
    // A rate over more than a second (the first call, an idle spell, a long export) is no guide
    // to the next millisecond.
    per_span_ = window > std::chrono::seconds(1) ? 0 : (window_ns + arrived - 1) / arrived;
    if (per_span_ == 0) return false;
    per_span = per_span_;
  }
  const uint64_t missing = ready >= batch ? 0 : batch - ready;
  const uint64_t room = options_.max_queue_size - std::min(options_.max_queue_size, queued_.load());
  const auto max_due = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(kMaxSelfWake).count());
  if (missing > max_due / per_span) return false;  // due later than kMaxSelfWake
  const auto min_due = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(kMinRateWindow).count());
  const uint64_t due_ns = std::max(per_span * missing, elapsed + min_due) - elapsed;
  *due = std::chrono::nanoseconds(due_ns);
  const auto lateness = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(kTimerLateness).count());
  // The queue's free room lasts at least twice the wait plus a late timer (in spans: no product
  // of a queue size and a duration, which could overflow).
  return room >= (2 * due_ns + lateness + per_span - 1) / per_span;
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
        bool full = queue_full_.exchange(false, std::memory_order_acq_rel);
        size_t ready = pending_count_ + ready_spans_.load(std::memory_order_seq_cst);
        auto now = Clock::now();
        // The delay counts from the first buffered span the worker sees; spans parked in a
        // thread's partial chunk count (read every slice while nothing else is buffered).
        bool buffered = ready > 0 || AnyParked();
        if (!buffered) last_export = now;
        timer_due = (buffered && now - last_export >= options_.schedule_delay) || full;
        if (stopping || flushing || timer_due || ready >= options_.max_export_batch_size) break;
        auto until_due = options_.schedule_delay - (now - last_export);
        auto slice = std::min<Clock::duration>(until_due, kMaxSleepSlice);
        Clock::duration batch_due{};
        bool self_wake = PredictBatch(now, ready, &batch_due) && batch_due < slice;
        if (self_wake) slice = batch_due;
        self_waking_.store(self_wake, std::memory_order_relaxed);
        wake_cv_.wait_for(lock, slice);
        self_waking_.store(false, std::memory_order_seq_cst);  // see TryWake
      }
    }
    // Full batches only, unless the timer is due or a flush or stop asks for everything.
    ExportAvailable(stopping || flushing || timer_due);
    last_export = Clock::now();
    FreeOrphans();
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
  TakeReady();
  {
    std::lock_guard<std::mutex> lock(registry_->mu);
    StealAll();
  }
  DropPending();
  if (exporter_) exporter_->Shutdown();
  finished_ = true;
}

BatchSpanProcessorStats BatchSpanProcessor::stats() const noexcept {
  BatchSpanProcessorStats s;
  s.enqueued = enqueued_.load();
  s.dropped_queue_full = dropped_queue_full_.load();
  s.dropped_after_shutdown = dropped_after_shutdown_.load();
  s.exported_spans = exported_spans_.load();
  s.failed_spans = failed_spans_.load();
  s.export_calls = export_calls_.load();
  s.producer_wakeups = producer_wakeups_.load();
  return s;
}

}  // namespace ariadne::sdk
