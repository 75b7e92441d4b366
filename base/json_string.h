// AppendJsonString: the one JSON string writer of the server (logs, query API, OTLP/JSON and
// Jaeger UI JSON encoders). Span data is attacker-controlled, so the literal it writes is safe
// anywhere JSON goes, including inside an HTML <script> element:
//
//   - '"' and '\' are escaped; \b \f \n \r \t use their short forms; every other control
//     character (U+0000..U+001F) becomes \u00XX;
//   - '<', '>' and '&' become \u003c, \u003e, \u0026 (no "</script>" or "<!--" can appear);
//   - U+2028 and U+2029 (line terminators in older JavaScript) become \u2028, \u2029;
//   - each byte that does not start a well-formed UTF-8 sequence becomes \ufffd (U+FFFD), so
//     the output is valid JSON whatever the input;
//   - everything else (printable ASCII, valid UTF-8) is copied unchanged.
//
// Performance: the Jaeger UI encoder spends most of its time here. Runs of bytes that need no
// escape are found 8 bytes at a time and copied with one append. Benchmark:
// wire/jaeger/jaeger_ui_json_benchmark.cc (BM_JsonString).
// Thread-safety: pure function. Tested by json_string_test.cc.
#ifndef ARIADNE_BASE_JSON_STRING_H_
#define ARIADNE_BASE_JSON_STRING_H_

#include <string>
#include <string_view>

namespace ariadne {

// Appends s to *out as a quoted JSON string literal, escaped as described above.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace ariadne

#endif  // ARIADNE_BASE_JSON_STRING_H_
