// The Jaeger query API's trace JSON (GET /api/traces/{id} and /api/traces?service=..., one element
// of "data"): the shape the Jaeger UI and Grafana's Jaeger data source read.
//
//   {"traceID":"..","spans":[{traceID, spanID, flags, operationName, references, startTime,
//    duration, tags, logs, processID, warnings}],"processes":{"p1":{serviceName, tags}},
//   "warnings":null}
//
// The trace-level "warnings" is null unless the caller passes warnings (for example that the
// trace was cut to a span limit): then it is an array of those strings, escaped like any other.
//
// The model → Jaeger mapping (kind → span.kind tag, status → otel.status_code / error /
// otel.status_description, scope → otel.scope.name/version, arrays and maps → JSON strings,
// dropped counts → otel.dropped_* tags) is the table in docs/formats/jaeger.md. Every string is
// escaped so the output is valid JSON and safe inside an HTML <script> (base/json_string.h):
// quotes, backslash and control characters, '<', '>', '&', U+2028/U+2029 become escapes and invalid
// UTF-8 becomes U+FFFD.
//
// Thread-safety: pure function. Tested by jaeger_ui_json_test.cc.
#ifndef ARIADNE_WIRE_JAEGER_JAEGER_UI_JSON_H_
#define ARIADNE_WIRE_JAEGER_JAEGER_UI_JSON_H_

#include <span>
#include <string>

#include "model/span_batch.h"

namespace ariadne {

// Appends one trace object. `trace` holds the spans of one trace (the traceID is taken from the
// first span; an empty batch writes an object with an empty span list). `warnings` become the
// trace's "warnings" array; with none it is null, and the output is the same as without them.
void AppendJaegerUiTrace(const SpanBatch& trace, std::string* out,
                         std::span<const std::string> warnings = {});

}  // namespace ariadne

#endif  // ARIADNE_WIRE_JAEGER_JAEGER_UI_JSON_H_
