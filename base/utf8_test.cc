#include "base/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace ariadne {
namespace {

TEST(TruncateUtf8, NeverSplitsASequence) {
  EXPECT_EQ(TruncateUtf8("abc", 5), "abc");
  EXPECT_EQ(TruncateUtf8("abc", 2), "ab");
  EXPECT_EQ(TruncateUtf8("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9");
  EXPECT_EQ(TruncateUtf8("a\xf0\x9f\x98\x80", 4), "a");
  EXPECT_EQ(TruncateUtf8("a\xf0\x9f\x98\x80", 5), "a\xf0\x9f\x98\x80");
  EXPECT_EQ(TruncateUtf8("\xe2\x82\xac", 0), "");
}

TEST(TruncateUtf8, InvalidInputIsCutAtTheLimit) {
  EXPECT_EQ(TruncateUtf8("\xff\xff\xff", 2), "\xff\xff");
  // A run of stray continuation bytes: at most three are backed over.
  EXPECT_EQ(TruncateUtf8("a\x80\x80\x80\x80\x80", 5), "a\x80");
}

TEST(DecodeUtf8, AcceptsWellFormedSequences) {
  uint32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("\xc3\xa9", 2, &cp), 2u);
  EXPECT_EQ(cp, 0xe9u);
  EXPECT_EQ(DecodeUtf8("\xe2\x80\xa8", 3, &cp), 3u);
  EXPECT_EQ(cp, 0x2028u);
  EXPECT_EQ(DecodeUtf8("\xf4\x8f\xbf\xbf", 4, &cp), 4u);
  EXPECT_EQ(cp, 0x10ffffu);
}

TEST(DecodeUtf8, RejectsIllFormedSequences) {
  uint32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("a", 1, &cp), 0u);                 // ASCII is the caller's
  EXPECT_EQ(DecodeUtf8("\x80", 1, &cp), 0u);              // lone continuation
  EXPECT_EQ(DecodeUtf8("\xc0\x80", 2, &cp), 0u);          // overlong NUL
  EXPECT_EQ(DecodeUtf8("\xe0\x80\x80", 3, &cp), 0u);      // overlong
  EXPECT_EQ(DecodeUtf8("\xed\xa0\x80", 3, &cp), 0u);      // surrogate U+D800
  EXPECT_EQ(DecodeUtf8("\xf4\x90\x80\x80", 4, &cp), 0u);  // above U+10FFFF
  EXPECT_EQ(DecodeUtf8("\xf5\x80\x80\x80", 4, &cp), 0u);
  EXPECT_EQ(DecodeUtf8("\xe2\x82", 2, &cp), 0u);   // cut short
  EXPECT_EQ(DecodeUtf8("\xe2\x82z", 3, &cp), 0u);  // not a continuation
}

}  // namespace
}  // namespace ariadne
