#include "sdk/src/utf8.h"

#include <cstdint>

namespace ariadne::sdk {
namespace {

// Length of the valid UTF-8 sequence at the start of s (RFC 3629: shortest form, no surrogates,
// at most U+10FFFF), or 0 if it is not one.
size_t ValidSequenceLength(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < len || b(1) < lo || b(1) > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
  }
  return len;
}

void AppendHexEscape(const char* prefix, unsigned char c, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  out->append(prefix);
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

}  // namespace

void AppendEscapedForTerminal(std::string_view s, bool quote, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (quote && (c == '"' || c == '\\')) out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c < 0x80) {  // C0 controls and DEL
      AppendHexEscape("\\x", c, out);
      ++i;
      continue;
    }
    size_t len = ValidSequenceLength(s.substr(i));
    if (len == 0) {  // not UTF-8: show the byte
      AppendHexEscape("\\x", c, out);
      ++i;
      continue;
    }
    if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      AppendHexEscape("\\u00", static_cast<unsigned char>(s[i + 1]), out);  // C1 control
    } else {
      out->append(s.substr(i, len));
    }
    i += len;
  }
}

}  // namespace ariadne::sdk
