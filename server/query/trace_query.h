// TraceQuery: a search for traces, and the one definition of which span matches it.
//
// Semantics (shared by every store, so the memory store and the embedded store answer alike;
// documented in docs/formats/search.md):
//   - A trace matches if ONE of its spans matches every given condition.
//   - service: the span's resource service.name. operation: the span's name. span_kind: its kind.
//   - start_min/max_ns: the span's start time. duration_min/max_ns: the span's duration.
//   - tags: every key=value must hold on that span, where a key is looked up in the span's
//     attributes, then its resource's attributes, then its events' attributes, then the synthetic
//     keys Jaeger users expect: error ("true" when the status is ERROR), span.kind ("server", ...),
//     otel.status_code ("OK", "ERROR"), otel.status_description. Values compare as text:
//     strings as they are, booleans "true"/"false", integers in decimal, doubles in shortest
//     round-trip form.
//   - Results are whole traces, newest first (by the trace's latest span start), at most limit.
#ifndef ARIADNE_SERVER_QUERY_TRACE_QUERY_H_
#define ARIADNE_SERVER_QUERY_TRACE_QUERY_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/span_batch.h"

namespace ariadne {

struct TraceQuery {
  std::string service;    // "" = any
  std::string operation;  // "" = any
  std::optional<SpanKind> span_kind;
  std::vector<std::pair<std::string, std::string>> tags;
  uint64_t start_min_ns = 0;
  uint64_t start_max_ns = std::numeric_limits<uint64_t>::max();
  uint64_t duration_min_ns = 0;
  uint64_t duration_max_ns = std::numeric_limits<uint64_t>::max();
  size_t limit = 20;
};

// True if span `row` of `batch` matches every condition of `query`.
bool SpanMatches(const SpanBatch& batch, uint32_t row, const TraceQuery& query);

// The text form of a value used by tag matching (see above). Arrays and maps as JSON.
std::string ValueAsText(const SpanBatch& batch, const AnyValue& value);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_QUERY_TRACE_QUERY_H_
