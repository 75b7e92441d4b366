// OTLP protobuf decoder: ExportTraceServiceRequest bytes -> SpanBatch columns, no libprotobuf.
//
// Purpose: the OTLP gRPC and HTTP receivers hand the (decompressed) request body here. The
// decoder walks the wire format once and writes straight into the batch's columns; strings are
// either copied into the batch arena (string_view overload) or left in place inside the adopted
// request buffer (rvalue overload: zero copy).
// Ownership: *out is reset and owns everything it references when the call returns.
// Thread-safety: stateless free functions; distinct outputs may be decoded concurrently.
// Invariants: every declared length is checked against the remaining input before it is used;
// varints longer than 10 bytes are errors; AnyValue nesting deeper than limits.max_value_depth
// fails the request; a span whose ids have the wrong length is rejected alone (Reject) and its
// neighbours are kept. Bad-input behaviour is listed in docs/formats/otlp.md.
// Tested by otlp_proto_decoder_test.cc, otlp_differential_test.cc and otlp_proto_fuzzer.cc.
#ifndef ARIADNE_WIRE_OTLP_OTLP_PROTO_DECODER_H_
#define ARIADNE_WIRE_OTLP_OTLP_PROTO_DECODER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wire/common/decode.h"

namespace ariadne {

// Decodes an ExportTraceServiceRequest (also a TracesData: same field 1). Strings are copied
// into the batch arena. Non-OK only when the request as a whole is malformed or over a limit.
[[nodiscard]] Status DecodeOtlpProto(std::string_view request, const DecodeLimits& limits,
                                     DecodeResult* out);

// Same, zero-copy: the batch adopts request (AdoptBuffer) and its views point into it.
[[nodiscard]] Status DecodeOtlpProto(std::string&& request, const DecodeLimits& limits,
                                     DecodeResult* out);

// Decodes an ExportTraceServiceResponse (what an OTLP receiver answers): the partial success
// counters, zero and "" when absent.
[[nodiscard]] Status DecodeExportTraceServiceResponse(std::string_view bytes,
                                                      int64_t* rejected_spans,
                                                      std::string* error_message);

}  // namespace ariadne

#endif  // ARIADNE_WIRE_OTLP_OTLP_PROTO_DECODER_H_
