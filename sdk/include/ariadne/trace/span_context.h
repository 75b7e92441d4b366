// SpanContext: the propagated identity of a span (trace id, span id, flags, tracestate).
//
// Part of the header-only API: no dependencies beyond the standard library, every function
// noexcept. Ids are raw big-endian bytes; the all-zero id is invalid (W3C trace context).
// TraceState holds an already validated tracestate header behind a shared pointer so that
// copying an empty one is free. Values, thread-compatible. Tested by api_test.cc.
#ifndef ARIADNE_TRACE_SPAN_CONTEXT_H_
#define ARIADNE_TRACE_SPAN_CONTEXT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ariadne::trace {

template <size_t N>
struct Id {
  std::array<uint8_t, N> bytes{};
  static constexpr size_t kSize = N;

  bool IsValid() const noexcept {
    for (uint8_t b : bytes) {
      if (b != 0) return true;
    }
    return false;
  }
  void AppendHex(std::string* out) const {
    static constexpr char kHex[] = "0123456789abcdef";
    for (uint8_t b : bytes) {
      out->push_back(kHex[b >> 4]);
      out->push_back(kHex[b & 15]);
    }
  }
  std::string ToHex() const {
    std::string s;
    s.reserve(2 * N);
    AppendHex(&s);
    return s;
  }
  // Exactly 2N lower-case hex digits (W3C HEXDIGLC) unless allow_upper.
  static bool FromHex(std::string_view hex, Id* out, bool allow_upper = false) noexcept {
    if (hex.size() != 2 * N) return false;
    Id id;
    for (size_t i = 0; i < 2 * N; ++i) {
      int v = HexValue(hex[i], allow_upper);
      if (v < 0) return false;
      id.bytes[i / 2] = static_cast<uint8_t>(id.bytes[i / 2] | (v << ((i % 2) ? 0 : 4)));
    }
    *out = id;
    return true;
  }
  static int HexValue(char c, bool allow_upper) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (allow_upper && c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  friend bool operator==(const Id&, const Id&) = default;
};

using TraceId = Id<16>;
using SpanId = Id<8>;

inline constexpr uint8_t kFlagSampled = 0x01;
inline constexpr uint8_t kFlagRandom =
    0x02;  // W3C Level 2: the trace id's right 7 bytes are random

// An immutable, validated tracestate header ("k1=v1,k2=v2"). Empty by default.
class TraceState {
 public:
  TraceState() noexcept = default;
  // The caller guarantees the header is valid (propagators and samplers build it).
  static TraceState FromValidatedHeader(std::string header) noexcept {
    TraceState t;
    if (!header.empty()) {
      try {
        t.header_ = std::make_shared<const std::string>(std::move(header));
      } catch (...) {
      }
    }
    return t;
  }
  bool empty() const noexcept { return header_ == nullptr; }
  std::string_view header() const noexcept {
    return header_ ? std::string_view(*header_) : std::string_view();
  }
  friend bool operator==(const TraceState& a, const TraceState& b) noexcept {
    return a.header() == b.header();
  }

 private:
  std::shared_ptr<const std::string> header_;
};

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  uint8_t flags = 0;
  bool remote = false;
  TraceState trace_state;

  bool IsValid() const noexcept { return trace_id.IsValid() && span_id.IsValid(); }
  bool IsSampled() const noexcept { return (flags & kFlagSampled) != 0; }
  friend bool operator==(const SpanContext&, const SpanContext&) = default;
};

}  // namespace ariadne::trace

#endif  // ARIADNE_TRACE_SPAN_CONTEXT_H_
