// MemoryStore: append then read back, search semantics, bounds and eviction, services,
// operations and dependencies.
#include "server/storage/memory/memory_store.h"

#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace ariadne {
namespace {

struct SpanSpec {
  uint64_t trace;
  uint64_t span;
  uint64_t parent = 0;
  std::string service = "svc";
  std::string name = "op";
  SpanKind kind = SpanKind::kServer;
  uint64_t start_ns = 1'000'000'000;
  uint64_t duration_ns = 1'000'000;
  SpanStatusCode status = SpanStatusCode::kUnset;
  std::string attr_key = "";
  std::string attr_value = "";
};

SpanBatch MakeBatch(const std::vector<SpanSpec>& specs) {
  SpanBatch b;
  for (const SpanSpec& s : specs) {
    uint32_t res = b.AddResource();
    uint32_t a = b.AddAttribute("service.name", AnyValue::String(b.Intern(s.service)));
    b.resources[res].attributes = Range{a, 1};
    b.RefreshServiceName(res);
    uint32_t scope = b.AddScope();
    uint32_t row = b.AddSpan();
    b.spans.trace_id[row] = TraceId::FromHighLow(0, s.trace);
    b.spans.span_id[row] = SpanId::FromHighLow(0, s.span);
    if (s.parent) b.spans.parent_span_id[row] = SpanId::FromHighLow(0, s.parent);
    b.spans.name[row] = b.Intern(s.name);
    b.spans.kind[row] = s.kind;
    b.spans.start_time_unix_nano[row] = s.start_ns;
    b.spans.end_time_unix_nano[row] = s.start_ns + s.duration_ns;
    b.spans.status_code[row] = s.status;
    b.spans.resource_index[row] = res;
    b.spans.scope_index[row] = scope;
    if (!s.attr_key.empty()) {
      uint32_t at = b.AddAttribute(b.Intern(s.attr_key), AnyValue::String(b.Intern(s.attr_value)));
      b.spans.attributes[row] = Range{at, 1};
    }
  }
  return b;
}

void AppendOk(MemoryStore* store, SpanBatch batch) {
  bool called = false;
  store->Append(std::move(batch), [&](Status s) {
    EXPECT_TRUE(s.ok()) << s.ToString();
    called = true;
  });
  EXPECT_TRUE(called);
}

TEST(MemoryStoreTest, TraceIsReadableAsSoonAsAppendIsDone) {
  MemoryStore store({});
  AppendOk(&store, MakeBatch({{1, 10}, {1, 11, 10}, {2, 20}}));
  auto t = store.GetTrace(TraceId::FromHighLow(0, 1));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->size(), 2u);
  EXPECT_EQ(t->ServiceName(0), "svc");
  EXPECT_EQ(store.GetTrace(TraceId::FromHighLow(0, 3)).status().code(), StatusCode::kNotFound);
  StoreStats s = store.Stats();
  EXPECT_EQ(s.spans, 3u);
  EXPECT_EQ(s.traces, 2u);
  EXPECT_GT(s.bytes, 0u);
}

TEST(MemoryStoreTest, SpansOfOneTraceFromSeveralBatchesAreAssembled) {
  MemoryStore store({});
  AppendOk(&store, MakeBatch({{1, 10}}));
  AppendOk(&store, MakeBatch({{2, 20}}));
  AppendOk(&store, MakeBatch({{1, 11, 10, "db"}}));
  auto t = store.GetTrace(TraceId::FromHighLow(0, 1));
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ(t->ServiceName(1), "db");
}

TEST(MemoryStoreTest, FindTracesReturnsWholeTracesNewestFirstUpToLimit) {
  MemoryStore store({});
  std::vector<SpanSpec> specs;
  for (uint64_t t = 1; t <= 5; ++t) {
    specs.push_back({t, t * 10, 0, "api", "GET /", SpanKind::kServer, t * 1'000'000'000});
    specs.push_back({t, t * 10 + 1, t * 10, "db", "query", SpanKind::kClient, t * 1'000'000'000});
  }
  AppendOk(&store, MakeBatch(specs));
  TraceQuery q;
  q.service = "db";
  q.limit = 3;
  auto r = store.FindTraces(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].spans.trace_id[0], TraceId::FromHighLow(0, 5));
  EXPECT_EQ((*r)[1].spans.trace_id[0], TraceId::FromHighLow(0, 4));
  EXPECT_EQ((*r)[2].spans.trace_id[0], TraceId::FromHighLow(0, 3));
  EXPECT_EQ((*r)[0].size(), 2u);  // the whole trace, not only the matching span
}

TEST(MemoryStoreTest, FindTracesAppliesEveryCondition) {
  MemoryStore store({});
  AppendOk(&store, MakeBatch({
                       {1, 10, 0, "api", "GET /a", SpanKind::kServer, 1'000, 5'000'000},
                       {2, 20, 0, "api", "GET /b", SpanKind::kServer, 2'000, 50'000'000},
                       {3, 30, 0, "api", "GET /a", SpanKind::kClient, 3'000, 5'000'000,
                        SpanStatusCode::kError, "http.status_code", "500"},
                   }));
  auto count = [&](TraceQuery q) {
    auto r = store.FindTraces(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->size() : 0;
  };
  TraceQuery q;
  q.operation = "GET /a";
  EXPECT_EQ(count(q), 2u);
  q.span_kind = SpanKind::kClient;
  EXPECT_EQ(count(q), 1u);
  TraceQuery d;
  d.duration_min_ns = 10'000'000;
  EXPECT_EQ(count(d), 1u);
  TraceQuery tag;
  tag.tags = {{"error", "true"}};
  EXPECT_EQ(count(tag), 1u);
  tag.tags = {{"http.status_code", "500"}};
  EXPECT_EQ(count(tag), 1u);
  tag.tags = {{"http.status_code", "404"}};
  EXPECT_EQ(count(tag), 0u);
  TraceQuery time;
  time.start_min_ns = 1'500;
  time.start_max_ns = 2'500;
  EXPECT_EQ(count(time), 1u);
}

TEST(MemoryStoreTest, OldestTracesAreEvictedWholeWhenOverTheSpanLimit) {
  MemoryStoreOptions o;
  o.max_spans = 4;
  MemoryStore store(o);
  AppendOk(&store, MakeBatch({{1, 10}, {1, 11, 10}}));
  AppendOk(&store, MakeBatch({{2, 20}, {2, 21, 20}}));
  AppendOk(&store, MakeBatch({{3, 30}}));
  EXPECT_EQ(store.GetTrace(TraceId::FromHighLow(0, 1)).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store.GetTrace(TraceId::FromHighLow(0, 2)).ok());
  EXPECT_TRUE(store.GetTrace(TraceId::FromHighLow(0, 3)).ok());
  StoreStats s = store.Stats();
  EXPECT_EQ(s.spans, 3u);
  EXPECT_EQ(s.evicted_spans, 2u);
  // Evicted spans are not found by search either.
  TraceQuery q;
  q.limit = 10;
  EXPECT_EQ(store.FindTraces(q)->size(), 2u);
}

TEST(MemoryStoreTest, ByteLimitBoundsMemory) {
  MemoryStoreOptions o;
  o.max_bytes = 1 << 20;
  MemoryStore store(o);
  for (uint64_t i = 1; i <= 200; ++i) {
    std::vector<SpanSpec> specs;
    for (uint64_t j = 0; j < 50; ++j) specs.push_back({i * 1000 + j, i * 1000 + j + 1});
    AppendOk(&store, MakeBatch(specs));
  }
  StoreStats s = store.Stats();
  EXPECT_LE(s.bytes, o.max_bytes);
  EXPECT_GT(s.evicted_spans, 0u);
  EXPECT_EQ(s.spans + s.evicted_spans, 200u * 50u);
  EXPECT_TRUE(store.GetTrace(TraceId::FromHighLow(0, 200 * 1000 + 49)).ok());
}

TEST(MemoryStoreTest, ServicesAndOperationsWithKind) {
  MemoryStore store({});
  AppendOk(&store, MakeBatch({{1, 10, 0, "api", "GET /", SpanKind::kServer},
                              {1, 11, 10, "api", "SELECT", SpanKind::kClient},
                              {1, 12, 11, "db", "SELECT", SpanKind::kServer}}));
  EXPECT_EQ(*store.GetServices(), (std::vector<std::string>{"api", "db"}));
  auto ops = *store.GetOperations("api", std::nullopt);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].name, "GET /");
  EXPECT_EQ(ops[1].name, "SELECT");
  auto server_ops = *store.GetOperations("api", SpanKind::kServer);
  ASSERT_EQ(server_ops.size(), 1u);
  EXPECT_EQ(server_ops[0].kind, SpanKind::kServer);
  EXPECT_TRUE(store.GetOperations("nope", std::nullopt)->empty());
}

TEST(MemoryStoreTest, DependenciesLinkParentServiceToChildServiceInTheWindow) {
  MemoryStore store({});
  AppendOk(&store,
           MakeBatch({{1, 10, 0, "api", "GET /", SpanKind::kServer, 5'000},
                      {1, 11, 10, "api", "call", SpanKind::kClient, 5'000},
                      {1, 12, 11, "db", "q", SpanKind::kServer, 5'000, 1, SpanStatusCode::kError},
                      {2, 20, 0, "api", "GET /", SpanKind::kServer, 6'000},
                      {2, 21, 20, "db", "q", SpanKind::kServer, 6'000},
                      {3, 30, 0, "api", "GET /", SpanKind::kServer, 90'000},
                      {3, 31, 30, "cache", "get", SpanKind::kServer, 90'000}}));
  auto deps = *store.GetDependencies(10'000, 10'000);
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_EQ(deps[0].parent, "api");
  EXPECT_EQ(deps[0].child, "db");
  EXPECT_EQ(deps[0].call_count, 2u);
  EXPECT_EQ(deps[0].error_count, 1u);
  EXPECT_EQ(store.GetDependencies(100'000, 100'000)->size(), 2u);
}

TEST(MemoryStoreTest, ServicesAndOperationsLeaveWithTheirLastSpan) {
  MemoryStoreOptions o;
  o.max_spans = 2;
  MemoryStore store(o);
  AppendOk(&store, MakeBatch({{1, 10, 0, "old", "a"}}));
  AppendOk(&store, MakeBatch({{2, 20, 0, "new", "b"}}));
  AppendOk(&store, MakeBatch({{3, 30, 0, "new", "c"}}));  // evicts trace 1
  EXPECT_EQ(*store.GetServices(), (std::vector<std::string>{"new"}));
  EXPECT_TRUE(store.GetOperations("old", std::nullopt)->empty());
  EXPECT_EQ(store.GetOperations("new", std::nullopt)->size(), 2u);
  AppendOk(&store, MakeBatch({{4, 40, 0, "new", "c"}}));  // evicts trace 2, the last "b"
  auto ops = *store.GetOperations("new", std::nullopt);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].name, "c");
  AppendOk(&store, MakeBatch({{5, 50, 0, "new", "d"}}));  // evicts trace 3; trace 4 keeps "c"
  ops = *store.GetOperations("new", std::nullopt);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].name, "c");
  EXPECT_EQ(ops[1].name, "d");
}

TEST(MemoryStoreTest, EverNewNamesDoNotGrowTheIndexPastTheStore) {
  MemoryStoreOptions o;
  o.max_spans = 100;
  MemoryStore store(o);
  for (uint64_t i = 1; i <= 2'000; ++i) {
    std::string n = std::to_string(i);
    AppendOk(&store, MakeBatch({{i, i, 0, "svc-" + n, "op-" + n}}));
  }
  EXPECT_EQ(store.GetServices()->size(), 100u);
  EXPECT_TRUE(store.GetOperations("svc-1", std::nullopt)->empty());
  EXPECT_EQ(store.GetOperations("svc-2000", std::nullopt)->size(), 1u);
}

TEST(MemoryStoreTest, IndexBytesAreCountedInTheBudget) {
  MemoryStore store({});
  const std::string service(3'000, 's');
  const std::string name(5'000, 'n');
  SpanBatch b = MakeBatch({{1, 10, 0, service, name}});
  const uint64_t batch_bytes = b.MemoryBytes();
  AppendOk(&store, std::move(b));
  EXPECT_GE(store.Stats().bytes, batch_bytes + service.size() + name.size());
  // A budget the names alone exceed evicts the trace and returns the bytes.
  MemoryStoreOptions o;
  SpanBatch c = MakeBatch({{1, 10, 0, service, name}});
  o.max_bytes = c.MemoryBytes() + 1'000;
  MemoryStore small(o);
  AppendOk(&small, std::move(c));
  EXPECT_EQ(small.GetTrace(TraceId::FromHighLow(0, 1)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(small.Stats().bytes, 0u);
  EXPECT_TRUE(small.GetServices()->empty());
}

TEST(MemoryStoreTest, ALoneTraceOverTheBudgetIsEvictedToo) {
  MemoryStoreOptions o;
  o.max_spans = 10;
  MemoryStore store(o);
  std::vector<SpanSpec> specs;
  for (uint64_t j = 0; j < 20; ++j) specs.push_back({1, 100 + j});
  AppendOk(&store, MakeBatch(specs));
  EXPECT_EQ(store.GetTrace(TraceId::FromHighLow(0, 1)).status().code(), StatusCode::kNotFound);
  StoreStats s = store.Stats();
  EXPECT_EQ(s.spans, 0u);
  EXPECT_EQ(s.evicted_spans, 20u);
  EXPECT_EQ(s.bytes, 0u);
  AppendOk(&store, MakeBatch({{2, 200}}));  // and the store goes on
  EXPECT_TRUE(store.GetTrace(TraceId::FromHighLow(0, 2)).ok());
}

TEST(MemoryStoreTest, SpansBeyondMaxSpansPerTraceAreDroppedAndCounted) {
  MemoryStoreOptions o;
  o.max_spans_per_trace = 5;
  MemoryStore store(o);
  AppendOk(&store, MakeBatch({{1, 10, 0, "api"}, {1, 11, 10, "api"}, {1, 12, 10, "api"}}));
  AppendOk(&store, MakeBatch({{1, 13, 10, "api"},
                              {2, 20, 0, "api"},
                              {1, 14, 10, "api"},
                              {1, 15, 10, "late", "late-op"},
                              {2, 21, 20, "api"},
                              {1, 16, 15, "late", "late-op"}}));
  auto t1 = store.GetTrace(TraceId::FromHighLow(0, 1));
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(t1->size(), 5u);
  EXPECT_EQ(store.GetTrace(TraceId::FromHighLow(0, 2))->size(), 2u);
  StoreStats s = store.Stats();
  EXPECT_EQ(s.spans, 7u);
  EXPECT_EQ(s.dropped_spans, 2u);
  EXPECT_EQ(s.evicted_spans, 0u);
  // Dropped spans are invisible everywhere: search, services, operations, dependencies.
  TraceQuery q;
  q.service = "late";
  EXPECT_TRUE(store.FindTraces(q)->empty());
  EXPECT_EQ(*store.GetServices(), (std::vector<std::string>{"api"}));
  EXPECT_TRUE(store.GetDependencies(UINT64_MAX / 2, UINT64_MAX / 2)->empty());
  // A batch made only of dropped spans stores nothing.
  AppendOk(&store, MakeBatch({{1, 17, 10}, {1, 18, 10}}));
  EXPECT_EQ(store.Stats().spans, 7u);
  EXPECT_EQ(store.Stats().dropped_spans, 4u);
  TraceQuery all;
  all.limit = 10;
  EXPECT_EQ(store.FindTraces(all)->size(), 2u);
}

TEST(MemoryStoreTest, ClosedStoreRefusesAppendsAndKeepsServingReads) {
  MemoryStore store({});
  AppendOk(&store, MakeBatch({{1, 10}}));
  store.Close();
  Status got;
  store.Append(MakeBatch({{2, 20}}), [&](Status s) { got = s; });
  EXPECT_EQ(got.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(store.GetTrace(TraceId::FromHighLow(0, 1)).ok());
}

TEST(MemoryStoreTest, ConcurrentIngestAndSearchStayConsistent) {
  MemoryStoreOptions o;
  o.max_spans = 5'000;
  MemoryStore store(o);
  std::thread writer([&] {
    for (uint64_t i = 1; i <= 300; ++i) {
      std::vector<SpanSpec> specs;
      for (uint64_t j = 0; j < 20; ++j) specs.push_back({i * 100 + j, i * 100 + j + 1});
      AppendOk(&store, MakeBatch(specs));
    }
  });
  for (int i = 0; i < 200; ++i) {
    TraceQuery q;
    q.limit = 5;
    auto r = store.FindTraces(q);
    ASSERT_TRUE(r.ok());
    EXPECT_LE(r->size(), 5u);
    for (const SpanBatch& t : *r) EXPECT_GT(t.size(), 0u);
  }
  writer.join();
  EXPECT_EQ(store.Stats().spans, 5'000u);
}

}  // namespace
}  // namespace ariadne
