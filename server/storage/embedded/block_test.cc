#include "server/storage/embedded/block.h"

#include <random>

#include <gtest/gtest.h>

#include "base/mem_env.h"
#include "server/storage/embedded/test_util.h"

namespace ariadne::embedded {
namespace {

using embedded_test::CanonicalSpans;
using embedded_test::RandomBatch;
using embedded_test::TraceIds;

struct Built {
  SpanBatch input;
  BlockMeta meta;
  std::string bytes;
};

Built Build(uint64_t seed, int traces = 20) {
  std::mt19937_64 rng(seed);
  Built b;
  b.input = RandomBatch(&rng, {.traces = traces});
  SpanBatch sorted = SortByTrace({&b.input});
  b.meta.id = 5;
  b.meta.wal_seq_end = 9;
  b.bytes = BuildBlock(sorted, 3, &b.meta);
  return b;
}

TEST(Block, WrittenBlockReadsBackIdentically) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/blocks").ok());
  Built b = Build(1);
  ASSERT_TRUE(WriteBlockFile(&env, "/blocks", BlockFileName(5), b.bytes).ok());
  std::string path = JoinPath("/blocks", BlockFileName(5));
  auto meta = ReadBlockMeta(&env, path);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->id, 5u);
  EXPECT_EQ(meta->wal_seq_end, 9u);
  EXPECT_EQ(meta->span_count, b.input.size());
  EXPECT_EQ(meta->traces.size(), TraceIds(b.input).size());
  EXPECT_EQ(meta->services, b.meta.services);
  auto body = ReadBlockBody(&env, path, *meta);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(CanonicalSpans(*body), CanonicalSpans(b.input));
}

TEST(Block, TraceIndexFindsEveryTraceAndItsRows) {
  Built b = Build(2);
  for (const TraceId& id : TraceIds(b.input)) {
    const BlockTrace* t = b.meta.FindTrace(id);
    ASSERT_NE(t, nullptr);
    uint32_t expected = 0;
    for (const TraceId& x : b.input.spans.trace_id) expected += x == id;
    EXPECT_EQ(t->row_count, expected);
  }
  TraceId absent = TraceId::FromHighLow(42, 42);
  EXPECT_EQ(b.meta.FindTrace(absent), nullptr);
}

TEST(Block, MetadataRecordsTimeRangeAndOperations) {
  Built b = Build(3);
  uint64_t lo = UINT64_MAX, hi = 0;
  for (uint64_t s : b.input.spans.start_time_unix_nano) {
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  EXPECT_EQ(b.meta.min_start, lo);
  EXPECT_EQ(b.meta.max_start, hi);
  for (uint32_t i = 0; i < b.input.size(); ++i) {
    BlockOperation op{std::string(b.input.ServiceName(i)), std::string(b.input.spans.name[i]),
                      b.input.spans.kind[i]};
    EXPECT_TRUE(std::binary_search(b.meta.operations.begin(), b.meta.operations.end(), op));
  }
}

TEST(Block, AnyFlippedByteIsDetected) {
  Built b = Build(4, 5);
  std::mt19937_64 rng(4);
  for (int i = 0; i < 300; ++i) {
    MemEnv env;
    ASSERT_TRUE(env.CreateDirs("/b").ok());
    std::string bytes = b.bytes;
    bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    ASSERT_TRUE(env.WriteFileAtomically("/b/x.blk", bytes).ok());
    auto meta = ReadBlockMeta(&env, "/b/x.blk");
    if (!meta.ok()) {
      EXPECT_EQ(meta.status().code(), StatusCode::kDataLoss);
      continue;
    }
    auto body = ReadBlockBody(&env, "/b/x.blk", *meta);
    ASSERT_FALSE(body.ok()) << "flip not detected at iteration " << i;
    EXPECT_EQ(body.status().code(), StatusCode::kDataLoss);
  }
}

TEST(Block, TruncatedFileIsRejected) {
  Built b = Build(5, 3);
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/b").ok());
  ASSERT_TRUE(env.WriteFileAtomically("/b/x.blk", b.bytes.substr(0, b.bytes.size() - 1)).ok());
  auto meta = ReadBlockMeta(&env, "/b/x.blk");
  ASSERT_FALSE(meta.ok());
  EXPECT_EQ(meta.status().code(), StatusCode::kDataLoss);
}

TEST(Block, LargeBlockIsPagedAtTraceBoundariesAndEveryPageReadsAlone) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/blocks").ok());
  Built b = Build(6, 2000);
  ASSERT_GE(b.meta.pages.size(), 2u);
  ASSERT_TRUE(WriteBlockFile(&env, "/blocks", BlockFileName(5), b.bytes).ok());
  std::string path = JoinPath("/blocks", BlockFileName(5));
  auto meta = ReadBlockMeta(&env, path);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  ASSERT_EQ(meta->pages.size(), b.meta.pages.size());
  SpanBatch all_pages;
  for (size_t p = 0; p < meta->pages.size(); ++p) {
    auto page = ReadBlockPage(&env, path, *meta, p);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    all_pages.Append(*page);
  }
  EXPECT_EQ(CanonicalSpans(all_pages), CanonicalSpans(b.input));
  for (const BlockTrace& t : meta->traces) {
    const BlockPage& page = meta->pages[meta->PageOf(t.row_begin)];
    EXPECT_LE(t.row_begin + t.row_count, page.first_row + page.row_count) << "trace split";
  }
  auto body = ReadBlockBody(&env, path, *meta);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->size(), b.input.size());
}

TEST(Block, FileNamesRoundTrip) {
  uint64_t id = 0;
  EXPECT_TRUE(ParseBlockFileName(BlockFileName(0xabc), &id));
  EXPECT_EQ(id, 0xabcu);
  EXPECT_FALSE(ParseBlockFileName("0000000000000abc.blk.tmp", &id));
  EXPECT_FALSE(ParseBlockFileName("zz00000000000abc.blk", &id));
}

}  // namespace
}  // namespace ariadne::embedded
