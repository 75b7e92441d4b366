// Per-thread buffers of finished spans for the BatchSpanProcessor (issue 6).
//
// Why: with one queue shared by every thread, the export thread on the other core wrote the cache
// lines the application thread wrote next (queue cells, pooled spans), so every span paid a few
// cross-core line transfers. Here each (thread, processor) pair owns a ThreadSpanBuffer:
//  - End() appends the span pointer to the thread's current SpanChunk with plain stores (the
//    `published` word is a release store, a plain mov on x86): no read-modify-write, no line
//    another core writes. A full chunk is handed to the processor with one CAS (the ready list).
//  - The export thread only reads span memory. After exporting a chunk it pushes the whole chunk
//    back onto its owner's `returned` stack (one CAS per chunk); the owner takes its spans for
//    reuse only when it needs a span, so it re-dirties lines the exporter only read.
//  - Steal (schedule delay, ForceFlush, Shutdown; the owner may be idle): the export thread takes
//    the published but not yet handed-over prefix of a buffer's chunk with a CAS on `taken`
//    ({generation, index} packed in 64 bits). The owner seals the chunk with an exchange on
//    `taken` when it hands it over, so each span is taken exactly once: by the steal whose CAS
//    succeeded before the seal, or by the hand-over (from the index the seal returned).
//  - Registry: the processor keeps every buffer in ThreadBufferRegistry (shared with the threads'
//    exit hooks, so either side may go first). A thread that exits hands its chunk over and
//    frees its spare spans under the registry's lock; the buffer is then "orphaned" and freed by
//    the export thread once no chunk in flight points to it.
// Only batch_span_processor.cc uses these types; the processor's header documents the behaviour.
#ifndef ARIADNE_SDK_SRC_THREAD_SPAN_BUFFER_H_
#define ARIADNE_SDK_SRC_THREAD_SPAN_BUFFER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace ariadne::sdk {

class SpanData;

namespace internal {

inline constexpr uint32_t kMaxChunkSpans = 256;
inline constexpr uint32_t kMaxLooseSpans = 32;  // recycled record-only spans kept per thread
inline constexpr uint64_t kSealedBit = uint64_t{1} << 31;

inline constexpr uint64_t PackGen(uint32_t generation, uint64_t low) {
  return (uint64_t{generation} << 32) | low;
}
inline constexpr uint32_t GenOf(uint64_t word) { return static_cast<uint32_t>(word >> 32); }
inline constexpr uint32_t IndexOf(uint64_t word) {
  return static_cast<uint32_t>(word & (kSealedBit - 1));
}

struct ThreadSpanBuffer;

// Spans [begin, end) of `spans`. Owned by exactly one place at a time: a buffer (current,
// recycling or spare), the processor's ready list, the export thread, or an owner's return stack.
struct SpanChunk {
  SpanChunk* next = nullptr;
  ThreadSpanBuffer* owner = nullptr;  // null: after export the spans go to ReleaseSpan
  uint32_t begin = 0;
  uint32_t end = 0;
  SpanData* spans[kMaxChunkSpans];
};

struct ThreadSpanBuffer {
  // Written by the owning thread only.
  SpanChunk* chunk = nullptr;  // current chunk (also in `current` for the export thread)
  uint32_t count = 0;          // spans appended to `chunk` in this generation
  uint32_t generation = 0;
  uint32_t reserved_left = 0;      // queue slots reserved and not used yet
  bool short_reservation = false;  // the last reservation got fewer slots than asked
  bool wake_owed = false;          // a hand-over could not wake the export thread
  SpanChunk* recycling = nullptr;  // returned chunk whose spans StartSpan is reusing
  uint32_t recycling_pos = 0;
  SpanChunk* returned_local = nullptr;  // returned chunks taken from `returned`, not yet used
  SpanChunk* spare = nullptr;           // empty chunk shells
  uint32_t spare_count = 0;
  uint32_t loose_count = 0;
  SpanData* loose[kMaxLooseSpans];  // record-only spans, reused first

  // Written by the owner, read by the export thread when it steals.
  std::atomic<SpanChunk*> current{nullptr};
  std::atomic<uint64_t> published{0};  // {generation, spans appended}
  // Compare-exchanged by the export thread (steal), exchanged by the owner (seal).
  alignas(64) std::atomic<uint64_t> taken{0};  // {generation, spans stolen | kSealedBit}
  // Pushed by the export thread (under the registry's lock), taken whole by the owner.
  alignas(64) std::atomic<SpanChunk*> returned{nullptr};
  std::atomic<uint32_t> returned_spans{0};
  bool orphaned = false;  // the thread exited; guarded by the registry's lock
};

// Shared by a processor and the exit hooks of the threads that have a buffer for it.
struct ThreadBufferRegistry {
  using ExitFn = void (*)(void* owner, ThreadSpanBuffer* buffer);
  std::mutex mu;
  void* owner = nullptr;            // the processor; null once it is destroyed (guarded by mu)
  ExitFn on_thread_exit = nullptr;  // called with mu held, on the exiting thread
  std::vector<ThreadSpanBuffer*> buffers;  // guarded by mu
};

struct ThreadBufferCache {
  uint64_t processor_id;
  ThreadSpanBuffer* buffer;
};
// The last buffer this thread looked up (constant-initialised: no TLS guard on the hot path).
extern constinit thread_local ThreadBufferCache t_buffer_cache;

// Slow path of ThisThreadBuffer: finds or creates (and registers) this thread's buffer for the
// processor. Null when out of memory, when the processor is going away, or while the thread is
// exiting (its exit hook already ran).
ThreadSpanBuffer* FindOrCreateThreadBuffer(
    uint64_t processor_id, const std::shared_ptr<ThreadBufferRegistry>& registry) noexcept;

inline ThreadSpanBuffer* ThisThreadBuffer(
    uint64_t processor_id, const std::shared_ptr<ThreadBufferRegistry>& registry) noexcept {
  if (t_buffer_cache.processor_id == processor_id) return t_buffer_cache.buffer;
  return FindOrCreateThreadBuffer(processor_id, registry);
}

}  // namespace internal
}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SRC_THREAD_SPAN_BUFFER_H_
