// UTF-8 helpers every layer shares (decoders bound strings with them, encoders escape with them).
//
// TruncateUtf8 cuts a string to at most max_bytes without splitting a UTF-8 sequence: it backs
// off over at most three continuation bytes, so valid UTF-8 stays valid. Input that is not valid
// UTF-8 is cut at the byte limit minus any trailing continuation bytes and is not rewritten here
// (decoders repair it, encoders replace it with U+FFFD).
// DecodeUtf8 reads one well-formed sequence (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
//
// Thread-safety: pure functions. Tested by utf8_test.cc.
#ifndef ARIADNE_BASE_UTF8_H_
#define ARIADNE_BASE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ariadne {

inline std::string_view TruncateUtf8(std::string_view s, size_t max_bytes) {
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

// Length (2 to 4) of the well-formed multi-byte sequence at p[0..n), with its code point in *cp;
// 0 if p[0] does not start one (ASCII included: callers handle bytes below 0x80 themselves).
inline size_t DecodeUtf8(const char* p, size_t n, uint32_t* cp) {
  auto b0 = static_cast<uint8_t>(p[0]);
  size_t len;
  uint32_t c;
  uint8_t lo = 0x80, hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
    c = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    c = b0 & 0x0f;
    if (b0 == 0xe0) lo = 0xa0;  // no overlong forms
    if (b0 == 0xed) hi = 0x9f;  // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    c = b0 & 0x07;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (len > n) return 0;
  auto b1 = static_cast<uint8_t>(p[1]);
  if (b1 < lo || b1 > hi) return 0;
  c = (c << 6) | (b1 & 0x3f);
  for (size_t k = 2; k < len; ++k) {
    auto b = static_cast<uint8_t>(p[k]);
    if ((b & 0xc0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3f);
  }
  *cp = c;
  return len;
}

}  // namespace ariadne

#endif  // ARIADNE_BASE_UTF8_H_
