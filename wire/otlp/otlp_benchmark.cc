// OTLP codec throughput against libprotobuf on the realistic request of issue 3 (512 spans,
// ~10 attributes each, one event per 4 spans, one resource with 10 attributes). Ours and the
// peer run in the same binary and process; results go to docs/performance.md (## OTLP codecs).
#include <string>

#include <benchmark/benchmark.h>

#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"
#include "wire/otlp/otlp_test_util.h"

namespace ariadne {
namespace {

namespace pb = otlp_test::pb;

const std::string& RequestBytes() {
  static const std::string* bytes =
      new std::string(otlp_test::RealisticRequest().SerializeAsString());
  return *bytes;
}

void SetCounters(benchmark::State& state, size_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations() * 512),
                                                 benchmark::Counter::kIsRate);
}

void BM_OursDecodeProto(benchmark::State& state) {
  const std::string& bytes = RequestBytes();
  DecodeLimits limits;
  for (auto _ : state) {
    DecodeResult result;
    if (!DecodeOtlpProto(std::string_view(bytes), limits, &result).ok())
      state.SkipWithError("decode");
    benchmark::DoNotOptimize(result.batch.size());
  }
  SetCounters(state, bytes.size());
}
BENCHMARK(BM_OursDecodeProto);

void BM_OursDecodeProtoZeroCopy(benchmark::State& state) {
  const std::string& bytes = RequestBytes();
  DecodeLimits limits;
  for (auto _ : state) {
    state.PauseTiming();
    std::string copy = bytes;  // the receiver owns its body already; not part of the decode
    state.ResumeTiming();
    DecodeResult result;
    if (!DecodeOtlpProto(std::move(copy), limits, &result).ok()) state.SkipWithError("decode");
    benchmark::DoNotOptimize(result.batch.size());
  }
  SetCounters(state, bytes.size());
}
BENCHMARK(BM_OursDecodeProtoZeroCopy);

void BM_LibprotobufParseFromArray(benchmark::State& state) {
  const std::string& bytes = RequestBytes();
  for (auto _ : state) {
    pb::ExportTraceServiceRequest req;
    if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      state.SkipWithError("parse");
    }
    benchmark::DoNotOptimize(req.resource_spans_size());
  }
  SetCounters(state, bytes.size());
}
BENCHMARK(BM_LibprotobufParseFromArray);

void BM_OursEncodeProto(benchmark::State& state) {
  DecodeResult decoded;
  if (!DecodeOtlpProto(std::string_view(RequestBytes()), DecodeLimits(), &decoded).ok()) {
    state.SkipWithError("decode");
    return;
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    EncodeOtlpProto(decoded.batch, &out);
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, out.size());
}
BENCHMARK(BM_OursEncodeProto);

void BM_LibprotobufSerializeToArray(benchmark::State& state) {
  pb::ExportTraceServiceRequest req = otlp_test::RealisticRequest();
  std::string out;
  for (auto _ : state) {
    out.resize(req.ByteSizeLong());
    req.SerializeToArray(out.data(), static_cast<int>(out.size()));
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, out.size());
}
BENCHMARK(BM_LibprotobufSerializeToArray);

const std::string& JsonBytes() {
  static const std::string* json = [] {
    DecodeResult decoded;
    auto* s = new std::string();
    if (DecodeOtlpProto(std::string_view(RequestBytes()), DecodeLimits(), &decoded).ok()) {
      EncodeOtlpJson(decoded.batch, s);
    }
    return s;
  }();
  return *json;
}

void BM_OursDecodeJson(benchmark::State& state) {
  const std::string& json = JsonBytes();
  DecodeLimits limits;
  for (auto _ : state) {
    DecodeResult result;
    if (!DecodeOtlpJson(json, limits, &result).ok()) state.SkipWithError("decode");
    benchmark::DoNotOptimize(result.batch.size());
  }
  SetCounters(state, json.size());
}
BENCHMARK(BM_OursDecodeJson);

void BM_OursEncodeJson(benchmark::State& state) {
  DecodeResult decoded;
  if (!DecodeOtlpProto(std::string_view(RequestBytes()), DecodeLimits(), &decoded).ok()) {
    state.SkipWithError("decode");
    return;
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    EncodeOtlpJson(decoded.batch, &out);
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, out.size());
}
BENCHMARK(BM_OursEncodeJson);

}  // namespace
}  // namespace ariadne
