// Tests of the Zipkin v2 JSON decoder: the spans @opentelemetry/exporter-zipkin 2.12.1 sent
// (testdata/, made by wire/jaeger/testdata/capture/capture.js, which lists what they contain),
// the mapping rules of docs/formats/zipkin.md, and hostile bodies.
#include "wire/zipkin/zipkin_json.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace ariadne {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(ARIADNE_ZIPKIN_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const AnyValue* Attr(const SpanBatch& b, Range r, std::string_view key) {
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (b.attributes[i].key == key) return &b.attributes[i].value;
  }
  return nullptr;
}

int FindSpan(const SpanBatch& b, std::string_view name) {
  for (uint32_t i = 0; i < b.size(); ++i) {
    if (b.spans.name[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string_view StrAttr(const SpanBatch& b, uint32_t span, std::string_view key) {
  const AnyValue* v = Attr(b, b.spans.attributes[span], key);
  return v != nullptr && v->type == ValueType::kString ? v->str : "<missing>";
}

TEST(ZipkinJson, DecodesOpenTelemetryZipkinExporterOutput) {
  std::string body = ReadFixture("otel_zipkin_exporter.json");
  ASSERT_FALSE(body.empty());
  DecodeResult r;
  Status s = DecodeZipkinJson(body, DecodeLimits(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.rejected_spans, 0u);
  const SpanBatch& b = r.batch;
  ASSERT_EQ(b.size(), 4u);
  int root = FindSpan(b, "POST /checkout");
  int charge = FindSpan(b, "charge card");
  int publish = FindSpan(b, "publish order");
  int compute = FindSpan(b, "compute totals");
  ASSERT_GE(root, 0);
  ASSERT_GE(charge, 0);
  ASSERT_GE(publish, 0);
  ASSERT_GE(compute, 0);
  const SpanColumns& c = b.spans;
  for (int i : {charge, publish, compute}) {
    EXPECT_EQ(c.trace_id[i], c.trace_id[root]);
    EXPECT_EQ(c.parent_span_id[i], c.span_id[root]);
    EXPECT_EQ(b.ServiceName(i), "checkout-svc");
  }
  EXPECT_FALSE(c.parent_span_id[root].IsValid());
  EXPECT_NE(c.trace_id[root].High(), 0u);
  EXPECT_EQ(c.kind[root], SpanKind::kServer);
  EXPECT_EQ(c.kind[charge], SpanKind::kClient);
  EXPECT_EQ(c.kind[publish], SpanKind::kProducer);
  EXPECT_EQ(c.kind[compute], SpanKind::kInternal);  // the exporter omits kind for INTERNAL

  // Attributes arrive as strings.
  EXPECT_EQ(StrAttr(b, root, "http.request.method"), "POST");
  EXPECT_EQ(StrAttr(b, root, "http.response.status_code"), "201");
  EXPECT_EQ(StrAttr(b, root, "retry"), "false");
  EXPECT_EQ(StrAttr(b, root, "ratio"), "0.25");
  EXPECT_EQ(StrAttr(b, root, "quote\"s<script>"), "a\nb");
  EXPECT_EQ(StrAttr(b, charge, "peer.service"), "payments");
  // Resource attributes are copied into tags by the exporter; service.name stays on the resource.
  EXPECT_EQ(Attr(b, c.attributes[root], "service.name"), nullptr);
  EXPECT_EQ(StrAttr(b, root, "service.version"), "1.2.3");

  // Status: otel.status_code and the error tag, neither kept as attributes.
  EXPECT_EQ(c.status_code[charge], SpanStatusCode::kError);
  EXPECT_EQ(c.status_message[charge], "card declined");
  EXPECT_EQ(Attr(b, c.attributes[charge], "error"), nullptr);
  EXPECT_EQ(Attr(b, c.attributes[charge], "otel.status_code"), nullptr);
  EXPECT_EQ(c.status_code[publish], SpanStatusCode::kOk);
  EXPECT_EQ(c.status_code[root], SpanStatusCode::kUnset);

  // Annotations → events; µs → ns.
  ASSERT_EQ(c.events[root].count, 1u);
  uint32_t ev = c.events[root].begin;
  EXPECT_EQ(b.events.name[ev], "cart.validated");
  EXPECT_GE(b.events.time_unix_nano[ev], c.start_time_unix_nano[root]);
  EXPECT_LE(b.events.time_unix_nano[ev], c.end_time_unix_nano[root]);
  for (uint32_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(c.start_time_unix_nano[i] % 1000, 0u);
    EXPECT_GT(c.end_time_unix_nano[i], c.start_time_unix_nano[i]);
  }
  // One resource shared by the four spans.
  EXPECT_EQ(c.resource_index[root], c.resource_index[charge]);
}

TEST(ZipkinJson, DecodesASingleSpanRequest) {
  DecodeResult r;
  ASSERT_TRUE(
      DecodeZipkinJson(ReadFixture("otel_zipkin_exporter_single.json"), DecodeLimits(), &r).ok());
  EXPECT_EQ(r.batch.size(), 1u);
}

TEST(ZipkinJson, MapsEndpointsSharedDebugAndShortIds) {
  std::string body = R"([{"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","parentId":"1",
    "name":"get","kind":"SERVER","timestamp":1700000000000001,"duration":5,"shared":true,
    "debug":true,
    "localEndpoint":{"serviceName":"frontend","ipv4":"10.0.0.1","port":8080},
    "remoteEndpoint":{"serviceName":"backend","ipv6":"::1","port":9000},
    "tags":{"error":"","otel.scope.name":"lib","otel.scope.version":"1","n":5,"b":true,
            "otel.dropped_events_count":"3"},
    "annotations":[{"timestamp":1700000000000002,"value":"ws"}]}])";
  DecodeResult r;
  ASSERT_TRUE(DecodeZipkinJson(body, DecodeLimits(), &r).ok()) << r.error_message;
  const SpanBatch& b = r.batch;
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.spans.trace_id[0].ToHex(), "0000000000000000463ac35c9f6413ad");
  EXPECT_EQ(b.spans.parent_span_id[0].ToHex(), "0000000000000001");
  EXPECT_EQ(b.spans.start_time_unix_nano[0], 1700000000000001000ull);
  EXPECT_EQ(b.spans.end_time_unix_nano[0], 1700000000000006000ull);
  const Resource& res = b.resources[b.spans.resource_index[0]];
  EXPECT_EQ(res.service_name, "frontend");
  EXPECT_EQ(Attr(b, res.attributes, "network.local.address")->str, "10.0.0.1");
  EXPECT_EQ(Attr(b, res.attributes, "network.local.port")->int_value, 8080);
  EXPECT_EQ(StrAttr(b, 0, "peer.service"), "backend");
  EXPECT_EQ(StrAttr(b, 0, "network.peer.address"), "::1");
  EXPECT_EQ(Attr(b, b.spans.attributes[0], "network.peer.port")->int_value, 9000);
  EXPECT_TRUE(Attr(b, b.spans.attributes[0], "zipkin.shared")->bool_value);
  EXPECT_TRUE(Attr(b, b.spans.attributes[0], "zipkin.debug")->bool_value);
  EXPECT_EQ(Attr(b, b.spans.attributes[0], "n")->int_value, 5);
  EXPECT_EQ(Attr(b, b.spans.attributes[0], "b")->type, ValueType::kBool);
  EXPECT_EQ(b.spans.status_code[0], SpanStatusCode::kError);
  EXPECT_EQ(b.spans.status_message[0], "");
  EXPECT_EQ(b.spans.dropped_events_count[0], 3u);
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].name, "lib");
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].version, "1");
  ASSERT_EQ(b.spans.events[0].count, 1u);
  EXPECT_EQ(b.events.name[b.spans.events[0].begin], "ws");
}

TEST(ZipkinJson, MalformedSpansAreRejectedAloneNeighboursKept) {
  std::string body = R"([
    {"traceId":"463ac35c9f6413ad","id":"01","name":"ok1"},
    {"traceId":"xyz","id":"02","name":"bad trace"},
    {"traceId":"463ac35c9f6413ad463ac35c9f6413","id":"02","name":"31 digits"},
    {"traceId":"463ac35c9f6413ad","name":"no id"},
    {"traceId":"463ac35c9f6413ad","id":"0000000000000000","name":"zero id"},
    {"traceId":"463ac35c9f6413ad","id":"03","timestamp":-5},
    {"traceId":"463ac35c9f6413ad","id":"04","kind":"SIDEWAYS"},
    {"traceId":"463ac35c9f6413ad","id":"05","tags":{"a":[1]}},
    {"traceId":"463ac35c9f6413ad","id":"06","annotations":{}},
    42,
    {"traceId":"463ac35c9f6413ad","id":"07","name":"ok2"}])";
  DecodeResult r;
  ASSERT_TRUE(DecodeZipkinJson(body, DecodeLimits(), &r).ok());
  EXPECT_EQ(r.rejected_spans, 9u);
  ASSERT_EQ(r.batch.size(), 2u);
  EXPECT_EQ(r.batch.spans.name[0], "ok1");
  EXPECT_EQ(r.batch.spans.name[1], "ok2");
  EXPECT_FALSE(r.error_message.empty());
}

TEST(ZipkinJson, BodiesThatAreNotAListAreRefused) {
  for (std::string_view body : {"", "{}", "\"x\"", "[", "[{\"a\":}]", "nul", "[1,2"}) {
    DecodeResult r;
    Status s = DecodeZipkinJson(body, DecodeLimits(), &r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << body;
  }
  DecodeResult empty;
  EXPECT_TRUE(DecodeZipkinJson("[]", DecodeLimits(), &empty).ok());
  EXPECT_EQ(empty.batch.size(), 0u);
}

TEST(ZipkinJson, DeepNestingIsRefusedWithoutCrashing) {
  std::string body(100000, '[');
  DecodeResult r;
  EXPECT_FALSE(DecodeZipkinJson(body, DecodeLimits(), &r).ok());
  std::string deep_tags = R"([{"traceId":"00000000000000a1","id":"01","tags":{"a":)" +
                          std::string(500, '[') + std::string(500, ']') + "}}]";
  DecodeResult r2;
  DecodeZipkinJson(deep_tags, DecodeLimits(), &r2).IgnoreError();
  EXPECT_EQ(r2.batch.size(), 0u);
}

TEST(ZipkinJson, EveryTruncationOfARealBodyFailsOrDecodesCleanly) {
  std::string body = ReadFixture("otel_zipkin_exporter.json");
  for (size_t n = 0; n < body.size(); ++n) {
    DecodeResult r;
    Status s = DecodeZipkinJson(body.substr(0, n), DecodeLimits(), &r);
    EXPECT_FALSE(s.ok()) << n;
  }
}

TEST(ZipkinJson, LimitsApply) {
  DecodeLimits limits;
  limits.max_spans = 1;
  DecodeResult r;
  EXPECT_EQ(
      DecodeZipkinJson(
          R"([{"traceId":"00000000000000a1","id":"01"},{"traceId":"00000000000000a1","id":"02"}])",
          limits, &r)
          .code(),
      StatusCode::kResourceExhausted);
  limits = DecodeLimits();
  limits.max_attributes = 1;
  limits.max_events = 1;
  limits.max_value_bytes = 2;
  limits.max_name_bytes = 2;
  DecodeResult r2;
  ASSERT_TRUE(DecodeZipkinJson(R"([{"traceId":"00000000000000a1","id":"01","name":"long",
      "tags":{"a":"xyz","b":"2"},"annotations":[{"timestamp":1,"value":"e1"},
      {"timestamp":2,"value":"e2"}]}])",
                               limits, &r2)
                  .ok());
  ASSERT_EQ(r2.batch.size(), 1u);
  EXPECT_EQ(r2.batch.spans.name[0], "lo");
  EXPECT_EQ(r2.batch.spans.attributes[0].count, 1u);
  EXPECT_EQ(r2.batch.spans.dropped_attributes_count[0], 1u);
  EXPECT_EQ(r2.batch.spans.dropped_events_count[0], 1u);
}

// n bytes of 'a', then "é" (2 bytes) straddling the limit n + 1, then more.
std::string Straddling(size_t n) {
  return std::string(n, 'a') + "\xc3\xa9" + std::string(300, 'b');
}

TEST(ZipkinJson, TruncatesNamesKeysAndValuesAtACharacterBoundary) {
  DecodeLimits limits;
  limits.max_name_bytes = 20;
  limits.max_value_bytes = 30;
  const std::string n = Straddling(19), v = Straddling(29);
  auto q = [](const std::string& s) { return "\"" + s + "\""; };
  std::string body = R"([{"traceId":"00000000000000a1","id":"01","name":)" + q(n) +
                     R"(,"localEndpoint":{"serviceName":)" + q(v) + R"(},"tags":{)" + q(n) + ":" +
                     q(v) + R"(,"otel.scope.name":)" + q(n) + R"(,"otel.scope.version":)" + q(n) +
                     R"(,"otel.status_code":"ERROR","otel.status_description":)" + q(v) +
                     R"(},"annotations":[{"timestamp":1,"value":)" + q(n) + "}]}]";
  DecodeResult r;
  ASSERT_TRUE(DecodeZipkinJson(body, limits, &r).ok());
  const SpanBatch& b = r.batch;
  ASSERT_EQ(b.size(), 1u);
  const std::string name(19, 'a'), value(29, 'a');
  EXPECT_EQ(b.spans.name[0], name);
  EXPECT_EQ(b.ServiceName(0), value);
  EXPECT_EQ(StrAttr(b, 0, name), value);
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].name, name);
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].version, name);
  EXPECT_EQ(b.spans.status_message[0], value);
  ASSERT_EQ(b.spans.events[0].count, 1u);
  EXPECT_EQ(b.events.name[b.spans.events[0].begin], name);
}

}  // namespace
}  // namespace ariadne
