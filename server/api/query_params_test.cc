// Query-string decoding, Go durations, RFC 3339 times and API trace ids.
#include "server/api/query_params.h"

#include <gtest/gtest.h>

namespace ariadne {
namespace {

TEST(QueryParamsTest, DecodesPercentEscapesPlusAndRepeatedParameters) {
  QueryParams p("service=my%20svc&tag=http.status_code%3A500&tag=error:true&op=a+b&empty=&flag");
  EXPECT_EQ(p.Get("service"), "my svc");
  EXPECT_EQ(p.GetAll("tag"), (std::vector<std::string>{"http.status_code:500", "error:true"}));
  EXPECT_EQ(p.Get("op"), "a b");
  EXPECT_TRUE(p.Has("empty"));
  EXPECT_TRUE(p.Has("flag"));
  EXPECT_FALSE(p.Has("missing"));
  EXPECT_EQ(UrlDecode("100%"), "100%");
  EXPECT_EQ(UrlDecode("%zz%41"), "%zzA");
  EXPECT_EQ(UrlDecode("a+b", false), "a+b");
}

TEST(QueryParamsTest, ParsesGoDurations) {
  EXPECT_EQ(*ParseGoDuration("1ms"), 1'000'000);
  EXPECT_EQ(*ParseGoDuration("1.5s"), 1'500'000'000);
  EXPECT_EQ(*ParseGoDuration("1h30m"), int64_t{5400} * 1'000'000'000);
  EXPECT_EQ(*ParseGoDuration("250us"), 250'000);
  EXPECT_EQ(*ParseGoDuration("250\xc2\xb5s"), 250'000);
  EXPECT_EQ(*ParseGoDuration("2d"), int64_t{172800} * 1'000'000'000);
  EXPECT_EQ(*ParseGoDuration("0"), 0);
  EXPECT_EQ(*ParseGoDuration("-3ns"), -3);
  EXPECT_FALSE(ParseGoDuration("").ok());
  EXPECT_FALSE(ParseGoDuration("10").ok());
  EXPECT_FALSE(ParseGoDuration("abc").ok());
  EXPECT_FALSE(ParseGoDuration("1.2.3s").ok());
  EXPECT_FALSE(ParseGoDuration("5y").ok());
}

TEST(QueryParamsTest, ParsesRfc3339) {
  EXPECT_EQ(*ParseRfc3339Nanos("1970-01-01T00:00:01Z"), 1'000'000'000);
  EXPECT_EQ(*ParseRfc3339Nanos("2024-01-02T03:04:05.5Z"),
            int64_t{1704164645} * 1'000'000'000 + 500'000'000);
  EXPECT_EQ(*ParseRfc3339Nanos("2024-01-02T04:04:05+01:00"), int64_t{1704164645} * 1'000'000'000);
  EXPECT_FALSE(ParseRfc3339Nanos("2024-01-02").ok());
  EXPECT_FALSE(ParseRfc3339Nanos("2024-13-02T03:04:05Z").ok());
  EXPECT_FALSE(ParseRfc3339Nanos("2024-01-02T03:04:05").ok());
}

TEST(QueryParamsTest, Rfc3339TimesOutsideInt64NanosecondsAreRefused) {
  // The fuzzer's reproducer (fuzz/findings/query_params_rfc3339_year_1011_overflow.txt).
  auto far = ParseRfc3339Nanos("1011-11-14T22:13:20.123456789+01:00");
  EXPECT_EQ(far.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(far.status().message().find("out of range"), std::string::npos);
  EXPECT_FALSE(ParseRfc3339Nanos("9999-12-31T23:59:59Z").ok());
  EXPECT_FALSE(ParseRfc3339Nanos("0000-01-01T00:00:00Z").ok());
  // The exact ends of the range, and one nanosecond beyond each.
  EXPECT_EQ(*ParseRfc3339Nanos("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
  EXPECT_FALSE(ParseRfc3339Nanos("2262-04-11T23:47:16.854775808Z").ok());
  EXPECT_EQ(*ParseRfc3339Nanos("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
  EXPECT_FALSE(ParseRfc3339Nanos("1677-09-21T00:12:43.145224191Z").ok());
  EXPECT_EQ(*ParseRfc3339Nanos("1969-12-31T23:59:59.5Z"), -500'000'000);
}

TEST(QueryParamsTest, ParsesTraceIdsInHexShortHexAndBase64) {
  TraceId id;
  ASSERT_TRUE(ParseApiTraceId("0102030405060708090a0b0c0d0e0f10", &id));
  EXPECT_EQ(id.ToHex(), "0102030405060708090a0b0c0d0e0f10");
  ASSERT_TRUE(ParseApiTraceId("abc", &id));
  EXPECT_EQ(id.ToHex(), "00000000000000000000000000000abc");
  TraceId want = TraceId::FromHighLow(0x0102030405060708, 0x090a0b0c0d0e0f10);
  ASSERT_TRUE(ParseApiTraceId(want.ToBase64(), &id));
  EXPECT_EQ(id, want);
  EXPECT_FALSE(ParseApiTraceId("", &id));
  EXPECT_FALSE(ParseApiTraceId("xyz", &id));
  EXPECT_FALSE(ParseApiTraceId("00000000000000000000000000000000", &id));
  EXPECT_FALSE(ParseApiTraceId(std::string(33, 'a'), &id));
}

}  // namespace
}  // namespace ariadne
