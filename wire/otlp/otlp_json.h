// OTLP/JSON: the OTLP HTTP JSON encoding of ExportTraceServiceRequest, both directions.
//
// Purpose: the OTLP/HTTP receiver (Content-Type application/json), the /api/v3 query API and
// the SDK's JSON exporter. Decoding uses simdjson (on-demand) and follows the OTLP spec: hex
// trace/span ids (either case), lowerCamelCase keys and the snake_case some clients send,
// 64-bit integers as strings or numbers, enums as integers or names (SPAN_KIND_SERVER,
// STATUS_CODE_ERROR), bytes as base64, unknown keys ignored. Encoding writes lowerCamelCase,
// lower-case hex ids, 64-bit integers as decimal strings, enums as integers, strings escaped by
// base/json_string.h (HTML-safe, invalid UTF-8 replaced).
// Ownership: decoding copies strings into the batch arena; encoders append to *out.
// Thread-safety: stateless free functions.
// Invariants: same limits and per-span rejection rules as the protobuf decoder
// (docs/formats/otlp.md). Tested by otlp_json_test.cc and otlp_json_fuzzer.cc.
#ifndef ARIADNE_WIRE_OTLP_OTLP_JSON_H_
#define ARIADNE_WIRE_OTLP_OTLP_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/span_batch.h"
#include "wire/common/decode.h"

namespace ariadne {

// Decodes {"resourceSpans":[...]}. Non-OK only when the document as a whole is unusable.
[[nodiscard]] Status DecodeOtlpJson(std::string_view json, const DecodeLimits& limits,
                                    DecodeResult* out);

// Appends {"resourceSpans":[...]} (spans grouped by resource then scope).
void EncodeOtlpJson(const SpanBatch& batch, std::string* out);

// Appends only the [...] array of ResourceSpans (for callers that wrap it, e.g. /api/v3).
void AppendOtlpJsonResourceSpans(const SpanBatch& batch, std::string* out);

// Appends an ExportTraceServiceResponse as JSON: {} when nothing was rejected and no message,
// else {"partialSuccess":{"rejectedSpans":"N","errorMessage":"..."}}.
void EncodeOtlpJsonResponse(int64_t rejected_spans, std::string_view error_message,
                            std::string* out);

// Parses the JSON response above (counts as strings or numbers; missing fields are 0 / "").
[[nodiscard]] Status DecodeOtlpJsonResponse(std::string_view json, int64_t* rejected_spans,
                                            std::string* error_message);

}  // namespace ariadne

#endif  // ARIADNE_WIRE_OTLP_OTLP_JSON_H_
