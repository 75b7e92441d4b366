// libFuzzer target: Zipkin v2 JSON. Decodes, checks the batch invariants, and renders the result
// as Jaeger UI JSON. Corpus: corpus/zipkin_json.
#include <string>
#include <string_view>

#include "wire/jaeger/jaeger_thrift_fuzzer.h"
#include "wire/zipkin/zipkin_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ariadne::DecodeLimits limits;
  limits.max_spans = 10'000;
  ariadne::DecodeResult r;
  ariadne::Status s = ariadne::DecodeZipkinJson(in, limits, &r);
  if (!s.ok()) ARIADNE_CHECK(r.batch.empty());
  ariadne::CheckDecodedBatch(r.batch);
  std::string json;
  ariadne::AppendJaegerUiTrace(r.batch, &json);
  return 0;
}
