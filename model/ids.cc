#include "model/ids.h"

namespace ariadne {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

bool DecodeHex(std::string_view hex, uint8_t* out, size_t out_size) {
  if (hex.size() != out_size * 2) return false;
  for (size_t i = 0; i < out_size; ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

void AppendBase64(std::string_view bytes, std::string* out) {
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out->push_back(kB64[v >> 18]);
    out->push_back(kB64[(v >> 12) & 63]);
    out->push_back(kB64[(v >> 6) & 63]);
    out->push_back(kB64[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out->push_back(kB64[v >> 18]);
    out->push_back(kB64[(v >> 12) & 63]);
    out->append("==");
  } else if (rest == 2) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8;
    out->push_back(kB64[v >> 18]);
    out->push_back(kB64[(v >> 12) & 63]);
    out->push_back(kB64[(v >> 6) & 63]);
    out->push_back('=');
  }
}

bool DecodeBase64(std::string_view b64, std::string* out) {
  out->clear();
  while (!b64.empty() && b64.back() == '=') b64.remove_suffix(1);
  out->reserve(b64.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : b64) {
    int v = B64Value(c);
    if (v < 0) return false;
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return bits < 6;  // a lone trailing character carries no whole byte
}

template <size_t N>
std::string FixedId<N>::ToHex() const {
  std::string out;
  AppendHex(&out);
  return out;
}

template <size_t N>
void FixedId<N>::AppendHex(std::string* out) const {
  for (uint8_t b : bytes) {
    out->push_back(kHexDigits[b >> 4]);
    out->push_back(kHexDigits[b & 15]);
  }
}

template <size_t N>
bool FixedId<N>::FromHex(std::string_view hex, FixedId* out, bool allow_short) {
  *out = FixedId();
  if (hex.size() != 2 * N) {
    if (!allow_short || hex.empty() || hex.size() > 2 * N) return false;
    std::string padded(2 * N - hex.size(), '0');
    padded.append(hex);
    return FromHex(padded, out, false);
  }
  if (!DecodeHex(hex, out->bytes.data(), N)) {
    *out = FixedId();
    return false;
  }
  return true;
}

template <size_t N>
std::string FixedId<N>::ToBase64() const {
  std::string out;
  AppendBase64(AsBytes(), &out);
  return out;
}

template <size_t N>
bool FixedId<N>::FromBase64(std::string_view b64, FixedId* out) {
  std::string raw;
  if (!DecodeBase64(b64, &raw)) {
    *out = FixedId();
    return false;
  }
  return FromBytes(raw, out);
}

template <size_t N>
uint64_t FixedId<N>::High() const {
  if constexpr (N < 16) {
    return 0;
  } else {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) v = v << 8 | bytes[N - 16 + i];
    return v;
  }
}

template <size_t N>
uint64_t FixedId<N>::Low() const {
  uint64_t v = 0;
  for (size_t i = N - 8; i < N; ++i) v = v << 8 | bytes[i];
  return v;
}

template <size_t N>
FixedId<N> FixedId<N>::FromHighLow(uint64_t high, uint64_t low) {
  FixedId id;
  for (size_t i = 0; i < 8; ++i) id.bytes[N - 1 - i] = static_cast<uint8_t>(low >> (8 * i));
  if constexpr (N >= 16) {
    for (size_t i = 0; i < 8; ++i) id.bytes[N - 9 - i] = static_cast<uint8_t>(high >> (8 * i));
  }
  return id;
}

template struct FixedId<16>;
template struct FixedId<8>;

}  // namespace ariadne
