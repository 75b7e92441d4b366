// Decode throughput of Zipkin v2 JSON on a realistic request: 100 spans shaped like the
// OpenTelemetry Zipkin exporter's (ids, kind, endpoints, 8 string tags, one annotation).
#include <cstdio>
#include <string>

#include <benchmark/benchmark.h>

#include "wire/zipkin/zipkin_json.h"

namespace ariadne {
namespace {

constexpr int kSpans = 100;

std::string MakeBody() {
  std::string body = "[";
  for (int i = 0; i < kSpans; ++i) {
    char ids[160];
    std::snprintf(ids, sizeof(ids),
                  R"({"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"%016x",%s"name":"%s",)",
                  0x1000 + i, i == 0 ? "" : R"("parentId":"0000000000001000",)",
                  i % 3 == 0 ? "get /api/v1/orders/{id}" : "select orders");
    if (i > 0) body += ",";
    body += ids;
    body += i % 2 ? R"("kind":"CLIENT",)" : R"("kind":"SERVER",)";
    body += R"("timestamp":)" + std::to_string(1'700'000'000'000'000 + i * 1000) +
            R"(,"duration":)" + std::to_string(1500 + i);
    body +=
        R"(,"localEndpoint":{"serviceName":"checkout-service","ipv4":"10.0.12.34","port":8080})";
    if (i % 2)
      body += R"(,"remoteEndpoint":{"serviceName":"orders-db","ipv4":"10.0.7.1","port":5432})";
    body += R"(,"annotations":[{"timestamp":)" + std::to_string(1'700'000'000'000'500 + i * 1000) +
            R"(,"value":"cache.miss"}])";
    body +=
        R"(,"tags":{"http.method":"GET","http.url":"https://shop.example.com/api/v1/orders/12345?expand=items",)"
        R"("http.status_code":"200","component":"node-http","db.statement":"SELECT * FROM orders WHERE id = $1",)"
        R"("otel.status_code":"OK","service.name":"checkout-service","service.version":"1.2.3"}})";
  }
  body += "]";
  return body;
}

void BM_ZipkinJsonDecode(benchmark::State& state) {
  std::string body = MakeBody();
  for (auto _ : state) {
    DecodeResult r;
    Status s = DecodeZipkinJson(body, DecodeLimits(), &r);
    if (!s.ok() || r.batch.size() != kSpans) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r.batch.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kSpans),
                                                 benchmark::Counter::kIsRate);
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_ZipkinJsonDecode);

}  // namespace
}  // namespace ariadne
