// Decode throughput of Jaeger Thrift (binary, compact) on a realistic batch: 100 spans of a
// service, each with 10 tags of mixed types, one log with 2 fields and a CHILD_OF reference.
// When Apache Thrift's generated code is available (see CMakeLists.txt), the same bytes are also
// deserialized by it, in the same run, as the peer figure.
#include <string>

#include <benchmark/benchmark.h>

#include "wire/jaeger/jaeger_thrift.h"
#include "wire/jaeger/thrift_test_writer.h"

#ifdef ARIADNE_HAVE_APACHE_THRIFT
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "jaeger_types.h"
#endif

namespace ariadne {
namespace {

constexpr int kSpans = 100;

void Tag(ThriftTestWriter& w, std::string_view key, int type, std::string_view s, int64_t n) {
  w.StructBegin();
  w.Field(kThriftString, 1);
  w.String(key);
  w.Field(kThriftI32, 2);
  w.I32(type);
  switch (type) {
    case 0:
      w.Field(kThriftString, 3);
      w.String(s);
      break;
    case 1:
      w.Field(kThriftDouble, 4);
      w.Double(static_cast<double>(n) / 3);
      break;
    case 2:
      w.BoolField(5, n % 2 == 0);
      break;
    default:
      w.Field(kThriftI64, 6);
      w.I64(n);
  }
  w.StructEnd();
}

std::string MakeBatch(ThriftProtocol p) {
  ThriftTestWriter w(p);
  w.StructBegin();
  w.Field(kThriftStruct, 1);
  w.StructBegin();
  w.Field(kThriftString, 1);
  w.String("checkout-service");
  w.Field(kThriftList, 2);
  w.ListBegin(kThriftStruct, 3);
  Tag(w, "hostname", 0, "ip-10-0-12-34.ec2.internal", 0);
  Tag(w, "ip", 0, "10.0.12.34", 0);
  Tag(w, "jaeger.version", 0, "Node-3.19.0", 0);
  w.StructEnd();
  w.Field(kThriftList, 2);
  w.ListBegin(kThriftStruct, kSpans);
  for (int i = 0; i < kSpans; ++i) {
    w.StructBegin();
    w.Field(kThriftI64, 1);
    w.I64(0x5b8efff798038103);
    w.Field(kThriftI64, 2);
    w.I64(0x463ac35c9f6413ad);
    w.Field(kThriftI64, 3);
    w.I64(0x1000 + i);
    w.Field(kThriftI64, 4);
    w.I64(i == 0 ? 0 : 0x1000);
    w.Field(kThriftString, 5);
    w.String(i % 3 == 0 ? "HTTP GET /api/v1/orders/{id}" : "SELECT orders");
    if (i > 0) {
      w.Field(kThriftList, 6);
      w.ListBegin(kThriftStruct, 1);
      w.StructBegin();
      w.Field(kThriftI32, 1);
      w.I32(0);
      w.Field(kThriftI64, 2);
      w.I64(0x5b8efff798038103);
      w.Field(kThriftI64, 3);
      w.I64(0x463ac35c9f6413ad);
      w.Field(kThriftI64, 4);
      w.I64(0x1000);
      w.StructEnd();
    }
    w.Field(kThriftI32, 7);
    w.I32(1);
    w.Field(kThriftI64, 8);
    w.I64(1'700'000'000'000'000 + i * 1000);
    w.Field(kThriftI64, 9);
    w.I64(1500 + i);
    w.Field(kThriftList, 10);
    w.ListBegin(kThriftStruct, 10);
    Tag(w, "span.kind", 0, i % 2 ? "client" : "server", 0);
    Tag(w, "http.method", 0, "GET", 0);
    Tag(w, "http.url", 0, "https://shop.example.com/api/v1/orders/12345?expand=items", 0);
    Tag(w, "http.status_code", 3, "", 200);
    Tag(w, "component", 0, "node-http", 0);
    Tag(w, "peer.service", 0, "orders-db", 0);
    Tag(w, "db.statement", 0, "SELECT * FROM orders WHERE id = $1", 0);
    Tag(w, "retry", 2, "", i);
    Tag(w, "latency_ratio", 1, "", i);
    Tag(w, "sampler.param", 2, "", 0);
    w.Field(kThriftList, 11);
    w.ListBegin(kThriftStruct, 1);
    w.StructBegin();
    w.Field(kThriftI64, 1);
    w.I64(1'700'000'000'000'500 + i * 1000);
    w.Field(kThriftList, 2);
    w.ListBegin(kThriftStruct, 2);
    Tag(w, "event", 0, "cache.miss", 0);
    Tag(w, "key", 0, "order:12345", 0);
    w.StructEnd();
    w.StructEnd();
  }
  w.StructEnd();
  return w.str();
}

void BM_JaegerDecode(benchmark::State& state, ThriftProtocol p) {
  std::string body = MakeBatch(p);
  for (auto _ : state) {
    DecodeResult r;
    Status s = DecodeJaegerBatch(body, p, DecodeLimits(), &r);
    if (!s.ok() || r.batch.size() != kSpans) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r.batch.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kSpans),
                                                 benchmark::Counter::kIsRate);
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK_CAPTURE(BM_JaegerDecode, binary, ThriftProtocol::kBinary);
BENCHMARK_CAPTURE(BM_JaegerDecode, compact, ThriftProtocol::kCompact);

#ifdef ARIADNE_HAVE_APACHE_THRIFT
// Peer: Apache Thrift 0.17's generated code deserializing the same bytes into jaeger::Batch
// (no conversion to a SpanBatch, so this is a lower bound of the peer's work).
void BM_ApacheThriftDeserialize(benchmark::State& state, ThriftProtocol p) {
  std::string body = MakeBatch(p);
  for (auto _ : state) {
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>(
        reinterpret_cast<uint8_t*>(body.data()), static_cast<uint32_t>(body.size()));
    jaegertracing::thrift::Batch batch;
    if (p == ThriftProtocol::kBinary) {
      apache::thrift::protocol::TBinaryProtocol proto(buffer);
      batch.read(&proto);
    } else {
      apache::thrift::protocol::TCompactProtocol proto(buffer);
      batch.read(&proto);
    }
    if (batch.spans.size() != kSpans) state.SkipWithError("apache decode failed");
    benchmark::DoNotOptimize(batch.spans.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kSpans),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_ApacheThriftDeserialize, binary, ThriftProtocol::kBinary);
BENCHMARK_CAPTURE(BM_ApacheThriftDeserialize, compact, ThriftProtocol::kCompact);
#endif

}  // namespace
}  // namespace ariadne
