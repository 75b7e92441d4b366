// Operational endpoints on the query port: GET /health and /api/health (liveness: the process
// answers), GET /ready (readiness: 200 once every listener is up and until shutdown starts, 503
// otherwise) and GET /metrics (Prometheus text format 0.0.4: ingest counters and latency
// histograms from IngestStats, in-flight bytes and limit, store size, evictions, process RSS,
// and per HTTP listener its connections, refusals over the connection cap, accept() failures,
// deadline closes and early refusals).
//
// Thread-safety: handlers run on the HTTP server's threads; everything they read is
// thread-safe. Everything pointed to must outlive the server. Tested by ops_routes_test.cc.
#ifndef ARIADNE_SERVER_API_OPS_ROUTES_H_
#define ARIADNE_SERVER_API_OPS_ROUTES_H_

#include <atomic>
#include <string>
#include <vector>

#include "server/api/http_server.h"
#include "server/pipeline/ingest.h"
#include "server/storage/span_store.h"

namespace ariadne {

struct OpsState {
  IngestPipeline* pipeline = nullptr;
  SpanStore* store = nullptr;
  const std::atomic<bool>* ready = nullptr;
  std::vector<const HttpServer*> listeners;  // HTTP listeners whose counters /metrics shows
};

void RegisterOpsRoutes(HttpServer* server, OpsState state);

// The /metrics body.
std::string RenderMetrics(const OpsState& state);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_API_OPS_ROUTES_H_
