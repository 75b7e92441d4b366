// Zipkin v2 JSON decoding (POST /api/v2/spans, application/json): a list of spans into a
// SpanBatch. The mapping (endpoints → resource and peer attributes, tags → string attributes,
// "error" tag → status, annotations → events, shared/debug) is the table in
// docs/formats/zipkin.md.
//
// The body is untrusted: parsed with simdjson's DOM parser (one per thread, reused; the padded copy
// of the body is owned by the call; simdjson bounds nesting depth).
// A body that is not a JSON array of objects is refused whole (InvalidArgument); a span whose ids
// are malformed is rejected alone (DecodeResult::Reject) and its neighbours are kept. Strings are
// copied into the batch's arena. Never throws (simdjson is used in its error-code mode).
//
// Thread-safety: safe to call from many threads (the parser is thread_local). Tested by
// zipkin_json_test.cc (goldens from
// @opentelemetry/exporter-zipkin, adversarial inputs).
#ifndef ARIADNE_WIRE_ZIPKIN_ZIPKIN_JSON_H_
#define ARIADNE_WIRE_ZIPKIN_ZIPKIN_JSON_H_

#include <string_view>

#include "base/status.h"
#include "wire/common/decode.h"

namespace ariadne {

[[nodiscard]] Status DecodeZipkinJson(std::string_view json, const DecodeLimits& limits,
                                      DecodeResult* out);

}  // namespace ariadne

#endif  // ARIADNE_WIRE_ZIPKIN_ZIPKIN_JSON_H_
