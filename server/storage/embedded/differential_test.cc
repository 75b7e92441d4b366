// Differential test: the embedded store answers exactly like the memory store for random traces
// and random queries, whether the spans are in the head, in blocks, or in compacted blocks.
#include <future>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "base/mem_env.h"
#include "base/sanitizers.h"
#include "server/storage/embedded/embedded_store_impl.h"
#include "server/storage/embedded/test_util.h"
#include "server/storage/memory/memory_store.h"

namespace ariadne {
namespace {

using embedded_test::CanonicalSpans;
using embedded_test::RandomBatch;

Status AppendSync(SpanStore* store, SpanBatch batch) {
  std::promise<Status> p;
  store->Append(std::move(batch), [&](Status s) { p.set_value(std::move(s)); });
  return p.get_future().get();
}

// Trace ids and canonical contents of a result (ordered as returned).
std::vector<std::pair<std::string, std::vector<std::string>>> Describe(
    const std::vector<SpanBatch>& traces) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const SpanBatch& t : traces)
    out.emplace_back(t.spans.trace_id[0].ToHex(), CanonicalSpans(t));
  return out;
}

TraceQuery RandomQuery(std::mt19937_64* rng, const SpanBatch& sample, uint64_t base) {
  TraceQuery q;
  q.limit = 100000;  // all: the memory store orders ties arbitrarily
  uint32_t row = static_cast<uint32_t>((*rng)() % sample.size());
  if ((*rng)() % 2) q.service = std::string(sample.ServiceName(row));
  if ((*rng)() % 3 == 0) q.operation = std::string(sample.spans.name[row]);
  if ((*rng)() % 4 == 0) q.span_kind = sample.spans.kind[row];
  if ((*rng)() % 3 == 0) {
    Range attrs = sample.spans.attributes[row];
    if (attrs.count > 0) {
      const KeyValue& kv = sample.attributes[attrs.begin];
      q.tags.emplace_back(std::string(kv.key), ValueAsText(sample, kv.value));
    } else {
      q.tags.emplace_back("error", "true");
    }
  }
  if ((*rng)() % 3 == 0) {
    q.start_min_ns = base + (*rng)() % 1'800'000'000'000;
    q.start_max_ns = q.start_min_ns + (*rng)() % 1'800'000'000'000;
  }
  if ((*rng)() % 4 == 0) q.duration_min_ns = (*rng)() % 300'000'000;
  if ((*rng)() % 4 == 0) q.duration_max_ns = q.duration_min_ns + (*rng)() % 300'000'000;
  return q;
}

void ExpectSameAnswers(SpanStore* memory, SpanStore* embedded, const SpanBatch& all,
                       std::mt19937_64* rng, uint64_t base) {
  for (int i = 0; i < 60; ++i) {
    TraceQuery q = RandomQuery(rng, all, base);
    auto a = memory->FindTraces(q);
    auto b = embedded->FindTraces(q);
    ASSERT_TRUE(a.ok() && b.ok());
    auto da = Describe(*a), db = Describe(*b);
    std::sort(da.begin(), da.end());
    std::sort(db.begin(), db.end());
    EXPECT_EQ(da, db) << "query " << i << " service=" << q.service << " op=" << q.operation;
    // With a small limit: the same newest traces in the same order (start times are distinct),
    // which exercises the search's early stop and page pruning.
    q.limit = 1 + (*rng)() % 4;
    a = memory->FindTraces(q);
    b = embedded->FindTraces(q);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(Describe(*a), Describe(*b)) << "limited query " << i;
  }
  // With a small limit the newest traces come first in both (distinct start times).
  TraceQuery newest;
  newest.limit = 5;
  auto a = memory->FindTraces(newest);
  auto b = embedded->FindTraces(newest);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Describe(*a), Describe(*b));
  auto services_a = memory->GetServices();
  auto services_b = embedded->GetServices();
  ASSERT_TRUE(services_a.ok() && services_b.ok());
  EXPECT_EQ(services_a.value(), services_b.value());
  for (const std::string& service : services_a.value()) {
    for (std::optional<SpanKind> kind :
         {std::optional<SpanKind>(), std::optional(SpanKind::kServer)}) {
      auto ops_a = memory->GetOperations(service, kind);
      auto ops_b = embedded->GetOperations(service, kind);
      ASSERT_TRUE(ops_a.ok() && ops_b.ok());
      EXPECT_EQ(ops_a.value(), ops_b.value());
    }
  }
  auto da = memory->GetDependencies(base + 7'200'000'000'000, 3'600'000'000'000);
  auto db = embedded->GetDependencies(base + 7'200'000'000'000, 3'600'000'000'000);
  ASSERT_TRUE(da.ok() && db.ok());
  ASSERT_EQ(da->size(), db->size());
  for (size_t i = 0; i < da->size(); ++i) {
    EXPECT_EQ((*da)[i].parent, (*db)[i].parent);
    EXPECT_EQ((*da)[i].child, (*db)[i].child);
    EXPECT_EQ((*da)[i].call_count, (*db)[i].call_count);
    EXPECT_EQ((*da)[i].error_count, (*db)[i].error_count);
  }
}

// More spans for existing traces (random new spans re-labelled with old trace ids), so traces
// end up split across blocks, frozen heads and the head.
SpanBatch ExtendTraces(std::mt19937_64* rng, const SpanBatch& all, uint64_t base) {
  SpanBatch b =
      RandomBatch(rng, {.traces = 6, .base_time_ns = base, .time_spread_ns = 7'200'000'000'000});
  std::map<TraceId, TraceId> relabel;
  for (TraceId& id : b.spans.trace_id) {
    auto [it, inserted] = relabel.try_emplace(id, id);
    if (inserted && (*rng)() % 4 != 0) it->second = all.spans.trace_id[(*rng)() % all.size()];
    id = it->second;
  }
  return b;
}

// One batch per service, as an SDK's export request carries one resource.
std::vector<SpanBatch> SplitByService(const SpanBatch& b) {
  std::map<std::string, SpanBatch, std::less<>> parts;
  for (uint32_t row = 0; row < b.size(); ++row) {
    parts[std::string(b.ServiceName(row))].AppendSpan(b, row);
  }
  std::vector<SpanBatch> out;
  for (auto& [service, part] : parts) out.push_back(std::move(part));
  return out;
}

TEST(EmbeddedDifferential, SameAnswersAsTheMemoryStoreInHeadBlocksAndAfterCompaction) {
  // One seed under ASan/TSan (many times slower, over the ctest timeout on 2 busy cores).
  const uint64_t seeds = kSlowSanitizer ? 1 : 3;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    std::mt19937_64 rng(seed);
    MemEnv env;
    ManualClock clock(1'750'000'000'000'000'000);
    const uint64_t base = static_cast<uint64_t>(clock.NowUnixNanos()) - 7'200'000'000'000;
    EmbeddedStoreOptions o;
    o.data_dir = "/data";
    o.background_threads = false;
    o.block_page_spans = 48;     // many small pages: page pruning and the early stop are exercised
    o.wal_segment_bytes = 4096;  // small segments: a reopen replays them into several heads
    EmbeddedStore embedded(o, &env, &clock);
    ASSERT_TRUE(embedded.Open().ok());
    MemoryStore memory(MemoryStoreOptions{});
    SpanBatch all;
    // Phases: 0 then cut; 1 then cut and compact; 2 then cut (two blocks sharing traces);
    // 3 stays in the head. Enough spans for several pages per block.
    for (int phase = 0; phase < 4; ++phase) {
      for (int i = 0; i < 4; ++i) {
        SpanBatch b = RandomBatch(
            &rng, {.traces = 15, .base_time_ns = base, .time_spread_ns = 7'200'000'000'000});
        all.Append(b);
        // Half the batches as one request per service: a search then skips whole head batches.
        std::vector<SpanBatch> requests;
        if (i % 2 == 0) {
          requests = SplitByService(b);
        } else {
          requests.push_back(std::move(b));
        }
        for (SpanBatch& r : requests) {
          ASSERT_TRUE(AppendSync(&memory, r.Clone()).ok());
          ASSERT_TRUE(AppendSync(&embedded, std::move(r)).ok());
        }
      }
      if (phase > 0) {
        SpanBatch more = ExtendTraces(&rng, all, base);
        all.Append(more);
        ASSERT_TRUE(AppendSync(&memory, more.Clone()).ok());
        ASSERT_TRUE(AppendSync(&embedded, std::move(more)).ok());
      }
      ExpectSameAnswers(&memory, &embedded, all, &rng, base);
      if (phase == 0) {
        ASSERT_TRUE(embedded.CutHead().ok());
      }
      if (phase == 1) {
        ASSERT_TRUE(embedded.CutHead().ok());
        ASSERT_TRUE(embedded.Compact().ok());
      }
      if (phase == 2) {
        ASSERT_TRUE(embedded.CutHead().ok());
        ExpectSameAnswers(&memory, &embedded, all, &rng, base);
      }
    }
    EXPECT_GE(embedded.BlockCount(), 2u);
    // Reopened: phase 3 is replayed from the WAL into heads whose records are not decoded
    // (several: small segments and heads), beside the blocks and sharing traces with them; then
    // the replayed heads are written as blocks.
    embedded.Close();
    EmbeddedStoreOptions small = o;
    small.block_max_spans = 150;
    EmbeddedStore reopened(small, &env, &clock);
    ASSERT_TRUE(reopened.Open().ok());
    EXPECT_GE(reopened.FrozenHeadCount(), 1u);
    ExpectSameAnswers(&memory, &reopened, all, &rng, base);
    ASSERT_TRUE(reopened.CutHead().ok());
    EXPECT_EQ(reopened.FrozenHeadCount(), 0u);
    ExpectSameAnswers(&memory, &reopened, all, &rng, base);
  }
}

}  // namespace
}  // namespace ariadne
