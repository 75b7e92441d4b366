// OTLP protobuf encoder: SpanBatch -> ExportTraceServiceRequest bytes, no libprotobuf.
//
// Purpose: the SDK's OTLP exporters and the OTLP receivers' responses. Spans are grouped by
// resource, then by scope (first-appearance order), into ResourceSpans/ScopeSpans; span order is
// kept within each group. Sizes of nested messages are computed first so the output is written
// in one forward pass into a buffer reserved once (no per-field allocation).
// Ownership: appends to *out; never reads out's previous content.
// Thread-safety: stateless free functions; the batch is only read.
// Invariants: proto3 defaults (zero, empty) are omitted; the output parses with libprotobuf
// (otlp_differential_test.cc) and round-trips through DecodeOtlpProto
// (otlp_proto_encoder_test.cc).
#ifndef ARIADNE_WIRE_OTLP_OTLP_PROTO_ENCODER_H_
#define ARIADNE_WIRE_OTLP_OTLP_PROTO_ENCODER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "model/span_batch.h"

namespace ariadne {

// Appends an ExportTraceServiceRequest holding every span of batch.
void EncodeOtlpProto(const SpanBatch& batch, std::string* out);

// Appends an ExportTraceServiceResponse. partial_success is written only when something was
// rejected or there is a message; nothing rejected and no message gives an empty message.
void EncodeExportTraceServiceResponse(int64_t rejected_spans, std::string_view error_message,
                                      std::string* out);

}  // namespace ariadne

#endif  // ARIADNE_WIRE_OTLP_OTLP_PROTO_ENCODER_H_
