// End to end against the real `ariadne serve`: the batch processor + OTLP/HTTP exporter deliver
// a trace that the query API returns; context propagated over HTTP between two services (two
// providers with different service names, the second behind an HTTP server) yields one trace;
// a collector that hangs cannot block the app's End() calls (proved without timing: they all
// return while the exporter is provably still inside its first request), and every span is
// accounted for as exported, failed or dropped.
// Waits poll with a bound (the bound only limits a failing test); no timing assertions.
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ariadne/exporters/otlp_http_exporter.h"
#include "ariadne/propagation/curl_carrier.h"
#include "ariadne/propagation/propagators.h"
#include "ariadne/sdk/batch_span_processor.h"
#include "ariadne/sdk/tracer_provider.h"
#include "server/api/http_server.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"

namespace ariadne {
namespace {

using testing::HttpGet;

sdk::BatchSpanProcessorOptions DefaultBatchOptions() {
  sdk::BatchSpanProcessorOptions bo;
  bo.schedule_delay = std::chrono::milliseconds(50);
  bo.export_timeout = std::chrono::seconds(5);
  return bo;
}

struct Service {
  Service(const std::string& name, const std::string& endpoint,
          sdk::BatchSpanProcessorOptions bo = DefaultBatchOptions(),
          std::chrono::milliseconds attempt_timeout = std::chrono::seconds(10)) {
    exporters::OtlpHttpExporterOptions eo;
    eo.endpoint = endpoint;
    eo.initial_backoff = std::chrono::milliseconds(5);
    eo.max_backoff = std::chrono::milliseconds(10);
    eo.max_attempts = 3;
    eo.timeout = attempt_timeout;
    auto exporter = std::make_unique<exporters::OtlpHttpExporter>(eo);
    http = exporter.get();
    auto bsp_owned = std::make_unique<sdk::BatchSpanProcessor>(std::move(exporter), bo);
    bsp = bsp_owned.get();
    sdk::TracerProviderOptions o;
    o.resource.Set("service.name", name);
    o.processor = std::move(bsp_owned);
    provider = std::make_unique<sdk::SdkTracerProvider>(std::move(o));
    tracer = provider->GetTracer("e2e");
  }
  exporters::OtlpHttpExporter* http;
  sdk::BatchSpanProcessor* bsp;
  std::unique_ptr<sdk::SdkTracerProvider> provider;
  trace::Tracer tracer;
};

// A collector that hangs: accepts TCP connections, reads nothing, answers nothing, until Close()
// (which closes the connections and the listener, so later connects are refused).
class HungCollector {
 public:
  HungCollector() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listen_fd_, 16) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) continue;
        int fd = accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) continue;
        std::lock_guard<std::mutex> lock(mu_);
        accepted_.push_back(fd);
      }
    });
  }
  ~HungCollector() { Close(); }
  uint16_t port() const { return port_; }
  std::string Endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1/traces";
  }
  size_t accepted() {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_.size();
  }
  void Close() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : accepted_) close(fd);
    accepted_.clear();
    if (listen_fd_ >= 0) close(listen_fd_);
    listen_fd_ = -1;
  }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<int> accepted_;
};

class SdkServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    otlp_ = testing::PickFreePort();
    std::vector<std::string> args = {
        "--otlp-grpc-port=0",      "--otlp-http-port=" + std::to_string(otlp_),
        "--jaeger-compact-port=0", "--jaeger-binary-port=0",
        "--jaeger-http-port=0",    "--zipkin-port=0",
        "--storage=memory"};
    ASSERT_TRUE(server_.Start(args)) << server_.log();
  }
  std::string Endpoint() const {
    return "http://127.0.0.1:" + std::to_string(otlp_) + "/v1/traces";
  }
  // The trace JSON once every needle appears in it (polls up to ~20 s), else the last body.
  std::string WaitForTrace(const std::string& trace_id, const std::vector<std::string>& needles) {
    std::string body;
    for (int i = 0; i < 200; ++i) {
      auto r = HttpGet(server_.query_port(), "/api/traces/" + trace_id);
      body = r.body;
      bool all = r.status == 200;
      for (const auto& n : needles) all = all && body.find(n) != std::string::npos;
      if (all) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return body;
  }
  uint16_t otlp_ = 0;
  testing::ServerProcess server_{ARIADNE_BINARY};
};

TEST_F(SdkServeTest, BatchExportArrivesAsOneTrace) {
  Service svc("checkout", Endpoint());
  std::string trace_id, parent_id, child_id;
  {
    trace::ScopedSpan parent(svc.tracer, "GET /checkout", trace::SpanKind::kServer);
    trace::Span child = svc.tracer.StartSpan("SELECT orders", trace::SpanKind::kClient);
    child.SetAttribute("db.system.name", "postgresql");
    trace_id = parent.GetContext().trace_id.ToHex();
    parent_id = parent.GetContext().span_id.ToHex();
    child_id = child.GetContext().span_id.ToHex();
  }
  ASSERT_TRUE(svc.provider->ForceFlush(std::chrono::seconds(20)));
  std::string body = WaitForTrace(trace_id, {parent_id, child_id, "checkout", "SELECT orders"});
  EXPECT_NE(body.find(child_id), std::string::npos) << body;
  EXPECT_NE(body.find("postgresql"), std::string::npos) << body;
  EXPECT_EQ(svc.http->stats().exported_spans, 2u);
}

TEST_F(SdkServeTest, ContextPropagatedOverHttpJoinsTwoServicesInOneTrace) {
  Service frontend("frontend", Endpoint());
  Service backend("backend", Endpoint());
  auto propagator = propagation::MakeW3CTraceContextPropagator();
  std::string backend_span_id;
  std::mutex mu;
  HttpServer backend_http(HttpServerOptions{});
  backend_http.Route("GET", "/price", [&](HttpRequest&& req, HttpResponder respond) {
    propagation::HeaderVectorCarrier in(&req.headers);
    trace::Context parent = propagator->Extract(in, trace::Context());
    trace::StartSpanOptions o;
    o.parent = &parent;
    o.kind = trace::SpanKind::kServer;
    trace::Span span = backend.tracer.StartSpan("GET /price", o);
    {
      std::lock_guard<std::mutex> lock(mu);
      backend_span_id = span.GetContext().span_id.ToHex();
    }
    span.End();
    respond(HttpResponse::Text(200, "42"));
  });
  ASSERT_TRUE(backend_http.Start().ok());

  std::string trace_id, client_id;
  {
    trace::ScopedSpan client(frontend.tracer, "call backend", trace::SpanKind::kClient);
    trace_id = client.GetContext().trace_id.ToHex();
    client_id = client.GetContext().span_id.ToHex();
    std::vector<std::pair<std::string, std::string>> headers;
    propagation::HeaderVectorCarrier out(&headers);
    propagator->Inject(trace::Context::Current(), out);
    auto r = testing::HttpRequestRaw(
        backend_http.port(), "GET /price HTTP/1.1\r\nHost: x\r\ntraceparent: " + headers[0].second +
                                 "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.status, 200);
  }
  backend_http.Stop();
  ASSERT_TRUE(frontend.provider->ForceFlush(std::chrono::seconds(20)));
  ASSERT_TRUE(backend.provider->ForceFlush(std::chrono::seconds(20)));
  std::string backend_id;
  {
    std::lock_guard<std::mutex> lock(mu);
    backend_id = backend_span_id;
  }
  ASSERT_FALSE(backend_id.empty());
  std::string body = WaitForTrace(trace_id, {client_id, backend_id, "frontend", "backend"});
  EXPECT_NE(body.find("frontend"), std::string::npos) << body;
  EXPECT_NE(body.find("backend"), std::string::npos) << body;
  EXPECT_NE(body.find(backend_id), std::string::npos) << body;
}

TEST_F(SdkServeTest, ServerDownLosesSpansCountedAsFailed) {
  uint16_t dead = testing::PickFreePort();
  Service svc("lonely", "http://127.0.0.1:" + std::to_string(dead) + "/v1/traces");
  for (int i = 0; i < 100; ++i) svc.tracer.StartSpan("work").End();
  ASSERT_TRUE(svc.provider->ForceFlush(std::chrono::seconds(20)));
  EXPECT_EQ(svc.http->stats().failed_spans, 100u);
  EXPECT_EQ(svc.http->stats().exported_spans, 0u);
  EXPECT_GE(svc.http->stats().requests, 1u);
  EXPECT_EQ(svc.bsp->stats().failed_spans, 100u);
}

TEST_F(SdkServeTest, AHungCollectorNeverBlocksTheAppAndEverySpanIsAccountedFor) {
  HungCollector hung;
  ASSERT_NE(hung.port(), 0);
  constexpr int kBatch = 16, kQueue = 64, kBurst = 1000;
  sdk::BatchSpanProcessorOptions bo;
  bo.max_queue_size = kQueue;
  bo.max_export_batch_size = kBatch;
  bo.schedule_delay = std::chrono::hours(1);  // export full batches only
  bo.export_timeout = std::chrono::seconds(120);
  Service svc("stuck", hung.Endpoint(), bo, std::chrono::seconds(120));

  // One full batch: the worker takes it and the exporter's first request hangs.
  for (int i = 0; i < kBatch; ++i) svc.tracer.StartSpan("first").End();
  for (int i = 0; i < 2000 && hung.accepted() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(hung.accepted(), 1u);

  // The burst completes although the exporter cannot make progress: End() never waits for it.
  for (int i = 0; i < kBurst; ++i) svc.tracer.StartSpan("burst").End();
  // Proof the exporter was stuck the whole time: its first request has still not returned.
  EXPECT_EQ(svc.http->stats().requests, 0u);
  sdk::BatchSpanProcessorStats st = svc.bsp->stats();
  EXPECT_EQ(st.enqueued, static_cast<uint64_t>(kBatch + kQueue));  // the queue holds kQueue
  EXPECT_EQ(st.dropped_queue_full, static_cast<uint64_t>(kBurst - kQueue));
  EXPECT_EQ(st.export_calls, 0u);

  // The collector goes away: the hung request fails, the queued batches fail fast (refused).
  hung.Close();
  ASSERT_TRUE(svc.provider->ForceFlush(std::chrono::seconds(60)));
  st = svc.bsp->stats();
  EXPECT_EQ(st.exported_spans, 0u);
  EXPECT_EQ(st.failed_spans, static_cast<uint64_t>(kBatch + kQueue));
  EXPECT_EQ(st.failed_spans + st.dropped_queue_full, static_cast<uint64_t>(kBatch + kBurst));
  EXPECT_EQ(svc.http->stats().failed_spans, static_cast<uint64_t>(kBatch + kQueue));
}

}  // namespace
}  // namespace ariadne
