// In-process SDK workflows of seeds 002 (Continuum) and 003 (Daena): the console and in-memory
// exporters, trace_operation-style helpers (TraceCall/TraceCallWithArgs), performance thresholds
// (SlowSpanGuard), the disabled mode and the OTLP endpoint/header configuration reaching a local
// HTTP server. Providers here are built with MakeTracerProvider and never installed globally,
// except in the disabled-mode test, which installs nothing.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "ariadne/exporters/console_exporter.h"
#include "ariadne/exporters/in_memory_exporter.h"
#include "ariadne/propagation/text_map.h"
#include "ariadne/sdk/autoconfig.h"
#include "ariadne/sdk/span_processor.h"
#include "ariadne/sdk/tracer_provider.h"
#include "ariadne/trace/helpers.h"
#include "gtest/gtest.h"
#include "server/api/http_server.h"

namespace ariadne::demo {
namespace {

using exporters::InMemorySpanExporter;
using exporters::InMemorySpanStore;

struct InMemoryProvider {
  std::shared_ptr<InMemorySpanStore> store;
  std::unique_ptr<sdk::SdkTracerProvider> provider;
};

InMemoryProvider MakeInMemory() {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  InMemoryProvider p;
  p.store = exporter->GetStore();
  sdk::TracerProviderOptions options;
  options.processor = std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter));
  p.provider = std::make_unique<sdk::SdkTracerProvider>(std::move(options));
  return p;
}

std::optional<sdk::OwnedValue> FindAttribute(const sdk::SpanData& span, std::string_view key) {
  for (const auto& a : span.attributes) {
    if (a.key == key) return a.value.ToOwned();
  }
  return std::nullopt;
}

int Add(int a, int b) { return a + b; }

// Seed 002: @trace_operation("my_op", include_args=True, include_result=True).
TEST(ContinuumSeed, TraceOperationRecordsArgumentsResultAndParentage) {
  InMemoryProvider p = MakeInMemory();
  trace::Tracer tracer = p.provider->GetTracer("continuum");
  int sum = 0;
  {
    trace::ScopedSpan parent(tracer, "search_concept");
    sum = trace::TraceCallWithArgs(tracer, "my_op", Add, 2, 3);
  }
  EXPECT_EQ(sum, 5);
  auto ops = p.store->FindByName("my_op");
  auto parents = p.store->FindByName("search_concept");
  ASSERT_EQ(ops.size(), 1u);
  ASSERT_EQ(parents.size(), 1u);
  EXPECT_TRUE(ops[0].parent_span_id == parents[0].context.span_id);
  ASSERT_TRUE(FindAttribute(ops[0], "code.arg.0").has_value());
  EXPECT_EQ(std::get<int64_t>(*FindAttribute(ops[0], "code.arg.0")), 2);
  EXPECT_EQ(std::get<int64_t>(*FindAttribute(ops[0], "code.arg.1")), 3);
  EXPECT_EQ(std::get<int64_t>(*FindAttribute(ops[0], "code.result")), 5);
}

TEST(ContinuumSeed, TraceOperationRecordsAnExceptionAndRethrowsIt) {
  InMemoryProvider p = MakeInMemory();
  trace::Tracer tracer = p.provider->GetTracer("continuum");
  bool caught = false;
  try {
    trace::TraceCall(tracer, "expensive_computation",
                     []() -> int { throw std::runtime_error("graph unavailable"); });
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()) == "graph unavailable";
  }
  EXPECT_TRUE(caught);
  auto spans = p.store->FindByName("expensive_computation");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].status_code, trace::StatusCode::kError);
  ASSERT_FALSE(spans[0].events.empty());
  EXPECT_EQ(spans[0].events[0].name, "exception");
}

// Seed 002: @trace_performance(threshold_ms=100) marks and warns only when exceeded.
TEST(ContinuumSeed, PerformanceThresholdMarksOnlySlowSpans) {
  InMemoryProvider p = MakeInMemory();
  trace::Tracer tracer = p.provider->GetTracer("continuum");
  static int warnings = 0;
  trace::SetSlowSpanHandler([](std::string_view, double, double) { ++warnings; });
  {
    trace::ScopedSpan span(tracer, "slow_op");
    trace::SlowSpanGuard guard(span, std::chrono::milliseconds(1), "slow_op");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  {
    trace::ScopedSpan span(tracer, "fast_op");
    trace::SlowSpanGuard guard(span, std::chrono::hours(1), "fast_op");
  }
  trace::SetSlowSpanHandler(nullptr);
  auto slow = p.store->FindByName("slow_op");
  auto fast = p.store->FindByName("fast_op");
  ASSERT_EQ(slow.size(), 1u);
  ASSERT_EQ(fast.size(), 1u);
  ASSERT_TRUE(FindAttribute(slow[0], "ariadne.slow").has_value());
  EXPECT_TRUE(std::get<bool>(*FindAttribute(slow[0], "ariadne.slow")));
  EXPECT_FALSE(FindAttribute(fast[0], "ariadne.slow").has_value());
  EXPECT_EQ(warnings, 1);
}

// Seed 002: TRACING_EXPORTER=console prints every finished span.
TEST(ContinuumSeed, ConsoleExporterPrintsFinishedSpans) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  sdk::TracerProviderOptions options;
  options.processor = std::make_unique<sdk::SimpleSpanProcessor>(
      std::make_unique<exporters::ConsoleSpanExporter>(out));
  sdk::SdkTracerProvider provider(std::move(options));
  trace::Tracer tracer = provider.GetTracer("continuum");
  {
    trace::ScopedSpan span(tracer, "health_check");
    span.SetAttribute("batch_size", 100);
  }
  provider.ForceFlush(std::chrono::seconds(5));
  std::rewind(out);
  std::string text;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), out)) > 0) text.append(buf, n);
  std::fclose(out);
  EXPECT_NE(text.find("health_check"), std::string::npos) << text;
  EXPECT_NE(text.find("batch_size"), std::string::npos) << text;
}

std::optional<std::string> Lookup(const std::map<std::string, std::string>& env,
                                  const std::string& name) {
  auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

// Seed 003: tracing is optional; with it off, instrumentation costs a branch and records nothing
// while context still flows through the propagator.
TEST(DaenaSeed, DisabledSdkInstallsNothingAndSpansDoNotRecord) {
  std::map<std::string, std::string> env = {{"OTEL_SDK_DISABLED", "true"}};
  sdk::EnvLookup lookup = [&env](const std::string& n) { return Lookup(env, n); };
  EXPECT_EQ(sdk::InitTracingFromEnvironment(&lookup), nullptr);
  trace::Tracer tracer = trace::GetTracer("daena");
  EXPECT_FALSE(tracer.Enabled());
  trace::ScopedSpan span(tracer, "council.round");
  EXPECT_FALSE(span.IsRecording());
  std::vector<std::pair<std::string, std::string>> in = {
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  propagation::HeaderVectorCarrier carrier(&in);
  trace::Context parent = propagation::GlobalPropagator().Extract(carrier, trace::Context());
  trace::StartSpanOptions o;
  o.parent = &parent;
  trace::Span child = tracer.StartSpan("message_bus.publish", o);
  EXPECT_FALSE(child.IsRecording());
  EXPECT_TRUE(child.GetContext().trace_id == parent.span_context().trace_id);
}

// Seed 003: OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS reach the backend.
TEST(DaenaSeed, OtlpEndpointAndHeadersFromTheEnvironmentReachTheServer) {
  HttpServerOptions server_options;
  HttpServer server(server_options);
  std::mutex mu;
  std::condition_variable cv;
  std::string path, auth, tenant, content_type;
  size_t body_size = 0;
  server.Route("POST", "/v1/traces", [&](HttpRequest&& req, HttpResponder respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      path = req.path;
      auth = std::string(req.Header("authorization"));
      tenant = std::string(req.Header("x-tenant"));
      content_type = std::string(req.Header("content-type"));
      body_size = req.body.size();
    }
    cv.notify_all();
    HttpResponse r;
    r.content_type = "application/x-protobuf";
    respond(std::move(r));
  });
  ASSERT_TRUE(server.Start().ok());
  std::map<std::string, std::string> env = {
      {"OTEL_SERVICE_NAME", "daena"},
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(server.port())},
      {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20s3cret,x-tenant=daena-prod"},
      {"OTEL_TRACES_EXPORTER", "otlp"}};
  sdk::EnvLookup lookup = [&env](const std::string& n) { return Lookup(env, n); };
  sdk::SdkConfig config = sdk::ParseSdkConfig(lookup);
  std::vector<std::string> warnings;
  std::shared_ptr<sdk::SdkTracerProvider> provider = sdk::MakeTracerProvider(config, &warnings);
  ASSERT_NE(provider, nullptr);
  trace::Tracer tracer = provider->GetTracer("daena");
  {
    trace::ScopedSpan span(tracer, "llm.exchange");
    span.SetAttribute("cas.hit", true);
  }
  EXPECT_TRUE(provider->ForceFlush(std::chrono::seconds(10)));
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return body_size > 0; }));
  }
  provider->Shutdown(std::chrono::seconds(5));
  server.Stop();
  EXPECT_EQ(path, "/v1/traces");
  EXPECT_EQ(auth, "Bearer s3cret");
  EXPECT_EQ(tenant, "daena-prod");
  EXPECT_NE(content_type.find("protobuf"), std::string::npos) << content_type;
}

}  // namespace
}  // namespace ariadne::demo
