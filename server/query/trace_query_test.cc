// SpanMatches and ValueAsText: the one definition of search semantics (docs/formats/search.md).
#include "server/query/trace_query.h"

#include <gtest/gtest.h>

namespace ariadne {
namespace {

// One span of service "api", name "GET /", kind server, 1 s .. 1.5 s, with attributes of every
// type, a resource attribute and an event attribute.
SpanBatch OneSpan(SpanStatusCode status = SpanStatusCode::kUnset) {
  SpanBatch b;
  uint32_t res = b.AddResource();
  uint32_t r0 = b.AddAttribute("service.name", AnyValue::String("api"));
  b.AddAttribute("deployment.environment", AnyValue::String("prod"));
  b.resources[res].attributes = Range{r0, 2};
  b.RefreshServiceName(res);
  uint32_t scope = b.AddScope();
  uint32_t row = b.AddSpan();
  b.spans.trace_id[row] = TraceId::FromHighLow(0, 1);
  b.spans.span_id[row] = SpanId::FromHighLow(0, 2);
  b.spans.name[row] = "GET /";
  b.spans.kind[row] = SpanKind::kServer;
  b.spans.start_time_unix_nano[row] = 1'000'000'000;
  b.spans.end_time_unix_nano[row] = 1'500'000'000;
  b.spans.status_code[row] = status;
  b.spans.status_message[row] = status == SpanStatusCode::kError ? "boom" : "";
  b.spans.resource_index[row] = res;
  b.spans.scope_index[row] = scope;
  uint32_t a0 = b.AddAttribute("http.status_code", AnyValue::Int(200));
  b.AddAttribute("ratio", AnyValue::Double(0.25));
  b.AddAttribute("cache.hit", AnyValue::Bool(true));
  b.AddAttribute("user", AnyValue::String("ada"));
  b.spans.attributes[row] = Range{a0, 4};
  uint32_t ev = b.AddEvent();
  b.events.name[ev] = "retry";
  uint32_t ea = b.AddAttribute("retry.count", AnyValue::Int(3));
  b.events.attributes[ev] = Range{ea, 1};
  b.spans.events[row] = Range{ev, 1};
  return b;
}

bool Matches(const SpanBatch& b, const TraceQuery& q) { return SpanMatches(b, 0, q); }

TEST(TraceQueryTest, EmptyQueryMatchesEverySpan) { EXPECT_TRUE(Matches(OneSpan(), {})); }

TEST(TraceQueryTest, ServiceOperationAndKind) {
  SpanBatch b = OneSpan();
  TraceQuery q;
  q.service = "api";
  q.operation = "GET /";
  q.span_kind = SpanKind::kServer;
  EXPECT_TRUE(Matches(b, q));
  q.service = "db";
  EXPECT_FALSE(Matches(b, q));
  q.service = "api";
  q.span_kind = SpanKind::kClient;
  EXPECT_FALSE(Matches(b, q));
  q.span_kind.reset();
  q.operation = "GET";
  EXPECT_FALSE(Matches(b, q));  // exact, not a prefix
}

TEST(TraceQueryTest, StartAndDurationWindowsAreInclusive) {
  SpanBatch b = OneSpan();
  TraceQuery q;
  q.start_min_ns = 1'000'000'000;
  q.start_max_ns = 1'000'000'000;
  q.duration_min_ns = 500'000'000;
  q.duration_max_ns = 500'000'000;
  EXPECT_TRUE(Matches(b, q));
  q.duration_min_ns = 500'000'001;
  EXPECT_FALSE(Matches(b, q));
  q.duration_min_ns = 0;
  q.start_min_ns = 1'000'000'001;
  EXPECT_FALSE(Matches(b, q));
}

TEST(TraceQueryTest, TagsComeFromSpanResourceEventsAndSyntheticKeys) {
  SpanBatch b = OneSpan(SpanStatusCode::kError);
  auto with = [&](std::string k, std::string v) {
    TraceQuery q;
    q.tags = {{std::move(k), std::move(v)}};
    return Matches(b, q);
  };
  EXPECT_TRUE(with("http.status_code", "200"));
  EXPECT_TRUE(with("ratio", "0.25"));
  EXPECT_TRUE(with("cache.hit", "true"));
  EXPECT_TRUE(with("user", "ada"));
  EXPECT_TRUE(with("deployment.environment", "prod"));  // resource
  EXPECT_TRUE(with("retry.count", "3"));                // event
  EXPECT_TRUE(with("error", "true"));
  EXPECT_TRUE(with("span.kind", "server"));
  EXPECT_TRUE(with("otel.status_code", "ERROR"));
  EXPECT_TRUE(with("otel.status_description", "boom"));
  EXPECT_FALSE(with("user", "Ada"));  // case-sensitive
  EXPECT_FALSE(with("http.status_code", "404"));
  EXPECT_FALSE(with("missing", "x"));
  EXPECT_FALSE(with("otel.status_code", "OK"));
  // Every pair must hold.
  TraceQuery q;
  q.tags = {{"user", "ada"}, {"error", "false"}};
  EXPECT_FALSE(Matches(b, q));
}

TEST(TraceQueryTest, ErrorTagNeedsAnErrorStatus) {
  TraceQuery q;
  q.tags = {{"error", "true"}};
  EXPECT_FALSE(Matches(OneSpan(SpanStatusCode::kOk), q));
  EXPECT_FALSE(Matches(OneSpan(), q));
}

TEST(TraceQueryTest, ValueAsTextRendersEveryType) {
  SpanBatch b;
  EXPECT_EQ(ValueAsText(b, AnyValue::String("x")), "x");
  EXPECT_EQ(ValueAsText(b, AnyValue::Int(-7)), "-7");
  EXPECT_EQ(ValueAsText(b, AnyValue::Double(3.5)), "3.5");
  EXPECT_EQ(ValueAsText(b, AnyValue::Bool(false)), "false");
  EXPECT_EQ(ValueAsText(b, AnyValue::Bytes("\x01\x02")), "AQI=");
  b.array_values.push_back(AnyValue::String("a"));
  b.array_values.push_back(AnyValue::Int(1));
  AnyValue arr;
  arr.type = ValueType::kArray;
  arr.children = Range{0, 2};
  EXPECT_EQ(ValueAsText(b, arr), "[\"a\",1]");
  b.kvlist_values.push_back(KeyValue{"k", AnyValue::Bool(true)});
  AnyValue kv;
  kv.type = ValueType::kKvList;
  kv.children = Range{0, 1};
  EXPECT_EQ(ValueAsText(b, kv), "{\"k\":true}");
}

}  // namespace
}  // namespace ariadne
