#include "base/json_string.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "base/utf8.h"

namespace ariadne {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// What a byte needs: kCopy (as is), kEscape (an ASCII byte written as an escape), kMultiByte (the
// first byte of a UTF-8 sequence, or an invalid byte).
enum ByteClass : uint8_t { kCopy = 0, kEscape = 1, kMultiByte = 2 };

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') {
      t[c] = kEscape;
    } else if (c >= 0x80) {
      t[c] = kMultiByte;
    }
  }
  return t;
}
constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

// True if none of the 8 bytes at p needs attention (all are kCopy). The zero-byte tests are
// exact for "some byte matches" (their borrows only ever add matches above a real one).
inline bool EightPlain(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if ((w & kHighs) != 0) return false;                // non-ASCII: the common failure, tested first
  uint64_t below_space = (w - kOnes * 0x20) & ~w;     // a byte < 0x20
  uint64_t x1 = (w | kOnes * 0x02) ^ (kOnes * 0x3e);  // '<' 0x3c, '>' 0x3e
  uint64_t x2 = (w | kOnes * 0x04) ^ (kOnes * 0x26);  // '"' 0x22, '&' 0x26
  uint64_t x3 = w ^ (kOnes * 0x5c);                   // '\'
  uint64_t hits = below_space | ((x1 - kOnes) & ~x1) | ((x2 - kOnes) & ~x2) | ((x3 - kOnes) & ~x3);
  return (hits & kHighs) == 0;
}

// The end of the plain run starting at i, found 8 bytes at a time (it may stop early, before a
// plain tail shorter than 8 bytes that does not end the string).
inline size_t SkipPlain(const char* p, size_t i, size_t n) {
  while (i + 8 <= n && EightPlain(p + i)) i += 8;
  // A tail shorter than 8 bytes: test the last 8 bytes of the string (which overlap bytes
  // already known plain).
  if (i < n && i + 8 > n && n >= 8 && EightPlain(p + n - 8)) i = n;
  return i;
}

void AppendUnicodeEscape(std::string* out, uint32_t cp) {
  char buf[6] = {
      '\\',          'u', kHex[(cp >> 12) & 0xf], kHex[(cp >> 8) & 0xf], kHex[(cp >> 4) & 0xf],
      kHex[cp & 0xf]};
  out->append(buf, sizeof buf);
}

void AppendAsciiEscape(std::string* out, uint8_t c) {
  switch (c) {
    case '"':
      out->append("\\\"", 2);
      break;
    case '\\':
      out->append("\\\\", 2);
      break;
    case '\n':
      out->append("\\n", 2);
      break;
    case '\r':
      out->append("\\r", 2);
      break;
    case '\t':
      out->append("\\t", 2);
      break;
    case '\b':
      out->append("\\b", 2);
      break;
    case '\f':
      out->append("\\f", 2);
      break;
    default:  // other control characters and <, >, &
      AppendUnicodeEscape(out, c);
  }
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  out->reserve(out->size() + n + 2);
  out->push_back('"');
  size_t i = 0;
  size_t run = 0;          // start of the pending run of bytes copied unchanged
  size_t plain = 0;        // plain ASCII bytes just seen in a row
  i = SkipPlain(p, 0, n);  // most strings are short plain ASCII: try that first
  while (i < n) {
    auto c = static_cast<uint8_t>(p[i]);
    uint8_t cls = kClasses[c];
    if (cls == kCopy) {
      ++i;
      // After 8 plain bytes in a row, skip the rest of the plain run 8 bytes at a time. (Not
      // sooner: in text of mostly multi-byte characters the block test would fail, and cost,
      // at almost every ASCII byte.)
      if (++plain == 8) {
        i = SkipPlain(p, i, n);
        plain = 0;
      }
      continue;
    }
    plain = 0;
    if (cls == kEscape) {
      out->append(p + run, i - run);
      AppendAsciiEscape(out, c);
      run = ++i;
      continue;
    }
    // Two-byte characters (Latin, Greek, Cyrillic, ...) are checked inline.
    if (c >= 0xc2 && c <= 0xdf && i + 1 < n && (static_cast<uint8_t>(p[i + 1]) & 0xc0) == 0x80) {
      i += 2;
      continue;
    }
    uint32_t cp = 0;
    size_t len = DecodeUtf8(p + i, n - i, &cp);
    if (len == 0) {
      out->append(p + run, i - run);
      out->append("\\ufffd", 6);
      run = ++i;
    } else if (cp == 0x2028 || cp == 0x2029) {
      out->append(p + run, i - run);
      AppendUnicodeEscape(out, cp);
      i += len;
      run = i;
    } else {
      i += len;
    }
  }
  out->append(p + run, n - run);
  out->push_back('"');
}

}  // namespace ariadne
