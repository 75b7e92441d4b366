#include "server/storage/embedded/block.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <xxhash.h>
#include <zstd.h>

#include "base/mem_env.h"
#include "server/query/trace_query.h"
#include "server/storage/embedded/batch_codec.h"
#include "server/storage/embedded/test_util.h"
#include "server/storage/embedded/varint.h"

namespace ariadne::embedded {
namespace {

using embedded_test::CanonicalSpans;
using embedded_test::FixBlockChecksums;
using embedded_test::RandomBatch;
using embedded_test::ReplaceMetaWord;
using embedded_test::TraceIds;
using embedded_test::ZstdFrameDeclaring;

struct Built {
  SpanBatch input;
  BlockMeta meta;
  std::string bytes;
};

Built Build(uint64_t seed, int traces = 20, uint32_t version = kBlockVersion) {
  std::mt19937_64 rng(seed);
  Built b;
  b.input = RandomBatch(&rng, {.traces = traces});
  SpanBatch sorted = SortForBlock({&b.input});
  b.meta.id = 5;
  b.meta.wal_seq_end = 9;
  b.bytes = BuildBlock(sorted, 3, &b.meta, kPageSpans, version);
  return b;
}

StatusOr<BlockMeta> WriteAndReadMeta(MemEnv* env, const std::string& bytes) {
  if (Status s = env->CreateDirs("/b"); !s.ok()) return s;
  if (Status s = env->WriteFileAtomically("/b/x.blk", bytes); !s.ok()) return s;
  return ReadBlockMeta(env, "/b/x.blk");
}

// Corruption tests: a read of a damaged block either succeeds or fails as DataLoss; counts the
// failures. True if `s` is such a refusal.
bool Refused(const Status& s, int* refused) {
  if (s.ok()) return false;
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  ++*refused;
  return true;
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

// Version 4 and 5 pages end with an uncompressed tail (span ids, timings) that zstd's content
// checksum does not cover: a damaged tail is caught by the page checksum, and with every
// checksum forged it is refused as DataLoss or decodes (never a crash).
TEST(Block, DamagedPageTailIsDataLoss) {
  Built b = Build(6, 30);
  ASSERT_EQ(b.meta.version, kBlockVersion);
  const BlockPage& page = b.meta.pages[0];
  const size_t page_at = b.meta.body_offset + page.offset;
  const size_t tail_bytes = 8 * page.row_count;  // the tail is at least the span ids
  ASSERT_GT(page.len, tail_bytes);
  std::string checksum;
  PutFixed64(&checksum, page.checksum);
  const size_t checksum_at = b.bytes.find(checksum, 48);  // after the header (its body checksum)
  ASSERT_LT(checksum_at, b.meta.body_offset);
  std::mt19937_64 rng(6);
  int refused = 0, forged_refused = 0;
  for (int i = 0; i < 200; ++i) {
    std::string bytes = b.bytes;
    const size_t at = page_at + page.len - 1 - rng() % tail_bytes;
    bytes[at] = static_cast<char>(bytes[at] ^ (1 + rng() % 255));
    for (bool forge : {false, true}) {
      if (forge) {
        std::string fixed;
        PutFixed64(&fixed, XXH3_64bits(bytes.data() + page_at, page.len));
        bytes.replace(checksum_at, 8, fixed);
      }
      FixBlockChecksums(&bytes);
      MemEnv env;
      auto meta = WriteAndReadMeta(&env, bytes);
      ASSERT_TRUE(meta.ok()) << meta.status().ToString();  // the metadata is intact
      auto body = ReadBlockBody(&env, "/b/x.blk", *meta);
      if (!forge) {
        ASSERT_TRUE(Refused(body.status(), &refused)) << "tail damage not detected at " << at;
      } else {
        Refused(body.status(), &forged_refused);
      }
    }
  }
  EXPECT_EQ(refused, 200);
  EXPECT_GT(forged_refused, 0);  // a bit-stream or padding change that no longer adds up
}

// A page whose spans have no resource to name their service (possible only in a forged page: a
// block is never written so) is DataLoss, not a read past the empty resource table.
TEST(Block, PageWithoutResourcesIsDataLoss) {
  Built b = Build(7, 5);
  ASSERT_EQ(b.meta.pages.size(), 1u);
  ASSERT_TRUE(b.meta.page_dict.empty());
  MemEnv env;
  auto meta = WriteAndReadMeta(&env, b.bytes);
  ASSERT_TRUE(meta.ok());
  auto page = ReadBlockPage(&env, "/b/x.blk", *meta, 0);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  SpanBatch stripped = std::move(page).value();
  stripped.resources.clear();
  for (uint32_t& r : stripped.spans.resource_index) r = 0;
  std::string raw, tail;
  EncodeBatchSplit(stripped, &raw, &tail);
  std::string forged(ZSTD_compressBound(raw.size()), '\0');
  forged.resize(ZSTD_compress(forged.data(), forged.size(), raw.data(), raw.size(), 1));
  forged += tail;
  // Same length varint width as the original page, so only the page's bytes and its checksum,
  // length and the header's body length change.
  const BlockPage& p = b.meta.pages[0];
  std::string old_len, new_len;
  PutVarint(&old_len, p.len);
  PutVarint(&new_len, forged.size());
  ASSERT_EQ(old_len.size(), new_len.size());
  std::string bytes = b.bytes;
  std::string checksum;
  PutFixed64(&checksum, p.checksum);
  const size_t checksum_at = bytes.find(checksum, 48);  // after the header (its body checksum)
  ASSERT_LT(checksum_at, b.meta.body_offset);
  std::string rows;
  PutVarint(&rows, p.row_count);
  const size_t len_at = checksum_at - rows.size() - old_len.size();
  ASSERT_EQ(bytes.substr(len_at, old_len.size()), old_len);
  bytes.replace(len_at, new_len.size(), new_len);
  ASSERT_TRUE(ReplaceMetaWord(&bytes, p.checksum, XXH3_64bits(forged.data(), forged.size())));
  bytes.replace(b.meta.body_offset + p.offset, p.len, forged);
  std::string body_len;
  PutFixed64(&body_len, bytes.size() - b.meta.body_offset);
  bytes.replace(16, 8, body_len);
  FixBlockChecksums(&bytes);
  MemEnv forged_env;
  auto forged_meta = WriteAndReadMeta(&forged_env, bytes);
  ASSERT_TRUE(forged_meta.ok()) << forged_meta.status().ToString();
  auto read = ReadBlockPage(&forged_env, "/b/x.blk", *forged_meta, 0);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(read.status().ToString().find("resource"), std::string::npos)
      << read.status().ToString();
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

TEST(Block, RowsAreGroupedByTraceInOrderOfFirstStartAndPagesCoverTimeSlices) {
  Built b = Build(7, 3000);
  ASSERT_GE(b.meta.pages.size(), 3u);
  std::map<TraceId, uint64_t> first;
  for (uint32_t i = 0; i < b.input.size(); ++i) {
    auto [it, inserted] =
        first.try_emplace(b.input.spans.trace_id[i], b.input.spans.start_time_unix_nano[i]);
    it->second = std::min(it->second, b.input.spans.start_time_unix_nano[i]);
  }
  uint64_t previous_first = 0;
  for (const BlockTrace& t : b.meta.traces) {
    EXPECT_GE(first.at(t.id), previous_first);
    previous_first = first.at(t.id);
  }
  // Pages are time slices: each page's earliest span starts no earlier than the previous page's.
  for (size_t p = 1; p < b.meta.pages.size(); ++p) {
    EXPECT_GE(b.meta.pages[p].min_start, b.meta.pages[p - 1].min_start);
  }
}

TEST(Block, PageSummaryHoldsEveryTokenAndRangeOfItsSpans) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/blocks").ok());
  Built b = Build(8, 1500);
  ASSERT_TRUE(WriteBlockFile(&env, "/blocks", BlockFileName(5), b.bytes).ok());
  std::string path = JoinPath("/blocks", BlockFileName(5));
  auto meta = ReadBlockMeta(&env, path);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  size_t rejected = 0;
  for (size_t p = 0; p < meta->pages.size(); ++p) {
    const BlockPage& info = meta->pages[p];
    EXPECT_EQ(info.min_start, b.meta.pages[p].min_start);
    EXPECT_TRUE(info.bloom.empty());  // version 5: the block's PageTokenFilter instead
    auto may_have = [&](uint64_t token) { return meta->PageMayHave(meta->ProbeToken(token), p); };
    auto page = ReadBlockPage(&env, path, *meta, p);
    ASSERT_TRUE(page.ok());
    for (uint32_t i = 0; i < page->size(); ++i) {
      const SpanColumns& c = page->spans;
      EXPECT_GE(c.start_time_unix_nano[i], info.min_start);
      EXPECT_LE(c.start_time_unix_nano[i], info.max_start);
      uint64_t d = c.end_time_unix_nano[i] > c.start_time_unix_nano[i]
                       ? c.end_time_unix_nano[i] - c.start_time_unix_nano[i]
                       : 0;
      EXPECT_GE(d, info.min_duration);
      EXPECT_LE(d, info.max_duration);
      EXPECT_TRUE(may_have(SummaryToken('s', page->ServiceName(i))));
      EXPECT_TRUE(may_have(SummaryToken('o', c.name[i])));
      for (uint32_t a = c.attributes[i].begin; a < c.attributes[i].end(); ++a) {
        const KeyValue& kv = page->attributes[a];
        EXPECT_TRUE(may_have(SummaryToken('t', kv.key, ValueAsText(*page, kv.value))));
      }
    }
    rejected += !may_have(SummaryToken('t', "user.id", "no-such-user")) ? 1 : 0;
    rejected += !may_have(SummaryToken('s', "no-such-service")) ? 1 : 0;
  }
  // The filters are small but useful: absent tokens are almost always rejected.
  EXPECT_GE(rejected, meta->pages.size());
}

// Writes `sorted` as block `id` of format `version` under /blocks; returns its path.
std::string WriteOldBlock(MemEnv* env, const SpanBatch& sorted, uint64_t id, uint32_t page_spans,
                          uint32_t version, BlockMeta* built) {
  built->id = id;
  const std::string bytes = BuildBlock(sorted, 3, built, page_spans, version);
  EXPECT_EQ(GetFixed32(bytes.data() + 8), version);
  EXPECT_TRUE(WriteBlockFile(env, "/blocks", BlockFileName(id), bytes).ok());
  return JoinPath("/blocks", BlockFileName(id));
}

TEST(Block, Version1BlocksAreStillReadAndFound) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/blocks").ok());
  std::mt19937_64 rng(9);
  SpanBatch input = RandomBatch(&rng, {.traces = 1200});
  BlockMeta built;
  const std::string path = WriteOldBlock(&env, SortByTraceId({&input}), 3, kPageSpans, 1, &built);
  auto meta = ReadBlockMeta(&env, path);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  ASSERT_GE(meta->pages.size(), 2u);
  for (const BlockPage& p : meta->pages) {
    EXPECT_TRUE(p.bloom.empty());  // no summary: a search reads every page
  }
  for (size_t p = 0; p < meta->pages.size(); ++p) {
    EXPECT_TRUE(meta->PageMayHave(meta->ProbeToken(SummaryToken('s', "anything")), p));
  }
  std::vector<TraceId> ids = TraceIds(input);
  for (size_t i = 0; i < ids.size(); i += 37) {
    const TraceId& id = ids[i];
    const BlockTrace* t = meta->FindTrace(id);
    ASSERT_NE(t, nullptr);
    auto page = ReadBlockPage(&env, path, *meta, meta->PageOf(t->row_begin));
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(
        page->spans.trace_id[t->row_begin - meta->pages[meta->PageOf(t->row_begin)].first_row], id);
  }
  auto body = ReadBlockBody(&env, path, *meta);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(CanonicalSpans(*body), CanonicalSpans(input));
}

// Stores written before version 3 (page dictionary, byte planes, delta-coded trace starts) and
// before version 4 (split pages), 5 (range-coded timings) or 6 (trace starts in the pages) must
// still read: a version 2, 3, 4 or 5 block gives back every span and finds every trace.
class OldBlockVersion : public testing::TestWithParam<uint32_t> {};

TEST_P(OldBlockVersion, BlocksAreStillReadAndFound) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/blocks").ok());
  std::mt19937_64 rng(19);
  SpanBatch input = RandomBatch(&rng, {.traces = 1200});
  BlockMeta built;
  const std::string path = WriteOldBlock(&env, SortForBlock({&input}), 4, 256, GetParam(), &built);
  EXPECT_EQ(built.page_dict.empty(), GetParam() < 3);
  auto meta = ReadBlockMeta(&env, path);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  ASSERT_GE(meta->pages.size(), 8u);
  for (size_t t = 0; t < meta->traces.size(); ++t) {
    EXPECT_EQ(meta->traces[t].max_start, built.traces[t].max_start);
  }
  for (const TraceId& id : TraceIds(input)) {
    const BlockTrace* t = meta->FindTrace(id);
    ASSERT_NE(t, nullptr);
    auto page = ReadBlockPage(&env, path, *meta, meta->PageOf(t->row_begin));
    ASSERT_TRUE(page.ok()) << page.status().ToString();
  }
  auto body = ReadBlockBody(&env, path, *meta);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(CanonicalSpans(*body), CanonicalSpans(input));
}
INSTANTIATE_TEST_SUITE_P(Block, OldBlockVersion, testing::Values(2u, 3u, 4u, 5u));

// A block of many pages gets a zstd dictionary shared by its pages: every page still reads alone,
// and the block is smaller than the same rows written as version 2.
// Versions 3, 4 and 5 (the pages' codec differs, the dictionary is the same).
class BlockDictVersion : public testing::TestWithParam<uint32_t> {};

TEST_P(BlockDictVersion, PagesShareADictionaryAndReadAloneWithIt) {
  MemEnv env;
  std::mt19937_64 rng(20);
  SpanBatch input = RandomBatch(&rng, {.traces = 1500, .rich = false});
  SpanBatch sorted = SortForBlock({&input});
  BlockMeta v3, v2;
  const std::string bytes = BuildBlock(sorted, 3, &v3, 128, GetParam());
  const std::string old = BuildBlock(sorted, 3, &v2, 128, 2);
  ASSERT_EQ(GetFixed32(bytes.data() + 8), GetParam());
  ASSERT_GE(v3.pages.size(), 8u);
  ASSERT_FALSE(v3.page_dict.empty());
  EXPECT_LE(v3.page_dict.size(), kPageDictBytes);
  EXPECT_LT(bytes.size(), old.size());
  auto meta = WriteAndReadMeta(&env, bytes);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->page_dict, v3.page_dict);
  SpanBatch all;
  for (size_t p = meta->pages.size(); p-- > 0;) {  // in any order: each page alone
    auto page = ReadBlockPage(&env, "/b/x.blk", *meta, p);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    all.Append(*page);
  }
  EXPECT_EQ(CanonicalSpans(all), CanonicalSpans(input));
  // Without the dictionary the pages do not decode.
  BlockMeta stripped = *meta;
  stripped.page_ddict.reset();
  EXPECT_EQ(ReadBlockPage(&env, "/b/x.blk", stripped, 0).status().code(), StatusCode::kDataLoss);
}
INSTANTIATE_TEST_SUITE_P(Block, BlockDictVersion, testing::Values(3u, 4u, 5u, kBlockVersion));

// Rows of many requests that each carry their own copy of the same resources and scope (as
// every exporter's request does): each page stores each distinct resource and scope once, pages
// after the first included, and reads back the same spans.
TEST(Block, PagesStoreEqualResourcesOfManyRequestsOnce) {
  MemEnv env;
  std::mt19937_64 rng(22);
  const SpanBatch model = RandomBatch(&rng, {.traces = 40, .rich = true});
  std::vector<SpanBatch> requests;
  for (int i = 0; i < 12; ++i) {
    requests.push_back(model.Clone());
    for (TraceId& id : requests.back().spans.trace_id)
      id = TraceId::FromHighLow(id.High() + i, id.Low());
  }
  std::vector<const SpanBatch*> parts;
  SpanBatch input;
  for (const SpanBatch& r : requests) {
    parts.push_back(&r);
    input.Append(r);
  }
  BlockMeta built;
  const std::string bytes = BuildBlock(OrderForBlock(parts), 3, &built, 64);
  auto meta = WriteAndReadMeta(&env, bytes);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  ASSERT_GE(meta->pages.size(), 4u);
  SpanBatch all;
  for (size_t p = 0; p < meta->pages.size(); ++p) {
    auto page = ReadBlockPage(&env, "/b/x.blk", *meta, p);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    std::set<uint32_t> resources(page->spans.resource_index.begin(),
                                 page->spans.resource_index.end());
    std::set<uint32_t> scopes(page->spans.scope_index.begin(), page->spans.scope_index.end());
    EXPECT_EQ(page->resources.size(), resources.size()) << p;  // no duplicate stored
    EXPECT_LE(page->resources.size(), model.resources.size()) << p;
    EXPECT_EQ(page->scopes.size(), scopes.size()) << p;
    all.Append(*page);
  }
  EXPECT_EQ(CanonicalSpans(all), CanonicalSpans(input));
}

// Pages of alike traces that use their strings in different orders: every page's dictionary
// starts with the block's common strings in one order, so the pages still encode alike and the
// pages are about as small as those of a block whose pages hold the same traces in one order.
TEST(Block, PagesUsingCommonStringsInAnyOrderCompressAlike) {
  constexpr int kTemplates = 8, kSpans = 4, kAttributes = 6, kPages = 64;
  auto build = [](bool shuffle) {
    std::mt19937_64 rng(31);
    SpanBatch b;
    const uint32_t res = b.AddResource();
    b.resources[res].attributes =
        Range{b.AddAttribute("service.name", AnyValue::String("shop")), 1};
    b.RefreshServiceName(res);
    uint64_t start = 1'700'000'000'000'000'000;
    for (int page = 0; page < kPages; ++page) {
      std::vector<int> order(kTemplates);
      std::iota(order.begin(), order.end(), 0);
      if (shuffle) std::shuffle(order.begin(), order.end(), rng);
      for (int k : order) {
        const TraceId trace = TraceId::FromHighLow(rng(), rng());
        start += 1'000'000;
        for (int j = 0; j < kSpans; ++j) {
          const uint32_t row = b.AddSpan();
          b.spans.trace_id[row] = trace;
          b.spans.span_id[row] = SpanId::FromHighLow(0, rng() | 1);
          b.spans.name[row] = b.Intern("operation-" + std::to_string(k) + "-" + std::to_string(j));
          b.spans.start_time_unix_nano[row] = start + static_cast<uint64_t>(j);
          b.spans.end_time_unix_nano[row] = start + 1000;
          b.spans.resource_index[row] = res;
          const uint32_t first = static_cast<uint32_t>(b.attributes.size());
          for (int a = 0; a < kAttributes; ++a) {
            const std::string suffix = std::to_string(k * 100 + j * 10 + a);
            b.AddAttribute(b.Intern("template.attribute.key." + suffix),
                           AnyValue::String(b.Intern("a static value of the template " + suffix)));
          }
          b.spans.attributes[row] = Range{first, kAttributes};
        }
      }
    }
    BlockMeta meta;
    const std::string bytes = BuildBlock(SortForBlock({&b}), 3, &meta, kTemplates * kSpans);
    EXPECT_EQ(meta.pages.size(), static_cast<size_t>(kPages));
    EXPECT_GT(bytes.size(), meta.body_len);
    return meta.body_len;  // the pages (the metadata does not depend on the order)
  };
  const uint64_t ordered = build(false);
  const uint64_t shuffled = build(true);
  // 14 % more; 37 % more when each page's dictionary is in its order of first use.
  EXPECT_LT(shuffled, ordered + ordered / 5) << ordered;
}

// Every attribute of every span (strings, negative and positive ints, doubles, bools, nested
// values) is admitted by its page's filter under the token searches compute from ValueAsText.
TEST(Block, PageFiltersAdmitEveryAttributeAsSearchesSpellIt) {
  std::mt19937_64 rng(23);
  SpanBatch input = RandomBatch(&rng, {.traces = 120, .rich = false});
  const AnyValue values[] = {
      AnyValue::Int(-42),    AnyValue::Int(7),       AnyValue::Int(INT64_MIN),
      AnyValue::Double(0.1), AnyValue::Double(-2.5), AnyValue::Double(1e300),
      AnyValue::Bool(true),  AnyValue::Bool(false),  AnyValue::String("GET")};
  for (uint32_t row = 0; row < input.size(); ++row) {  // a few repeating values per span
    const auto first = static_cast<uint32_t>(input.attributes.size());
    input.AddAttribute("a", values[row % std::size(values)]);
    input.AddAttribute("b", values[(row / 3) % std::size(values)]);
    input.spans.attributes[row] = {first, 2};
  }
  const SpanBatch sorted = SortForBlock({&input});
  BlockMeta meta;
  BuildBlock(sorted, 3, &meta, 64);
  ASSERT_GE(meta.pages.size(), 4u);
  size_t checked = 0;
  for (uint32_t row = 0; row < sorted.size(); ++row) {
    const size_t page = meta.PageOf(row);
    const Range r = sorted.spans.attributes[row];
    for (uint32_t i = r.begin; i < r.end(); ++i) {
      const KeyValue& kv = sorted.attributes[i];
      EXPECT_TRUE(meta.PageMayHave(
          meta.ProbeToken(SummaryToken('t', kv.key, ValueAsText(sorted, kv.value))), page))
          << kv.key << "=" << ValueAsText(sorted, kv.value);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
}

class PageDictVersion : public testing::TestWithParam<uint32_t> {};

// Where the page dictionary is stored: just before the page token filter, which ends the
// metadata (versions 5 and 6; version 6 stores it zstd-compressed).
size_t StoredDictAt(const BlockMeta& meta) {
  std::string filter;
  meta.page_filter.Encode(&filter);
  return meta.body_offset - filter.size() - meta.page_dict_stored_bytes;
}

// A damaged dictionary (checksums made to agree) is refused when the block is opened or when a
// page is read, never decoded into wrong spans.
TEST_P(PageDictVersion, DamagedPageDictionaryIsDataLoss) {
  std::mt19937_64 rng(21);
  SpanBatch input = RandomBatch(&rng, {.traces = 1500, .rich = false});
  SpanBatch sorted = SortForBlock({&input});
  BlockMeta built;
  const std::string good = BuildBlock(sorted, 3, &built, 128, GetParam());
  ASSERT_GE(built.page_dict.size(), 64u);
  ASSERT_EQ(built.page_dict_stored_bytes < built.page_dict.size(), GetParam() >= 6);
  const size_t at = StoredDictAt(built);
  if (GetParam() < 6) {
    ASSERT_EQ(good.compare(at, built.page_dict.size(), built.page_dict), 0);
  }
  const size_t n = built.page_dict_stored_bytes;
  int refused = 0, decoded = 0;
  for (size_t off : {size_t{0}, size_t{4}, n / 2, n - 1}) {
    std::string bytes = good;
    bytes[at + off] = static_cast<char>(bytes[at + off] ^ 0x5a);
    FixBlockChecksums(&bytes);
    MemEnv env;
    auto meta = WriteAndReadMeta(&env, bytes);
    if (Refused(meta.status(), &refused)) continue;
    auto body = ReadBlockBody(&env, "/b/x.blk", *meta);
    if (!Refused(body.status(), &refused)) {
      // zstd may not need the damaged byte; then the spans must be exactly the input.
      EXPECT_EQ(CanonicalSpans(*body), CanonicalSpans(input));
      ++decoded;
    }
  }
  EXPECT_GE(refused, 1);
}

// A block declaring a page dictionary over kMaxPageDictBytes is refused at open, before the
// dictionary is prepared (a corrupt length cannot make every open block hold megabytes). Version
// 6 stores it as a zstd frame: one declaring more is refused before anything is allocated, and
// one that does not hold what it declares is refused too.
TEST_P(PageDictVersion, PageDictionaryOverTheLimitIsRefused) {
  const bool framed = GetParam() >= 6;
  for (uint64_t size : {uint64_t{4096}, kMaxPageDictBytes + 1}) {
    for (bool truncated : {false, true}) {
      if (truncated && !framed) continue;
      SCOPED_TRACE(testing::Message() << size << (truncated ? " truncated" : ""));
      Built b = Build(22, 3, GetParam());  // one page: no dictionary, its length 0
      ASSERT_TRUE(b.meta.page_dict.empty());
      std::string bytes = b.bytes;
      const size_t at = StoredDictAt(b.meta) - 1;
      ASSERT_EQ(bytes[at], '\0');
      std::string content;
      for (uint64_t i = 0; i < size; ++i) content.push_back(static_cast<char>('a' + i % 23));
      std::string stored = content;
      if (framed) {
        stored.assign(ZSTD_compressBound(content.size()), '\0');
        stored.resize(
            ZSTD_compress(stored.data(), stored.size(), content.data(), content.size(), 3));
        if (truncated) stored.resize(stored.size() - 3);
      }
      std::string dict;
      PutVarint(&dict, stored.size());
      dict += stored;
      bytes.replace(at, 1, dict);
      std::string len;
      PutFixed32(&len, static_cast<uint32_t>(b.meta.body_offset - 48 - 1 + dict.size()));
      bytes.replace(12, 4, len);
      FixBlockChecksums(&bytes);
      MemEnv env;
      auto meta = WriteAndReadMeta(&env, bytes);
      if (size > kMaxPageDictBytes || truncated) {
        ASSERT_FALSE(meta.ok());
        EXPECT_EQ(meta.status().code(), StatusCode::kDataLoss);
      } else {
        ASSERT_TRUE(meta.ok()) << meta.status().ToString();  // the surgery itself is sound
        EXPECT_EQ(meta->page_dict, content);
      }
    }
  }
}
INSTANTIATE_TEST_SUITE_P(Block, PageDictVersion, testing::Values(5u, kBlockVersion));

TEST(Block, UnknownVersionIsRefusedWithAClearError) {
  Built b = Build(10, 3);
  std::string bytes = b.bytes;
  bytes[8] = 9;  // version 9, header checksum fixed up
  std::string header = bytes.substr(0, 40);
  uint64_t sum = XXH3_64bits(header.data(), header.size());
  std::memcpy(bytes.data() + 40, &sum, 8);
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/b").ok());
  ASSERT_TRUE(env.WriteFileAtomically("/b/x.blk", bytes).ok());
  auto meta = ReadBlockMeta(&env, "/b/x.blk");
  ASSERT_FALSE(meta.ok());
  EXPECT_EQ(meta.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(meta.status().ToString().find("version 9 is not supported"), std::string::npos)
      << meta.status().ToString();
}

// fuzz/findings/block_bloom_misses_indexed_trace.bin: a checksum-valid block whose trace-id
// bloom filter disagrees with its trace index was accepted, and FindTrace (bloom first) then
// missed traces the block holds. Every accepted block must find every trace it indexes.
// Versions 1-5 store the bloom filter of trace ids; version 6 rebuilds it from the index.
TEST(Block, BloomFilterThatHidesAnIndexedTraceIsCorrupt) {
  Built b = Build(11, 20, 5);
  ASSERT_GE(b.meta.bloom.size(), 2u);
  int refused = 0;
  for (size_t w = 0; w < b.meta.bloom.size(); ++w) {
    if (b.meta.bloom[w] == 0) continue;
    std::string bytes = b.bytes;
    ASSERT_TRUE(ReplaceMetaWord(&bytes, b.meta.bloom[w], 0)) << "word " << w;
    FixBlockChecksums(&bytes);
    MemEnv env;
    auto meta = WriteAndReadMeta(&env, bytes);
    if (Refused(meta.status(), &refused)) continue;
    for (const BlockTrace& t : meta->traces) {
      EXPECT_EQ(meta->FindTrace(t.id), &t) << "accepted block hides trace " << t.id.ToHex();
    }
  }
  EXPECT_GE(refused, 1) << "clearing a word of a 10-bits-per-trace filter hides some trace";
}

// A page is read only after checking the size its zstd frame declares against what its rows can
// hold (PageRawLimit): a small checksum-valid page could otherwise make the reader allocate up
// to 8 GiB. Pages declaring more than the limit are DataLoss; within it a frame that holds less
// than it declares is still caught (decompressed in steps, not trusted).
TEST(Block, PageDeclaringMoreThanItsRowsCanHoldIsRefused) {
  Built b = Build(12, 3);
  ASSERT_EQ(b.meta.pages.size(), 1u);
  const BlockPage& page = b.meta.pages[0];
  ASSERT_GE(page.len, 16u);
  for (uint64_t declared : {PageRawLimit(page.row_count) + 1, uint64_t{1} << 62,
                            PageRawLimit(page.row_count), uint64_t{5} << 20}) {
    SCOPED_TRACE(declared);
    std::string bytes = b.bytes;
    std::string frame = ZstdFrameDeclaring(declared, page.len);
    bytes.replace(b.meta.body_offset + page.offset, page.len, frame);
    ASSERT_TRUE(ReplaceMetaWord(&bytes, page.checksum, XXH3_64bits(frame.data(), frame.size())));
    FixBlockChecksums(&bytes);
    MemEnv env;
    auto meta = WriteAndReadMeta(&env, bytes);
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    auto read = ReadBlockPage(&env, "/b/x.blk", *meta, 0);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
    const bool over = declared > PageRawLimit(page.row_count);
    EXPECT_EQ(read.status().ToString().find("rows can hold") != std::string::npos, over)
        << read.status().ToString();
    auto body = ReadBlockBody(&env, "/b/x.blk", *meta);
    EXPECT_EQ(body.status().code(), StatusCode::kDataLoss);
  }
  EXPECT_EQ(PageRawLimit(1), kMaxPageBytesPerRow);
  EXPECT_EQ(PageRawLimit(1u << 20), kMaxPageBytes);
}

// Pages larger than the one-call threshold (1 MiB decompressed) are decompressed in steps; they
// must read back exactly like small ones.
TEST(Block, LargePageDecompressedInStepsReadsBack) {
  std::mt19937_64 rng(13);
  SpanBatch input = RandomBatch(&rng, {.traces = 20});
  std::string blob(3u << 20, 'x');  // a 3 MiB attribute value makes the page large
  for (size_t i = 0; i < blob.size(); i += 7) blob[i] = static_cast<char>('a' + rng() % 26);
  const uint32_t attr = input.AddAttribute("blob", AnyValue::String(input.Intern(blob)));
  input.spans.attributes[0] = Range{attr, 1};
  SpanBatch sorted = SortForBlock({&input});
  BlockMeta built;
  built.id = 5;
  std::string bytes = BuildBlock(sorted, 1, &built, /*page_spans=*/1u << 20);
  ASSERT_EQ(built.pages.size(), 1u);
  ASSERT_GT(ZSTD_getFrameContentSize(bytes.data() + built.body_offset, built.pages[0].len),
            2u << 20);
  MemEnv env;
  auto meta = WriteAndReadMeta(&env, bytes);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  auto page = ReadBlockPage(&env, "/b/x.blk", *meta, 0);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(CanonicalSpans(*page), CanonicalSpans(input));
}

// What pruning trusts (block time range and service/operation sets, page summaries, each trace's
// latest start) is checked against the spans whenever a page is read.
TEST(Block, PageSummaryThatExcludesItsSpansIsCorrupt) {
  Built b = Build(14, 3);
  ASSERT_EQ(b.meta.pages.size(), 1u);
  // The metadata as read, then each field made to lie (as a crafted or buggy file could).
  MemEnv env;
  auto meta = WriteAndReadMeta(&env, b.bytes);
  ASSERT_TRUE(meta.ok());
  ASSERT_TRUE(ReadBlockPage(&env, "/b/x.blk", *meta, 0).ok());
  BlockMeta bad = *meta;
  ASSERT_LT(bad.pages[0].min_duration, bad.pages[0].max_duration);
  bad.pages[0].max_duration = bad.pages[0].min_duration;
  EXPECT_EQ(ReadBlockPage(&env, "/b/x.blk", bad, 0).status().code(), StatusCode::kDataLoss)
      << "duration outside the summary";
  bad = *meta;
  bad.pages[0].min_start = bad.pages[0].max_start;
  EXPECT_EQ(ReadBlockPage(&env, "/b/x.blk", bad, 0).status().code(), StatusCode::kDataLoss)
      << "start outside the summary";
  bad = *meta;
  bad.services.erase(bad.services.begin());
  EXPECT_EQ(ReadBlockPage(&env, "/b/x.blk", bad, 0).status().code(), StatusCode::kDataLoss)
      << "service set";
  bad = *meta;
  bad.operations.pop_back();
  EXPECT_EQ(ReadBlockPage(&env, "/b/x.blk", bad, 0).status().code(), StatusCode::kDataLoss)
      << "operation set";
  bad = *meta;
  bad.max_start = bad.min_start;
  EXPECT_EQ(ReadBlockPage(&env, "/b/x.blk", bad, 0).status().code(), StatusCode::kDataLoss)
      << "block time range";
  // Version 6 bounds each trace's latest start by its page's: lowering the page's is caught.
  bad = *meta;
  ASSERT_LT(bad.pages[0].min_start, bad.pages[0].max_start);
  for (const BlockTrace& t : meta->traces) EXPECT_EQ(t.max_start, meta->pages[0].max_start);
  bad.pages[0].max_start -= 1;
  EXPECT_EQ(ReadBlockPage(&env, "/b/x.blk", bad, 0).status().code(), StatusCode::kDataLoss)
      << "page latest start";
  // Version 5 stores each trace's latest start, checked exactly.
  Built v5 = Build(14, 3, 5);
  MemEnv env5;
  auto meta5 = WriteAndReadMeta(&env5, v5.bytes);
  ASSERT_TRUE(meta5.ok());
  ASSERT_TRUE(ReadBlockPage(&env5, "/b/x.blk", *meta5, 0).ok());
  bad = *meta5;
  bad.traces[0].max_start -= 1;
  EXPECT_EQ(ReadBlockPage(&env5, "/b/x.blk", bad, 0).status().code(), StatusCode::kDataLoss)
      << "trace latest start";
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
