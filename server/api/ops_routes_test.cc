// /health, /ready and /metrics over HTTP.
#include "server/api/ops_routes.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "server/pipeline/span_factory.h"
#include "server/storage/memory/memory_store.h"
#include "tests/testing/http_client.h"

namespace ariadne {
namespace {

TEST(OpsRoutesTest, HealthReadyAndMetrics) {
  MemoryStore store({});
  IngestStats stats;
  IngestPipeline pipeline(&store, {}, &stats);
  stats.CountAccepted("otlp_http", "protobuf", 42);
  std::atomic<bool> ready{false};
  HttpServer server(HttpServerOptions{});
  RegisterOpsRoutes(&server, OpsState{&pipeline, &store, &ready, {}});
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(testing::HttpGet(server.port(), "/health").status, 200);
  EXPECT_EQ(testing::HttpGet(server.port(), "/api/health").status, 200);
  EXPECT_EQ(testing::HttpGet(server.port(), "/ready").status, 503);
  ready = true;
  EXPECT_EQ(testing::HttpGet(server.port(), "/ready").status, 200);
  auto m = testing::HttpGet(server.port(), "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.Header("content-type").find("version=0.0.4"), std::string::npos);
  EXPECT_NE(m.body.find("ariadne_receiver_spans_accepted_total{receiver=\"otlp_http\","
                        "protocol=\"protobuf\"} 42"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("ariadne_store_spans 0"), std::string::npos);
  EXPECT_NE(m.body.find("ariadne_inflight_limit_bytes 268435456"), std::string::npos);
  EXPECT_NE(m.body.find("# TYPE ariadne_process_resident_memory_bytes gauge"), std::string::npos);
  server.Stop();
}

TEST(OpsRoutesTest, SpansDroppedByThePerTraceLimitAreCounted) {
  MemoryStoreOptions o;
  o.max_spans_per_trace = 1;
  MemoryStore store(o);
  store.Append(SpanFactory(7).MakeBatch(16, 1'000'000'000), [](Status s) { ASSERT_TRUE(s.ok()); });
  const uint64_t dropped = store.Stats().dropped_spans;
  ASSERT_GT(dropped, 0u);
  IngestStats stats;
  IngestPipeline pipeline(&store, {}, &stats);
  std::atomic<bool> ready{true};
  OpsState state{&pipeline, &store, &ready};
  std::string metrics = RenderMetrics(state);
  EXPECT_NE(metrics.find("\nariadne_store_dropped_spans_total " + std::to_string(dropped) + "\n"),
            std::string::npos)
      << metrics;
}

TEST(OpsRoutesTest, MetricsShowEachListenersConnectionCounters) {
  MemoryStore store({});
  IngestStats stats;
  IngestPipeline pipeline(&store, {}, &stats);
  std::atomic<bool> ready{true};
  HttpServerOptions o;
  o.name = "query";
  HttpServer server(o);
  RegisterOpsRoutes(&server, OpsState{&pipeline, &store, &ready, {&server}});
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(testing::HttpGet(server.port(), "/health").status, 200);
  for (int i = 0; i < 500 && server.stats().connections != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto m = testing::HttpGet(server.port(), "/metrics");
  // The connection asking for /metrics is open, and it is the second one accepted.
  EXPECT_NE(m.body.find("\nariadne_http_connections{listener=\"query\"} 1\n"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("\nariadne_http_connections_accepted_total{listener=\"query\"} 2\n"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("# TYPE ariadne_http_connections_refused_total counter"),
            std::string::npos);
  EXPECT_NE(m.body.find("ariadne_http_accept_errors_total{listener=\"query\"} 0"),
            std::string::npos);
  EXPECT_NE(m.body.find("ariadne_http_idle_evictions_total{listener=\"query\"} 0"),
            std::string::npos);
  server.Stop();
}

}  // namespace
}  // namespace ariadne
