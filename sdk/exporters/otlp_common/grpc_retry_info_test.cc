// ParseGrpcRetryInfo: the delay from a google.rpc.Status built byte by byte as our server (and
// other servers) send it, field order and unknown fields, the clamps, and malformed input.
#include "sdk/exporters/otlp_common/grpc_retry_info.h"

#include <string>

#include <gtest/gtest.h>

#include "wire/otlp/proto_wire.h"

namespace ariadne::exporters {
namespace {

using proto_wire::AppendLenField;
using proto_wire::AppendVarint;
using std::chrono::milliseconds;

constexpr std::string_view kType = "type.googleapis.com/google.rpc.RetryInfo";

void AppendVarintField(std::string* out, uint32_t field, uint64_t v) {
  AppendVarint(out, uint64_t{field} << 3);
  AppendVarint(out, v);
}

std::string Duration(int64_t seconds, int32_t nanos) {
  std::string d;
  if (seconds != 0) AppendVarintField(&d, 1, static_cast<uint64_t>(seconds));
  if (nanos != 0) AppendVarintField(&d, 2, static_cast<uint64_t>(static_cast<int64_t>(nanos)));
  return d;
}

std::string Any(std::string_view type_url, std::string_view value) {
  std::string any;
  AppendLenField(&any, 1, type_url);
  AppendLenField(&any, 2, value);
  return any;
}

std::string RetryInfo(const std::string& duration) {
  std::string r;
  AppendLenField(&r, 1, duration);
  return r;
}

std::string Status(const std::vector<std::string>& details) {
  std::string s;
  AppendVarintField(&s, 1, 8);  // RESOURCE_EXHAUSTED
  AppendLenField(&s, 2, "busy");
  for (const auto& d : details) AppendLenField(&s, 3, d);
  return s;
}

TEST(GrpcRetryInfo, ReadsSecondsAndNanos) {
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, RetryInfo(Duration(1, 0)))})),
            milliseconds(1000));
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, RetryInfo(Duration(2, 500'000'000)))})),
            milliseconds(2500));
  // Nanos round up: a server asking for 1 ns is not retried at once.
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, RetryInfo(Duration(0, 1)))})), milliseconds(1));
}

TEST(GrpcRetryInfo, AbsentDelayIsZeroAndNoRetryInfoIsNullopt) {
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, "")})), milliseconds(0));
  EXPECT_EQ(ParseGrpcRetryInfo(Status({})), std::nullopt);
  EXPECT_EQ(ParseGrpcRetryInfo(""), std::nullopt);
  EXPECT_EQ(ParseGrpcRetryInfo(Status(
                {Any("type.googleapis.com/google.rpc.DebugInfo", RetryInfo(Duration(5, 0)))})),
            std::nullopt);
  // A type name that only ends like RetryInfo is another type.
  EXPECT_EQ(
      ParseGrpcRetryInfo(Status({Any("x/my.google.rpc.RetryInfo", RetryInfo(Duration(5, 0)))})),
      std::nullopt);
}

TEST(GrpcRetryInfo, FindsRetryInfoAmongOtherDetailsAndUnknownFields) {
  std::string any;  // value before type_url, and an unknown fixed32 field
  AppendLenField(&any, 2, RetryInfo(Duration(3, 0)));
  any.push_back(static_cast<char>((7 << 3) | 5));
  any.append(4, '\0');
  AppendLenField(&any, 1, "example.com/google.rpc.RetryInfo");  // any host part
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any("type.googleapis.com/google.rpc.ErrorInfo", "x"), any,
                                       Any(kType, RetryInfo(Duration(9, 0)))})),
            milliseconds(3000));  // the first RetryInfo wins
}

TEST(GrpcRetryInfo, ClampsLikeRetryAfter) {
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, RetryInfo(Duration(-5, 0)))})), milliseconds(0));
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, RetryInfo(Duration(0, -7)))})), milliseconds(0));
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, RetryInfo(Duration(7200, 0)))})),
            kMaxRetryInfoDelay);
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, RetryInfo(Duration(INT64_MAX, 999'999'999)))})),
            kMaxRetryInfoDelay);
  // Out-of-range nanos count as at most just under a second.
  EXPECT_EQ(ParseGrpcRetryInfo(Status({Any(kType, RetryInfo(Duration(1, 2'000'000'000)))})),
            milliseconds(2000));
}

TEST(GrpcRetryInfo, MalformedBytesAreNullopt) {
  std::string good = Status({Any(kType, RetryInfo(Duration(1, 0)))});
  // Every truncation of a valid message either still parses as a complete prefix or fails;
  // it never reads past the end (the sanitizer builds check that) nor reports a wrong delay.
  for (size_t n = 0; n < good.size(); ++n) {
    std::optional<milliseconds> d = ParseGrpcRetryInfo(std::string_view(good).substr(0, n));
    EXPECT_TRUE(!d || *d == milliseconds(1000)) << n;
  }
  EXPECT_EQ(ParseGrpcRetryInfo(good.substr(0, good.size() - 1)), std::nullopt);
  EXPECT_EQ(ParseGrpcRetryInfo("\x0b"), std::nullopt);          // a group (field 1, type 3)
  EXPECT_EQ(ParseGrpcRetryInfo("\x1a\x05\x0a"), std::nullopt);  // length past the end
  EXPECT_EQ(ParseGrpcRetryInfo(std::string("\x00\x01", 2)), std::nullopt);  // field 0
  std::string bad_duration = Status({Any(kType, RetryInfo("\x08"))});       // truncated varint
  EXPECT_EQ(ParseGrpcRetryInfo(bad_duration), std::nullopt);
}

}  // namespace
}  // namespace ariadne::exporters
