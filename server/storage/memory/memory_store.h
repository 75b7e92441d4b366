// MemoryStore: the `--storage memory` engine. Spans live in RAM, bounded by a span count and a
// byte budget; when either is exceeded the oldest traces (by first arrival) are evicted whole,
// and the evicted spans are counted in Stats().evicted_spans. The budgets are hard: a trace that
// alone exceeds them is evicted too. A trace holds at most max_spans_per_trace spans; later spans
// of a full trace are not stored and are counted in Stats().dropped_spans.
//
// Layout: every appended batch is kept as one immutable chunk (shared_ptr<const SpanBatch>).
// An index maps each trace id to its (chunk, row, operation) references, the trace's latest span
// start, and its place in the eviction FIFO. A chunk is freed when none of its rows is referenced
// any more. Services and operations (with kind) are reference-counted by the spans held: an
// operation, and a service without operations, disappears with its last span, so spans with
// ever-new names cannot grow the store past its budget. Their bytes are counted in the budget.
//
// Thread-safety: every method is thread-safe. Append takes the exclusive lock for O(spans in the
// batch); searches copy the list of chunks under a shared lock and scan the immutable chunks
// without any lock, so a long search never blocks ingest. Returning traces (GetTrace, the traces
// FindTraces found) copies their (chunk, row) references under the shared lock and assembles the
// spans after releasing it. GetDependencies scans the chunks the same way; it may also count
// spans of evicted traces whose chunk is still held for a live neighbour. Append calls `done`
// before returning: a span is searchable as soon as done runs.
//
// Search semantics are TraceQuery's (server/query/trace_query.h). Tested by memory_store_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_MEMORY_MEMORY_STORE_H_
#define ARIADNE_SERVER_STORAGE_MEMORY_MEMORY_STORE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/storage/span_store.h"

namespace ariadne {

struct MemoryStoreOptions {
  uint64_t max_spans = 1'000'000;
  uint64_t max_bytes = uint64_t{512} << 20;
  uint64_t max_spans_per_trace = 100'000;  // 0: no limit
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
    uint32_t op;  // index in ops_ of the span's (service, name, kind)
  };
  struct TraceEntry {
    std::vector<SpanRef> spans;
    uint64_t max_start = 0;
    uint64_t fifo_seq = 0;  // position in the eviction FIFO
  };

  // Operations of a service, by (name, kind); the value is the operation's index in ops_.
  struct OpLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      int c = std::string_view(a.first).compare(std::string_view(b.first));
      return c < 0 || (c == 0 && a.second < b.second);
    }
  };
  using OpMap = std::map<std::pair<std::string, SpanKind>, uint32_t, OpLess>;
  using ServiceMap = std::map<std::string, OpMap, std::less<>>;
  struct OpSlot {
    ServiceMap::iterator service;
    OpMap::iterator op;
    uint64_t refs = 0;  // spans held with this operation; 0: the slot is free
  };
  // The spans of one trace to assemble: rows of chunks kept alive by `chunks`.
  struct TraceRows {
    std::vector<std::shared_ptr<const SpanBatch>> chunks;
    std::vector<std::pair<uint32_t, uint32_t>> rows;  // (index in chunks, row)
  };

  static Chunk MakeChunk(std::shared_ptr<const SpanBatch> batch);
  // Require mu_ held exclusively.
  void EvictLocked();
  void ReleaseRefLocked(const SpanRef& ref);
  uint32_t AcquireOpLocked(std::string_view service, std::string_view name, SpanKind kind);
  void ReleaseOpLocked(uint32_t op);
  // Requires mu_ held (shared is enough).
  TraceRows CopyRowsLocked(const TraceEntry& entry) const;
  static SpanBatch Assemble(const TraceRows& rows);

  const MemoryStoreOptions options_;
  mutable std::shared_mutex mu_;
  bool closed_ = false;
  std::deque<Chunk> chunks_;
  uint64_t first_seq_ = 0;  // sequence number of chunks_.front()
  std::unordered_map<TraceId, TraceEntry, IdHash> traces_;
  std::deque<std::pair<uint64_t, TraceId>> fifo_;  // (fifo_seq, trace id), oldest first
  uint64_t next_fifo_seq_ = 0;
  ServiceMap services_;
  std::vector<OpSlot> ops_;
  std::vector<uint32_t> free_ops_;  // indexes of free slots in ops_
  uint64_t live_spans_ = 0;
  uint64_t live_bytes_ = 0;  // chunks plus the services and operations index
  uint64_t evicted_spans_ = 0;
  uint64_t dropped_spans_ = 0;  // over max_spans_per_trace
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_STORAGE_MEMORY_MEMORY_STORE_H_
