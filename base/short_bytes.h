// Copies and comparisons of short byte strings (keys, names, short attribute values: mostly
// under 32 bytes) as a few fixed-size loads and stores, two of them overlapping for lengths that
// are not a power of two, instead of a call to memcpy / memcmp, whose dispatch costs more than
// the copy at these sizes. Longer strings go to memcpy.
//
// Thread-safety: pure functions. Tested by short_bytes_test.cc.
#ifndef ARIADNE_BASE_SHORT_BYTES_H_
#define ARIADNE_BASE_SHORT_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ariadne {

// dst[0, n) = src[0, n); the ranges must not overlap.
inline void CopyShortBytes(char* dst, const char* src, size_t n) {
  if (n > 32) {
    std::memcpy(dst, src, n);
  } else if (n >= 16) {
    char a[16], b[16];
    std::memcpy(a, src, 16);
    std::memcpy(b, src + n - 16, 16);
    std::memcpy(dst, a, 16);
    std::memcpy(dst + n - 16, b, 16);
  } else if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// Whether a[0, n) equals b[0, n).
inline bool EqualShortBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + n - 8, 8);  // the tail, overlapping
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x, y, z, w;
    std::memcpy(&x, a, 4);
    std::memcpy(&y, b, 4);
    std::memcpy(&z, a + n - 4, 4);
    std::memcpy(&w, b + n - 4, 4);
    return x == y && z == w;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace ariadne

#endif  // ARIADNE_BASE_SHORT_BYTES_H_
