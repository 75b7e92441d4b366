// TraceId and SpanId: fixed-size ids as value types, with hex and base64 helpers.
//
// Ids are raw big-endian bytes, as on the OTLP wire. The all-zero id is invalid (W3C trace
// context, OTLP). Hex is lower-case; parsing accepts either case. Jaeger's 64-bit trace ids are
// widened by zero-filling the high half (FromHigh/Low). Tested by ids_test.cc.
#ifndef ARIADNE_MODEL_IDS_H_
#define ARIADNE_MODEL_IDS_H_

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace ariadne {

template <size_t N>
struct FixedId {
  std::array<uint8_t, N> bytes{};

  static constexpr size_t kSize = N;
  bool IsValid() const {
    for (uint8_t b : bytes) {
      if (b != 0) return true;
    }
    return false;
  }
  // Copies exactly N bytes; returns false (and leaves *out zero) if data is not N bytes long.
  static bool FromBytes(std::string_view data, FixedId* out) {
    *out = FixedId();
    if (data.size() != N) return false;
    std::memcpy(out->bytes.data(), data.data(), N);
    return true;
  }
  std::string_view AsBytes() const {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), N);
  }
  // Lower-case hex, 2N characters.
  std::string ToHex() const;
  void AppendHex(std::string* out) const;
  // Accepts exactly 2N hex digits of either case. Jaeger-style shorter ids are accepted when
  // allow_short is set and left-padded with zeros.
  static bool FromHex(std::string_view hex, FixedId* out, bool allow_short = false);
  std::string ToBase64() const;
  static bool FromBase64(std::string_view b64, FixedId* out);
  // Big-endian 64-bit halves (the high half is 0 for N == 8).
  uint64_t High() const;
  uint64_t Low() const;
  static FixedId FromHighLow(uint64_t high, uint64_t low);

  friend auto operator<=>(const FixedId&, const FixedId&) = default;
  friend bool operator==(const FixedId&, const FixedId&) = default;
};

using TraceId = FixedId<16>;
using SpanId = FixedId<8>;

struct IdHash {
  template <size_t N>
  size_t operator()(const FixedId<N>& id) const {
    uint64_t v;
    std::memcpy(&v, id.bytes.data() + N - 8, 8);  // ids are random: their low bytes hash well
    return static_cast<size_t>(v * 0x9E3779B97F4A7C15ull);
  }
};

// Shared helpers, also used by codecs.
bool DecodeHex(std::string_view hex, uint8_t* out, size_t out_size);
void AppendBase64(std::string_view bytes, std::string* out);
bool DecodeBase64(std::string_view b64, std::string* out);

}  // namespace ariadne

#endif  // ARIADNE_MODEL_IDS_H_
