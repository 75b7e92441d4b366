#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "base/mem_env.h"
#include "server/config/server_options.h"
#include "server/storage/embedded/embedded_store_impl.h"
#include "server/storage/embedded/test_util.h"
#include "server/storage/embedded/varint.h"
#include "server/storage/embedded/wal.h"

namespace ariadne {
namespace {

using embedded_test::CanonicalSpans;
using embedded_test::CanonicalTrace;
using embedded_test::RandomBatch;
using embedded_test::TraceIds;

constexpr int64_t kHour = 3'600'000'000'000;

class EmbeddedStoreTest : public ::testing::Test {
 protected:
  EmbeddedStoreOptions Options() {
    EmbeddedStoreOptions o;
    o.data_dir = "/data";
    o.background_threads = false;
    o.write_retry_interval_ns = 0;
    o.min_free_bytes = 1024;
    return o;
  }
  std::unique_ptr<EmbeddedStore> Open(MemEnv* env, EmbeddedStoreOptions o) {
    auto store = std::make_unique<EmbeddedStore>(o, env, &clock_);
    Status s = store->Open();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return store;
  }
  std::unique_ptr<EmbeddedStore> Open(MemEnv* env) { return Open(env, Options()); }
  // Acknowledges `count` batches of `traces` traces each, then crashes before any block is cut.
  std::vector<SpanBatch> WriteThenCrash(MemEnv* env, int count, int traces) {
    std::vector<SpanBatch> batches;
    auto store = Open(env);
    for (int i = 0; i < count; ++i) {
      batches.push_back(NewBatch(traces));
      EXPECT_TRUE(AppendSync(store.get(), batches.back().Clone()).ok());
    }
    store.reset();
    env->SimulateCrash(false);
    return batches;
  }
  static Status AppendSync(SpanStore* store, SpanBatch batch) {
    std::promise<Status> p;
    store->Append(std::move(batch), [&](Status s) { p.set_value(std::move(s)); });
    return p.get_future().get();
  }
  SpanBatch NewBatch(int traces = 4) {
    return RandomBatch(&rng_, {.traces = traces,
                               .base_time_ns = static_cast<uint64_t>(clock_.NowUnixNanos() - kHour),
                               .time_spread_ns = static_cast<uint64_t>(kHour / 2)});
  }
  // Every span of `expected` is in the store with identical content, and nothing else is.
  static void ExpectHolds(SpanStore* store, const SpanBatch& expected) {
    for (const TraceId& id : TraceIds(expected)) {
      auto got = store->GetTrace(id);
      ASSERT_TRUE(got.ok()) << id.ToHex() << ": " << got.status().ToString();
      EXPECT_EQ(CanonicalSpans(*got), CanonicalTrace(expected, id)) << id.ToHex();
    }
    EXPECT_EQ(store->Stats().spans, expected.size());
  }

  // Crash between any two file operations of `action` (after `setup`), then reopen (with and
  // without torn tails): every acknowledged span is there exactly once, with identical content.
  // Returns how many crash points were tried.
  int EnumerateCrashPoints(const std::function<void(EmbeddedStore*, SpanBatch*)>& setup,
                           const std::function<Status(EmbeddedStore*)>& action) {
    for (uint64_t n = 0; n < 10000; ++n) {
      bool finished = false;
      for (bool torn : {false, true}) {
        MemEnv env(static_cast<uint32_t>(n + 1));
        SpanBatch all;
        rng_.seed(n);
        {
          auto store = Open(&env);
          setup(store.get(), &all);
          uint64_t before = env.MutatingOps();
          env.CrashAfter(n);
          Status s = action(store.get());
          finished = s.ok() && env.MutatingOps() - before <= n;
        }
        env.SimulateCrash(torn);
        auto store = Open(&env);
        for (const TraceId& id : TraceIds(all)) {
          auto got = store->GetTrace(id);
          EXPECT_TRUE(got.ok()) << "crash point " << n << ": " << got.status().ToString();
          if (!got.ok()) return -1;
          EXPECT_EQ(CanonicalSpans(*got), CanonicalTrace(all, id)) << "crash point " << n;
        }
        EXPECT_EQ(store->Stats().spans, all.size()) << "crash point " << n << " torn " << torn;
        EXPECT_EQ(store->QuarantinedCount(), 0u);
        if (::testing::Test::HasFailure()) return -1;
      }
      if (finished) return static_cast<int>(n) + 1;
    }
    return -1;
  }
  void AppendAll(EmbeddedStore* store, SpanBatch* all, int batches) {
    for (int i = 0; i < batches; ++i) {
      SpanBatch b = NewBatch(3);
      all->Append(b);
      ASSERT_TRUE(AppendSync(store, std::move(b)).ok());
    }
  }

  ManualClock clock_{1'750'000'000'000'000'000};
  std::mt19937_64 rng_{99};
};

TEST_F(EmbeddedStoreTest, AcknowledgedSpansAreSearchableImmediately) {
  MemEnv env;
  auto store = Open(&env);
  SpanBatch batch = NewBatch();
  SpanBatch copy = batch.Clone();
  ASSERT_TRUE(AppendSync(store.get(), std::move(batch)).ok());
  ExpectHolds(store.get(), copy);
  TraceQuery q;
  q.service = std::string(copy.ServiceName(0));
  auto found = store->FindTraces(q);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->empty());
}

TEST_F(EmbeddedStoreTest, ReopenReplaysTheWal) {
  MemEnv env;
  SpanBatch all;
  {
    auto store = Open(&env);
    for (int i = 0; i < 5; ++i) {
      SpanBatch b = NewBatch();
      all.Append(b);
      ASSERT_TRUE(AppendSync(store.get(), std::move(b)).ok());
    }
  }
  env.SimulateCrash(false);
  auto store = Open(&env);
  ExpectHolds(store.get(), all);
}

TEST_F(EmbeddedStoreTest, TornWritesAfterTheLastAckLoseNothingAcknowledged) {
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    MemEnv env(seed);
    SpanBatch all;
    {
      auto o = Options();
      o.fsync = FsyncMode::kAlways;
      auto store = Open(&env, o);
      for (int i = 0; i < 4; ++i) {
        SpanBatch b = NewBatch(2);
        all.Append(b);
        ASSERT_TRUE(AppendSync(store.get(), std::move(b)).ok());
      }
      env.SetSyncFailure(true);  // a last write that never becomes durable
      EXPECT_FALSE(AppendSync(store.get(), NewBatch(2)).ok());
      env.CrashAfter(0);
    }
    env.SimulateCrash(true);
    auto store = Open(&env);
    for (const TraceId& id : TraceIds(all)) {
      auto got = store->GetTrace(id);
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(CanonicalSpans(*got), CanonicalTrace(all, id));
    }
  }
}

TEST_F(EmbeddedStoreTest, CutHeadWritesABlockAndDropsTheWalItCovers) {
  MemEnv env;
  SpanBatch all;
  auto store = Open(&env);
  for (int i = 0; i < 3; ++i) {
    SpanBatch b = NewBatch();
    all.Append(b);
    ASSERT_TRUE(AppendSync(store.get(), std::move(b)).ok());
  }
  ASSERT_TRUE(store->CutHead().ok());
  EXPECT_EQ(store->BlockCount(), 1u);
  ExpectHolds(store.get(), all);
  auto wal = env.GetChildren("/data/wal");
  ASSERT_TRUE(wal.ok());
  EXPECT_EQ(wal->size(), 1u) << "only the fresh segment remains";
  store.reset();
  env.SimulateCrash(false);
  store = Open(&env);
  EXPECT_EQ(store->BlockCount(), 1u);
  ExpectHolds(store.get(), all);
}

TEST_F(EmbeddedStoreTest, CrashAtAnyPointOfABlockCutLosesNothing) {
  int points =
      EnumerateCrashPoints([&](EmbeddedStore* store, SpanBatch* all) { AppendAll(store, all, 3); },
                           [](EmbeddedStore* store) { return store->CutHead(); });
  EXPECT_GT(points, 3) << "a block cut is several file operations";
  std::printf("block cut: %d crash points, each with and without torn tails\n", points);
}

TEST_F(EmbeddedStoreTest, CrashAtAnyPointOfACompactionLosesNothing) {
  int points = EnumerateCrashPoints(
      [&](EmbeddedStore* store, SpanBatch* all) {
        for (int i = 0; i < 3; ++i) {
          AppendAll(store, all, 1);
          ASSERT_TRUE(store->CutHead().ok());
        }
        // A trace with spans in every block, so compaction brings it together.
        ASSERT_EQ(store->BlockCount(), 3u);
      },
      [](EmbeddedStore* store) { return store->Compact(); });
  EXPECT_GT(points, 3);
  std::printf("compaction: %d crash points, each with and without torn tails\n", points);
}

TEST_F(EmbeddedStoreTest, CompactionMergesSmallBlocksAndKeepsEverySpan) {
  MemEnv env;
  auto store = Open(&env);
  SpanBatch all;
  SpanBatch first = NewBatch(2);
  TraceId split = first.spans.trace_id[0];
  all.Append(first);
  ASSERT_TRUE(AppendSync(store.get(), std::move(first)).ok());
  ASSERT_TRUE(store->CutHead().ok());
  for (int i = 0; i < 2; ++i) {
    SpanBatch more = NewBatch(2);
    uint32_t row = more.AddSpan();  // one more span of `split`, in a later block
    more.spans.trace_id[row] = split;
    more.spans.span_id[row] = SpanId::FromHighLow(0, 1000 + i);
    more.spans.name[row] = "late";
    more.spans.start_time_unix_nano[row] = clock_.NowUnixNanos() - kHour;
    more.spans.end_time_unix_nano[row] = clock_.NowUnixNanos() - kHour + 5;
    all.Append(more);
    ASSERT_TRUE(AppendSync(store.get(), std::move(more)).ok());
    ASSERT_TRUE(store->CutHead().ok());
  }
  ASSERT_EQ(store->BlockCount(), 3u);
  ASSERT_TRUE(store->Compact().ok());
  EXPECT_EQ(store->BlockCount(), 1u);
  ExpectHolds(store.get(), all);
  store.reset();
  store = Open(&env);
  EXPECT_EQ(store->BlockCount(), 1u);
  ExpectHolds(store.get(), all);
}

// Small segments and heads, so a short WAL is larger than one head.
EmbeddedStoreOptions SmallHeads(EmbeddedStoreOptions o) {
  o.wal_segment_bytes = 4096;
  o.block_max_spans = 40;
  return o;
}

TEST_F(EmbeddedStoreTest, WalLargerThanAHeadReplaysIntoFrozenHeadsThenBlocks) {
  MemEnv env;
  const EmbeddedStoreOptions o = SmallHeads(Options());
  SpanBatch all;
  {
    auto store = Open(&env, o);
    for (int i = 0; i < 40; ++i) {
      SpanBatch b = NewBatch(3);
      all.Append(b);
      ASSERT_TRUE(AppendSync(store.get(), std::move(b)).ok());
    }
    EXPECT_EQ(store->FrozenHeadCount(), 0u) << "nothing is cut without maintenance";
  }
  env.SimulateCrash(false);
  auto wal_before = env.GetChildren("/data/wal");
  ASSERT_TRUE(wal_before.ok());
  ASSERT_GT(wal_before->size(), 4u);

  auto store = Open(&env, o);
  const size_t frozen = store->FrozenHeadCount();
  EXPECT_GE(frozen, all.size() / 40 / 2) << "about one head per block_max_spans of WAL";
  EXPECT_EQ(store->BlockCount(), 0u);
  ExpectHolds(store.get(), all);
  TraceQuery everything;
  everything.limit = 1'000'000;
  auto found = store->FindTraces(everything);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), TraceIds(all).size()) << "every replayed trace is searchable";

  ASSERT_TRUE(store->RunMaintenance().ok());
  EXPECT_EQ(store->FrozenHeadCount(), 0u);
  EXPECT_GE(store->BlockCount(), frozen);
  ExpectHolds(store.get(), all);
  auto wal_after = env.GetChildren("/data/wal");
  ASSERT_TRUE(wal_after.ok());
  EXPECT_EQ(wal_after->size(), 1u) << "every replayed segment is covered by a block";
  store.reset();
  env.SimulateCrash(false);
  store = Open(&env, o);
  ExpectHolds(store.get(), all);
}

// What the store answers for every service and operation of `data`, and for everything.
struct Answers {
  std::vector<std::string> services;
  std::map<std::string, std::set<std::pair<std::string, SpanKind>>> operations;
  std::map<std::string, std::set<TraceId>> by_service;    // FindTraces(service)
  std::map<std::string, std::set<TraceId>> by_operation;  // FindTraces(service, operation)
  std::set<TraceId> everything;
  bool operator==(const Answers&) const = default;
};

Answers Ask(SpanStore* store, const SpanBatch& data) {
  Answers a;
  auto ids = [&](const TraceQuery& q) {
    std::set<TraceId> out;
    auto found = store->FindTraces(q);
    EXPECT_TRUE(found.ok());
    if (found.ok()) {
      for (const SpanBatch& t : *found) out.insert(t.spans.trace_id[0]);
    }
    return out;
  };
  auto services = store->GetServices();
  EXPECT_TRUE(services.ok());
  if (services.ok()) a.services = *services;
  for (uint32_t r = 0; r < data.size(); ++r) {
    const std::string service(data.ServiceName(r));
    const std::string name(data.spans.name[r]);
    if (a.by_service.count(service) == 0) {
      a.by_service[service] = ids({.service = service, .limit = 1'000'000});
      auto ops = store->GetOperations(service, std::nullopt);
      EXPECT_TRUE(ops.ok());
      if (ops.ok()) {
        for (const OperationInfo& op : *ops) a.operations[service].emplace(op.name, op.kind);
      }
    }
    const std::string key = service + "/" + name;
    if (a.by_operation.count(key) == 0) {
      a.by_operation[key] = ids({.service = service, .operation = name, .limit = 1'000'000});
    }
  }
  a.everything = ids({.limit = 1'000'000});
  return a;
}

// The same, computed from the data itself (what the memory store would answer).
Answers Expected(const SpanBatch& data) {
  Answers a;
  std::set<std::string> services;
  for (uint32_t r = 0; r < data.size(); ++r) {
    const std::string service(data.ServiceName(r));
    const std::string name(data.spans.name[r]);
    services.insert(service);
    a.operations[service].emplace(name, data.spans.kind[r]);
    a.by_service[service].insert(data.spans.trace_id[r]);
    a.by_operation[service + "/" + name].insert(data.spans.trace_id[r]);
    a.everything.insert(data.spans.trace_id[r]);
  }
  a.services.assign(services.begin(), services.end());
  return a;
}

// A WAL of several heads reopens lazily (no record decoded at open) and answers every lookup and
// search exactly as the data says, before the background thread writes the heads as blocks and
// after, when the WAL they covered is gone.
TEST_F(EmbeddedStoreTest, LazyReplayAnswersEveryLookupAndSearchBeforeAndAfterTheBackgroundCut) {
  MemEnv env;
  EmbeddedStoreOptions o = SmallHeads(Options());
  SpanBatch all;
  {
    auto store = Open(&env, o);
    for (int i = 0; i < 40; ++i) {
      SpanBatch b = NewBatch(3);
      all.Append(b);
      ASSERT_TRUE(AppendSync(store.get(), std::move(b)).ok());
    }
  }
  env.SimulateCrash(false);
  ASSERT_GT(all.size(), 2 * o.block_max_spans);
  const Answers expected = Expected(all);
  ASSERT_GT(expected.by_service.size(), 1u);

  {
    auto store = Open(&env, o);  // no background thread: the heads stay as replayed
    ASSERT_GT(store->FrozenHeadCount(), 1u);
    ExpectHolds(store.get(), all);
    EXPECT_EQ(Ask(store.get(), all), expected);
  }
  o.background_threads = true;
  o.maintenance_interval_ns = 1'000'000;  // 1 ms
  o.block_max_age_ns = 0;                 // the replayed live head is cut as well
  auto store = Open(&env, o);
  for (int i = 0;
       i < 2000 && (store->FrozenHeadCount() > 0 || env.GetChildren("/data/wal")->size() > 1);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(store->FrozenHeadCount(), 0u);
  EXPECT_GE(store->BlockCount(), 1u);
  EXPECT_EQ(env.GetChildren("/data/wal")->size(), 1u) << "every replayed segment is in a block";
  ExpectHolds(store.get(), all);
  EXPECT_EQ(Ask(store.get(), all), expected);
  EXPECT_EQ(store->BadRecordCount(), 0u);
}

// Rewrites the store's only WAL segment with the payload of record `index` changed by `edit` (the
// checksum recomputed, so the change reaches what comes after the checksum check).
void EditWalRecord(MemEnv* env, size_t index, const std::function<void(std::string*)>& edit) {
  auto wal = env->GetChildren("/data/wal");
  ASSERT_TRUE(wal.ok());
  ASSERT_EQ(wal->size(), 1u);
  const std::string path = JoinPath("/data/wal", (*wal)[0]);
  embedded::WalSegmentRecords seg;
  embedded::WalReplayStats stats;
  ASSERT_TRUE(embedded::ReadWalSegment(env, path, false, &seg, &stats).ok());
  ASSERT_LT(index, seg.records.size());
  std::string out;
  for (size_t i = 0; i < seg.records.size(); ++i) {
    std::string payload(seg.payload(i));
    if (i == index) edit(&payload);
    embedded::AppendWalRecord(payload, &out);
  }
  ASSERT_TRUE(env->WriteFileAtomically(path, out).ok());
}

// A record that passes its checksum but does not decode (its dictionary lengths disagree with
// its dictionary: only a full decode notices) is skipped and counted once; the others serve,
// and the heads still become blocks.
TEST_F(EmbeddedStoreTest, ReplayedRecordThatDoesNotDecodeIsSkippedCountedAndTheRestServe) {
  MemEnv env;
  const std::vector<SpanBatch> batches = WriteThenCrash(&env, 5, 3);
  EditWalRecord(&env, 2, [](std::string* payload) {
    embedded::Reader r(*payload);
    uint8_t version;
    uint64_t count;
    ASSERT_TRUE(r.Byte(&version));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(r.Varint(&count));  // 9 counts, the lengths' size
    const size_t first_length = payload->size() - r.remaining();
    ASSERT_LT(static_cast<uint8_t>((*payload)[first_length]), 0x7f);
    ++(*payload)[first_length];
  });
  SpanBatch good;
  for (int i : {0, 1, 3, 4}) good.Append(batches[static_cast<size_t>(i)]);

  auto store = Open(&env);
  EXPECT_EQ(store->BadRecordCount(), 0u) << "its trace ids read: it is indexed, not decoded";
  for (const TraceId& id : TraceIds(batches[2])) {
    EXPECT_EQ(store->GetTrace(id).status().code(), StatusCode::kNotFound);
  }
  EXPECT_EQ(store->BadRecordCount(), 1u) << "counted once, however often it is read";
  for (const TraceId& id : TraceIds(good)) {
    auto got = store->GetTrace(id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(CanonicalSpans(*got), CanonicalTrace(good, id));
  }
  auto found = store->FindTraces(TraceQuery{.limit = 1000});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), TraceIds(good).size());
  ASSERT_TRUE(store->CutHead().ok()) << "a bad record does not stop the block write";
  EXPECT_EQ(store->BlockCount(), 1u);
  EXPECT_EQ(store->BadRecordCount(), 1u);
  ExpectHolds(store.get(), good);
  EXPECT_TRUE(AppendSync(store.get(), NewBatch()).ok()) << "writes go on";
}

// A record whose trace runs do not read is left out at open (and counted then).
TEST_F(EmbeddedStoreTest, ReplayedRecordWithUnreadableTraceRunsIsLeftOutAtOpen) {
  MemEnv env;
  const std::vector<SpanBatch> batches = WriteThenCrash(&env, 3, 2);
  EditWalRecord(&env, 1, [](std::string* payload) { (*payload)[0] = 9; });  // an unknown version
  auto store = Open(&env);
  EXPECT_EQ(store->BadRecordCount(), 1u);
  SpanBatch good = batches[0].Clone();
  good.Append(batches[2]);
  ExpectHolds(store.get(), good);
}

// A WAL segment the disk cannot read (EIO) is not a torn tail: Open fails with an IoError that
// names the segment, nothing is truncated or created, and once the segment reads again every
// acknowledged span is there. Both the first segment and a later one (read ahead on the helper
// thread) are tried.
TEST_F(EmbeddedStoreTest, UnreadableWalSegmentFailsOpenAndLosesNothing) {
  MemEnv env;
  std::vector<SpanBatch> batches = WriteThenCrash(&env, 3, 2);
  for (SpanBatch& b : WriteThenCrash(&env, 2, 2)) batches.push_back(std::move(b));  // segment 2
  SpanBatch all;
  for (const SpanBatch& b : batches) all.Append(b);
  auto names = env.GetChildren("/data/wal");
  ASSERT_TRUE(names.ok());
  ASSERT_GE(names->size(), 2u);
  for (const std::string& name : {names->front(), names->back()}) {
    SCOPED_TRACE(name);
    const std::string path = JoinPath("/data/wal", name);
    const uint64_t size = *env.GetFileSize(path);
    env.SetReadFailure(path, true);
    {
      EmbeddedStore store(Options(), &env, &clock_);
      Status s = store.Open();
      EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
      EXPECT_NE(s.message().find(path), std::string_view::npos) << s.ToString();
      EXPECT_NE(s.message().find("Input/output error"), std::string_view::npos) << s.ToString();
    }
    EXPECT_EQ(*env.GetFileSize(path), size) << "not truncated";
    EXPECT_EQ(*env.GetChildren("/data/wal"), *names) << "no segment added or removed";
    env.SetReadFailure(path, false);
  }
  auto store = Open(&env);
  ExpectHolds(store.get(), all);
}

// Many records in one segment: indexed without decoding at open, then decoded by a search on
// several threads (TSan covers it).
TEST_F(EmbeddedStoreTest, ManyRecordsOfOneSegmentReplayOnSeveralThreads) {
  MemEnv env;
  SpanBatch all;
  {
    auto store = Open(&env);
    for (int i = 0; i < 400; ++i) {
      SpanBatch b = NewBatch(1);
      all.Append(b);
      ASSERT_TRUE(AppendSync(store.get(), std::move(b)).ok());
    }
  }
  env.SimulateCrash(false);
  auto store = Open(&env);
  EXPECT_EQ(store->FrozenHeadCount(), 0u);
  ExpectHolds(store.get(), all);
  auto found = store->FindTraces(TraceQuery{.limit = 1'000'000});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), TraceIds(all).size());
}

// A crash while the replayed heads are being written as blocks: reopening finds every span
// exactly once (no segment is replayed on top of the block that covers it).
TEST_F(EmbeddedStoreTest, CrashWhileWritingReplayedHeadsLosesAndDuplicatesNothing) {
  const EmbeddedStoreOptions o = SmallHeads(Options());
  bool finished = false;
  for (uint64_t n = 0; !finished && n < 1000; ++n) {
    MemEnv env(static_cast<uint32_t>(n + 1));
    SpanBatch all;
    rng_.seed(n);
    {
      auto store = Open(&env, o);
      for (int i = 0; i < 16; ++i) {
        SpanBatch b = NewBatch(3);
        all.Append(b);
        ASSERT_TRUE(AppendSync(store.get(), std::move(b)).ok());
      }
    }
    env.SimulateCrash(false);
    {
      auto store = Open(&env, o);
      ASSERT_GT(store->FrozenHeadCount(), 1u);
      const uint64_t before = env.MutatingOps();
      env.CrashAfter(n);
      Status s = store->RunMaintenance();
      finished = s.ok() && env.MutatingOps() - before <= n;
    }
    env.SimulateCrash(n % 2 == 1);
    auto store = Open(&env, o);
    ExpectHolds(store.get(), all);
    if (::testing::Test::HasFailure()) FAIL() << "crash point " << n;
  }
  EXPECT_TRUE(finished);
}

// A trace whose spans land in different replayed heads is judged on its whole content: a query
// matching only its oldest span still ranks it by its newest one, above a trace whose matching
// span is newer than that oldest span (in heads, then in the blocks cut from them).
TEST_F(EmbeddedStoreTest, TraceSplitAcrossReplayedHeadsRanksByItsNewestSpan) {
  MemEnv env;
  const EmbeddedStoreOptions o = SmallHeads(Options());
  const uint64_t base = static_cast<uint64_t>(clock_.NowUnixNanos() - 2 * kHour);
  auto short_spans = [&](SpanBatch* b) {
    for (uint32_t r = 0; r < b->size(); ++r) {
      b->spans.end_time_unix_nano[r] = b->spans.start_time_unix_nano[r] + 1000;
    }
  };
  SpanBatch first = NewBatch(2);
  short_spans(&first);
  const TraceId split = first.spans.trace_id[0];
  const size_t split_spans = CanonicalTrace(first, split).size() + 2;
  for (uint32_t r = 0; r < first.size(); ++r) {  // its first part is older than anything else
    if (first.spans.trace_id[r] != split) continue;
    first.spans.start_time_unix_nano[r] = base + r;
    first.spans.end_time_unix_nano[r] = base + r + 1000;
  }
  uint32_t old_row = first.AddSpan();
  first.spans.trace_id[old_row] = split;
  first.spans.span_id[old_row] = SpanId::FromHighLow(0, 7);
  first.spans.start_time_unix_nano[old_row] = base;
  first.spans.end_time_unix_nano[old_row] = base + 10'000'000'000;  // the only long span
  {
    auto store = Open(&env, o);
    ASSERT_TRUE(AppendSync(store.get(), std::move(first)).ok());
    for (int i = 0; i < 30; ++i) {
      SpanBatch b = NewBatch(3);
      short_spans(&b);
      // A competitor whose latest start lies between the split trace's two parts.
      if (i == 15) b.spans.end_time_unix_nano[0] = b.spans.start_time_unix_nano[0] + 10'000'000'000;
      ASSERT_TRUE(AppendSync(store.get(), std::move(b)).ok());
    }
    SpanBatch last = NewBatch(1);
    short_spans(&last);
    uint32_t row = last.AddSpan();
    last.spans.trace_id[row] = split;
    last.spans.span_id[row] = SpanId::FromHighLow(0, 8);
    last.spans.start_time_unix_nano[row] = static_cast<uint64_t>(clock_.NowUnixNanos());
    last.spans.end_time_unix_nano[row] = last.spans.start_time_unix_nano[row] + 1000;
    ASSERT_TRUE(AppendSync(store.get(), std::move(last)).ok());
  }
  env.SimulateCrash(false);
  auto store = Open(&env, o);
  ASSERT_GT(store->FrozenHeadCount(), 1u);
  TraceQuery q;
  q.duration_min_ns = 5'000'000'000;
  q.limit = 1;
  for (bool blocks : {false, true}) {
    if (blocks) {  // CutHead, not RunMaintenance: compaction would merge the parts again
      ASSERT_TRUE(store->CutHead().ok());
      ASSERT_GT(store->BlockCount(), 1u);
    }
    auto found = store->FindTraces(q);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->size(), 1u) << "blocks " << blocks;
    EXPECT_EQ((*found)[0].spans.trace_id[0], split);
    EXPECT_EQ((*found)[0].size(), split_spans) << "both parts of the trace";
  }
}

TEST_F(EmbeddedStoreTest, FsyncFailureRefusesWritesKeepsReadsAndRecovers) {
  MemEnv env;
  auto store = Open(&env);
  SpanBatch all;
  AppendAll(store.get(), &all, 2);
  env.SetSyncFailure(true);
  Status refused = AppendSync(store.get(), NewBatch());
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store->WriteState().ok());
  ExpectHolds(store.get(), all);  // reads continue; the refused batch is not visible
  EXPECT_EQ(AppendSync(store.get(), NewBatch()).code(), StatusCode::kUnavailable);
  env.SetSyncFailure(false);
  AppendAll(store.get(), &all, 1);  // resumes by itself
  EXPECT_TRUE(store->WriteState().ok());
  ExpectHolds(store.get(), all);
  store.reset();
  env.SimulateCrash(true);
  store = Open(&env);
  for (const TraceId& id : TraceIds(all)) {
    auto got = store->GetTrace(id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(CanonicalSpans(*got), CanonicalTrace(all, id));
  }
}

TEST_F(EmbeddedStoreTest, DiskFullRefusesWritesAndResumesWhenSpaceReturns) {
  MemEnv env;
  auto store = Open(&env);
  SpanBatch all;
  AppendAll(store.get(), &all, 2);
  env.SetCapacity(env.TotalBytes() + 100);
  EXPECT_EQ(AppendSync(store.get(), NewBatch(20)).code(), StatusCode::kUnavailable);
  EXPECT_EQ(AppendSync(store.get(), NewBatch(1)).code(), StatusCode::kUnavailable)
      << "no write while free space is below the minimum";
  ExpectHolds(store.get(), all);
  EXPECT_FALSE(store->CutHead().ok()) << "a block cannot be written either";
  ExpectHolds(store.get(), all);  // a failed cut keeps the head searchable
  env.SetCapacity(MemEnv::kUnlimited);
  AppendAll(store.get(), &all, 1);
  ASSERT_TRUE(store->CutHead().ok());
  ExpectHolds(store.get(), all);
  store.reset();
  env.SimulateCrash(false);
  store = Open(&env);
  ExpectHolds(store.get(), all);
}

TEST_F(EmbeddedStoreTest, CorruptBlockIsQuarantinedWhileTheRestServes) {
  MemEnv env;
  SpanBatch good, bad;
  {
    auto store = Open(&env);
    AppendAll(store.get(), &bad, 1);
    ASSERT_TRUE(store->CutHead().ok());
    AppendAll(store.get(), &good, 1);
    ASSERT_TRUE(store->CutHead().ok());
  }
  auto blocks = env.GetChildren("/data/blocks");
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 2u);
  std::string path = JoinPath("/data/blocks", (*blocks)[0]);
  std::string data;
  ASSERT_TRUE(env.ReadFileToString(path, &data).ok());
  data[data.size() - 10] ^= 0x5a;  // inside the compressed body
  ASSERT_TRUE(env.WriteFileAtomically(path, data).ok());

  auto store = Open(&env);
  auto lost = store->GetTrace(bad.spans.trace_id[0]);
  EXPECT_EQ(lost.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->QuarantinedCount(), 1u);
  EXPECT_EQ(store->BlockCount(), 1u);
  for (const TraceId& id : TraceIds(good)) {
    auto got = store->GetTrace(id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(CanonicalSpans(*got), CanonicalTrace(good, id));
  }
  auto q = env.GetChildren("/data/quarantine");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->size(), 1u);
  EXPECT_TRUE(AppendSync(store.get(), NewBatch()).ok()) << "writes go on";
}

TEST_F(EmbeddedStoreTest, CorruptBlockHeaderIsQuarantinedAtOpen) {
  MemEnv env;
  {
    auto store = Open(&env);
    SpanBatch all;
    AppendAll(store.get(), &all, 1);
    ASSERT_TRUE(store->CutHead().ok());
  }
  auto blocks = env.GetChildren("/data/blocks");
  ASSERT_TRUE(blocks.ok() && blocks->size() == 1);
  ASSERT_TRUE(env.WriteFileAtomically(JoinPath("/data/blocks", (*blocks)[0]), "garbage").ok());
  auto store = Open(&env);
  EXPECT_EQ(store->QuarantinedCount(), 1u);
  EXPECT_EQ(store->BlockCount(), 0u);
}

// A checksum-valid block whose trace-id bloom filter hides indexed traces (fuzz finding
// block_bloom_misses_indexed_trace) is quarantined at open like any other corrupt block, instead
// of serving lookups that silently miss its traces.
// Block format 5 stores its bloom filter of trace ids (format 6 rebuilds it at open).
TEST_F(EmbeddedStoreTest, BlockWhoseBloomFilterHidesTracesIsQuarantinedAtOpen) {
  MemEnv env;
  SpanBatch all;
  {
    auto store = Open(&env);
    AppendAll(store.get(), &all, 1);
  }
  ASSERT_TRUE(env.CreateDirs("/data/blocks").ok());
  const std::string path = JoinPath("/data/blocks", embedded::BlockFileName(7));
  embedded::BlockMeta built;
  built.id = 7;
  std::string data =
      embedded::BuildBlock(embedded::SortForBlock({&all}), 3, &built, embedded::kPageSpans, 5);
  ASSERT_TRUE(env.WriteFileAtomically(path, data).ok());
  auto meta = embedded::ReadBlockMeta(&env, path);
  ASSERT_TRUE(meta.ok());
  ASSERT_EQ(meta->version, 5u);
  for (uint64_t word : meta->bloom) {
    if (word != 0) {
      ASSERT_TRUE(embedded_test::ReplaceMetaWord(&data, word, 0));
    }
  }
  embedded_test::FixBlockChecksums(&data);
  ASSERT_TRUE(env.WriteFileAtomically(path, data).ok());
  auto store = Open(&env);
  EXPECT_EQ(store->QuarantinedCount(), 1u);
  EXPECT_EQ(store->BlockCount(), 0u);
  auto q = env.GetChildren("/data/quarantine");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->size(), 1u);
}

TEST_F(EmbeddedStoreTest, HotRetentionDeletesWholeOldBlocks) {
  MemEnv env;
  auto store = Open(&env);
  SpanBatch old;
  AppendAll(store.get(), &old, 2);
  ASSERT_TRUE(store->CutHead().ok());
  ASSERT_TRUE(store->EnforceRetention().ok());
  EXPECT_EQ(store->BlockCount(), 1u) << "an hour old: kept";
  clock_.Advance(72 * kHour);
  ASSERT_TRUE(store->EnforceRetention().ok());
  EXPECT_EQ(store->BlockCount(), 0u);
  EXPECT_EQ(store->Stats().evicted_spans, old.size());
  EXPECT_EQ(store->GetTrace(old.spans.trace_id[0]).status().code(), StatusCode::kNotFound);
}

TEST_F(EmbeddedStoreTest, ArchivedTraceOutlivesHotRetentionUntilArchiveRetention) {
  MemEnv env;
  auto store = Open(&env);
  SpanBatch all;
  AppendAll(store.get(), &all, 1);
  TraceId kept = all.spans.trace_id[0];
  EXPECT_EQ(store->ArchiveTrace(TraceId::FromHighLow(1, 2)).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store->ArchiveTrace(kept).ok());
  ASSERT_TRUE(store->CutHead().ok());
  clock_.Advance(80 * kHour);
  ASSERT_TRUE(store->EnforceRetention().ok());
  auto got = store->GetTrace(kept);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(CanonicalSpans(*got), CanonicalTrace(all, kept));
  store.reset();
  store = Open(&env);
  ASSERT_TRUE(store->GetTrace(kept).ok()) << "archive survives a restart";
  clock_.Advance(30LL * 24 * kHour);
  ASSERT_TRUE(store->EnforceRetention().ok());
  EXPECT_EQ(store->GetTrace(kept).status().code(), StatusCode::kNotFound);
}

TEST_F(EmbeddedStoreTest, IntervalAndNeverModesAcknowledgeAndReplay) {
  for (FsyncMode mode : {FsyncMode::kInterval, FsyncMode::kNever}) {
    MemEnv env;
    SpanBatch all;
    {
      auto o = Options();
      o.fsync = mode;
      auto store = Open(&env, o);
      AppendAll(store.get(), &all, 3);
      ExpectHolds(store.get(), all);
    }  // a clean close syncs
    env.SimulateCrash(false);
    auto store = Open(&env);
    ExpectHolds(store.get(), all);
  }
}

TEST_F(EmbeddedStoreTest, ConcurrentAppendersShareCommitsAndLoseNothing) {
  MemEnv env;
  auto store = Open(&env);
  std::vector<SpanBatch> per_thread(4);
  std::vector<std::thread> threads;
  std::vector<std::mt19937_64> rngs;
  for (int t = 0; t < 4; ++t) {
    std::mt19937_64 rng(static_cast<uint64_t>(t) + 100);
    for (int i = 0; i < 25; ++i) per_thread[t].Append(RandomBatch(&rng, {.traces = 1}));
  }
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t row = 0; row < per_thread[t].size(); row += 3) {
        SpanBatch b;
        for (uint32_t r = row; r < std::min<uint32_t>(row + 3, per_thread[t].size()); ++r) {
          b.AppendSpan(per_thread[t], r);
        }
        if (!AppendSync(store.get(), std::move(b)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  SpanBatch all;
  for (const SpanBatch& b : per_thread) all.Append(b);
  ExpectHolds(store.get(), all);
}

// MemEnv whose block files cannot be created while `fail_blocks` is set (WAL writes still work):
// block writing cannot keep up, as under an ingest rate above the block builder's.
class BlockFailingEnv final : public Env {
 public:
  std::atomic<bool> fail_blocks{false};
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                          WriteMode mode) override {
    if (fail_blocks && path.find("/blocks/") != std::string::npos) {
      return Status::IoError("injected: cannot create " + path);
    }
    return mem_.NewWritableFile(path, mode);
  }
  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return mem_.NewRandomAccessFile(p);
  }
  bool FileExists(const std::string& p) override { return mem_.FileExists(p); }
  StatusOr<std::vector<std::string>> GetChildren(const std::string& d) override {
    return mem_.GetChildren(d);
  }
  Status CreateDirs(const std::string& d) override { return mem_.CreateDirs(d); }
  Status RemoveFile(const std::string& p) override { return mem_.RemoveFile(p); }
  Status RemoveDir(const std::string& d) override { return mem_.RemoveDir(d); }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return mem_.RenameFile(f, t);
  }
  StatusOr<uint64_t> GetFileSize(const std::string& p) override { return mem_.GetFileSize(p); }
  Status TruncateFile(const std::string& p, uint64_t n) override { return mem_.TruncateFile(p, n); }
  Status SyncDir(const std::string& d) override { return mem_.SyncDir(d); }
  StatusOr<uint64_t> GetFreeSpace(const std::string& p) override { return mem_.GetFreeSpace(p); }

 private:
  MemEnv mem_;
};

TEST_F(EmbeddedStoreTest, WritesAreRefusedWhileBlockWritingIsBehindThenResume) {
  BlockFailingEnv env;
  env.fail_blocks = true;
  EmbeddedStoreOptions o = Options();
  o.background_threads = true;
  o.maintenance_interval_ns = 5'000'000;
  o.block_max_spans = 40;
  o.head_backlog_factor = 2;
  EmbeddedStore store(o, &env, &clock_);
  ASSERT_TRUE(store.Open().ok());
  SpanBatch accepted;
  Status refused;
  for (int i = 0; i < 500 && refused.ok(); ++i) {
    SpanBatch b = NewBatch(3);
    SpanBatch copy = b.Clone();
    refused = AppendSync(&store, std::move(b));
    if (refused.ok()) accepted.Append(copy);
  }
  ASSERT_FALSE(refused.ok()) << "500 batches accepted with no block written";
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();
  EXPECT_NE(refused.ToString().find("waiting to be written as blocks"), std::string::npos)
      << refused.ToString();
  // Bounded: at most the backlog limit plus the one request that crossed it (<= 3 * 16 spans).
  EXPECT_LE(accepted.size(), 2 * o.block_max_spans + 48);
  EXPECT_GE(accepted.size(), 2 * o.block_max_spans);
  EXPECT_EQ(store.BlockCount(), 0u);

  // Blocks can be written again: the backlog drains by itself and writes are accepted.
  env.fail_blocks = false;
  Status s;
  for (int i = 0; i < 1000; ++i) {
    SpanBatch b = NewBatch(1);
    SpanBatch copy = b.Clone();
    s = AppendSync(&store, std::move(b));
    if (s.ok()) {
      accepted.Append(copy);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(store.BlockCount(), 1u);
  ExpectHolds(&store, accepted);
}

TEST_F(EmbeddedStoreTest, ClosedStoreRefusesAppends) {
  MemEnv env;
  auto store = Open(&env);
  store->Close();
  EXPECT_EQ(AppendSync(store.get(), NewBatch()).code(), StatusCode::kUnavailable);
}

TEST_F(EmbeddedStoreTest, OptionsComeFromTheServerConfig) {
  Config config(ServerOptionSpecs());
  EXPECT_EQ(EmbeddedStoreOptionsFromConfig(config).fsync, FsyncMode::kAlways) << "the default";
  EXPECT_EQ(EmbeddedStoreOptionsFromConfig(config).hot_retention_ns, 72 * kHour);
  for (auto [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"data_dir", "/x"},
                                                        {"fsync", "interval"},
                                                        {"fsync_interval", "250ms"},
                                                        {"retention_hot", "24h"},
                                                        {"retention_archive", "7d"},
                                                        {"archive_dir", "/cold"},
                                                        {"wal_segment_size", "1MiB"},
                                                        {"block_max_spans", "5000"},
                                                        {"block_zstd_level", "5"},
                                                        {"compaction_zstd_level", "7"},
                                                        {"archive_zstd_level", "15"},
                                                        {"block_page_spans", "256"}}) {
    ASSERT_TRUE(config.Set(k, v).ok()) << k;
  }
  EmbeddedStoreOptions o = EmbeddedStoreOptionsFromConfig(config);
  EXPECT_EQ(o.data_dir, "/x");
  EXPECT_EQ(o.fsync, FsyncMode::kInterval);
  EXPECT_EQ(o.fsync_interval_ns, 250'000'000);
  EXPECT_EQ(o.hot_retention_ns, 24 * kHour);
  EXPECT_EQ(o.archive_retention_ns, 7 * 24 * kHour);
  EXPECT_EQ(o.archive_dir, "/cold");
  EXPECT_EQ(o.wal_segment_bytes, 1u << 20);
  EXPECT_EQ(o.block_max_spans, 5000u);
  EXPECT_EQ(o.zstd_level, 5);
  EXPECT_EQ(o.compaction_zstd_level, 7);
  EXPECT_EQ(o.archive_zstd_level, 15);
  EXPECT_EQ(o.block_page_spans, 256u);
  EXPECT_TRUE(ValidateEmbeddedStoreOptions(o).ok());
}

TEST_F(EmbeddedStoreTest, DefaultsMatchTheOptionsStructAndAreValid) {
  Config config(ServerOptionSpecs());
  EmbeddedStoreOptions from_config = EmbeddedStoreOptionsFromConfig(config);
  EmbeddedStoreOptions defaults;
  EXPECT_EQ(from_config.zstd_level, defaults.zstd_level);
  EXPECT_EQ(from_config.compaction_zstd_level, defaults.compaction_zstd_level);
  EXPECT_EQ(from_config.archive_zstd_level, defaults.archive_zstd_level);
  EXPECT_EQ(from_config.block_page_spans, defaults.block_page_spans);
  EXPECT_TRUE(ValidateEmbeddedStoreOptions(from_config).ok());
}

TEST_F(EmbeddedStoreTest, OutOfRangeTuningOptionsAreRefusedAtOpenNamingTheOption) {
  struct Case {
    std::string key, value;
  };
  for (const Case& c : std::vector<Case>{{"compaction_zstd_level", "0"},
                                         {"compaction_zstd_level", "23"},
                                         {"block_zstd_level", "-5"},
                                         {"archive_zstd_level", "99"},
                                         {"block_page_spans", "0"},
                                         {"block_page_spans", "65537"},
                                         {"block_page_spans", "-1"},
                                         {"compaction_zstd_level", "4294967297"}}) {
    SCOPED_TRACE(c.key + "=" + c.value);
    Config config(ServerOptionSpecs());
    ASSERT_TRUE(config.Set(c.key, c.value).ok());
    EmbeddedStoreOptions o = EmbeddedStoreOptionsFromConfig(config);
    o.data_dir = "/data";
    Status s = ValidateEmbeddedStoreOptions(o);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.ToString().find(c.key), std::string::npos) << s.ToString();
    MemEnv env;
    auto opened = OpenEmbeddedStore(o, &env, &clock_);
    EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  }
  for (const Case& c : std::vector<Case>{{"compaction_zstd_level", "1"},
                                         {"compaction_zstd_level", "22"},
                                         {"block_page_spans", "1"},
                                         {"block_page_spans", "65536"}}) {
    SCOPED_TRACE(c.key + "=" + c.value);
    Config config(ServerOptionSpecs());
    ASSERT_TRUE(config.Set(c.key, c.value).ok());
    EXPECT_TRUE(ValidateEmbeddedStoreOptions(EmbeddedStoreOptionsFromConfig(config)).ok());
  }
}

// block_page_spans reaches the blocks the store writes.
TEST_F(EmbeddedStoreTest, PageSpansOptionSizesTheBlockPages) {
  MemEnv env;
  EmbeddedStoreOptions o = Options();
  o.block_page_spans = 4;
  auto store = Open(&env, o);
  SpanBatch all;
  AppendAll(store.get(), &all, 3);
  ASSERT_TRUE(store->CutHead().ok());
  auto blocks = env.GetChildren("/data/blocks");
  ASSERT_TRUE(blocks.ok() && blocks->size() == 1);
  auto meta = embedded::ReadBlockMeta(&env, JoinPath("/data/blocks", (*blocks)[0]));
  ASSERT_TRUE(meta.ok());
  ASSERT_GE(meta->pages.size(), 2u);
  for (const embedded::BlockPage& p : meta->pages) {
    // Traces are added while the page has fewer than 4 rows (whole traces, so the last may
    // take it past 4).
    const uint32_t last = meta->traces[p.trace_end - 1].row_count;
    EXPECT_LT(p.row_count - last, 4u) << p.row_count;
  }
}

}  // namespace
}  // namespace ariadne
