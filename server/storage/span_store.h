// SpanStore: the storage interface every engine implements (memory, embedded, ClickHouse).
//
// Append takes ownership of a batch and calls `done` exactly once, on any thread, when the
// spans are as durable as the engine promises (for the embedded store: in the WAL and synced)
// and searchable. A receiver acknowledges its client only from `done`. A store that must refuse
// writes (disk full, fsync failing, shutting down) calls done with Unavailable and keeps serving
// reads. Readers see every span whose Append has completed.
//
// Search semantics are TraceQuery's (server/query/trace_query.h), so engines answer alike;
// tests/ compare them differentially. All methods are thread-safe.
#ifndef ARIADNE_SERVER_STORAGE_SPAN_STORE_H_
#define ARIADNE_SERVER_STORAGE_SPAN_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/span_batch.h"
#include "server/query/trace_query.h"

namespace ariadne {

struct OperationInfo {
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  friend bool operator==(const OperationInfo&, const OperationInfo&) = default;
};

// One edge of the service graph: `parent` called `child` call_count times (a span of child
// whose parent span belongs to parent), error_count of them with an error status.
struct DependencyLink {
  std::string parent;
  std::string child;
  uint64_t call_count = 0;
  uint64_t error_count = 0;
};

struct StoreStats {
  uint64_t spans = 0;          // spans held
  uint64_t traces = 0;         // traces held (approximate for large stores)
  uint64_t bytes = 0;          // memory or disk bytes used
  uint64_t evicted_spans = 0;  // removed by size limits or retention
  uint64_t dropped_spans = 0;  // never stored: their trace was at a per-trace span limit
};

class SpanStore {
 public:
  virtual ~SpanStore() = default;

  virtual void Append(SpanBatch batch, std::function<void(Status)> done) = 0;
  // Every stored span of the trace, in one batch. NotFound if there is none.
  [[nodiscard]] virtual StatusOr<SpanBatch> GetTrace(const TraceId& trace_id) = 0;
  // Whole traces matching the query, newest first, at most query.limit.
  [[nodiscard]] virtual StatusOr<std::vector<SpanBatch>> FindTraces(const TraceQuery& query) = 0;
  // Sorted service names.
  [[nodiscard]] virtual StatusOr<std::vector<std::string>> GetServices() = 0;
  // Sorted by name then kind; with a kind, only operations of that kind.
  [[nodiscard]] virtual StatusOr<std::vector<OperationInfo>> GetOperations(
      std::string_view service, std::optional<SpanKind> kind) = 0;
  // Edges from spans that started in [end_ns - lookback_ns, end_ns].
  [[nodiscard]] virtual StatusOr<std::vector<DependencyLink>> GetDependencies(
      uint64_t end_ns, uint64_t lookback_ns) = 0;
  virtual StoreStats Stats() = 0;
  // Keeps one trace for the archive retention period (POST /api/archive/{traceID}).
  // NotFound if the trace is unknown; Unimplemented for stores without an archive tier.
  [[nodiscard]] virtual Status ArchiveTrace(const TraceId& /*trace_id*/) {
    return Status::Unimplemented("this store has no archive tier");
  }
  // Stops accepting appends, finishes pending ones (their `done` is called) and flushes.
  virtual void Close() = 0;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_STORAGE_SPAN_STORE_H_
