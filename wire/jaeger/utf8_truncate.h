// TruncateUtf8: cuts a string to at most max_bytes without splitting a UTF-8 sequence, for
// DecodeLimits::max_value_bytes. Input that is not valid UTF-8 is cut at the byte limit minus any
// trailing continuation bytes; it is never rewritten here (encoders replace invalid sequences).
//
// Thread-safety: pure function. Tested by jaeger_ui_json_test.cc (Utf8Truncate* cases).
#ifndef ARIADNE_WIRE_JAEGER_UTF8_TRUNCATE_H_
#define ARIADNE_WIRE_JAEGER_UTF8_TRUNCATE_H_

#include <cstdint>
#include <string_view>

namespace ariadne {

inline std::string_view TruncateUtf8(std::string_view s, uint32_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  // Back off over continuation bytes (10xxxxxx) so the cut lands before a lead byte.
  size_t backed = 0;
  while (n > 0 && backed < 3 && (static_cast<uint8_t>(s[n]) & 0xc0) == 0x80) {
    --n;
    ++backed;
  }
  return s.substr(0, n);
}

}  // namespace ariadne

#endif  // ARIADNE_WIRE_JAEGER_UTF8_TRUNCATE_H_
