// Direct OTLP protobuf encoding of finished SDK spans: SpanData -> ExportTraceServiceRequest
// bytes, without building the intermediate model/SpanBatch.
//
// Purpose: the OTLP/HTTP exporter's hot path (docs/performance.md "## SDK", issue 6). The output
// is byte-for-byte what AppendToSpanBatch + EncodeOtlpProto (wire/otlp) produce for the same
// spans: spans are grouped by resource, then by instrumentation scope, both in first-appearance
// order, span order is kept within a group, and proto3 defaults are omitted. Sizes are computed
// in a first pass (per span, kept in a reused vector), then the request is written in one forward
// pass into a buffer sized once.
// Ownership: appends to *out; reads the spans, their provider's resource and their scopes.
// Thread-safety: the encoder is not shared; use one per thread (the exporter owns one).
// Tested by otlp_proto_direct_test.cc (identical bytes to the SpanBatch path, decoder round trip).
#ifndef ARIADNE_EXPORTERS_OTLP_PROTO_DIRECT_H_
#define ARIADNE_EXPORTERS_OTLP_PROTO_DIRECT_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ariadne/sdk/span_data.h"

namespace ariadne::exporters {

class OtlpProtoSpanEncoder {
 public:
  // Appends an ExportTraceServiceRequest holding every span. May throw std::bad_alloc.
  void Encode(std::span<const std::unique_ptr<sdk::SpanData>> spans, std::string* out);

 private:
  struct Group {
    const void* resource;
    const void* scope;
    size_t size;  // bytes of every span of the group (each with its tag and length)
  };
  std::vector<uint32_t> span_sizes_;  // per span, reused across calls
  std::vector<uint32_t> span_group_;  // per span: index into groups_
  std::vector<Group> groups_;
};

}  // namespace ariadne::exporters

#endif  // ARIADNE_EXPORTERS_OTLP_PROTO_DIRECT_H_
