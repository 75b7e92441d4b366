#include "model/span_batch.h"

#include <gtest/gtest.h>

namespace ariadne {
namespace {

// Builds a batch with one resource, two spans, nested attribute values, an event and a link.
SpanBatch MakeBatch() {
  SpanBatch b;
  uint32_t res = b.AddResource();
  uint32_t first = b.AddAttribute(b.Intern("service.name"), AnyValue::String(b.Intern("api")));
  b.AddAttribute(b.Intern("host"), AnyValue::String(b.Intern("h1")));
  b.resources[res].attributes = {first, 2};
  b.RefreshServiceName(res);
  b.AddScope();
  for (int i = 0; i < 2; ++i) {
    uint32_t s = b.AddSpan();
    b.spans.trace_id[s] = TraceId::FromHighLow(1, 2);
    b.spans.span_id[s] = SpanId::FromHighLow(0, 10 + i);
    b.spans.name[s] = b.Intern(i == 0 ? "GET /" : "db.query");
    b.spans.kind[s] = i == 0 ? SpanKind::kServer : SpanKind::kClient;
    b.spans.start_time_unix_nano[s] = 1000 + i;
    b.spans.end_time_unix_nano[s] = 2000 + i;
    // attrs: an array of [1, "x"] and a kvlist {k: true}
    AnyValue arr;
    arr.type = ValueType::kArray;
    arr.children = {static_cast<uint32_t>(b.array_values.size()), 2};
    b.array_values.push_back(AnyValue::Int(1));
    b.array_values.push_back(AnyValue::String(b.Intern("x")));
    AnyValue kv;
    kv.type = ValueType::kKvList;
    kv.children = {static_cast<uint32_t>(b.kvlist_values.size()), 1};
    b.kvlist_values.push_back({b.Intern("k"), AnyValue::Bool(true)});
    uint32_t a = b.AddAttribute(b.Intern("arr"), arr);
    b.AddAttribute(b.Intern("kv"), kv);
    b.spans.attributes[s] = {a, 2};
    uint32_t e = b.AddEvent();
    b.events.name[e] = b.Intern("exception");
    b.spans.events[s] = {e, 1};
    uint32_t l = b.AddLink();
    b.links.span_id[l] = SpanId::FromHighLow(0, 99);
    b.spans.links[s] = {l, 1};
  }
  return b;
}

TEST(SpanBatchTest, ColumnsStayAligned) {
  SpanBatch b = MakeBatch();
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.ServiceName(0), "api");
  ASSERT_NE(b.FindSpanAttribute(1, "arr"), nullptr);
  EXPECT_EQ(b.FindSpanAttribute(1, "arr")->type, ValueType::kArray);
  EXPECT_EQ(b.FindSpanAttribute(1, "missing"), nullptr);
}

TEST(SpanBatchTest, CloneIsDeepAndEqual) {
  SpanBatch a = MakeBatch();
  SpanBatch c = a.Clone();
  EXPECT_EQ(DebugString(a), DebugString(c));
  // Views in the clone do not point into the original.
  EXPECT_NE(c.spans.name[0].data(), a.spans.name[0].data());
  EXPECT_TRUE(ValuesEqual(a, a.attributes[a.spans.attributes[0].begin].value, c,
                          c.attributes[c.spans.attributes[0].begin].value));
  EXPECT_EQ(c.resources.size(), 1u);  // interned once, not once per span
}

TEST(SpanBatchTest, AppenderCopiesEachSourceResourceOnceAndTheSpansExactly) {
  SpanBatch a = MakeBatch();
  SpanBatch b = MakeBatch();
  b.spans.name[0] = b.Intern("other");
  SpanBatch picked, expected;
  SpanAppender append(&picked);
  // Interleaved sources, as a block page picks rows of many requests.
  for (auto [src, row] : {std::pair{&a, 1u}, {&b, 0u}, {&a, 0u}, {&b, 1u}, {&a, 1u}}) {
    EXPECT_EQ(append.Append(*src, row), expected.AppendSpan(*src, row));
  }
  EXPECT_EQ(picked.size(), 5u);
  for (uint32_t row = 0; row < picked.size(); ++row) {
    SpanBatch one, want;
    one.AppendSpan(picked, row);
    want.AppendSpan(expected, row);
    EXPECT_EQ(DebugString(one), DebugString(want)) << row;
  }
  EXPECT_EQ(picked.resources.size(), 2u);  // one per source, not one per span
  EXPECT_EQ(expected.resources.size(), 5u);
}

// Spans picked from `picked` and from `expected` (copied one by one) are the same, row by row.
void ExpectSameSpans(const SpanBatch& picked, const SpanBatch& expected) {
  ASSERT_EQ(picked.size(), expected.size());
  for (uint32_t row = 0; row < picked.size(); ++row) {
    SpanBatch one, want;
    one.AppendSpan(picked, row);
    want.AppendSpan(expected, row);
    EXPECT_EQ(DebugString(one), DebugString(want)) << row;
  }
}

TEST(SpanBatchTest, AppenderBorrowsStringsOnlyWhenAsked) {
  SpanBatch a = MakeBatch();
  SpanBatch copied, borrowed, expected;
  SpanAppender copy(&copied);
  SpanAppender borrow(&borrowed, {.borrow_strings = true});
  for (uint32_t row : {0u, 1u}) {
    copy.Append(a, row);
    borrow.Append(a, row);
    expected.AppendSpan(a, row);
  }
  ExpectSameSpans(borrowed, expected);
  ExpectSameSpans(copied, expected);
  EXPECT_EQ(borrowed.spans.name[0].data(), a.spans.name[0].data());
  EXPECT_NE(copied.spans.name[0].data(), a.spans.name[0].data());
  const KeyValue& kv = borrowed.attributes[borrowed.resources[0].attributes.begin];
  EXPECT_EQ(kv.key.data(), a.attributes[a.resources[0].attributes.begin].key.data());
  EXPECT_EQ(borrowed.resources[0].service_name, "api");
}

TEST(SpanBatchTest, AppenderSharesEqualResourcesAcrossSourcesAndRestarts) {
  SpanBatch a = MakeBatch();
  SpanBatch b = MakeBatch();  // equal resource and scope, other storage
  SpanBatch c = MakeBatch();
  c.attributes[c.resources[0].attributes.begin + 1].value = AnyValue::String(c.Intern("h2"));
  SpanBatch d = MakeBatch();
  d.scopes[0].name = d.Intern("other.scope");
  SpanBatch picked;
  SpanAppender append(&picked, {.share_equal_resources = true});
  SpanBatch expected;
  for (const SpanBatch* src : {&a, &b, &c, &d}) {
    append.Append(*src, 0);
    expected.AppendSpan(*src, 0);
  }
  ExpectSameSpans(picked, expected);
  // a, b and d have one resource (c's host differs); a, b and c one scope (d's name differs).
  EXPECT_EQ(picked.resources.size(), 2u);
  EXPECT_EQ(picked.scopes.size(), 2u);
  EXPECT_EQ(picked.spans.resource_index[1], picked.spans.resource_index[0]);
  EXPECT_NE(picked.spans.resource_index[2], picked.spans.resource_index[0]);
  EXPECT_EQ(picked.spans.resource_index[3], picked.spans.resource_index[0]);
  EXPECT_NE(picked.spans.scope_index[3], picked.spans.scope_index[0]);

  // Refilled after Clear + Restart: the resources are copied into the new fill again.
  picked.Clear();
  append.Restart();
  SpanBatch expected2;
  for (const SpanBatch* src : {&c, &b, &a}) {
    append.Append(*src, 1);
    expected2.AppendSpan(*src, 1);
  }
  ExpectSameSpans(picked, expected2);
  EXPECT_EQ(picked.resources.size(), 2u);
  EXPECT_EQ(picked.scopes.size(), 1u);
  EXPECT_EQ(picked.spans.resource_index[0], 0u);
  EXPECT_EQ(picked.spans.resource_index[1], 1u);
  EXPECT_EQ(picked.spans.resource_index[2], 1u);
}

TEST(SpanBatchTest, ClearEmptiesAndKeepsCapacity) {
  SpanBatch a = MakeBatch();
  SpanBatch b = a.Clone();
  const size_t capacity = b.spans.span_id.capacity();
  b.Clear();
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(b.attributes.empty() && b.array_values.empty() && b.kvlist_values.empty());
  EXPECT_TRUE(b.resources.empty() && b.scopes.empty() && b.events.size() == 0 &&
              b.links.size() == 0);
  EXPECT_EQ(b.spans.span_id.capacity(), capacity);
  b.Append(a);
  EXPECT_EQ(DebugString(b), DebugString(a));
}

TEST(SpanBatchTest, MoveKeepsViewsValid) {
  SpanBatch a = MakeBatch();
  std::string before = DebugString(a);
  SpanBatch moved = std::move(a);
  EXPECT_EQ(DebugString(moved), before);
  std::string_view v = moved.AdoptBuffer(std::string(100, 'z'));
  SpanBatch again = std::move(moved);
  EXPECT_EQ(v, std::string(100, 'z'));
}

TEST(SpanBatchTest, FilterDropsOnlyRejectedRows) {
  SpanBatch b = MakeBatch();
  b.FilterSpans({false, true});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.spans.name[0], "db.query");
  EXPECT_EQ(b.spans.kind[0], SpanKind::kClient);
  EXPECT_EQ(b.events.name[b.spans.events[0].begin], "exception");
}

TEST(SpanBatchTest, SpanKindNames) {
  SpanKind k{};
  EXPECT_TRUE(ParseSpanKind("SPAN_KIND_SERVER", &k));
  EXPECT_EQ(k, SpanKind::kServer);
  EXPECT_TRUE(ParseSpanKind("Consumer", &k));
  EXPECT_EQ(k, SpanKind::kConsumer);
  EXPECT_FALSE(ParseSpanKind("sideways", &k));
}

}  // namespace
}  // namespace ariadne
