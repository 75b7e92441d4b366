#include "wire/otlp/otlp_text.h"

#include <cstring>

#include <simdjson.h>

namespace ariadne {

bool IsValidUtf8(std::string_view s) {
  // Most OTLP strings are short ASCII: check 8 bytes at a time before calling simdjson.
  const char* p = s.data();
  size_t n = s.size();
  uint64_t high = 0;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    high |= w;
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    high |= static_cast<uint8_t>(*p++);
    --n;
  }
  if ((high & 0x8080808080808080ull) == 0) return true;
  return simdjson::validate_utf8(s.data(), s.size());
}

void AppendRepairedUtf8(std::string_view s, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    size_t len = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
    }
    if (len != 0 && i + len <= s.size() && IsValidUtf8(s.substr(i, len))) {
      out->append(s.substr(i, len));
      i += len;
    } else {
      out->append("\xEF\xBF\xBD");
      ++i;
    }
  }
}

}  // namespace ariadne
