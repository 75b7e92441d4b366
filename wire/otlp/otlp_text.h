// UTF-8 helpers shared by the OTLP codecs (internal to wire/otlp).
//
// Invalid UTF-8 in a text field is repaired, never rejected: each byte that does not start a
// valid sequence becomes U+FFFD (docs/formats/otlp.md). Truncation is base/utf8.h's
// TruncateUtf8. Pure functions; tested by otlp_proto_decoder_test.cc.
#ifndef ARIADNE_WIRE_OTLP_OTLP_TEXT_H_
#define ARIADNE_WIRE_OTLP_OTLP_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace ariadne {

// True if s is valid UTF-8.
bool IsValidUtf8(std::string_view s);

// Appends s to out with every invalid UTF-8 sequence replaced by U+FFFD.
void AppendRepairedUtf8(std::string_view s, std::string* out);

}  // namespace ariadne

#endif  // ARIADNE_WIRE_OTLP_OTLP_TEXT_H_
