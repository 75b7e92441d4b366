// Behaviour of the OTLP/JSON decoder and encoder.
#include "wire/otlp/otlp_json.h"

#include <cmath>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne {
namespace {

// A batch of one span (trace 1-2, span 3) with the given name, for the encoder tests.
SpanBatch OneSpanNamed(std::string_view name) {
  SpanBatch b;
  b.AddResource();
  b.AddScope();
  uint32_t row = b.AddSpan();
  b.spans.trace_id[row] = TraceId::FromHighLow(1, 2);
  b.spans.span_id[row] = SpanId::FromHighLow(0, 3);
  b.spans.name[row] = b.Intern(name);
  return b;
}

DecodeResult MustDecode(std::string_view json, const DecodeLimits& limits = {}) {
  DecodeResult result;
  Status st = DecodeOtlpJson(json, limits, &result);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return result;
}

std::string OneSpan(std::string_view span_fields) {
  return std::string(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{)") + std::string(span_fields) +
         "}]}]}]}";
}

constexpr char kIds[] =
    R"("traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718")";

TEST(OtlpJson, DecodesTheSpecExampleShape) {
  DecodeResult r = MustDecode(R"({"resourceSpans":[{
    "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},
    "scopeSpans":[{"scope":{"name":"my.library","version":"1.0.0",
      "attributes":[{"key":"my.scope.attribute","value":{"stringValue":"some scope attribute"}}]},
      "spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
        "parentSpanId":"EEE19B7EC3C1B173","name":"I'm a server span",
        "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000",
        "kind":2,"attributes":[{"key":"my.span.attr","value":{"stringValue":"some value"}}],
        "events":[{"timeUnixNano":"1544712660500000000","name":"ev"}],
        "status":{"code":2,"message":"boom"}}]}]}]})");
  const SpanBatch& b = r.batch;
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.ServiceName(0), "my.service");
  EXPECT_EQ(b.spans.trace_id[0].ToHex(), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(b.spans.span_id[0].ToHex(), "eee19b7ec3c1b174");
  EXPECT_EQ(b.spans.parent_span_id[0].ToHex(), "eee19b7ec3c1b173");
  EXPECT_EQ(b.spans.name[0], "I'm a server span");
  EXPECT_EQ(b.spans.kind[0], SpanKind::kServer);
  EXPECT_EQ(b.spans.start_time_unix_nano[0], 1544712660000000000u);
  EXPECT_EQ(b.spans.end_time_unix_nano[0], 1544712661000000000u);
  EXPECT_EQ(b.spans.status_code[0], SpanStatusCode::kError);
  EXPECT_EQ(b.spans.status_message[0], "boom");
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].name, "my.library");
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].attributes.count, 1u);
  ASSERT_EQ(b.spans.events[0].count, 1u);
  EXPECT_EQ(b.events.time_unix_nano[b.spans.events[0].begin], 1544712660500000000u);
  const AnyValue* v = b.FindSpanAttribute(0, "my.span.attr");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->str, "some value");
}

TEST(OtlpJson, AcceptsSnakeCaseEnumNamesAndIntegersAsNumbersOrStrings) {
  DecodeResult r = MustDecode(R"({"resource_spans":[{"scope_spans":[{"spans":[{
      "trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"1112131415161718",
      "kind":"SPAN_KIND_CONSUMER","start_time_unix_nano":1700000000000000000,
      "end_time_unix_nano":"1700000000000000001","dropped_attributes_count":"3",
      "attributes":[{"key":"n","value":{"int_value":-42}},{"key":"s","value":{"intValue":"-9223372036854775808"}}],
      "status":{"code":"STATUS_CODE_OK"}}]}]}]})");
  const SpanBatch& b = r.batch;
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.spans.kind[0], SpanKind::kConsumer);
  EXPECT_EQ(b.spans.start_time_unix_nano[0], 1700000000000000000u);
  EXPECT_EQ(b.spans.end_time_unix_nano[0], 1700000000000000001u);
  EXPECT_EQ(b.spans.dropped_attributes_count[0], 3u);
  EXPECT_EQ(b.spans.status_code[0], SpanStatusCode::kOk);
  EXPECT_EQ(b.FindSpanAttribute(0, "n")->int_value, -42);
  EXPECT_EQ(b.FindSpanAttribute(0, "s")->int_value, INT64_MIN);
}

TEST(OtlpJson, DecodesEveryValueType) {
  DecodeResult r = MustDecode(OneSpan(std::string(kIds) + R"(,"attributes":[
      {"key":"s","value":{"stringValue":"a\"b\\c\n\u00e9"}},
      {"key":"b","value":{"boolValue":true}},
      {"key":"d","value":{"doubleValue":2.5}},
      {"key":"nan","value":{"doubleValue":"NaN"}},
      {"key":"y","value":{"bytesValue":"AP8="}},
      {"key":"a","value":{"arrayValue":{"values":[{"intValue":"1"},{"arrayValue":{"values":[{"boolValue":false}]}}]}}},
      {"key":"kv","value":{"kvlistValue":{"values":[{"key":"x","value":{"stringValue":"y"}}]}}},
      {"key":"empty","value":{}}])"));
  const SpanBatch& b = r.batch;
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.FindSpanAttribute(0, "s")->str, "a\"b\\c\n\xC3\xA9");
  EXPECT_TRUE(b.FindSpanAttribute(0, "b")->bool_value);
  EXPECT_EQ(b.FindSpanAttribute(0, "d")->double_value, 2.5);
  EXPECT_TRUE(std::isnan(b.FindSpanAttribute(0, "nan")->double_value));
  EXPECT_EQ(b.FindSpanAttribute(0, "y")->type, ValueType::kBytes);
  EXPECT_EQ(b.FindSpanAttribute(0, "y")->str, std::string("\x00\xFF", 2));
  const AnyValue* a = b.FindSpanAttribute(0, "a");
  ASSERT_EQ(a->type, ValueType::kArray);
  ASSERT_EQ(a->children.count, 2u);
  EXPECT_EQ(b.array_values[a->children.begin].int_value, 1);
  const AnyValue& inner = b.array_values[a->children.begin + 1];
  ASSERT_EQ(inner.type, ValueType::kArray);
  ASSERT_EQ(inner.children.count, 1u);
  EXPECT_EQ(b.array_values[inner.children.begin].type, ValueType::kBool);
  const AnyValue* kv = b.FindSpanAttribute(0, "kv");
  ASSERT_EQ(kv->type, ValueType::kKvList);
  EXPECT_EQ(b.kvlist_values[kv->children.begin].key, "x");
  EXPECT_EQ(b.FindSpanAttribute(0, "empty")->type, ValueType::kEmpty);
}

TEST(OtlpJson, RejectsSpansWithBadIdsAloneAndAcceptsBase64Ids) {
  std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","name":"ok"},
      {"traceId":"0102","spanId":"1112131415161718","name":"short"},
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"zz12131415161718","name":"nothex"},
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","parentSpanId":"12","name":"parent"},
      {"traceId":"AQIDBAUGBwgJCgsMDQ4PEA==","spanId":"ERITFBUWFxg=","name":"b64"}]}]}]})";
  DecodeResult r = MustDecode(json);
  ASSERT_EQ(r.batch.size(), 2u);
  EXPECT_EQ(r.batch.spans.name[0], "ok");
  EXPECT_EQ(r.batch.spans.name[1], "b64");
  EXPECT_EQ(r.batch.spans.trace_id[1], r.batch.spans.trace_id[0]);
  EXPECT_EQ(r.rejected_spans, 3u);
}

TEST(OtlpJson, UnknownKeysAreIgnoredAndUnknownEnumsBecomeDefaults) {
  DecodeResult r = MustDecode(
      OneSpan(std::string(kIds) + R"(,"kind":42,"future":{"x":[1,2]},"status":{"code":9})"));
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.spans.kind[0], SpanKind::kUnspecified);
  EXPECT_EQ(r.batch.spans.status_code[0], SpanStatusCode::kUnset);
}

TEST(OtlpJson, MalformedDocumentsAreErrors) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("{"), std::string_view("[]"),
        std::string_view(R"({"resourceSpans":{}})"),
        std::string_view(
            R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"x"}]}]}]})"),
        std::string_view(
            R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":-1}]}]}]})"),
        std::string_view("{\"resourceSpans\":[{\"schemaUrl\":\"\xFF\"}]}")}) {
    DecodeResult r;
    EXPECT_EQ(DecodeOtlpJson(bad, DecodeLimits(), &r).code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(r.batch.empty());
  }
}

TEST(OtlpJson, NestingBeyondTheLimitIsAnError) {
  std::string value = R"({"intValue":1})";
  for (int i = 0; i < 3; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
  std::string json =
      OneSpan(std::string(kIds) + R"(,"attributes":[{"key":"k","value":)" + value + "}]");
  DecodeLimits limits;
  limits.max_value_depth = 3;
  DecodeResult ok;
  EXPECT_TRUE(DecodeOtlpJson(json, limits, &ok).ok());
  limits.max_value_depth = 2;
  DecodeResult deep;
  EXPECT_EQ(DecodeOtlpJson(json, limits, &deep).code(), StatusCode::kInvalidArgument);
}

TEST(OtlpJson, AppliesLimitsWithDroppedCounts) {
  DecodeLimits limits;
  limits.max_attributes = 1;
  limits.max_events = 1;
  limits.max_value_bytes = 2;
  DecodeResult r = MustDecode(OneSpan(std::string(kIds) + R"(,"attributes":[
      {"key":"a","value":{"stringValue":"abcdef"}},{"key":"b","value":{"intValue":"1"}}],
      "events":[{"name":"e1"},{"name":"e2"}],"droppedEventsCount":5)"),
                              limits);
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.spans.attributes[0].count, 1u);
  EXPECT_EQ(r.batch.spans.dropped_attributes_count[0], 1u);
  EXPECT_EQ(r.batch.FindSpanAttribute(0, "a")->str, "ab");
  EXPECT_EQ(r.batch.spans.events[0].count, 1u);
  EXPECT_EQ(r.batch.spans.dropped_events_count[0], 6u);
}

TEST(OtlpJson, EncoderWritesSpecConformantJson) {
  DecodeResult r = MustDecode(OneSpan(std::string(kIds) + R"(,"name":"q\"\u0001","kind":3,
      "startTimeUnixNano":"1700000000000000000","attributes":[
      {"key":"i","value":{"intValue":"-5"}},{"key":"y","value":{"bytesValue":"AP8="}}],
      "status":{"code":2})"));
  std::string json;
  EncodeOtlpJson(r.batch, &json);
  EXPECT_NE(json.find(R"("traceId":"0102030405060708090a0b0c0d0e0f10")"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("name":"q\"\u0001")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("kind":3)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("startTimeUnixNano":"1700000000000000000")"), std::string::npos);
  EXPECT_NE(json.find(R"({"intValue":"-5"})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"({"bytesValue":"AP8="})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("status":{"code":2})"), std::string::npos) << json;
  EXPECT_EQ(json.rfind(R"({"resourceSpans":[)", 0), 0u);
  // And it decodes back to the same batch.
  DecodeResult again = MustDecode(json);
  EXPECT_EQ(DebugString(again.batch), DebugString(r.batch));
  std::string array;
  AppendOtlpJsonResourceSpans(r.batch, &array);
  EXPECT_EQ(R"({"resourceSpans":)" + array + "}", json);
}

TEST(OtlpJson, EncoderRepairsInvalidUtf8SoOutputIsValidJson) {
  SpanBatch b = OneSpanNamed("bad\xFFname");
  std::string json;
  EncodeOtlpJson(b, &json);
  DecodeResult r = MustDecode(json);
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.spans.name[0], "bad\xEF\xBF\xBDname");
}

TEST(OtlpJson, EncoderOutputIsSafeInHtmlAndDecodesBack) {
  SpanBatch b = OneSpanNamed("</script><!--&\xE2\x80\xA8\x1F");
  std::string json;
  EncodeOtlpJson(b, &json);
  EXPECT_EQ(json.find('<'), std::string::npos) << json;
  EXPECT_EQ(json.find('&'), std::string::npos) << json;
  EXPECT_NE(json.find(R"("name":"\u003c/script\u003e\u003c!--\u0026\u2028\u001f")"),
            std::string::npos)
      << json;
  DecodeResult r = MustDecode(json);
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.spans.name[0], b.spans.name[0]);
}

// n bytes of 'a', then "é" (2 bytes) straddling the limit n + 1, then more.
std::string Straddling(size_t n) {
  return std::string(n, 'a') + "\xC3\xA9" + std::string(300, 'b');
}

TEST(OtlpJson, TruncatesEveryNameKeyAndTextFieldAtACharacterBoundary) {
  DecodeLimits limits;
  limits.max_name_bytes = 40;
  limits.max_value_bytes = 60;
  const std::string n = Straddling(39), v = Straddling(59);
  auto q = [](const std::string& s) { return "\"" + s + "\""; };
  std::string json =
      R"({"resourceSpans":[{"schemaUrl":)" + q(v) + R"(,"scopeSpans":[{"schemaUrl":)" + q(v) +
      R"(,"scope":{"name":)" + q(n) + R"(,"version":)" + q(n) + R"(},"spans":[{)" + kIds +
      R"(,"name":)" + q(n) + R"(,"traceState":)" + q(v) + R"(,"status":{"code":2,"message":)" +
      q(v) + R"(},"attributes":[{"key":)" + q(n) + R"(,"value":{"kvlistValue":{"values":[{"key":)" +
      q(n) + R"(,"value":{"stringValue":)" + q(v) + R"(}}]}}}],"events":[{"name":)" + q(n) +
      R"(}],"links":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"2122232425262728","traceState":)" +
      q(v) + "}]}]}]}]}";
  DecodeResult r = MustDecode(json, limits);
  const SpanBatch& b = r.batch;
  ASSERT_EQ(b.size(), 1u);
  const std::string name(39, 'a'), value(59, 'a');
  EXPECT_EQ(b.spans.name[0], name);
  EXPECT_EQ(b.spans.trace_state[0], value);
  EXPECT_EQ(b.spans.status_message[0], value);
  const KeyValue& attr = b.attributes[b.spans.attributes[0].begin];
  EXPECT_EQ(attr.key, name);
  ASSERT_EQ(attr.value.type, ValueType::kKvList);
  EXPECT_EQ(b.kvlist_values[attr.value.children.begin].key, name);
  EXPECT_EQ(b.kvlist_values[attr.value.children.begin].value.str, value);
  EXPECT_EQ(b.events.name[b.spans.events[0].begin], name);
  ASSERT_EQ(b.spans.links[0].count, 1u);
  EXPECT_EQ(b.links.trace_state[b.spans.links[0].begin], value);
  const Scope& scope = b.scopes[b.spans.scope_index[0]];
  EXPECT_EQ(scope.name, name);
  EXPECT_EQ(scope.version, name);
  EXPECT_EQ(scope.schema_url, value);
  EXPECT_EQ(b.resources[b.spans.resource_index[0]].schema_url, value);
}

TEST(OtlpJson, RefusesARequestWithTooManySpans) {
  std::string span = std::string("{") + kIds + "}";
  std::string json =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + span + "," + span + "," + span + "]}]}]}";
  DecodeLimits limits;
  limits.max_spans = 2;
  DecodeResult r;
  EXPECT_EQ(DecodeOtlpJson(json, limits, &r).code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(r.batch.empty());
  limits.max_spans = 3;
  EXPECT_TRUE(DecodeOtlpJson(json, limits, &r).ok());
  EXPECT_EQ(r.batch.size(), 3u);
}

TEST(OtlpJson, DecodesDocumentsLargerThanTheReusedParserLimit) {
  std::string spans;
  const std::string padding(4000, 'p');
  for (int i = 0; i < 300; ++i) {
    if (i != 0) spans += ",";
    char id[17];
    std::snprintf(id, sizeof id, "%016x", i + 1);
    spans += std::string(R"({"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":")") + id +
             R"(","attributes":[{"key":"pad","value":{"stringValue":")" + padding + R"("}}]})";
  }
  std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + spans + "]}]}]}";
  ASSERT_GT(json.size(), 1u << 20);
  DecodeResult r = MustDecode(json);
  ASSERT_EQ(r.batch.size(), 300u);
  EXPECT_EQ(r.batch.spans.span_id[299].ToHex(), "000000000000012c");
  EXPECT_EQ(r.batch.FindSpanAttribute(299, "pad")->str.size(), 4000u);
}

TEST(OtlpJson, ResponseRoundTripsAndAcceptsNumbersOrStrings) {
  std::string out;
  EncodeOtlpJsonResponse(0, "", &out);
  EXPECT_EQ(out, "{}");
  out.clear();
  EncodeOtlpJsonResponse(2, "bad \"ids\"", &out);
  int64_t rejected = 0;
  std::string message;
  ASSERT_TRUE(DecodeOtlpJsonResponse(out, &rejected, &message).ok());
  EXPECT_EQ(rejected, 2);
  EXPECT_EQ(message, "bad \"ids\"");
  ASSERT_TRUE(
      DecodeOtlpJsonResponse(R"({"partial_success":{"rejected_spans":7}})", &rejected, &message)
          .ok());
  EXPECT_EQ(rejected, 7);
  EXPECT_EQ(message, "");
  ASSERT_TRUE(DecodeOtlpJsonResponse("{}", &rejected, &message).ok());
  EXPECT_EQ(rejected, 0);
  EXPECT_FALSE(DecodeOtlpJsonResponse("{", &rejected, &message).ok());
}

}  // namespace
}  // namespace ariadne
