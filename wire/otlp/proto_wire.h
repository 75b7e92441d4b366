// Protobuf wire-format primitives shared by the OTLP decoder and encoder, and by the OTLP
// receivers for the small messages they write by hand (google.rpc.Status, RetryInfo).
//
// Reading: a Cursor is a [p, end) window over bytes the caller keeps alive. Every Read* checks
// the remaining input first and returns false (leaving the cursor unspecified) on truncation,
// a varint longer than 10 bytes or overflowing 64 bits, or a declared length larger than what is
// left; nothing is ever allocated from a declared length. Groups (wire types 3/4) are skipped
// with a nesting limit.
// Writing: Put* write into a raw buffer already sized by the caller (sizes from *Size());
// Append* grow a std::string (for small messages, where sizing first is not worth it).
// Thread-safety: pure functions. Tested through otlp_proto_decoder_test.cc.
#ifndef ARIADNE_WIRE_OTLP_PROTO_WIRE_H_
#define ARIADNE_WIRE_OTLP_PROTO_WIRE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ariadne::proto_wire {

constexpr uint32_t kVarint = 0;
constexpr uint32_t kI64 = 1;
constexpr uint32_t kLen = 2;
constexpr uint32_t kStartGroup = 3;
constexpr uint32_t kEndGroup = 4;
constexpr uint32_t kI32 = 5;
constexpr int kMaxGroupDepth = 32;

struct Cursor {
  explicit Cursor(std::string_view s) : p(s.data()), end(s.data() + s.size()) {}
  const char* p;
  const char* end;
  size_t left() const { return static_cast<size_t>(end - p); }
};

inline bool ReadVarint(Cursor& c, uint64_t* v) {
  if (c.p < c.end && static_cast<uint8_t>(*c.p) < 0x80) {
    *v = static_cast<uint8_t>(*c.p++);
    return true;
  }
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (c.p >= c.end) return false;
    auto byte = static_cast<uint8_t>(*c.p++);
    if (shift == 63 && byte > 1) return false;  // more than 64 bits
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline bool ReadTag(Cursor& c, uint32_t* field, uint32_t* wt) {
  uint64_t tag;
  if (!ReadVarint(c, &tag)) return false;
  if (tag > 0xFFFFFFFFull || (tag >> 3) == 0) return false;
  *field = static_cast<uint32_t>(tag >> 3);
  *wt = static_cast<uint32_t>(tag & 7);
  return true;
}

inline bool ReadLen(Cursor& c, std::string_view* out) {
  uint64_t n;
  if (!ReadVarint(c, &n)) return false;
  if (n > c.left()) return false;
  *out = std::string_view(c.p, static_cast<size_t>(n));
  c.p += n;
  return true;
}

inline bool ReadFixed64(Cursor& c, uint64_t* v) {
  if (c.left() < 8) return false;
  uint64_t x = 0;
  for (int i = 7; i >= 0; --i) x = (x << 8) | static_cast<uint8_t>(c.p[i]);
  *v = x;
  c.p += 8;
  return true;
}

inline bool ReadFixed32(Cursor& c, uint32_t* v) {
  if (c.left() < 4) return false;
  uint32_t x = 0;
  for (int i = 3; i >= 0; --i) x = (x << 8) | static_cast<uint8_t>(c.p[i]);
  *v = x;
  c.p += 4;
  return true;
}

bool SkipFieldDepth(Cursor& c, uint32_t field, uint32_t wt, int depth);

// Skips the value of a field whose tag was just read.
inline bool SkipField(Cursor& c, uint32_t field, uint32_t wt) {
  return SkipFieldDepth(c, field, wt, 0);
}

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline char* PutFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
  return p + 8;
}

inline char* PutFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
  return p + 4;
}

inline char* PutBytes(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

inline void AppendVarint(std::string* out, uint64_t v) {
  char buf[10];
  out->append(buf, PutVarint(buf, v));
}

// A length-delimited field: tag (field, kLen), length, bytes.
inline void AppendLenField(std::string* out, uint32_t field, std::string_view bytes) {
  AppendVarint(out, (uint64_t{field} << 3) | kLen);
  AppendVarint(out, bytes.size());
  out->append(bytes);
}

}  // namespace ariadne::proto_wire

#endif  // ARIADNE_WIRE_OTLP_PROTO_WIRE_H_
