#include "server/app/serve.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include "base/clock.h"
#include "base/env.h"
#include "base/logging.h"
#include "server/api/http_server.h"
#include "server/api/ops_routes.h"
#include "server/api/query_api.h"
#include "server/pipeline/ingest.h"
#include "server/receivers/http_reply.h"
#include "server/receivers/jaeger_udp_receiver.h"
#include "server/receivers/jaeger_zipkin_http_receivers.h"
#include "server/receivers/otlp_grpc_receiver.h"
#include "server/receivers/otlp_http_receiver.h"
#include "server/storage/embedded/embedded_store.h"
#include "server/storage/memory/memory_store.h"
#ifdef ARIADNE_HAVE_UI
#include "ui/ui_routes.h"
#endif

namespace ariadne {
namespace {

// Blocks SIGINT and SIGTERM in this thread and every thread it starts later, so that only
// WaitForStopSignal() receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int WaitForStopSignal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t b = item.find_first_not_of(" \t");
    size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

IngestOptions IngestOptionsFromConfig(const Config& config) {
  IngestOptions o;
  o.max_request_bytes = config.GetBytes("max_request_bytes");
  o.max_inflight_bytes = config.GetBytes("max_inflight_bytes");
  o.max_spans_per_second = config.GetDouble("max_spans_per_second");
  o.gate.max_concurrent = static_cast<int>(config.GetInt("max_concurrent_ingests"));
  o.gate.max_queue_wait =
      std::chrono::milliseconds(config.GetDurationNanos("max_queue_wait") / 1'000'000);
  o.gate.max_queued = static_cast<size_t>(config.GetInt("max_queued_requests"));
  o.limits.max_attributes = static_cast<uint32_t>(config.GetInt("max_span_attributes"));
  o.limits.max_value_bytes = static_cast<uint32_t>(config.GetBytes("max_attribute_value_bytes"));
  o.limits.max_name_bytes = static_cast<uint32_t>(config.GetBytes("max_name_bytes"));
  o.limits.max_events = static_cast<uint32_t>(config.GetInt("max_span_events"));
  o.limits.max_links = static_cast<uint32_t>(config.GetInt("max_span_links"));
  return o;
}

// The flag that sets `key` (http_max_connections -> --http-max-connections), for messages.
std::string Flag(std::string_view key) {
  std::string flag = "--" + std::string(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

// Refuses values that would otherwise have to be changed silently: a zero timeout makes a
// listener drop every connection, a cap of 0 would be raised to 1, a negative span cap would
// mean "no limit".
[[nodiscard]] Status ValidateServeOptions(const Config& config) {
  for (const char* key : {"http_header_timeout", "http_idle_timeout"}) {
    if (config.GetDurationNanos(key) < 1'000'000) {
      return Status::InvalidArgument(Flag(key) +
                                     " must be at least 1ms (0 would close every connection at "
                                     "once), not " +
                                     std::to_string(config.GetDurationNanos(key)) + "ns");
    }
  }
  for (const char* key : {"http_max_connections", "http_threads", "grpc_max_concurrent_streams"}) {
    if (config.GetInt(key) < 1) {
      return Status::InvalidArgument(Flag(key) + " must be at least 1, not " +
                                     std::to_string(config.GetInt(key)));
    }
  }
  // Both are kept as 32-bit lengths; 0 would erase every name or value.
  for (const char* key : {"max_attribute_value_bytes", "max_name_bytes"}) {
    constexpr uint64_t kMax = uint64_t{1} << 30;
    if (config.GetBytes(key) < 1 || config.GetBytes(key) > kMax) {
      return Status::InvalidArgument(Flag(key) + " must be between 1 byte and 1GiB, not " +
                                     std::to_string(config.GetBytes(key)) + " bytes");
    }
  }
  if (config.GetInt("max_spans_per_trace") < 0) {
    return Status::InvalidArgument(Flag("max_spans_per_trace") +
                                   " must be 0 (no limit) or more, not " +
                                   std::to_string(config.GetInt("max_spans_per_trace")));
  }
  return Status::Ok();
}

// Descriptors kept free of HTTP connections: the embedded store's WAL segments and blocks,
// gRPC's connections (which we cannot cap), UDP sockets, logs.
constexpr uint64_t kReservedDescriptors = 256;

// Raises the soft RLIMIT_NOFILE to the hard limit (a 1024 soft limit would run out long before
// the connection caps, and EMFILE then also breaks the store's file opens and gRPC), then
// returns how many connections each of `listeners` HTTP listeners may hold: `requested`, or
// less (with a warning) when that many plus kReservedDescriptors do not fit under the limit.
size_t FitConnectionCap(size_t requested, size_t listeners) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return requested;
  const rlim_t old_soft = lim.rlim_cur;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    // An unlimited hard limit cannot be the soft one (the kernel caps it at fs.nr_open).
    if (raised.rlim_cur == RLIM_INFINITY || ::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      raised.rlim_cur = 1 << 20;
      if (raised.rlim_cur > lim.rlim_max || ::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
        raised.rlim_cur = old_soft;
      }
    }
    lim.rlim_cur = raised.rlim_cur;
  }
  auto text = [](rlim_t v) {
    return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
  };
  ARIADNE_LOG(kInfo, "file descriptor limit")
      .Field("soft_was", text(old_soft))
      .Field("soft", text(lim.rlim_cur))
      .Field("hard", text(lim.rlim_max));
  if (listeners == 0 || lim.rlim_cur == RLIM_INFINITY) return requested;
  const uint64_t limit = lim.rlim_cur;
  const uint64_t usable = limit > kReservedDescriptors ? limit - kReservedDescriptors : 0;
  if (static_cast<uint64_t>(requested) * listeners <= usable) return requested;
  const size_t fitted = std::max<size_t>(1, static_cast<size_t>(usable / listeners));
  ARIADNE_LOG(kWarn, "connection cap lowered to fit the file descriptor limit")
      .Field("http_max_connections", std::to_string(requested))
      .Field("lowered_to", std::to_string(fitted))
      .Field("listeners", std::to_string(listeners))
      .Field("nofile_limit", std::to_string(limit))
      .Field("reserved", std::to_string(kReservedDescriptors))
      .Field("hint",
             "raise the hard limit (ulimit -Hn, LimitNOFILE=) or lower --http-max-connections");
  return fitted;
}

std::chrono::milliseconds Millis(const Config& config, const char* key) {
  return std::chrono::milliseconds(config.GetDurationNanos(key) / 1'000'000);
}

// What every HTTP listener shares: threads, connection cap (already fitted to the descriptor
// limit), deadlines. ValidateServeOptions has checked the values.
HttpServerOptions HttpListenerOptions(const Config& config, const char* name, const char* port_key,
                                      size_t max_connections) {
  HttpServerOptions o;
  o.name = name;
  o.host = config.GetString("listen_host");
  o.port = static_cast<uint16_t>(config.GetInt(port_key));
  o.threads = static_cast<int>(config.GetInt("http_threads"));
  o.max_connections = max_connections;
  o.header_timeout = Millis(config, "http_header_timeout");
  o.idle_timeout = Millis(config, "http_idle_timeout");
  o.drain_timeout = Millis(config, "shutdown_timeout");
  return o;
}

// Refuses an ingest request whose declared body cannot fit in the in-flight memory budget now,
// before the body is read: reading it first would spend the very memory the budget protects,
// only for the pipeline to refuse it. Counted like the pipeline's own refusal (protocol "http":
// the format is not known yet).
HttpEarlyCheck IngestEarlyCheck(IngestPipeline* pipeline, std::string receiver) {
  return [pipeline, receiver = std::move(receiver)](
             const HttpRequest& head, uint64_t content_length) -> std::optional<HttpResponse> {
    if (head.method != "POST" || content_length == 0) return std::nullopt;
    const Admission& a = pipeline->admission();
    if (a.inflight_bytes() + content_length <= a.max_inflight_bytes()) return std::nullopt;
    pipeline->stats()->CountRequestRefused(receiver, "http", "inflight_limit");
    pipeline->stats()->CountRequest(receiver, "http", 429);
    return HttpErrorResponse(
        Status::ResourceExhausted("in-flight limit of " + std::to_string(a.max_inflight_bytes()) +
                                  " bytes reached (--max-inflight-bytes); retry later"));
  };
}

// The HTTP receivers each get their own listener.
std::unique_ptr<HttpServer> MakeHttpListener(const Config& config, const char* name,
                                             const char* port_key, size_t max_connections,
                                             IngestPipeline* pipeline) {
  HttpServerOptions o = HttpListenerOptions(config, name, port_key, max_connections);
  o.max_body_bytes = config.GetBytes("max_request_bytes");
  auto server = std::make_unique<HttpServer>(o);
  server->SetEarlyCheck(IngestEarlyCheck(pipeline, name));
  return server;
}

void LogEndpoint(std::string_view endpoint, const std::string& url) {
  ARIADNE_LOG(kInfo, "listening").Field("endpoint", endpoint).Field("url", url);
}

}  // namespace

int RunServe(const Config& config) {
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(config.GetString("log_level"), &level);
  SetLogLevel(level);
  SetLogFormat(config.GetString("log_format") == "json" ? LogFormat::kJson : LogFormat::kText);
  sigset_t stop_signals = BlockStopSignals();
  if (Status s = ValidateServeOptions(config); !s.ok()) {
    ARIADNE_LOG(kError, "invalid configuration").Field("error", s.ToString());
    return 1;
  }
  // Before the store opens its files: they need descriptors too.
  size_t http_listeners = 1;  // the query port
  for (const char* key : {"otlp_http_enabled", "jaeger_http_enabled", "zipkin_enabled"}) {
    if (config.GetBool(key)) ++http_listeners;
  }
  const size_t max_connections =
      FitConnectionCap(static_cast<size_t>(config.GetInt("http_max_connections")), http_listeners);

  const std::string& host = config.GetString("listen_host");
  const std::string& storage = config.GetString("storage");

  // Storage.
  std::unique_ptr<SpanStore> store;
  if (storage == "embedded") {
    Status s = Env::Default()->CreateDirs(config.GetString("data_dir"));
    if (!s.ok()) {
      ARIADNE_LOG(kError, "cannot create data directory").Field("error", s.ToString());
      return 1;
    }
    auto opened =
        OpenEmbeddedStore(EmbeddedStoreOptionsFromConfig(config), Env::Default(), Clock::Real());
    if (!opened.ok()) {
      ARIADNE_LOG(kError, "cannot open the embedded store")
          .Field("error", opened.status().ToString());
      return 1;
    }
    store = std::move(opened).value();
  } else {
    MemoryStoreOptions mo;
    mo.max_spans = static_cast<uint64_t>(config.GetInt("memory_max_spans"));
    mo.max_bytes = config.GetBytes("memory_max_bytes");
    mo.max_spans_per_trace = static_cast<uint64_t>(config.GetInt("max_spans_per_trace"));
    store = std::make_unique<MemoryStore>(mo);
  }

  IngestStats stats;
  IngestPipeline pipeline(store.get(), IngestOptionsFromConfig(config), &stats);
  std::atomic<bool> ready{false};

  // Query port: operations, query API, UI. Every route there is a GET or a bodiless POST, so
  // its bodies are capped far below the receivers'.
  HttpServerOptions query_options =
      HttpListenerOptions(config, "query", "query_port", max_connections);
  query_options.max_body_bytes = config.GetBytes("query_max_request_bytes");
  HttpServer query(query_options);

  std::unique_ptr<HttpServer> otlp_http, jaeger_http, zipkin;
  std::unique_ptr<OtlpGrpcReceiver> otlp_grpc;
  std::unique_ptr<JaegerUdpReceiver> jaeger_udp;
  if (config.GetBool("otlp_http_enabled")) {
    otlp_http = MakeHttpListener(config, "otlp_http", "otlp_http_port", max_connections, &pipeline);
    OtlpHttpOptions oh;
    oh.cors_allowed_origins = SplitList(config.GetString("cors_allowed_origins"));
    RegisterOtlpHttpRoutes(otlp_http.get(), &pipeline, oh);
  }
  if (config.GetBool("jaeger_http_enabled")) {
    jaeger_http =
        MakeHttpListener(config, "jaeger_http", "jaeger_http_port", max_connections, &pipeline);
    RegisterJaegerHttpRoutes(jaeger_http.get(), &pipeline);
  }
  if (config.GetBool("zipkin_enabled")) {
    zipkin = MakeHttpListener(config, "zipkin", "zipkin_port", max_connections, &pipeline);
    RegisterZipkinRoutes(zipkin.get(), &pipeline);
  }
  if (config.GetBool("otlp_grpc_enabled")) {
    OtlpGrpcOptions go;
    go.host = host;
    go.port = static_cast<uint16_t>(config.GetInt("otlp_grpc_port"));
    go.max_concurrent_streams = static_cast<int>(config.GetInt("grpc_max_concurrent_streams"));
    go.max_connection_idle = Millis(config, "grpc_max_connection_idle");
    go.max_connection_age = Millis(config, "grpc_max_connection_age");
    otlp_grpc = std::make_unique<OtlpGrpcReceiver>(&pipeline, go);
  }

  OpsState ops{&pipeline, store.get(), &ready, {}};
  for (const HttpServer* l : std::initializer_list<const HttpServer*>{
           &query, otlp_http.get(), jaeger_http.get(), zipkin.get()}) {
    if (l != nullptr) ops.listeners.push_back(l);
  }
  RegisterOpsRoutes(&query, ops);
  QueryApiOptions qo;
  qo.default_lookback_ns = config.GetDurationNanos("query_lookback");
  qo.max_limit = static_cast<size_t>(config.GetInt("query_max_limit"));
  qo.max_spans_per_trace = static_cast<size_t>(config.GetInt("max_spans_per_trace"));
  RegisterQueryApi(&query, store.get(), qo);
#ifdef ARIADNE_HAVE_UI
  RegisterUiRoutes(&query);
#endif
  bool compact = config.GetBool("jaeger_compact_enabled");
  bool binary = config.GetBool("jaeger_binary_enabled");
  if (compact || binary) {
    jaeger_udp = std::make_unique<JaegerUdpReceiver>(
        &pipeline, host,
        compact ? static_cast<int>(config.GetInt("jaeger_compact_port")) : JaegerUdpReceiver::kOff,
        binary ? static_cast<int>(config.GetInt("jaeger_binary_port")) : JaegerUdpReceiver::kOff);
  }

  auto stop_all = [&] {
    if (otlp_grpc) otlp_grpc->Stop();
    if (jaeger_udp) jaeger_udp->Stop();
    for (HttpServer* s : {otlp_http.get(), jaeger_http.get(), zipkin.get()}) {
      if (s) s->Stop();
    }
  };
  // Receivers first, the query port last: once /health answers, every receiver is listening
  // (tests and orchestrators rely on that).
  Status s;
  for (HttpServer* l : {otlp_http.get(), jaeger_http.get(), zipkin.get()}) {
    if (s.ok() && l) s = l->Start();
  }
  if (s.ok() && otlp_grpc) s = otlp_grpc->Start();
  if (s.ok() && jaeger_udp) s = jaeger_udp->Start();
  if (s.ok()) s = query.Start();
  if (!s.ok()) {
    ARIADNE_LOG(kError, "cannot start").Field("error", s.ToString());
    stop_all();
    query.Stop();
    store->Close();
    return 1;
  }

  auto url = [&](uint16_t port, std::string_view path) {
    return "http://" + host + ":" + std::to_string(port) + std::string(path);
  };
  ARIADNE_LOG(kInfo, "ariadne serving")
      .Field("version", ARIADNE_VERSION)
      .Field("storage", storage)
      .Field("data_dir", storage == "embedded" ? config.GetString("data_dir") : "-");
  LogEndpoint("ui", url(query.port(), "/"));
  LogEndpoint("query_api", url(query.port(), "/api/"));
  LogEndpoint("health", url(query.port(), "/health"));
  LogEndpoint("metrics", url(query.port(), "/metrics"));
  if (otlp_grpc) LogEndpoint("otlp_grpc", host + ":" + std::to_string(otlp_grpc->port()));
  if (otlp_http) LogEndpoint("otlp_http", url(otlp_http->port(), "/v1/traces"));
  if (jaeger_http) LogEndpoint("jaeger_http", url(jaeger_http->port(), "/api/traces"));
  if (zipkin) LogEndpoint("zipkin", url(zipkin->port(), "/api/v2/spans"));
  if (jaeger_udp && jaeger_udp->compact_port()) {
    LogEndpoint("jaeger_compact",
                "udp://" + host + ":" + std::to_string(jaeger_udp->compact_port()));
  }
  if (jaeger_udp && jaeger_udp->binary_port()) {
    LogEndpoint("jaeger_binary", "udp://" + host + ":" + std::to_string(jaeger_udp->binary_port()));
  }
  ready = true;

  int sig = WaitForStopSignal(stop_signals);
  ARIADNE_LOG(kInfo, "stopping").Field("signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
  ready = false;
  // Stop intake first: listeners stop accepting and drain the requests in flight, which are
  // still stored and answered. Then close the store (flush) and stop the query port last.
  stop_all();
  pipeline.StopIntake();
  store->Close();
  query.Stop();
  StoreStats st = store->Stats();
  ARIADNE_LOG(kInfo, "stopped").Field("spans", std::to_string(st.spans));
  return 0;
}

}  // namespace ariadne
