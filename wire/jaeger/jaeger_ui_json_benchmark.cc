// Encode throughput of the Jaeger UI JSON (what GET /api/traces/{id} spends its time on): a trace
// of 200 spans with the attributes of a typical HTTP/DB service, and the string escaper alone on
// short ASCII, long ASCII and long non-ASCII text.
#include <string>

#include <benchmark/benchmark.h>

#include "base/json_string.h"
#include "wire/jaeger/jaeger_ui_json.h"

namespace ariadne {
namespace {

constexpr int kSpans = 200;

SpanBatch MakeTrace() {
  SpanBatch b;
  uint32_t res = b.AddResource();
  uint32_t first = b.AddAttribute("service.name", AnyValue::String("checkout-service"));
  b.AddAttribute("host.name", AnyValue::String("ip-10-0-12-34.ec2.internal"));
  b.AddAttribute("telemetry.sdk.language", AnyValue::String("cpp"));
  b.resources[res].attributes = Range{first, 3};
  b.RefreshServiceName(res);
  b.AddScope();
  for (int i = 0; i < kSpans; ++i) {
    uint32_t row = b.AddSpan();
    b.spans.trace_id[row] = TraceId::FromHighLow(0x463ac35c9f6413adull, 0x48485a3953bb6124ull);
    b.spans.span_id[row] = SpanId::FromHighLow(0, 0x1000 + static_cast<uint64_t>(i));
    if (i > 0) b.spans.parent_span_id[row] = SpanId::FromHighLow(0, 0x1000);
    b.spans.name[row] = i % 3 == 0 ? "GET /api/v1/orders/{id}" : "SELECT orders";
    b.spans.kind[row] = i % 2 ? SpanKind::kClient : SpanKind::kServer;
    b.spans.start_time_unix_nano[row] = 1'700'000'000'000'000'000ull + i * 1000;
    b.spans.end_time_unix_nano[row] = b.spans.start_time_unix_nano[row] + 1'500'000;
    b.spans.resource_index[row] = res;
    uint32_t a = b.AddAttribute("http.method", AnyValue::String("GET"));
    b.AddAttribute("http.url",
                   AnyValue::String("https://shop.example.com/api/v1/orders/12345?expand=items"));
    b.AddAttribute("http.status_code", AnyValue::Int(200));
    b.AddAttribute("db.statement",
                   AnyValue::String("SELECT * FROM orders WHERE id = $1 AND status <> 'x'"));
    b.AddAttribute("net.peer.name", AnyValue::String("orders-db.internal"));
    b.AddAttribute("user.name", AnyValue::String("Zoë Šťastná"));
    b.AddAttribute("cache.hit", AnyValue::Bool(false));
    b.AddAttribute("component", AnyValue::String("node-http"));
    b.spans.attributes[row] = Range{a, 8};
    uint32_t e = b.AddEvent();
    b.events.name[e] = "cache.miss";
    b.events.time_unix_nano[e] = b.spans.start_time_unix_nano[row] + 500;
    b.spans.events[row] = Range{e, 1};
  }
  return b;
}

void BM_JaegerUiTrace(benchmark::State& state) {
  SpanBatch trace = MakeTrace();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    AppendJaegerUiTrace(trace, &out);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kSpans),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_JaegerUiTrace);

void BM_JsonString(benchmark::State& state, std::string text) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    AppendJsonString(&out, text);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK_CAPTURE(BM_JsonString, short_ascii, std::string("GET /api/v1/orders/{id}"));
BENCHMARK_CAPTURE(BM_JsonString, long_ascii,
                  std::string(4096 / 32, 'x') + std::string(4096 - 4096 / 32, 'y'));
BENCHMARK_CAPTURE(BM_JsonString, long_utf8, [] {
  std::string s;
  while (s.size() < 4096) s += "Привет, мир; héllo wörld; 日本語 ";
  return s;
}());

}  // namespace
}  // namespace ariadne
