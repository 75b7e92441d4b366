// Tests of the Jaeger UI JSON encoder: the shape Jaeger's /api/traces returns (checked by parsing
// the output with simdjson), tag types, the model → Jaeger mapping, and escaping of hostile
// strings.
#include "wire/jaeger/jaeger_ui_json.h"

#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "gtest/gtest.h"
#include "wire/jaeger/jaeger_thrift.h"

namespace ariadne {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

struct Parsed {
  simdjson::dom::parser parser;
  element root;
};

// Parses JSON; fails the test if it is not valid.
void Parse(const std::string& json, Parsed* p) {
  auto err = p->parser.parse(json).get(p->root);
  ASSERT_FALSE(err) << simdjson::error_message(err) << "\n" << json;
}

std::string_view Str(element e) {
  std::string_view s;
  EXPECT_FALSE(e.get_string().get(s));
  return s;
}

// Finds the tag with this key in a tags array; null element if none.
bool FindTag(element tags, std::string_view key, element* tag) {
  array a;
  if (tags.get_array().get(a)) return false;
  for (element t : a) {
    std::string_view k;
    if (!t["key"].get_string().get(k) && k == key) {
      *tag = t;
      return true;
    }
  }
  return false;
}

// A batch with one resource, a root span and a child span.
SpanBatch MakeTrace(uint64_t trace_high) {
  SpanBatch b;
  uint32_t res = b.AddResource();
  uint32_t a0 = b.AddAttribute("service.name", AnyValue::String("checkout"));
  b.AddAttribute("host.name", AnyValue::String("h1"));
  b.resources[res].attributes = Range{a0, 2};
  b.RefreshServiceName(res);
  uint32_t scope = b.AddScope();
  b.scopes[scope].name = "io.lib";
  b.scopes[scope].version = "1.0";

  TraceId tid = TraceId::FromHighLow(trace_high, 0xabc);
  uint32_t root = b.AddSpan();
  b.spans.trace_id[root] = tid;
  b.spans.span_id[root] = SpanId::FromHighLow(0, 1);
  b.spans.name[root] = "GET /";
  b.spans.kind[root] = SpanKind::kServer;
  b.spans.flags[root] = 1;
  b.spans.start_time_unix_nano[root] = 1'700'000'000'123'456'789ull;
  b.spans.end_time_unix_nano[root] = 1'700'000'000'123'456'789ull + 2'500'000;
  b.spans.resource_index[root] = res;
  b.spans.scope_index[root] = scope;
  uint32_t first = b.AddAttribute("s", AnyValue::String("v"));
  b.AddAttribute("b", AnyValue::Bool(true));
  b.AddAttribute("i", AnyValue::Int(42));
  b.AddAttribute("big", AnyValue::Int(int64_t{1} << 60));
  b.AddAttribute("d", AnyValue::Double(0.5));
  b.AddAttribute("bytes", AnyValue::Bytes(std::string_view("\x00\xff", 2)));
  AnyValue arr;
  arr.type = ValueType::kArray;
  arr.children = Range{static_cast<uint32_t>(b.array_values.size()), 2};
  b.array_values.push_back(AnyValue::String("x"));
  b.array_values.push_back(AnyValue::Int(2));
  b.AddAttribute("arr", arr);
  b.spans.attributes[root] = Range{first, 7};
  b.spans.dropped_attributes_count[root] = 3;
  uint32_t ev = b.AddEvent();
  b.events.name[ev] = "cache.miss";
  b.events.time_unix_nano[ev] = 1'700'000'000'124'000'000ull;
  b.events.attributes[ev] = Range{b.AddAttribute("key", AnyValue::String("k1")), 1};
  b.spans.events[root] = Range{ev, 1};

  uint32_t child = b.AddSpan();
  b.spans.trace_id[child] = tid;
  b.spans.span_id[child] = SpanId::FromHighLow(0, 2);
  b.spans.parent_span_id[child] = SpanId::FromHighLow(0, 1);
  b.spans.name[child] = "SELECT";
  b.spans.kind[child] = SpanKind::kClient;
  b.spans.status_code[child] = SpanStatusCode::kError;
  b.spans.status_message[child] = "timeout";
  b.spans.start_time_unix_nano[child] = 1'700'000'000'124'000'000ull;
  b.spans.end_time_unix_nano[child] = 1'700'000'000'125'000'000ull;
  b.spans.resource_index[child] = res;
  b.spans.scope_index[child] = scope;
  uint32_t link = b.AddLink();
  b.links.trace_id[link] = TraceId::FromHighLow(7, 8);
  b.links.span_id[link] = SpanId::FromHighLow(0, 9);
  b.spans.links[child] = Range{link, 1};
  return b;
}

TEST(JaegerUiJson, HasTheShapeOfJaegerApiTraces) {
  SpanBatch b = MakeTrace(0x1234);
  std::string json;
  AppendJaegerUiTrace(b, &json);
  Parsed p;
  Parse(json, &p);
  element t = p.root;
  EXPECT_EQ(Str(t["traceID"]), "00000000000012340000000000000abc");
  EXPECT_TRUE(t["warnings"].is_null());
  array spans;
  ASSERT_FALSE(t["spans"].get_array().get(spans));
  ASSERT_EQ(spans.size(), 2u);
  element root = spans.at(0).value();
  EXPECT_EQ(Str(root["traceID"]), "00000000000012340000000000000abc");
  EXPECT_EQ(Str(root["spanID"]), "0000000000000001");
  EXPECT_EQ(root["flags"].get_uint64().value(), 1u);
  EXPECT_EQ(Str(root["operationName"]), "GET /");
  EXPECT_EQ(root["startTime"].get_uint64().value(), 1'700'000'000'123'456ull);
  EXPECT_EQ(root["duration"].get_uint64().value(), 2500u);
  EXPECT_EQ(root["references"].get_array().value().size(), 0u);
  EXPECT_EQ(Str(root["processID"]), "p1");
  EXPECT_TRUE(root["warnings"].is_null());

  element tag;
  ASSERT_TRUE(FindTag(root["tags"], "s", &tag));
  EXPECT_EQ(Str(tag["type"]), "string");
  EXPECT_EQ(Str(tag["value"]), "v");
  ASSERT_TRUE(FindTag(root["tags"], "b", &tag));
  EXPECT_EQ(Str(tag["type"]), "bool");
  EXPECT_TRUE(tag["value"].get_bool().value());
  ASSERT_TRUE(FindTag(root["tags"], "i", &tag));
  EXPECT_EQ(Str(tag["type"]), "int64");
  EXPECT_EQ(tag["value"].get_int64().value(), 42);
  ASSERT_TRUE(FindTag(root["tags"], "big", &tag));
  EXPECT_EQ(Str(tag["value"]), "1152921504606846976");  // beyond 2^53: a string
  ASSERT_TRUE(FindTag(root["tags"], "d", &tag));
  EXPECT_EQ(Str(tag["type"]), "float64");
  EXPECT_EQ(tag["value"].get_double().value(), 0.5);
  ASSERT_TRUE(FindTag(root["tags"], "bytes", &tag));
  EXPECT_EQ(Str(tag["type"]), "binary");
  EXPECT_EQ(Str(tag["value"]), "AP8=");
  ASSERT_TRUE(FindTag(root["tags"], "arr", &tag));
  EXPECT_EQ(Str(tag["type"]), "string");
  EXPECT_EQ(Str(tag["value"]), "[\"x\",2]");
  ASSERT_TRUE(FindTag(root["tags"], "span.kind", &tag));
  EXPECT_EQ(Str(tag["value"]), "server");
  ASSERT_TRUE(FindTag(root["tags"], "otel.scope.name", &tag));
  EXPECT_EQ(Str(tag["value"]), "io.lib");
  ASSERT_TRUE(FindTag(root["tags"], "otel.scope.version", &tag));
  ASSERT_TRUE(FindTag(root["tags"], "otel.dropped_attributes_count", &tag));
  EXPECT_EQ(tag["value"].get_int64().value(), 3);
  EXPECT_FALSE(FindTag(root["tags"], "error", &tag));

  array logs = root["logs"].get_array().value();
  ASSERT_EQ(logs.size(), 1u);
  element log = logs.at(0).value();
  EXPECT_EQ(log["timestamp"].get_uint64().value(), 1'700'000'000'124'000ull);
  ASSERT_TRUE(FindTag(log["fields"], "event", &tag));
  EXPECT_EQ(Str(tag["value"]), "cache.miss");
  ASSERT_TRUE(FindTag(log["fields"], "key", &tag));
  EXPECT_EQ(Str(tag["value"]), "k1");

  element child = spans.at(1).value();
  array refs = child["references"].get_array().value();
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(Str(refs.at(0).value()["refType"]), "CHILD_OF");
  EXPECT_EQ(Str(refs.at(0).value()["spanID"]), "0000000000000001");
  EXPECT_EQ(Str(refs.at(1).value()["refType"]), "FOLLOWS_FROM");
  EXPECT_EQ(Str(refs.at(1).value()["traceID"]), "00000000000000070000000000000008");
  ASSERT_TRUE(FindTag(child["tags"], "error", &tag));
  EXPECT_TRUE(tag["value"].get_bool().value());
  ASSERT_TRUE(FindTag(child["tags"], "otel.status_code", &tag));
  EXPECT_EQ(Str(tag["value"]), "ERROR");
  ASSERT_TRUE(FindTag(child["tags"], "otel.status_description", &tag));
  EXPECT_EQ(Str(tag["value"]), "timeout");

  object processes = t["processes"].get_object().value();
  EXPECT_EQ(processes.size(), 1u);
  element p1 = t["processes"]["p1"].value();
  EXPECT_EQ(Str(p1["serviceName"]), "checkout");
  ASSERT_TRUE(FindTag(p1["tags"], "host.name", &tag));
  EXPECT_FALSE(FindTag(p1["tags"], "service.name", &tag));
}

TEST(JaegerUiJson, SixtyFourBitTraceIdsAreSixteenHexDigits) {
  SpanBatch b = MakeTrace(0);
  std::string json;
  AppendJaegerUiTrace(b, &json);
  Parsed p;
  Parse(json, &p);
  EXPECT_EQ(Str(p.root["traceID"]), "0000000000000abc");
  EXPECT_EQ(Str(p.root["spans"].at(0)["traceID"]), "0000000000000abc");
}

TEST(JaegerUiJson, IdenticalProcessesAreSharedDifferentOnesAreNot) {
  SpanBatch b = MakeTrace(1);
  // A second resource with the same content, and a third with another service.
  uint32_t same = b.AddResource();
  b.resources[same] = b.resources[0];
  uint32_t other = b.AddResource();
  b.resources[other].attributes = Range{b.AddAttribute("service.name", AnyValue::String("db")), 1};
  b.RefreshServiceName(other);
  b.spans.resource_index[1] = same;
  uint32_t third = b.AppendSpan(b.Clone(), 0);
  b.spans.resource_index[third] = other;
  std::string json;
  AppendJaegerUiTrace(b, &json);
  Parsed p;
  Parse(json, &p);
  EXPECT_EQ(Str(p.root["spans"].at(0)["processID"]), "p1");
  EXPECT_EQ(Str(p.root["spans"].at(1)["processID"]), "p1");
  EXPECT_EQ(Str(p.root["spans"].at(2)["processID"]), "p2");
  EXPECT_EQ(Str(p.root["processes"]["p2"]["serviceName"]), "db");
}

TEST(JaegerUiJson, SpansAfterAForeignLinkKeepTheirOwnTraceId) {
  // The encoder renders the trace's id once and reuses it; a link into another trace must not
  // leak that trace's id into the spans and references after it.
  SpanBatch b = MakeTrace(0x1234);
  uint32_t third = b.AppendSpan(b.Clone(), 1);
  b.spans.span_id[third] = SpanId::FromHighLow(0, 3);
  b.spans.links[third] = Range{};
  std::string json;
  AppendJaegerUiTrace(b, &json);
  Parsed p;
  Parse(json, &p);
  element after = p.root["spans"].at(2).value();
  EXPECT_EQ(Str(after["traceID"]), "00000000000012340000000000000abc");
  array refs = after["references"].get_array().value();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(Str(refs.at(0).value()["traceID"]), "00000000000012340000000000000abc");
  EXPECT_EQ(Str(refs.at(0).value()["spanID"]), "0000000000000001");
  EXPECT_EQ(Str(p.root["spans"].at(1)["references"].at(1)["traceID"]),
            "00000000000000070000000000000008");
}

TEST(JaegerUiJson, EmptyTraceIsValidJson) {
  SpanBatch b;
  std::string json;
  AppendJaegerUiTrace(b, &json);
  Parsed p;
  Parse(json, &p);
  EXPECT_EQ(p.root["spans"].get_array().value().size(), 0u);
}

TEST(JaegerUiJson, HostileStringsAreEscapedAndCannotCloseAScript) {
  const std::string hostile[] = {
      "</script><script>alert(1)</script>",
      std::string("quote\" back\\slash \x01\x1f\x7f nul:") + std::string(1, '\0'),
      "bad utf8: \xff \xc3 \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 end",
      "line\xe2\x80\xa8sep\xe2\x80\xa9 & <!-- -->",
  };
  for (const std::string& h : hostile) {
    SpanBatch b = MakeTrace(1);
    b.spans.name[0] = h;
    b.attributes[b.spans.attributes[0].begin].key = h;
    b.attributes[b.spans.attributes[0].begin].value = AnyValue::String(h);
    std::string json;
    AppendJaegerUiTrace(b, &json);
    EXPECT_EQ(json.find('<'), std::string::npos);
    EXPECT_EQ(json.find('>'), std::string::npos);
    EXPECT_EQ(json.find('&'), std::string::npos);
    EXPECT_EQ(json.find("\xe2\x80\xa8"), std::string::npos);
    for (char c : json) EXPECT_GE(static_cast<unsigned char>(c), 0x20u);
    Parsed p;
    Parse(json, &p);
    std::string_view name = Str(p.root["spans"].at(0)["operationName"]);
    if (h.find('\xff') == std::string::npos) {
      EXPECT_EQ(name, h);  // valid UTF-8 comes back exactly
    } else {
      EXPECT_NE(name.find("\xef\xbf\xbd"), std::string_view::npos);  // U+FFFD
      EXPECT_NE(name.find(" end"), std::string_view::npos);
    }
  }
}

TEST(JaegerUiJson, TraceWarningsAreAnEscapedArray) {
  const std::vector<std::string> warnings = {
      "trace cut to 3 spans",
      "say \"hi\" </script><script>alert(1)</script> & <!--\n",
      "bad utf8: \xff end",
  };
  for (const SpanBatch& b : {MakeTrace(1), SpanBatch()}) {
    std::string json;
    AppendJaegerUiTrace(b, &json, warnings);
    EXPECT_EQ(json.find('<'), std::string::npos) << json;
    EXPECT_EQ(json.find('>'), std::string::npos) << json;
    EXPECT_EQ(json.find('&'), std::string::npos) << json;
    EXPECT_EQ(json.find('\n'), std::string::npos) << json;
    EXPECT_TRUE(
        json.ends_with("\"warnings\":[\"trace cut to 3 spans\",\"say \\\"hi\\\" "
                       "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/"
                       "script\\u003e \\u0026 \\u003c!--\\n\",\"bad utf8: \\ufffd end\"]}"))
        << json;
    Parsed p;
    Parse(json, &p);
    array got;
    ASSERT_FALSE(p.root["warnings"].get_array().get(got)) << json;
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(Str(got.at(0).value()), warnings[0]);
    EXPECT_EQ(Str(got.at(1).value()), warnings[1]);  // comes back exactly once parsed
    EXPECT_EQ(Str(got.at(2).value()), "bad utf8: \xef\xbf\xbd end");
    // Span-level warnings are untouched.
    array spans;
    ASSERT_FALSE(p.root["spans"].get_array().get(spans));
    for (element span : spans) {
      EXPECT_TRUE(span["warnings"].is_null());
    }
  }
}

TEST(JaegerUiJson, NoWarningsIsTheSameAsTheDefaultAndNull) {
  SpanBatch b = MakeTrace(0x1234);
  std::string plain;
  AppendJaegerUiTrace(b, &plain);
  std::string with_empty;
  AppendJaegerUiTrace(b, &with_empty, std::span<const std::string>());
  EXPECT_EQ(with_empty, plain);
  EXPECT_TRUE(plain.ends_with("},\"warnings\":null}")) << plain;
}

TEST(JaegerUiJson, JaegerClientPayloadRoundTripsThroughTheDecoder) {
  std::ifstream in(std::string(ARIADNE_JAEGER_TESTDATA) + "/jaeger_http_batch.bin",
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  DecodeResult r;
  ASSERT_TRUE(DecodeJaegerBatch(ss.str(), ThriftProtocol::kBinary, DecodeLimits(), &r).ok());
  std::string json;
  AppendJaegerUiTrace(r.batch, &json);
  Parsed p;
  Parse(json, &p);
  array spans = p.root["spans"].get_array().value();
  ASSERT_EQ(spans.size(), 3u);
  int errors = 0;
  for (element s : spans) {
    element tag;
    ASSERT_TRUE(FindTag(s["tags"], "span.kind", &tag));
    if (FindTag(s["tags"], "error", &tag)) ++errors;
    EXPECT_EQ(Str(s["processID"]), "p1");
  }
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(Str(p.root["processes"]["p1"]["serviceName"]), "orders-svc");
}

}  // namespace
}  // namespace ariadne
