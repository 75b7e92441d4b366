// UTF-8 helpers for the SDK (which does not link base/): where to cut a string without splitting a
// code point, and how to print untrusted text safely on a terminal.
//
// Utf8CutPoint is inline and branch-cheap: strings no longer than the limit (the common case)
// cost one comparison. AppendEscapedForTerminal is for diagnostics (the console exporter), not a
// hot path. Invalid UTF-8 is never an error: cuts fall back to the byte limit, escaping prints the
// bytes as \xHH. Tested by utf8_test.cc.
#ifndef ARIADNE_SDK_SRC_UTF8_H_
#define ARIADNE_SDK_SRC_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace ariadne::sdk {

// The length of the longest prefix of s that is at most max_bytes long and does not end inside a
// UTF-8 sequence: max_bytes, moved back over up to 3 continuation bytes. s.size() if it fits.
inline size_t Utf8CutPoint(std::string_view s, size_t max_bytes) noexcept {
  if (s.size() <= max_bytes) return s.size();
  size_t n = max_bytes;
  // s[n] is the first byte cut off; while it continues a sequence, that sequence started before
  // n: cut before its lead byte instead (a sequence has at most 3 continuation bytes).
  for (int i = 0; i < 3 && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80; ++i) --n;
  return n;
}

// Appends s for display on a terminal or in a log: valid UTF-8 is copied except the C0 controls,
// DEL and the C1 controls (U+0080-U+009F: ESC, CSI and the like start terminal escape
// sequences), which become \xHH (C0, DEL) or \u00HH (C1); bytes that are not valid UTF-8 become
// \xHH. When quote is true, '"' and '\\' are escaped with a backslash too.
void AppendEscapedForTerminal(std::string_view s, bool quote, std::string* out);

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SRC_UTF8_H_
