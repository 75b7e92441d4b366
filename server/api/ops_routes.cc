#include "server/api/ops_routes.h"

#include <cstdio>

#include <unistd.h>

namespace ariadne {
namespace {

uint64_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;  // NOLINT(runtime/int): the format of statm
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void Gauge(std::string* out, const char* name, const char* type, const char* help, uint64_t v) {
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out->append(name).append(" ").append(std::to_string(v)).append("\n");
}

// One metric family with a sample per HTTP listener.
void ListenerFamily(std::string* out, const std::vector<const HttpServer*>& listeners,
                    const char* name, const char* type, const char* help,
                    uint64_t HttpServerStats::*field) {
  if (listeners.empty()) return;
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" ").append(type).append("\n");
  for (const HttpServer* l : listeners) {
    HttpServerStats st = l->stats();
    out->append(name).append("{listener=\"").append(l->options().name).append("\"} ");
    out->append(std::to_string(st.*field)).append("\n");
  }
}

}  // namespace

std::string RenderMetrics(const OpsState& s) {
  std::string out;
  s.pipeline->stats()->AppendPrometheus(&out);
  const Admission& a = s.pipeline->admission();
  Gauge(&out, "ariadne_inflight_bytes", "gauge", "Bytes of requests in flight (admission)",
        a.inflight_bytes());
  Gauge(&out, "ariadne_inflight_limit_bytes", "gauge", "In-flight limit (--max-inflight-bytes)",
        a.max_inflight_bytes());
  Gauge(&out, "ariadne_admission_refusals_total", "counter",
        "Reservations refused by the in-flight limit", a.refusals());
  const IngestGate& g = s.pipeline->gate();
  Gauge(&out, "ariadne_ingest_active_requests", "gauge",
        "Requests being decoded and stored (admission gate slots in use)", g.active());
  Gauge(&out, "ariadne_ingest_max_active_requests", "gauge",
        "Admission gate slots (--max-concurrent-ingests)",
        static_cast<uint64_t>(g.max_concurrent()));
  Gauge(&out, "ariadne_ingest_queued_requests", "gauge", "Requests waiting for a gate slot",
        g.queued());
  Gauge(&out, "ariadne_ingest_queued_requests_total", "counter",
        "Requests that had to wait for a gate slot", g.queued_total());
  StoreStats st = s.store->Stats();
  Gauge(&out, "ariadne_store_spans", "gauge", "Spans held by the store", st.spans);
  Gauge(&out, "ariadne_store_traces", "gauge", "Traces held by the store", st.traces);
  Gauge(&out, "ariadne_store_bytes", "gauge", "Bytes used by the store", st.bytes);
  Gauge(&out, "ariadne_store_evicted_spans_total", "counter",
        "Spans removed by size limits or retention", st.evicted_spans);
  Gauge(&out, "ariadne_store_dropped_spans_total", "counter",
        "Spans not stored because their trace had reached max_spans_per_trace", st.dropped_spans);
  Gauge(&out, "ariadne_process_resident_memory_bytes", "gauge", "Resident set size",
        ResidentBytes());
  const auto& ls = s.listeners;
  ListenerFamily(&out, ls, "ariadne_http_connections", "gauge", "Open HTTP connections",
                 &HttpServerStats::connections);
  ListenerFamily(&out, ls, "ariadne_http_idle_connections", "gauge",
                 "Open keep-alive HTTP connections waiting for their next request",
                 &HttpServerStats::idle_connections);
  ListenerFamily(&out, ls, "ariadne_http_connections_accepted_total", "counter",
                 "HTTP connections accepted", &HttpServerStats::connections_accepted);
  ListenerFamily(&out, ls, "ariadne_http_connections_refused_total", "counter",
                 "HTTP connections closed at once because --http-max-connections were open",
                 &HttpServerStats::connections_refused);
  ListenerFamily(&out, ls, "ariadne_http_accept_errors_total", "counter",
                 "accept() failures (EMFILE and the like; accepting pauses after each)",
                 &HttpServerStats::accept_errors);
  ListenerFamily(&out, ls, "ariadne_http_timeouts_total", "counter",
                 "HTTP connections closed mid-request by --http-header-timeout or "
                 "--http-idle-timeout",
                 &HttpServerStats::timeouts);
  ListenerFamily(&out, ls, "ariadne_http_early_refusals_total", "counter",
                 "HTTP requests refused after their headers, before their body was read",
                 &HttpServerStats::early_refusals);
  ListenerFamily(&out, ls, "ariadne_http_idle_evictions_total", "counter",
                 "idle keep-alive connections closed to admit a new one at the connection cap",
                 &HttpServerStats::idle_evictions);
  return out;
}

void RegisterOpsRoutes(HttpServer* server, OpsState state) {
  auto health = [](HttpRequest&&, HttpResponder respond) {
    respond(HttpResponse::Json(200, "{\"status\":\"ok\"}\n"));
  };
  server->Route("GET", "/health", health);
  server->Route("GET", "/api/health", health);
  server->Route("GET", "/ready", [state](HttpRequest&&, HttpResponder respond) {
    bool ready = state.ready != nullptr && state.ready->load();
    respond(HttpResponse::Json(
        ready ? 200 : 503, ready ? "{\"status\":\"ready\"}\n" : "{\"status\":\"not ready\"}\n"));
  });
  server->Route("GET", "/metrics", [state](HttpRequest&&, HttpResponder respond) {
    HttpResponse r = HttpResponse::Text(200, RenderMetrics(state));
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    respond(std::move(r));
  });
}

}  // namespace ariadne
