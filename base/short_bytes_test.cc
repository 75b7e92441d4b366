#include "base/short_bytes.h"

#include <string>

#include <gtest/gtest.h>

namespace ariadne {
namespace {

// Every length across the branches (0-3 bytewise, 4-7, 8-15, 16-32 overlapping, > 32 memcpy),
// at unaligned offsets; the bytes around the destination stay untouched.
TEST(ShortBytes, CopiesEveryLengthExactly) {
  std::string src;
  for (int i = 0; i < 80; ++i) src.push_back(static_cast<char>('a' + i % 26 + (i / 26)));
  for (size_t n = 0; n <= 70; ++n) {
    for (size_t offset : {0, 1, 3}) {
      std::string dst(100, '#');
      CopyShortBytes(dst.data() + offset + 1, src.data() + offset, n);
      const std::string want = std::string(offset + 1, '#') + src.substr(offset, n) +
                               std::string(100 - offset - 1 - n, '#');
      EXPECT_EQ(dst, want) << n << " " << offset;
    }
  }
}

// A difference at any position of any length is seen; equal strings compare equal.
TEST(ShortBytes, ComparesEveryLengthAtEveryPosition) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'k');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('A' + i);
    std::string b = a;
    EXPECT_TRUE(EqualShortBytes(a.data(), b.data(), n)) << n;
    for (size_t i = 0; i < n; ++i) {
      b[i] ^= 0x20;
      EXPECT_FALSE(EqualShortBytes(a.data(), b.data(), n)) << n << " " << i;
      b[i] ^= 0x20;
    }
  }
}

}  // namespace
}  // namespace ariadne
