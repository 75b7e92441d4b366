// Golden payloads captured from the real OpenTelemetry JS exporters (0.223.1; regenerate with
// testdata/capture/capture.js): one rich trace, a SERVER parent and a CLIENT child, through the
// OTLP/proto and the OTLP/HTTP JSON exporters. Both fixtures must decode to the same content.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(OTLP_TESTDATA_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int FindSpan(const SpanBatch& b, std::string_view name) {
  for (uint32_t i = 0; i < b.size(); ++i) {
    if (b.spans.name[i] == name) return static_cast<int>(i);
  }
  return -1;
}

void ExpectArray(const SpanBatch& b, const AnyValue* v, ValueType type, uint32_t count) {
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->type, ValueType::kArray);
  ASSERT_EQ(v->children.count, count);
  for (uint32_t i = 0; i < count; ++i) {
    EXPECT_EQ(b.array_values[v->children.begin + i].type, type);
  }
}

// What the capture script emitted, whichever encoding carried it.
void ExpectCapturedTrace(const SpanBatch& b) {
  ASSERT_EQ(b.size(), 2u);
  int parent = FindSpan(b, "GET /api/cart");
  int child = FindSpan(b, "SELECT cart");
  ASSERT_GE(parent, 0);
  ASSERT_GE(child, 0);
  auto p = static_cast<uint32_t>(parent), c = static_cast<uint32_t>(child);
  const SpanColumns& s = b.spans;
  EXPECT_EQ(s.trace_id[p], s.trace_id[c]);
  EXPECT_TRUE(s.trace_id[p].IsValid());
  EXPECT_FALSE(s.parent_span_id[p].IsValid());
  EXPECT_EQ(s.parent_span_id[c], s.span_id[p]);
  EXPECT_EQ(s.kind[p], SpanKind::kServer);
  EXPECT_EQ(s.kind[c], SpanKind::kClient);
  EXPECT_LE(s.start_time_unix_nano[p], s.start_time_unix_nano[c]);
  EXPECT_LE(s.start_time_unix_nano[c], s.end_time_unix_nano[c]);
  EXPECT_GT(s.start_time_unix_nano[p], 1600000000000000000u);
  EXPECT_EQ(s.flags[p] & 0xFF, 1u);  // sampled
  EXPECT_EQ(s.status_code[p], SpanStatusCode::kError);
  EXPECT_EQ(s.status_code[c], SpanStatusCode::kError);
  EXPECT_EQ(s.status_message[c], "connection reset");

  EXPECT_EQ(b.ServiceName(p), "cart-service");
  const Resource& r = b.resources[s.resource_index[p]];
  EXPECT_EQ(r.attributes.count, 4u);
  const Scope& scope = b.scopes[s.scope_index[p]];
  EXPECT_EQ(scope.name, "ariadne-capture");
  EXPECT_EQ(scope.version, "0.1.0");

  const AnyValue* v = b.FindSpanAttribute(p, "http.request.method");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->str, "GET");
  v = b.FindSpanAttribute(p, "http.response.status_code");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->type, ValueType::kInt);
  EXPECT_EQ(v->int_value, 500);
  v = b.FindSpanAttribute(p, "app.ratio");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->type, ValueType::kDouble);
  EXPECT_EQ(v->double_value, 0.25);
  v = b.FindSpanAttribute(p, "app.cached");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->type, ValueType::kBool);
  EXPECT_FALSE(v->bool_value);
  v = b.FindSpanAttribute(p, "app.unicode");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->str, "caf\xC3\xA9 \xE2\x98\x83");
  ExpectArray(b, b.FindSpanAttribute(p, "app.tags"), ValueType::kString, 2);
  ExpectArray(b, b.FindSpanAttribute(p, "app.sizes"), ValueType::kInt, 3);
  ExpectArray(b, b.FindSpanAttribute(p, "app.weights"), ValueType::kDouble, 2);
  ExpectArray(b, b.FindSpanAttribute(p, "app.flags"), ValueType::kBool, 2);
  const AnyValue* tags = b.FindSpanAttribute(p, "app.tags");
  EXPECT_EQ(b.array_values[tags->children.begin + 1].str, "green");

  ASSERT_EQ(s.events[c].count, 1u);
  uint32_t e = s.events[c].begin;
  EXPECT_EQ(b.events.name[e], "exception");
  EXPECT_EQ(b.events.attributes[e].count, 3u);
  EXPECT_GE(b.events.time_unix_nano[e], s.start_time_unix_nano[c]);

  ASSERT_EQ(s.links[c].count, 1u);
  uint32_t l = s.links[c].begin;
  EXPECT_EQ(b.links.trace_id[l].ToHex(), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(b.links.span_id[l].ToHex(), "b7ad6b7169203331");
  EXPECT_EQ(b.links.flags[l] & 0xFF, 1u);
  EXPECT_EQ(b.links.attributes[l].count, 1u);
}

TEST(OtlpGolden, DecodesTheJsProtoExporterRequest) {
  DecodeResult result;
  Status st = DecodeOtlpProto(ReadFixture("otlp_js_proto.bin"), DecodeLimits(), &result);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(result.rejected_spans, 0u);
  ExpectCapturedTrace(result.batch);
}

TEST(OtlpGolden, DecodesTheJsJsonExporterRequest) {
  DecodeResult result;
  Status st = DecodeOtlpJson(ReadFixture("otlp_js_json.json"), DecodeLimits(), &result);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(result.rejected_spans, 0u);
  ExpectCapturedTrace(result.batch);
}

TEST(OtlpGolden, ProtoFixtureSurvivesReEncodingInBothEncodings) {
  DecodeResult first;
  ASSERT_TRUE(DecodeOtlpProto(ReadFixture("otlp_js_proto.bin"), DecodeLimits(), &first).ok());
  std::string proto, json;
  EncodeOtlpProto(first.batch, &proto);
  EncodeOtlpJson(first.batch, &json);
  DecodeResult from_proto, from_json;
  ASSERT_TRUE(DecodeOtlpProto(proto, DecodeLimits(), &from_proto).ok());
  ASSERT_TRUE(DecodeOtlpJson(json, DecodeLimits(), &from_json).ok());
  ExpectCapturedTrace(from_proto.batch);
  EXPECT_EQ(DebugString(from_proto.batch), DebugString(first.batch));
  EXPECT_EQ(DebugString(from_json.batch), DebugString(first.batch));
}

}  // namespace
}  // namespace ariadne
