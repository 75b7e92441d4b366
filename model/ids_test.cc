#include "model/ids.h"

#include <gtest/gtest.h>

namespace ariadne {
namespace {

TEST(IdsTest, HexRoundTripAndValidation) {
  TraceId t;
  ASSERT_TRUE(TraceId::FromHex("4BF92F3577B34DA6A3CE929D0E0E4736", &t));
  EXPECT_EQ(t.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(t.IsValid());
  EXPECT_EQ(t.High(), 0x4bf92f3577b34da6ull);
  EXPECT_EQ(t.Low(), 0xa3ce929d0e0e4736ull);
  EXPECT_EQ(TraceId::FromHighLow(t.High(), t.Low()), t);
  EXPECT_FALSE(TraceId::FromHex("4bf92f", &t));
  EXPECT_FALSE(t.IsValid());  // failed parse leaves the invalid id
  EXPECT_FALSE(TraceId::FromHex("zz f92f3577b34da6a3ce929d0e0e4736", &t));
  ASSERT_TRUE(TraceId::FromHex("a3ce929d0e0e4736", &t, /*allow_short=*/true));
  EXPECT_EQ(t.High(), 0u);
  EXPECT_EQ(t.Low(), 0xa3ce929d0e0e4736ull);
  SpanId s;
  ASSERT_TRUE(SpanId::FromHex("00f067aa0ba902b7", &s));
  EXPECT_EQ(s.Low(), 0x00f067aa0ba902b7ull);
  EXPECT_FALSE(SpanId().IsValid());
}

TEST(IdsTest, Base64RoundTrip) {
  TraceId t = TraceId::FromHighLow(0x0102030405060708ull, 0x090a0b0c0d0e0f10ull);
  std::string b64 = t.ToBase64();
  EXPECT_EQ(b64, "AQIDBAUGBwgJCgsMDQ4PEA==");
  TraceId back;
  ASSERT_TRUE(TraceId::FromBase64(b64, &back));
  EXPECT_EQ(back, t);
  EXPECT_FALSE(TraceId::FromBase64("AQID", &back));  // wrong length
  EXPECT_FALSE(TraceId::FromBase64("!!!!", &back));
  std::string raw;
  ASSERT_TRUE(DecodeBase64("aGk", &raw));  // unpadded
  EXPECT_EQ(raw, "hi");
}

}  // namespace
}  // namespace ariadne
