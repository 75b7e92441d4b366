// Shared body of the Jaeger Thrift fuzzers (binary and compact): decodes the input as a collector
// Batch and as an agent emitBatch message, checks the invariants every decoded batch must hold
// (failed decodes leave nothing behind; every range is inside its pool), then renders the result
// as Jaeger UI JSON so the encoder sees arbitrary decoded data too.
//
// Used by jaeger_thrift_binary_fuzzer.cc and jaeger_thrift_compact_fuzzer.cc only.
#ifndef ARIADNE_WIRE_JAEGER_JAEGER_THRIFT_FUZZER_H_
#define ARIADNE_WIRE_JAEGER_JAEGER_THRIFT_FUZZER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/jaeger/jaeger_thrift.h"
#include "wire/jaeger/jaeger_ui_json.h"

namespace ariadne {

inline void CheckDecodedBatch(const SpanBatch& b) {
  for (uint32_t i = 0; i < b.size(); ++i) {
    ARIADNE_CHECK(b.spans.attributes[i].end() <= b.attributes.size());
    ARIADNE_CHECK(b.spans.events[i].end() <= b.events.size());
    ARIADNE_CHECK(b.spans.links[i].end() <= b.links.size());
    ARIADNE_CHECK(b.spans.resource_index[i] < b.resources.size());
    ARIADNE_CHECK(b.spans.scope_index[i] < b.scopes.size());
    ARIADNE_CHECK(b.spans.span_id[i].IsValid());
    ARIADNE_CHECK(b.spans.end_time_unix_nano[i] >= b.spans.start_time_unix_nano[i]);
  }
  for (size_t e = 0; e < b.events.size(); ++e) {
    ARIADNE_CHECK(b.events.attributes[e].end() <= b.attributes.size());
  }
}

inline void FuzzJaegerThrift(const uint8_t* data, size_t size, ThriftProtocol protocol) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  DecodeLimits limits;
  limits.max_spans = 10'000;
  {
    DecodeResult r;
    Status s = DecodeJaegerBatch(in, protocol, limits, &r);
    if (!s.ok()) ARIADNE_CHECK(r.batch.empty());
    CheckDecodedBatch(r.batch);
    std::string json;
    AppendJaegerUiTrace(r.batch, &json);
  }
  {
    DecodeResult r;
    Status s = DecodeJaegerAgentEmitBatch(in, protocol, limits, &r);
    if (!s.ok()) ARIADNE_CHECK(r.batch.empty());
    CheckDecodedBatch(r.batch);
  }
}

}  // namespace ariadne

#endif  // ARIADNE_WIRE_JAEGER_JAEGER_THRIFT_FUZZER_H_
