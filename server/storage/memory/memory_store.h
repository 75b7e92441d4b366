// MemoryStore: the `--storage memory` engine. Spans live in RAM, bounded by a span count and a
// byte budget; when either is exceeded the oldest traces (by first arrival) are evicted whole,
// and the evicted spans are counted in Stats().evicted_spans.
//
// Layout: every appended batch is kept as one immutable chunk (shared_ptr<const SpanBatch>).
// An index maps each trace id to its (chunk, row) references, the trace's latest span start, and
// its place in the eviction FIFO. A chunk is freed when none of its rows is referenced any more.
// Services and operations (with kind) are recorded at append time and survive eviction, as in
// Jaeger's memory store.
//
// Thread-safety: every method is thread-safe. Append takes the exclusive lock for O(spans in the
// batch); searches copy the list of chunks under a shared lock and scan the immutable chunks
// without any lock, so a long search never blocks ingest; they only take the shared lock again
// to assemble the few traces they return. GetDependencies scans the chunks the same way; it may
// also count spans of evicted traces whose chunk is still held for a live neighbour. Append calls
// `done` before returning: a span is searchable as soon as done runs.
//
// Search semantics are TraceQuery's (server/query/trace_query.h). Tested by memory_store_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_MEMORY_MEMORY_STORE_H_
#define ARIADNE_SERVER_STORAGE_MEMORY_MEMORY_STORE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/storage/span_store.h"

namespace ariadne {

struct MemoryStoreOptions {
  uint64_t max_spans = 1'000'000;
  uint64_t max_bytes = uint64_t{512} << 20;
};

class MemoryStore : public SpanStore {
 public:
  explicit MemoryStore(MemoryStoreOptions options);
  ~MemoryStore() override;

  void Append(SpanBatch batch, std::function<void(Status)> done) override;
  StatusOr<SpanBatch> GetTrace(const TraceId& trace_id) override;
  StatusOr<std::vector<SpanBatch>> FindTraces(const TraceQuery& query) override;
  StatusOr<std::vector<std::string>> GetServices() override;
  StatusOr<std::vector<OperationInfo>> GetOperations(std::string_view service,
                                                     std::optional<SpanKind> kind) override;
  StatusOr<std::vector<DependencyLink>> GetDependencies(uint64_t end_ns,
                                                        uint64_t lookback_ns) override;
  StoreStats Stats() override;
  void Close() override;

 private:
  struct Chunk {
    std::shared_ptr<const SpanBatch> batch;
    uint64_t bytes = 0;
    uint64_t min_start = 0;
    uint64_t max_start = 0;
    uint32_t live_rows = 0;
  };
  struct SpanRef {
    uint64_t chunk_seq;  // sequence number of the chunk (chunks_ index = seq - first_seq_)
    uint32_t row;
  };
  struct TraceEntry {
    std::vector<SpanRef> spans;
    uint64_t max_start = 0;
    uint64_t fifo_seq = 0;  // position in the eviction FIFO
  };

  // Requires mu_ held exclusively.
  void EvictLocked();
  void ReleaseRefLocked(const SpanRef& ref);
  SpanBatch AssembleLocked(const TraceEntry& entry) const;

  const MemoryStoreOptions options_;
  mutable std::shared_mutex mu_;
  bool closed_ = false;
  std::deque<Chunk> chunks_;
  uint64_t first_seq_ = 0;  // sequence number of chunks_.front()
  std::unordered_map<TraceId, TraceEntry, IdHash> traces_;
  std::deque<std::pair<uint64_t, TraceId>> fifo_;  // (fifo_seq, trace id), oldest first
  uint64_t next_fifo_seq_ = 0;
  std::map<std::string, std::set<std::pair<std::string, SpanKind>>, std::less<>> services_;
  uint64_t live_spans_ = 0;
  uint64_t live_bytes_ = 0;
  uint64_t evicted_spans_ = 0;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_STORAGE_MEMORY_MEMORY_STORE_H_
