// Behaviour of the OTLP protobuf decoder on specific inputs: rich content, per-span rejection,
// enum and UTF-8 policies, limits, zero copy, unknown fields. Requests are built with libprotobuf
// from our test schema (testdata/otlp_trace_test.proto).
#include "wire/otlp/otlp_proto_decoder.h"

#include <string>

#include <gtest/gtest.h>

#include "wire/otlp/otlp_proto_encoder.h"
#include "wire/otlp/otlp_test_util.h"
#include "wire/otlp/otlp_text.h"

namespace ariadne {
namespace {

namespace pb = otlp_test::pb;

const std::string kTrace(16, '\x11');

pb::Span* AddSpan(pb::ExportTraceServiceRequest* req, char id) {
  if (req->resource_spans_size() == 0) req->add_resource_spans()->add_scope_spans();
  pb::Span* s = req->mutable_resource_spans(0)->mutable_scope_spans(0)->add_spans();
  s->set_trace_id(kTrace);
  s->set_span_id(std::string(8, id));
  s->set_name(std::string("span-") + id);
  return s;
}

DecodeResult Decode(const pb::ExportTraceServiceRequest& req, const DecodeLimits& limits = {}) {
  DecodeResult result;
  Status st = DecodeOtlpProto(req.SerializeAsString(), limits, &result);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return result;
}

TEST(OtlpProtoDecoder, DecodesEveryFieldOfARichRequest) {
  std::mt19937_64 rng(11);
  otlp_test::RandomOptions o;
  o.max_spans = 10;
  pb::ExportTraceServiceRequest req = otlp_test::RandomRequest(rng, o);
  DecodeResult result = Decode(req);
  otlp_test::ExpectBatchMatches(result.batch, req);
}

TEST(OtlpProtoDecoder, SetsTheServiceNameFromTheResource) {
  pb::ExportTraceServiceRequest req;
  AddSpan(&req, 'a');
  pb::KeyValue* kv = req.mutable_resource_spans(0)->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("checkout");
  DecodeResult result = Decode(req);
  ASSERT_EQ(result.batch.size(), 1u);
  EXPECT_EQ(result.batch.ServiceName(0), "checkout");
}

TEST(OtlpProtoDecoder, RejectsASpanWithBadIdsAloneAndKeepsItsNeighbours) {
  pb::ExportTraceServiceRequest req;
  AddSpan(&req, 'a');
  AddSpan(&req, 'b')->set_trace_id(std::string(15, '\x01'));       // short trace id
  AddSpan(&req, 'c')->set_span_id(std::string(9, '\x01'));         // long span id
  AddSpan(&req, 'd')->set_parent_span_id(std::string(4, 'x'));     // bad parent
  AddSpan(&req, 'e')->set_trace_id(std::string(16, '\0'));         // all-zero trace id
  AddSpan(&req, 'f')->set_parent_span_id(std::string(8, '\x07'));  // fine
  DecodeResult result = Decode(req);
  ASSERT_EQ(result.batch.size(), 2u);
  EXPECT_EQ(result.batch.spans.name[0], "span-a");
  EXPECT_EQ(result.batch.spans.name[1], "span-f");
  EXPECT_EQ(result.batch.spans.parent_span_id[1].AsBytes(), std::string(8, '\x07'));
  EXPECT_EQ(result.rejected_spans, 4u);
  EXPECT_NE(result.error_message.find("trace_id"), std::string::npos);
  EXPECT_NE(result.error_message.find("parent_span_id"), std::string::npos);
}

TEST(OtlpProtoDecoder, DropsALinkWithBadIdsAndCountsIt) {
  pb::ExportTraceServiceRequest req;
  pb::Span* s = AddSpan(&req, 'a');
  pb::Link* bad = s->add_links();
  bad->set_trace_id("short");
  bad->set_span_id(std::string(8, '\x01'));
  pb::Link* good = s->add_links();
  good->set_trace_id(kTrace);
  good->set_span_id(std::string(8, '\x02'));
  good->set_flags(0x301);
  DecodeResult result = Decode(req);
  ASSERT_EQ(result.batch.size(), 1u);
  EXPECT_EQ(result.rejected_spans, 0u);
  ASSERT_EQ(result.batch.spans.links[0].count, 1u);
  uint32_t l = result.batch.spans.links[0].begin;
  EXPECT_EQ(result.batch.links.span_id[l].AsBytes(), std::string(8, '\x02'));
  EXPECT_EQ(result.batch.links.flags[l], 0x301u);
  EXPECT_EQ(result.batch.spans.dropped_links_count[0], 1u);
}

TEST(OtlpProtoDecoder, UnknownEnumValuesBecomeUnspecifiedAndUnset) {
  pb::ExportTraceServiceRequest req;
  pb::Span* s = AddSpan(&req, 'a');
  s->set_kind(9);
  s->mutable_status()->set_code(7);
  pb::Span* neg = AddSpan(&req, 'b');
  neg->set_kind(-1);
  DecodeResult result = Decode(req);
  ASSERT_EQ(result.batch.size(), 2u);
  EXPECT_EQ(result.batch.spans.kind[0], SpanKind::kUnspecified);
  EXPECT_EQ(result.batch.spans.status_code[0], SpanStatusCode::kUnset);
  EXPECT_EQ(result.batch.spans.kind[1], SpanKind::kUnspecified);
}

TEST(OtlpProtoDecoder, RepairsInvalidUtf8WithReplacementCharacters) {
  // libprotobuf refuses to serialize invalid UTF-8 in a proto3 string; write it as bytes by
  // patching a serialized request.
  pb::ExportTraceServiceRequest req;
  pb::Span* s = AddSpan(&req, 'a');
  s->set_name("ab@d");
  pb::KeyValue* kv = s->add_attributes();
  kv->set_key("k@y");
  kv->mutable_value()->set_string_value("x@\xC3\xA9");
  std::string bytes = req.SerializeAsString();
  for (char& c : bytes) {
    if (c == '@') c = static_cast<char>(0xFF);
  }
  DecodeResult result;
  ASSERT_TRUE(DecodeOtlpProto(bytes, DecodeLimits(), &result).ok());
  ASSERT_EQ(result.batch.size(), 1u);
  EXPECT_EQ(result.batch.spans.name[0],
            "ab\xEF\xBF\xBD"
            "d");
  const KeyValue& attr = result.batch.attributes[result.batch.spans.attributes[0].begin];
  EXPECT_EQ(attr.key, "k\xEF\xBF\xBDy");
  EXPECT_EQ(attr.value.str, "x\xEF\xBF\xBD\xC3\xA9");
}

TEST(OtlpProtoDecoder, AppliesAttributeEventLinkAndValueLimitsWithDroppedCounts) {
  pb::ExportTraceServiceRequest req;
  pb::Span* s = AddSpan(&req, 'a');
  for (int i = 0; i < 5; ++i) {
    pb::KeyValue* kv = s->add_attributes();
    kv->set_key("k" + std::to_string(i));
    kv->mutable_value()->set_string_value("\xC3\xA9\xC3\xA9\xC3\xA9");  // 6 bytes, 3 chars
  }
  s->set_dropped_attributes_count(10);
  for (int i = 0; i < 4; ++i) s->add_events()->set_name("e" + std::to_string(i));
  for (int i = 0; i < 3; ++i) {
    pb::Link* l = s->add_links();
    l->set_trace_id(kTrace);
    l->set_span_id(std::string(8, static_cast<char>('1' + i)));
  }
  DecodeLimits limits;
  limits.max_attributes = 2;
  limits.max_events = 3;
  limits.max_links = 1;
  limits.max_value_bytes = 3;
  DecodeResult result = Decode(req, limits);
  const SpanBatch& b = result.batch;
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.spans.attributes[0].count, 2u);
  EXPECT_EQ(b.spans.dropped_attributes_count[0], 13u);
  EXPECT_EQ(b.spans.events[0].count, 3u);
  EXPECT_EQ(b.spans.dropped_events_count[0], 1u);
  EXPECT_EQ(b.spans.links[0].count, 1u);
  EXPECT_EQ(b.spans.dropped_links_count[0], 2u);
  // Truncated at a character boundary: 3 bytes allow one 2-byte character.
  EXPECT_EQ(b.attributes[b.spans.attributes[0].begin].value.str, "\xC3\xA9");
}

// n bytes of 'a' then "é" (2 bytes) straddling the limit, then more: a cut at n + 1 bytes must
// back off to n.
std::string Straddling(size_t n) {
  return std::string(n, 'a') + "\xC3\xA9" + std::string(300, 'b');
}

TEST(OtlpProtoDecoder, TruncatesEveryNameKeyAndTextFieldAtACharacterBoundary) {
  DecodeLimits limits;  // defaults: names 1 KiB, values 16 KiB
  const size_t kName = limits.max_name_bytes - 1, kValue = limits.max_value_bytes - 1;
  pb::ExportTraceServiceRequest req;
  pb::Span* s = AddSpan(&req, 'a');
  s->set_name(Straddling(kName));
  s->set_trace_state(Straddling(kValue));
  s->mutable_status()->set_message(Straddling(kValue));
  s->mutable_status()->set_code(2);
  pb::KeyValue* kv = s->add_attributes();
  kv->set_key(Straddling(kName));
  pb::KeyValue* nested = kv->mutable_value()->mutable_kvlist_value()->add_values();
  nested->set_key(Straddling(kName));
  nested->mutable_value()->set_string_value(Straddling(kValue));
  s->add_events()->set_name(Straddling(kName));
  pb::Link* l = s->add_links();
  l->set_trace_id(kTrace);
  l->set_span_id(std::string(8, '\x05'));
  l->set_trace_state(Straddling(kValue));
  pb::ScopeSpans* ss = req.mutable_resource_spans(0)->mutable_scope_spans(0);
  ss->mutable_scope()->set_name(Straddling(kName));
  ss->mutable_scope()->set_version(Straddling(kName));
  ss->set_schema_url(Straddling(kValue));
  req.mutable_resource_spans(0)->set_schema_url(Straddling(kValue));
  for (bool zero_copy : {false, true}) {
    DecodeResult r;
    std::string bytes = req.SerializeAsString();
    Status st = zero_copy ? DecodeOtlpProto(std::move(bytes), limits, &r)
                          : DecodeOtlpProto(std::string_view(bytes), limits, &r);
    ASSERT_TRUE(st.ok()) << st.ToString();
    const SpanBatch& b = r.batch;
    ASSERT_EQ(b.size(), 1u);
    const std::string name(kName, 'a'), value(kValue, 'a');
    EXPECT_EQ(b.spans.name[0], name);
    EXPECT_EQ(b.spans.trace_state[0], value);
    EXPECT_EQ(b.spans.status_message[0], value);
    const KeyValue& attr = b.attributes[b.spans.attributes[0].begin];
    EXPECT_EQ(attr.key, name);
    ASSERT_EQ(attr.value.type, ValueType::kKvList);
    EXPECT_EQ(b.kvlist_values[attr.value.children.begin].key, name);
    EXPECT_EQ(b.kvlist_values[attr.value.children.begin].value.str, value);
    EXPECT_EQ(b.events.name[b.spans.events[0].begin], name);
    EXPECT_EQ(b.links.trace_state[b.spans.links[0].begin], value);
    const Scope& scope = b.scopes[b.spans.scope_index[0]];
    EXPECT_EQ(scope.name, name);
    EXPECT_EQ(scope.version, name);
    EXPECT_EQ(scope.schema_url, value);
    EXPECT_EQ(b.resources[b.spans.resource_index[0]].schema_url, value);
  }
}

TEST(OtlpProtoDecoder, RepairedInvalidUtf8StaysWithinTheLimit) {
  // Each invalid byte becomes a 3-byte U+FFFD: the repaired name is cut again to the limit.
  pb::ExportTraceServiceRequest req;
  AddSpan(&req, 'a')->set_name(std::string(100, '@'));
  std::string bytes = req.SerializeAsString();
  for (char& c : bytes) {
    if (c == '@') c = static_cast<char>(0xFF);
  }
  DecodeLimits limits;
  limits.max_name_bytes = 10;
  DecodeResult r;
  ASSERT_TRUE(DecodeOtlpProto(bytes, limits, &r).ok());
  ASSERT_EQ(r.batch.size(), 1u);
  std::string want;
  for (int i = 0; i < 3; ++i) want += "\xEF\xBF\xBD";
  EXPECT_EQ(r.batch.spans.name[0], want);  // 9 bytes: a fourth would not fit in 10
  EXPECT_TRUE(IsValidUtf8(r.batch.spans.name[0]));
}

TEST(OtlpProtoDecoder, RefusesARequestWithTooManySpans) {
  pb::ExportTraceServiceRequest req;
  for (char c = 'a'; c < 'f'; ++c) AddSpan(&req, c);
  DecodeLimits limits;
  limits.max_spans = 4;
  DecodeResult result;
  Status st = DecodeOtlpProto(req.SerializeAsString(), limits, &result);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(result.batch.empty());
}

TEST(OtlpProtoDecoder, ZeroCopyOverloadPointsIntoTheAdoptedRequest) {
  pb::ExportTraceServiceRequest req;
  AddSpan(&req, 'a')->set_name("a-rather-long-span-name");
  std::string bytes = req.SerializeAsString();
  DecodeResult result;
  ASSERT_TRUE(DecodeOtlpProto(std::move(bytes), DecodeLimits(), &result).ok());
  ASSERT_EQ(result.batch.size(), 1u);
  EXPECT_EQ(result.batch.spans.name[0], "a-rather-long-span-name");
  // Moving the batch keeps the views valid.
  SpanBatch moved = std::move(result.batch);
  EXPECT_EQ(moved.spans.name[0], "a-rather-long-span-name");
}

TEST(OtlpProtoDecoder, CopyingOverloadOutlivesTheInput) {
  DecodeResult result;
  {
    pb::ExportTraceServiceRequest req;
    AddSpan(&req, 'a')->set_name("temporary-name");
    std::string bytes = req.SerializeAsString();
    ASSERT_TRUE(DecodeOtlpProto(std::string_view(bytes), DecodeLimits(), &result).ok());
    bytes.assign(bytes.size(), 'X');
  }
  EXPECT_EQ(result.batch.spans.name[0], "temporary-name");
}

TEST(OtlpProtoDecoder, SkipsUnknownFieldsOfEveryWireTypeAndKeepsInterleavedAttributes) {
  pb::ExportTraceServiceRequest req;
  pb::Span* s = AddSpan(&req, 'a');
  pb::KeyValue* first = s->add_attributes();
  first->set_key("first");
  first->mutable_value()->set_int_value(1);
  std::string span = s->SerializeAsString();
  // Unknown fields: varint (100), fixed64 (101), LEN (102), fixed32 (103), group (104).
  span += std::string("\xA0\x06\x96\x01", 4);
  span += std::string("\xA9\x06", 2) + std::string(8, '\x01');
  span += std::string("\xB2\x06\x03xyz", 6);
  span += std::string("\xBD\x06", 2) + std::string(4, '\x02');
  span += std::string("\xC3\x06\x08\x01\xC4\x06", 6);
  // An event (with its own attribute) and then a second span attribute: the span's attributes
  // must still come out as one contiguous range.
  pb::Event ev;
  ev.set_name("ev");
  ev.add_attributes()->set_key("event-attr");
  std::string ev_bytes = ev.SerializeAsString();
  span += "\x5A" + std::string(1, static_cast<char>(ev_bytes.size())) + ev_bytes;
  pb::KeyValue second;
  second.set_key("second");
  second.mutable_value()->set_bool_value(true);
  std::string kv_bytes = second.SerializeAsString();
  span += "\x4A" + std::string(1, static_cast<char>(kv_bytes.size())) + kv_bytes;
  pb::ScopeSpans ss;
  pb::ResourceSpans rs;
  std::string ss_bytes = "\x12" + std::string(1, static_cast<char>(span.size())) + span;
  std::string rs_bytes = "\x12" + std::string(1, static_cast<char>(ss_bytes.size())) + ss_bytes;
  std::string bytes = "\x0A" + std::string(1, static_cast<char>(rs_bytes.size())) + rs_bytes;
  DecodeResult result;
  Status st = DecodeOtlpProto(bytes, DecodeLimits(), &result);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const SpanBatch& b = result.batch;
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(b.spans.attributes[0].count, 2u);
  EXPECT_EQ(b.attributes[b.spans.attributes[0].begin].key, "first");
  EXPECT_EQ(b.attributes[b.spans.attributes[0].begin + 1].key, "second");
  ASSERT_EQ(b.spans.events[0].count, 1u);
  Range ea = b.events.attributes[b.spans.events[0].begin];
  ASSERT_EQ(ea.count, 1u);
  EXPECT_EQ(b.attributes[ea.begin].key, "event-attr");
}

TEST(OtlpProtoDecoder, EmptyRequestGivesAnEmptyBatch) {
  DecodeResult result;
  EXPECT_TRUE(DecodeOtlpProto(std::string_view(), DecodeLimits(), &result).ok());
  EXPECT_TRUE(result.batch.empty());
}

TEST(OtlpProtoEncoder, RoundTripsThroughTheDecoderByteForByte) {
  std::mt19937_64 rng(12);
  for (int i = 0; i < 50; ++i) {
    pb::ExportTraceServiceRequest req = otlp_test::RandomRequest(rng);
    DecodeResult first = Decode(req);
    std::string once;
    EncodeOtlpProto(first.batch, &once);
    DecodeResult second;
    ASSERT_TRUE(DecodeOtlpProto(once, DecodeLimits(), &second).ok());
    std::string twice;
    EncodeOtlpProto(second.batch, &twice);
    EXPECT_EQ(once, twice);
    EXPECT_EQ(DebugString(first.batch), DebugString(second.batch));
  }
}

TEST(OtlpProtoEncoder, GroupsSpansByResourceThenScope) {
  SpanBatch b;
  uint32_t r0 = b.AddResource(), r1 = b.AddResource();
  uint32_t s0 = b.AddScope(), s1 = b.AddScope();
  b.scopes[s0].name = "s0";
  b.scopes[s1].name = "s1";
  // Interleaved: (r0,s0) (r1,s1) (r0,s1) (r0,s0)
  uint32_t rows[][2] = {{r0, s0}, {r1, s1}, {r0, s1}, {r0, s0}};
  for (int i = 0; i < 4; ++i) {
    uint32_t row = b.AddSpan();
    b.spans.trace_id[row] = TraceId::FromHighLow(1, 2);
    b.spans.span_id[row] = SpanId::FromHighLow(0, 10 + i);
    b.spans.resource_index[row] = rows[i][0];
    b.spans.scope_index[row] = rows[i][1];
  }
  std::string bytes;
  EncodeOtlpProto(b, &bytes);
  pb::ExportTraceServiceRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  ASSERT_EQ(parsed.resource_spans_size(), 2);
  ASSERT_EQ(parsed.resource_spans(0).scope_spans_size(), 2);
  EXPECT_EQ(parsed.resource_spans(0).scope_spans(0).scope().name(), "s0");
  EXPECT_EQ(parsed.resource_spans(0).scope_spans(0).spans_size(), 2);
  EXPECT_EQ(parsed.resource_spans(0).scope_spans(1).scope().name(), "s1");
  EXPECT_EQ(parsed.resource_spans(1).scope_spans_size(), 1);
  EXPECT_EQ(parsed.resource_spans(0).scope_spans(0).spans(1).span_id(),
            SpanId::FromHighLow(0, 13).AsBytes());
}

}  // namespace
}  // namespace ariadne
