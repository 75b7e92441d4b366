// Tests of the Jaeger Thrift decoder: payloads captured from jaeger-client 3.19.0 (UDP emitBatch
// and the HTTP collector body, both TBinaryProtocol; see testdata/capture/capture.js for what they
// contain), the mapping rules, and adversarial inputs (truncation, huge counts, deep nesting,
// wrong types) that must fail cleanly without allocating what they declare.
#include "wire/jaeger/jaeger_thrift.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "wire/jaeger/thrift_reader.h"
#include "wire/jaeger/thrift_test_writer.h"

namespace ariadne {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(ARIADNE_JAEGER_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A tiny TBinaryProtocol writer for hand-made payloads.
class BinWriter {
 public:
  BinWriter& I8(uint8_t v) {
    s_.push_back(static_cast<char>(v));
    return *this;
  }
  BinWriter& I16(int16_t v) { return Be(static_cast<uint16_t>(v), 2); }
  BinWriter& I32(int32_t v) { return Be(static_cast<uint32_t>(v), 4); }
  BinWriter& I64(int64_t v) { return Be(static_cast<uint64_t>(v), 8); }
  BinWriter& Field(uint8_t type, int16_t id) { return I8(type).I16(id); }
  BinWriter& Str(std::string_view v) {
    I32(static_cast<int32_t>(v.size()));
    s_.append(v);
    return *this;
  }
  BinWriter& List(uint8_t elem, int32_t n) { return I8(elem).I32(n); }
  BinWriter& Stop() { return I8(0); }
  // A Tag struct with a string value.
  BinWriter& StrTag(std::string_view k, std::string_view v) {
    return Field(kThriftString, 1)
        .Str(k)
        .Field(kThriftI32, 2)
        .I32(0)
        .Field(kThriftString, 3)
        .Str(v)
        .Stop();
  }
  BinWriter& BoolTag(std::string_view k, bool v) {
    return Field(kThriftString, 1)
        .Str(k)
        .Field(kThriftI32, 2)
        .I32(2)
        .Field(kThriftBool, 5)
        .I8(v)
        .Stop();
  }
  const std::string& str() const { return s_; }

 private:
  BinWriter& Be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  std::string s_;
};

// Batch{process{serviceName}, spans:[...]} with the span bodies written by `span`.
template <typename F>
std::string MakeBatch(int n_spans, F span) {
  BinWriter w;
  w.Field(kThriftStruct, 1).Field(kThriftString, 1).Str("svc").Stop();
  w.Field(kThriftList, 2).List(kThriftStruct, n_spans);
  for (int i = 0; i < n_spans; ++i) {
    span(i, w);
    w.Stop();
  }
  w.Stop();
  return w.str();
}

void BasicSpan(BinWriter& w, int64_t span_id, std::string_view name) {
  w.Field(kThriftI64, 1).I64(0x1122).Field(kThriftI64, 2).I64(0).Field(kThriftI64, 3).I64(span_id);
  w.Field(kThriftI64, 4).I64(0).Field(kThriftString, 5).Str(name).Field(kThriftI32, 7).I32(1);
  w.Field(kThriftI64, 8).I64(1'700'000'000'000'000).Field(kThriftI64, 9).I64(250);
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

// The trace capture.js creates, checked the same way for both transports.
void ExpectCapturedTrace(const SpanBatch& b) {
  ASSERT_EQ(b.size(), 3u);
  int root = FindSpan(b, "GET /orders");
  int child = FindSpan(b, "SELECT orders");
  int follower = FindSpan(b, "process order");
  ASSERT_GE(root, 0);
  ASSERT_GE(child, 0);
  ASSERT_GE(follower, 0);
  const SpanColumns& s = b.spans;

  // Process → resource.
  EXPECT_EQ(b.ServiceName(root), "orders-svc");
  const Resource& res = b.resources[s.resource_index[root]];
  const AnyValue* env = Attr(b, res.attributes, "deployment.environment");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->str, "test");
  const AnyValue* cores = Attr(b, res.attributes, "host.cores");
  ASSERT_NE(cores, nullptr);
  EXPECT_EQ(cores->type, ValueType::kDouble);  // jaeger-client sends numbers as DOUBLE
  EXPECT_EQ(cores->double_value, 4);
  EXPECT_NE(Attr(b, res.attributes, "jaeger.version"), nullptr);

  // 128-bit trace id shared by all, parent links.
  EXPECT_NE(s.trace_id[root].High(), 0u);
  EXPECT_EQ(s.trace_id[child], s.trace_id[root]);
  EXPECT_EQ(s.trace_id[follower], s.trace_id[root]);
  EXPECT_FALSE(s.parent_span_id[root].IsValid());
  EXPECT_EQ(s.parent_span_id[child], s.span_id[root]);
  EXPECT_EQ(s.links[child].count, 0u);
  // jaeger-client also sets parentSpanId for a FOLLOWS_FROM-only span: that is the parent, and the
  // FOLLOWS_FROM reference is kept as a link.
  EXPECT_EQ(s.parent_span_id[follower], s.span_id[root]);
  ASSERT_EQ(s.links[follower].count, 1u);
  EXPECT_EQ(b.links.span_id[s.links[follower].begin], s.span_id[root]);

  // Kinds from span.kind, which is not kept as an attribute.
  EXPECT_EQ(s.kind[root], SpanKind::kServer);
  EXPECT_EQ(s.kind[child], SpanKind::kClient);
  EXPECT_EQ(s.kind[follower], SpanKind::kConsumer);
  EXPECT_EQ(Attr(b, s.attributes[root], "span.kind"), nullptr);

  // Typed tags.
  const AnyValue* method = Attr(b, s.attributes[root], "http.method");
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(method->type, ValueType::kString);
  EXPECT_EQ(method->str, "GET");
  const AnyValue* code = Attr(b, s.attributes[root], "http.status_code");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->double_value, 200);
  const AnyValue* hit = Attr(b, s.attributes[root], "cache.hit");
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->type, ValueType::kBool);
  EXPECT_TRUE(hit->bool_value);
  const AnyValue* payload = Attr(b, s.attributes[follower], "payload");
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(payload->type, ValueType::kBytes);
  EXPECT_EQ(payload->str, std::string_view("\x00\x01\x02\xff", 4));

  // error=true → status ERROR, tag not kept.
  EXPECT_EQ(s.status_code[child], SpanStatusCode::kError);
  EXPECT_EQ(Attr(b, s.attributes[child], "error"), nullptr);
  EXPECT_EQ(s.status_code[root], SpanStatusCode::kUnset);

  // Logs → events: "event" names it, else "message".
  ASSERT_EQ(s.events[root].count, 2u);
  uint32_t e0 = s.events[root].begin;
  EXPECT_EQ(b.events.name[e0], "order.loaded");
  EXPECT_EQ(Attr(b, b.events.attributes[e0], "event"), nullptr);
  const AnyValue* order = Attr(b, b.events.attributes[e0], "order.id");
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->str, "o-42");
  EXPECT_GE(b.events.time_unix_nano[e0], s.start_time_unix_nano[root]);
  EXPECT_EQ(b.events.name[e0 + 1], "just a message");
  EXPECT_EQ(Attr(b, b.events.attributes[e0 + 1], "message"), nullptr);
  EXPECT_NE(Attr(b, b.events.attributes[e0 + 1], "level"), nullptr);

  // Times in ns, sampled flag.
  for (uint32_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(s.start_time_unix_nano[i] % 1000, 0u);
    EXPECT_GE(s.end_time_unix_nano[i], s.start_time_unix_nano[i]);
    EXPECT_EQ(s.flags[i] & 1, 1u);
  }
  EXPECT_GT(s.start_time_unix_nano[root], 1'600'000'000'000'000'000ull);
}

TEST(JaegerThrift, DecodesJaegerClientUdpEmitBatch) {
  std::string datagram = ReadFixture("jaeger_udp_binary_emitbatch.bin");
  ASSERT_FALSE(datagram.empty());
  DecodeResult r;
  Status s = DecodeJaegerAgentEmitBatch(datagram, ThriftProtocol::kBinary, DecodeLimits(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.rejected_spans, 0u);
  ExpectCapturedTrace(r.batch);
}

TEST(JaegerThrift, DecodesJaegerClientHttpBatch) {
  std::string body = ReadFixture("jaeger_http_batch.bin");
  ASSERT_FALSE(body.empty());
  DecodeResult r;
  Status s = DecodeJaegerBatch(body, ThriftProtocol::kBinary, DecodeLimits(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectCapturedTrace(r.batch);
}

TEST(JaegerThrift, EveryTruncationOfARealPayloadFailsCleanly) {
  std::string body = ReadFixture("jaeger_http_batch.bin");
  for (size_t n = 0; n < body.size(); ++n) {
    DecodeResult r;
    Status s = DecodeJaegerBatch(body.substr(0, n), ThriftProtocol::kBinary, DecodeLimits(), &r);
    EXPECT_FALSE(s.ok()) << n;
    EXPECT_EQ(r.batch.size(), 0u) << n;
  }
}

TEST(JaegerThrift, BitFlipsNeverCrash) {
  std::string body = ReadFixture("jaeger_udp_binary_emitbatch.bin");
  for (size_t i = 0; i < body.size(); ++i) {
    for (int bit : {0, 3, 7}) {
      std::string m = body;
      m[i] = static_cast<char>(m[i] ^ (1 << bit));
      for (ThriftProtocol p : {ThriftProtocol::kBinary, ThriftProtocol::kCompact}) {
        DecodeResult r;
        DecodeJaegerAgentEmitBatch(m, p, DecodeLimits(), &r).IgnoreError();
      }
    }
  }
}

TEST(JaegerThrift, HugeDeclaredSpanCountIsRefusedBeforeAllocating) {
  // The 20-byte payload of contrib #49218: a spans list declaring 33,554,432 elements.
  BinWriter w;
  w.Field(kThriftList, 2).List(kThriftStruct, 33'554'432).I8(0).I8(0);
  DecodeResult r;
  Status s = DecodeJaegerBatch(w.str(), ThriftProtocol::kBinary, DecodeLimits(), &r);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("more than the input can hold"), std::string_view::npos);
  EXPECT_EQ(r.batch.size(), 0u);
}

TEST(JaegerThrift, HugeDeclaredStringLengthIsRefused) {
  BinWriter w;
  w.Field(kThriftStruct, 1).Field(kThriftString, 1).I32(1'869'881'447).I8('x');
  DecodeResult r;
  Status s = DecodeJaegerBatch(w.str(), ThriftProtocol::kBinary, DecodeLimits(), &r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("string length"), std::string_view::npos);
}

TEST(JaegerThrift, CompactHugeCountsAreRefused) {
  // Compact Batch: field 2 list, header 0xF<struct> then varint 2^31-1.
  std::string p = "\x29\xfc\xff\xff\xff\xff\x07";
  DecodeResult r;
  Status s = DecodeJaegerBatch(p, ThriftProtocol::kCompact, DecodeLimits(), &r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(JaegerThrift, DeepNestingOfUnknownFieldsIsRefused) {
  // Unknown field 9 of Batch: a struct containing a struct ... 100 deep.
  BinWriter w;
  for (int i = 0; i < 100; ++i) w.Field(kThriftStruct, 9);
  for (int i = 0; i < 101; ++i) w.Stop();
  DecodeResult r;
  Status s = DecodeJaegerBatch(w.str(), ThriftProtocol::kBinary, DecodeLimits(), &r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("deep"), std::string_view::npos);
  // Nested lists too.
  BinWriter l;
  l.Field(kThriftList, 9);
  for (int i = 0; i < 100; ++i) l.List(kThriftList, 1);
  DecodeResult r2;
  EXPECT_FALSE(DecodeJaegerBatch(l.str(), ThriftProtocol::kBinary, DecodeLimits(), &r2).ok());
}

TEST(JaegerThrift, UnknownFieldsOfEveryTypeAreSkipped) {
  std::string body = MakeBatch(1, [](int, BinWriter& w) {
    BasicSpan(w, 7, "op");
    w.Field(kThriftBool, 40).I8(1).Field(kThriftByte, 41).I8(5).Field(kThriftI16, 42).I16(3);
    w.Field(kThriftDouble, 43).I64(0).Field(kThriftString, 44).Str("x");
    w.Field(kThriftMap, 45).I8(kThriftString).I8(kThriftI32).I32(1).Str("k").I32(1);
    w.Field(kThriftSet, 46).List(kThriftI64, 1).I64(9);
    w.Field(kThriftStruct, 47).Field(kThriftI32, 1).I32(1).Stop();
    // A known id with the wrong type is skipped too.
    w.Field(kThriftString, 7).Str("not-flags");
  });
  DecodeResult r;
  Status s = DecodeJaegerBatch(body, ThriftProtocol::kBinary, DecodeLimits(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.spans.name[0], "op");
  EXPECT_EQ(r.batch.spans.flags[0], 1u);
}

TEST(JaegerThrift, MalformedSpanIsRejectedAloneAndNeighboursKept) {
  std::string body = MakeBatch(
      3, [](int i, BinWriter& w) { BasicSpan(w, i == 1 ? 0 : 100 + i, "op" + std::to_string(i)); });
  DecodeResult r;
  ASSERT_TRUE(DecodeJaegerBatch(body, ThriftProtocol::kBinary, DecodeLimits(), &r).ok());
  EXPECT_EQ(r.rejected_spans, 1u);
  EXPECT_NE(r.error_message.find("zero span id"), std::string::npos);
  ASSERT_EQ(r.batch.size(), 2u);
  EXPECT_EQ(r.batch.spans.name[0], "op0");
  EXPECT_EQ(r.batch.spans.name[1], "op2");
}

TEST(JaegerThrift, NegativeDurationIsRejected) {
  std::string body = MakeBatch(1, [](int, BinWriter& w) {
    BasicSpan(w, 5, "op");
    w.Field(kThriftI64, 9).I64(-5);  // a later field with the same id wins
  });
  DecodeResult r;
  ASSERT_TRUE(DecodeJaegerBatch(body, ThriftProtocol::kBinary, DecodeLimits(), &r).ok());
  EXPECT_EQ(r.rejected_spans, 1u);
  EXPECT_EQ(r.batch.size(), 0u);
}

TEST(JaegerThrift, OtelTagsBecomeStatusScopeAndTraceState) {
  std::string body = MakeBatch(1, [](int, BinWriter& w) {
    BasicSpan(w, 5, "op");
    w.Field(kThriftList, 10).List(kThriftStruct, 6);
    w.StrTag("otel.status_code", "ERROR").StrTag("otel.status_description", "boom");
    w.StrTag("otel.library.name", "lib").StrTag("otel.scope.version", "2.0");
    w.StrTag("w3c.tracestate", "a=b").BoolTag("error", false);
  });
  DecodeResult r;
  ASSERT_TRUE(DecodeJaegerBatch(body, ThriftProtocol::kBinary, DecodeLimits(), &r).ok());
  ASSERT_EQ(r.batch.size(), 1u);
  const SpanBatch& b = r.batch;
  EXPECT_EQ(b.spans.status_code[0], SpanStatusCode::kError);
  EXPECT_EQ(b.spans.status_message[0], "boom");
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].name, "lib");
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].version, "2.0");
  EXPECT_EQ(b.spans.trace_state[0], "a=b");
  // Only error=false stays, as an ordinary attribute.
  ASSERT_EQ(b.spans.attributes[0].count, 1u);
  EXPECT_EQ(b.attributes[b.spans.attributes[0].begin].key, "error");
}

TEST(JaegerThrift, LimitsTrimAndCount) {
  DecodeLimits limits;
  limits.max_attributes = 2;
  limits.max_value_bytes = 3;
  limits.max_name_bytes = 3;
  limits.max_events = 1;
  limits.max_links = 0;
  std::string body = MakeBatch(1, [](int, BinWriter& w) {
    BasicSpan(w, 5, "operation-name");
    w.Field(kThriftList, 10).List(kThriftStruct, 3);
    w.StrTag("a", "\xc3\xa9\xc3\xa9\xc3\xa9").StrTag("b", "x").StrTag("c", "y");
    w.Field(kThriftList, 11).List(kThriftStruct, 2);
    for (int i = 0; i < 2; ++i) {
      w.Field(kThriftI64, 1).I64(1).Field(kThriftList, 2).List(kThriftStruct, 0).Stop();
    }
    w.Field(kThriftList, 6).List(kThriftStruct, 1);
    w.Field(kThriftI32, 1).I32(1).Field(kThriftI64, 2).I64(1).Field(kThriftI64, 3).I64(0);
    w.Field(kThriftI64, 4).I64(9).Stop();
  });
  DecodeResult r;
  ASSERT_TRUE(DecodeJaegerBatch(body, ThriftProtocol::kBinary, limits, &r).ok());
  ASSERT_EQ(r.batch.size(), 1u);
  const SpanColumns& s = r.batch.spans;
  EXPECT_EQ(s.name[0], "ope");
  EXPECT_EQ(s.attributes[0].count, 2u);
  EXPECT_EQ(s.dropped_attributes_count[0], 1u);
  EXPECT_EQ(r.batch.attributes[s.attributes[0].begin].value.str, "\xc3\xa9");  // not split
  EXPECT_EQ(s.events[0].count, 1u);
  EXPECT_EQ(s.dropped_events_count[0], 1u);
  EXPECT_EQ(s.links[0].count, 0u);
  EXPECT_EQ(s.dropped_links_count[0], 1u);
}

// n bytes of 'a', then "é" (2 bytes) straddling the limit n + 1, then more.
std::string Straddling(size_t n) {
  return std::string(n, 'a') + "\xc3\xa9" + std::string(300, 'b');
}

TEST(JaegerThrift, TruncatesNamesKeysAndValuesAtACharacterBoundary) {
  DecodeLimits limits;
  limits.max_name_bytes = 20;
  limits.max_value_bytes = 30;
  const std::string n = Straddling(19), v = Straddling(29);
  BinWriter w;
  w.Field(kThriftStruct, 1).Field(kThriftString, 1).Str(v);  // process: service name
  w.Field(kThriftList, 2).List(kThriftStruct, 1).StrTag(n, v).Stop();
  w.Field(kThriftList, 2).List(kThriftStruct, 1);
  BasicSpan(w, 5, n);
  w.Field(kThriftList, 10).List(kThriftStruct, 4);
  w.StrTag(n, v).StrTag("otel.scope.name", n).StrTag("otel.scope.version", n);
  w.StrTag("w3c.tracestate", v);
  w.Field(kThriftList, 11).List(kThriftStruct, 2);
  w.Field(kThriftI64, 1).I64(1).Field(kThriftList, 2).List(kThriftStruct, 1).StrTag("event", n);
  w.Stop();
  w.Field(kThriftI64, 1).I64(2).Field(kThriftList, 2).List(kThriftStruct, 1).StrTag("message", n);
  w.Stop();
  w.Stop().Stop();
  DecodeResult r;
  ASSERT_TRUE(DecodeJaegerBatch(w.str(), ThriftProtocol::kBinary, limits, &r).ok());
  const SpanBatch& b = r.batch;
  ASSERT_EQ(b.size(), 1u);
  const std::string name(19, 'a'), value(29, 'a');
  EXPECT_EQ(b.spans.name[0], name);
  EXPECT_EQ(b.ServiceName(0), value);
  const Resource& res = b.resources[b.spans.resource_index[0]];
  const AnyValue* process_tag = Attr(b, res.attributes, name);
  ASSERT_NE(process_tag, nullptr);
  EXPECT_EQ(process_tag->str, value);
  ASSERT_EQ(b.spans.attributes[0].count, 1u);
  const KeyValue& tag = b.attributes[b.spans.attributes[0].begin];
  EXPECT_EQ(tag.key, name);
  EXPECT_EQ(tag.value.str, value);
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].name, name);
  EXPECT_EQ(b.scopes[b.spans.scope_index[0]].version, name);
  EXPECT_EQ(b.spans.trace_state[0], value);
  ASSERT_EQ(b.spans.events[0].count, 2u);
  EXPECT_EQ(b.events.name[b.spans.events[0].begin], name);      // from "event"
  EXPECT_EQ(b.events.name[b.spans.events[0].begin + 1], name);  // from "message"
}

TEST(JaegerThrift, SpanCountLimitRefusesTheRequest) {
  DecodeLimits limits;
  limits.max_spans = 2;
  std::string body = MakeBatch(3, [](int i, BinWriter& w) { BasicSpan(w, 10 + i, "op"); });
  DecodeResult r;
  Status s = DecodeJaegerBatch(body, ThriftProtocol::kBinary, limits, &r);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.batch.size(), 0u);
}

TEST(JaegerThrift, BatchWithoutProcessIsRefused) {
  BinWriter w;
  w.Field(kThriftList, 2).List(kThriftStruct, 0).Stop();
  DecodeResult r;
  EXPECT_EQ(DecodeJaegerBatch(w.str(), ThriftProtocol::kBinary, DecodeLimits(), &r).code(),
            StatusCode::kInvalidArgument);
}

TEST(JaegerThrift, FailedDecodeLeavesEarlierSpansOfTheBatchAlone) {
  DecodeResult r;
  std::string good = MakeBatch(1, [](int, BinWriter& w) { BasicSpan(w, 5, "keep"); });
  ASSERT_TRUE(DecodeJaegerBatch(good, ThriftProtocol::kBinary, DecodeLimits(), &r).ok());
  std::string bad = MakeBatch(2, [](int, BinWriter& w) { BasicSpan(w, 6, "drop"); });
  bad.resize(bad.size() - 3);
  EXPECT_FALSE(DecodeJaegerBatch(bad, ThriftProtocol::kBinary, DecodeLimits(), &r).ok());
  ASSERT_EQ(r.batch.size(), 1u);
  EXPECT_EQ(r.batch.spans.name[0], "keep");
}

TEST(JaegerThrift, AgentRejectsOtherMethodsAndNonCalls) {
  BinWriter w;
  w.I32(static_cast<int32_t>(0x80010004u)).Str("emitZipkinBatch").I32(0);
  w.Field(kThriftList, 1).List(kThriftStruct, 0).Stop();
  DecodeResult r;
  EXPECT_EQ(DecodeJaegerAgentEmitBatch(w.str(), ThriftProtocol::kBinary, DecodeLimits(), &r).code(),
            StatusCode::kUnimplemented);
  BinWriter reply;
  reply.I32(static_cast<int32_t>(0x80010002u)).Str("emitBatch").I32(0).Stop();
  EXPECT_EQ(
      DecodeJaegerAgentEmitBatch(reply.str(), ThriftProtocol::kBinary, DecodeLimits(), &r).code(),
      StatusCode::kInvalidArgument);
  EXPECT_FALSE(DecodeJaegerAgentEmitBatch("", ThriftProtocol::kCompact, DecodeLimits(), &r).ok());
}

// The same Batch written in both protocols (ThriftTestWriter) decodes to the same spans, including
// compact-only encodings: bools in field headers, long field-id jumps, lists of 15+ elements.
std::string WriteBatchIn(ThriftProtocol p) {
  ThriftTestWriter w(p);
  w.StructBegin();
  w.Field(kThriftStruct, 1);
  w.StructBegin();
  w.Field(kThriftString, 1);
  w.String("svc");
  w.StructEnd();
  w.Field(kThriftList, 2);
  w.ListBegin(kThriftStruct, 20);
  for (int i = 0; i < 20; ++i) {
    w.StructBegin();
    w.Field(kThriftI64, 1);
    w.I64(-5 - i);  // negative halves are fine: ids are bit patterns
    w.Field(kThriftI64, 3);
    w.I64(1000 + i);
    w.Field(kThriftString, 5);
    w.String("op" + std::to_string(i));
    w.Field(kThriftI64, 8);
    w.I64(1'700'000'000'000'000 + i);
    w.Field(kThriftList, 10);
    w.ListBegin(kThriftStruct, 2);
    w.StructBegin();
    w.Field(kThriftString, 1);
    w.String("flag");
    w.Field(kThriftI32, 2);
    w.I32(2);
    w.BoolField(5, i % 2 == 0);
    w.StructEnd();
    w.StructBegin();
    w.Field(kThriftString, 1);
    w.String("d");
    w.Field(kThriftI32, 2);
    w.I32(1);
    w.Field(kThriftDouble, 4);
    w.Double(-1.5 * i);
    w.StructEnd();
    w.Field(kThriftI32, 300);  // unknown, far id: compact writes an explicit field id
    w.I32(-1);
    w.Field(kThriftI32, 7);  // back to a small id after a large one
    w.I32(1);
    w.StructEnd();
  }
  w.StructEnd();
  return w.str();
}

TEST(JaegerThrift, CompactAndBinaryDecodeTheSame) {
  DecodeResult bin, compact;
  ASSERT_TRUE(DecodeJaegerBatch(WriteBatchIn(ThriftProtocol::kBinary), ThriftProtocol::kBinary,
                                DecodeLimits(), &bin)
                  .ok());
  Status s = DecodeJaegerBatch(WriteBatchIn(ThriftProtocol::kCompact), ThriftProtocol::kCompact,
                               DecodeLimits(), &compact);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(compact.batch.size(), 20u);
  EXPECT_EQ(DebugString(compact.batch), DebugString(bin.batch));
  const SpanBatch& b = compact.batch;
  EXPECT_EQ(b.spans.trace_id[3].Low(), static_cast<uint64_t>(-8));
  EXPECT_EQ(b.spans.flags[3], 1u);
  const AnyValue& flag = b.attributes[b.spans.attributes[3].begin].value;
  EXPECT_EQ(flag.type, ValueType::kBool);
  EXPECT_FALSE(flag.bool_value);
  EXPECT_EQ(b.attributes[b.spans.attributes[3].begin + 1].value.double_value, -4.5);
}

TEST(JaegerThrift, CompactAgentMessageDecodes) {
  ThriftTestWriter w(ThriftProtocol::kCompact);
  w.MessageBegin("emitBatch", 4, 7);
  w.StructBegin();
  w.Field(kThriftStruct, 1);
  std::string batch = WriteBatchIn(ThriftProtocol::kCompact);
  std::string msg = w.str() + batch + std::string(1, '\0');
  DecodeResult r;
  Status s = DecodeJaegerAgentEmitBatch(msg, ThriftProtocol::kCompact, DecodeLimits(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.batch.size(), 20u);
}

TEST(JaegerThrift, AgentMessageBrokenAfterTheBatchLeavesNothing) {
  ThriftTestWriter w(ThriftProtocol::kCompact);
  w.MessageBegin("emitBatch", 4, 7);
  w.StructBegin();
  w.Field(kThriftStruct, 1);
  std::string msg = w.str() + WriteBatchIn(ThriftProtocol::kCompact) + "\x0f";  // bad type
  DecodeResult r;
  EXPECT_FALSE(DecodeJaegerAgentEmitBatch(msg, ThriftProtocol::kCompact, DecodeLimits(), &r).ok());
  EXPECT_EQ(r.batch.size(), 0u);
}

TEST(ThriftReader, CompactZigZagAndFieldDeltas) {
  // struct { 1: i32 -3, 3: bool true, 20: i64 300 }, stop
  std::string p = "\x15\x05\x21\x06\x28\x00\xd8\x04\x00";
  p[5] = 0x06;  // i64 type with delta 0 → explicit zigzag id follows
  p = std::string("\x15\x05\x21\x06\x28\xd8\x04\x00", 8);
  ThriftReader r(p, ThriftProtocol::kCompact);
  ASSERT_TRUE(r.ReadStructBegin());
  uint8_t t;
  int16_t id;
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id));
  EXPECT_EQ(t, kThriftI32);
  EXPECT_EQ(id, 1);
  int32_t i32;
  ASSERT_TRUE(r.ReadI32(&i32));
  EXPECT_EQ(i32, -3);
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id));
  EXPECT_EQ(t, kThriftBool);
  EXPECT_EQ(id, 3);
  bool b = false;
  ASSERT_TRUE(r.ReadBool(&b));
  EXPECT_TRUE(b);
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id));
  EXPECT_EQ(t, kThriftI64);
  EXPECT_EQ(id, 20);
  int64_t i64;
  ASSERT_TRUE(r.ReadI64(&i64));
  EXPECT_EQ(i64, 300);
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id));
  EXPECT_EQ(t, kThriftStop);
  EXPECT_TRUE(r.ReadStructEnd());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftReader, ErrorsAreSticky) {
  ThriftReader r(std::string_view("\x00\x00", 2), ThriftProtocol::kBinary);
  int32_t v;
  EXPECT_FALSE(r.ReadI32(&v));
  EXPECT_FALSE(r.ok());
  int8_t b;
  EXPECT_FALSE(r.ReadByte(&b));  // bytes remain, but the reader has failed
  EXPECT_NE(r.error().find("truncated"), std::string::npos);
}

TEST(ThriftReader, OverlongVarintFails) {
  std::string p(11, '\xff');
  ThriftReader r(p, ThriftProtocol::kCompact);
  int64_t v;
  EXPECT_FALSE(r.ReadI64(&v));
}

}  // namespace
}  // namespace ariadne
