// The query API on the query port (16686): Jaeger's HTTP JSON API as the Jaeger UI and Grafana's
// Jaeger data source call it, and Jaeger's /api/v3 (OTLP JSON). Every endpoint, parameter and
// error is listed in docs/api.md; search semantics in docs/formats/search.md.
//
//   GET  /api/services {"data":[names],"total":n,"limit":0,"offset":0,"errors":null} GET
//   /api/services/{service}/operations {"data":[names]...} GET  /api/operations?service=&spanKind=
//   {"data":[{"name","spanKind"}]...} GET
//   /api/traces?service&operation&tags&tag&start&end&lookback&minDuration&maxDuration&limit
//        &traceID (repeatable: multi-get)   {"data":[trace]...}
//   GET  /api/traces/{traceID}              {"data":[trace]...} or 404 "trace not found"
//   GET  /api/dependencies?endTs=&lookback= {"data":[{"parent","child","callCount"}]...}
//   POST /api/archive/{traceID}             keeps the trace in the archive tier (if any)
//   GET  /api/v3/services, /api/v3/operations, /api/v3/traces (query.* parameters),
//        /api/v3/traces/{traceID}           OTLP JSON: {"result":{"resourceSpans":[...]}}
//
// Bounds (docs/formats/limits.md): traces per search (max_limit), ids per multi-get
// (max_trace_ids), spans per returned trace (max_spans_per_trace). Times and durations that do not
// fit int64 nanoseconds are refused with 400, never wrapped.
//
// Errors use Jaeger's envelope ({"data":null,...,"errors":[{"code":400,"msg":"..."}]}) with the
// same HTTP status; /api/v3 errors use the gRPC-gateway shape {"error":{...}}.
//
// Thread-safety: handlers run on the HTTP server's threads; the store is thread-safe and must
// outlive the server. Tested by query_api_test.cc.
#ifndef ARIADNE_SERVER_API_QUERY_API_H_
#define ARIADNE_SERVER_API_QUERY_API_H_

#include <cstdint>
#include <functional>

#include "server/api/http_server.h"
#include "server/storage/span_store.h"

namespace ariadne {

struct QueryApiOptions {
  // Search window when a request gives no start (Jaeger's traceQueryLookbackDuration).
  int64_t default_lookback_ns = int64_t{2} * 86400 * 1'000'000'000;
  size_t default_limit = 100;  // Jaeger's default for /api/traces
  size_t max_limit = 10'000;   // larger limits are cut to this
  // Trace ids one /api/traces?traceID=...&traceID=... multi-get may name; more is a 400.
  size_t max_trace_ids = 100;
  // Spans returned per trace. A larger trace is cut to its earliest-starting spans; on the Jaeger
  // API the trace then carries a `warnings` entry saying so (api/v3 has no place for one).
  // 0: no limit.
  size_t max_spans_per_trace = 100'000;
  // Current time in Unix nanoseconds (tests replace it).
  std::function<int64_t()> now_ns;
};

void RegisterQueryApi(HttpServer* server, SpanStore* store, QueryApiOptions options);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_API_QUERY_API_H_
