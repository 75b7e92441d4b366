#include "server/storage/embedded/batch_codec.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "server/storage/embedded/test_util.h"
#include "server/storage/embedded/varint.h"

namespace ariadne {
namespace {

using embedded_test::CanonicalSpans;
using embedded_test::RandomBatch;

TEST(BatchCodec, RoundTripKeepsEverySpanField) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20; ++i) {
    SpanBatch batch = RandomBatch(&rng, {});
    std::string bytes;
    EncodeBatch(batch, &bytes);
    auto decoded = DecodeBatch(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(DebugString(*decoded), DebugString(batch));
  }
}

TEST(BatchCodec, WithoutTraceIdsRoundTripsGivenTheRunIdsAndIsSmaller) {
  std::mt19937_64 rng(11);
  SpanBatch batch = RandomBatch(&rng, {.traces = 12});
  std::vector<TraceId> runs;
  for (const TraceId& id : batch.spans.trace_id) {
    if (runs.empty() || runs.back() != id) runs.push_back(id);
  }
  std::string with, without;
  EncodeBatch(batch, &with);
  EncodeBatchWithoutTraceIds(batch, &without, kBatchCodecNoTraceIds);
  EXPECT_LE(without.size() + 16 * runs.size(), with.size());
  auto decoded = DecodeBatch(without, runs);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(DebugString(*decoded), DebugString(batch));
  // Without the ids, or with the wrong number of runs, it is refused.
  EXPECT_EQ(DecodeBatch(without).status().code(), StatusCode::kDataLoss);
  runs.pop_back();
  EXPECT_EQ(DecodeBatch(without, runs).status().code(), StatusCode::kDataLoss);
}

// Version 3 (block pages): start deltas and durations in byte planes.
TEST(BatchCodec, PlanesRoundTripEveryField) {
  std::mt19937_64 rng(12);
  for (int i = 0; i < 20; ++i) {
    SpanBatch batch = RandomBatch(&rng, {.traces = 1 + i});
    std::vector<TraceId> runs;
    for (const TraceId& id : batch.spans.trace_id) {
      if (runs.empty() || runs.back() != id) runs.push_back(id);
    }
    std::string planes;
    EncodeBatchWithoutTraceIds(batch, &planes);
    ASSERT_EQ(planes[0], static_cast<char>(kBatchCodecPlanes));
    auto decoded = DecodeBatch(planes, runs);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(DebugString(*decoded), DebugString(batch));
  }
  // Extreme values survive (all eight planes, negative deltas, zero durations).
  SpanBatch b;
  b.AddResource();
  const uint64_t starts[] = {UINT64_MAX - 5, 3, 1ull << 63, 0};
  for (uint64_t start : starts) {
    const uint32_t row = b.AddSpan();
    b.spans.trace_id[row].bytes[0] = 1;
    b.spans.span_id[row].bytes[0] = static_cast<uint8_t>(row + 1);
    b.spans.start_time_unix_nano[row] = start;
    b.spans.end_time_unix_nano[row] = row == 1 ? start : start + 4;
  }
  std::string bytes;
  EncodeBatchWithoutTraceIds(b, &bytes);
  auto decoded = DecodeBatch(bytes, {b.spans.trace_id[0]});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(DebugString(*decoded), DebugString(b));
}

TEST(BatchCodec, CorruptPlaneWidthIsDataLoss) {
  std::mt19937_64 rng(13);
  SpanBatch batch = RandomBatch(&rng, {.traces = 3});
  std::vector<TraceId> runs = embedded_test::TraceIds(batch);
  SpanBatch sorted;
  for (const TraceId& id : runs) {
    for (uint32_t i = 0; i < batch.size(); ++i) {
      if (batch.spans.trace_id[i] == id) sorted.AppendSpan(batch, i);
    }
  }
  std::string good;
  EncodeBatchWithoutTraceIds(sorted, &good);
  ASSERT_TRUE(DecodeBatch(good, runs).ok());
  // Every single-byte change is either refused (DataLoss) or decodes: never crashes, and a
  // width byte above 8 is always refused.
  int refused = 0;
  for (size_t i = 1; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(9);
    auto d = DecodeBatch(bad, runs);
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kDataLoss);
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
}

// Version 4 (block format 4): span ids and timing mantissas in the tail, bit lengths in the
// columns, starts predicted from a preceding parent.
std::vector<TraceId> Runs(const SpanBatch& batch) {
  std::vector<TraceId> runs;
  for (const TraceId& id : batch.spans.trace_id) {
    if (runs.empty() || runs.back() != id) runs.push_back(id);
  }
  return runs;
}

// Codec versions 4 and 5 (the same layout but the timings).
class SplitVersion : public testing::TestWithParam<uint8_t> {};
INSTANTIATE_TEST_SUITE_P(BatchCodec, SplitVersion,
                         testing::Values(kBatchCodecSplit, kBatchCodecRange));

TEST_P(SplitVersion, SplitRoundTripsEveryField) {
  std::mt19937_64 rng(14);
  for (int i = 0; i < 20; ++i) {
    SpanBatch batch = RandomBatch(&rng, {.traces = 1 + i});
    std::string data, tail;
    EncodeBatchSplit(batch, &data, &tail, GetParam());
    ASSERT_EQ(data[0], static_cast<char>(GetParam()));
    EXPECT_GE(tail.size(), 8 * batch.size());
    auto decoded = DecodeBatchSplit(data, tail, Runs(batch));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(DebugString(*decoded), DebugString(batch));
    // Version 4 is never decoded without its tail, and older versions never with one.
    EXPECT_EQ(DecodeBatch(data, Runs(batch)).status().code(), StatusCode::kDataLoss);
    std::string v3;
    EncodeBatchWithoutTraceIds(batch, &v3);
    EXPECT_EQ(DecodeBatchSplit(v3, tail, Runs(batch)).status().code(), StatusCode::kDataLoss);
  }
}

// A preset (block pages: the block's common strings) goes first in the dictionary, used or not:
// the encoding differs from the plain one (its string indices), its tail does not, and it decodes
// to the same spans.
TEST_P(SplitVersion, PresetStringsComeFirstAndDecodeTheSame) {
  std::mt19937_64 rng(15);
  const SpanBatch a = RandomBatch(&rng, {.traces = 6});
  const SpanBatch b = RandomBatch(&rng, {.traces = 6});
  const std::vector<std::string_view> a_strings = BatchStrings(a, GetParam());
  ASSERT_FALSE(a_strings.empty());
  // Strings of a in reverse order, a string of neither batch, and an empty string.
  std::vector<std::string_view> preset(a_strings.rbegin(), a_strings.rend());
  preset.insert(preset.begin() + 1, {"no batch has this string", ""});
  for (const SpanBatch* batch : {&a, &b}) {
    std::string data, tail;
    EncodeBatchSplit(*batch, &data, &tail, GetParam(), preset);
    auto decoded = DecodeBatchSplit(data, tail, Runs(*batch));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(DebugString(*decoded), DebugString(*batch));
    std::string plain, plain_tail;
    EncodeBatchSplit(*batch, &plain, &plain_tail, GetParam());
    EXPECT_NE(data, plain);  // the dictionary's order differs
    EXPECT_EQ(tail, plain_tail);
  }
  // BatchStrings lists each distinct string once, all of them the batch's.
  const std::set<std::string_view> distinct(a_strings.begin(), a_strings.end());
  EXPECT_EQ(distinct.size(), a_strings.size());
  EXPECT_TRUE(distinct.contains(a.spans.name[0]));
  EXPECT_FALSE(distinct.contains("no batch has this string"));
}

// Bit lengths 0 to 64, negative deltas (a child starting before its parent, a span starting
// before the previous root, an end before the start), parents after their children.
TEST_P(SplitVersion, SplitKeepsEdgeTimings) {
  SpanBatch b;
  b.AddResource();
  struct Row {
    uint64_t start, end;
    int parent;  // row index or -1
  };
  const Row rows[] = {{UINT64_MAX - 5, UINT64_MAX, -1},
                      {3, 3, 0},           // child far before its parent; zero duration
                      {1ull << 63, 0, 1},  // end before start
                      {0, UINT64_MAX, 5},  // parent later in the run
                      {1, 2, -1},          // root after a root much later
                      {UINT64_MAX, 1ull << 62, 4}};
  for (const Row& r : rows) {
    const uint32_t row = b.AddSpan();
    b.spans.trace_id[row].bytes[0] = 1;
    b.spans.span_id[row] = SpanId::FromHighLow(0, row + 1);
    if (r.parent >= 0) b.spans.parent_span_id[row] = SpanId::FromHighLow(0, r.parent + 1);
    b.spans.start_time_unix_nano[row] = r.start;
    b.spans.end_time_unix_nano[row] = r.end;
  }
  std::string data, tail;
  EncodeBatchSplit(b, &data, &tail, GetParam());
  auto decoded = DecodeBatchSplit(data, tail, {b.spans.trace_id[0]});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(DebugString(*decoded), DebugString(b));
}

// One span whose duration's bit length is 9 (zigzag 400) or 10 (zigzag 800): the encodings
// differ in exactly one byte of the columns, the duration's symbol: zigzag(L - 0) * 2 + mode 0
// (the first span of its name has no previous value), so 36 or 40.
TEST(BatchCodec, SplitCorruptionIsDataLoss) {
  auto one = [](uint64_t duration, std::string* data, std::string* tail) {
    SpanBatch b;
    b.AddResource();
    const uint32_t row = b.AddSpan();
    b.spans.trace_id[row].bytes[0] = 1;
    b.spans.span_id[row] = SpanId::FromHighLow(7, 9);
    b.spans.start_time_unix_nano[row] = 1000;
    b.spans.end_time_unix_nano[row] = 1000 + duration;
    EncodeBatchSplit(b, data, tail, kBatchCodecSplit);
    return b.spans.trace_id[0];
  };
  std::string data, tail, other, other_tail;
  const std::vector<TraceId> runs = {one(200, &data, &tail)};
  one(400, &other, &other_tail);
  ASSERT_EQ(data.size(), other.size());
  size_t at = SIZE_MAX;
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != other[i]) {
      ASSERT_EQ(at, SIZE_MAX) << "more than one byte differs";
      at = i;
    }
  }
  ASSERT_NE(at, SIZE_MAX);
  ASSERT_EQ(data[at], 36);
  ASSERT_EQ(data[at - 1], 1);  // the column's length
  ASSERT_TRUE(DecodeBatchSplit(data, tail, runs).ok());
  auto refused = [&](std::string_view d, std::string_view t) {
    auto decoded = DecodeBatchSplit(d, t, runs);
    return !decoded.ok() && decoded.status().code() == StatusCode::kDataLoss;
  };
  // The column replaced by one symbol (its length fixed up).
  auto with_symbol = [&](uint64_t symbol) {
    std::string column;
    embedded::PutVarint(&column, symbol);
    std::string bad = data.substr(0, at - 1);
    embedded::PutVarint(&bad, column.size());
    return bad + column + data.substr(at + 1);
  };
  ASSERT_EQ(with_symbol(36), data);
  for (uint64_t symbol :
       std::vector<uint64_t>{2 * 130, 2 * 132 + 1, 2 * 1, 2 * 127, 1ull << 63, UINT64_MAX}) {
    EXPECT_TRUE(refused(with_symbol(symbol), tail)) << symbol;  // bit lengths 65, 66, -1, -64, ..
  }
  // 64: needs 63 bits the tail does not have.
  EXPECT_TRUE(refused(with_symbol(2 * 128), tail));
  EXPECT_TRUE(refused(data, std::string_view(tail).substr(0, tail.size() - 1)));  // truncated
  EXPECT_TRUE(refused(data, tail + '\0'));                                        // extra byte
  EXPECT_TRUE(refused(data, std::string_view(tail).substr(0, 7)));  // shorter than the ids
  // The last mantissa byte has unused bits (the start's zigzag(1000) = 2000 has bit length 11,
  // the duration's 9: 10 + 8 = 18 bits, 6 of padding): setting one is refused.
  std::string padded = tail;
  padded.back() = static_cast<char>(padded.back() | 0x80);
  EXPECT_TRUE(refused(data, padded));
  // Every single-byte change of the columns or the tail is refused or decodes; never a crash.
  std::mt19937_64 rng(15);
  for (int i = 0; i < 2000; ++i) {
    std::string d = data, t = tail;
    std::string& target = i % 2 == 0 ? d : t;
    target[rng() % target.size()] ^= static_cast<char>(1 + rng() % 255);
    auto decoded = DecodeBatchSplit(d, t, runs);
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
    } else {
      (void)DebugString(*decoded);
    }
  }
}

// A page of many traces (contexts in use, rich attributes): every truncation of either part is
// refused, and random byte changes are refused as DataLoss or decode into a batch that is safe
// to walk and re-encodes.
TEST_P(SplitVersion, SplitTruncationsAndFlipsOfARichPage) {
  std::mt19937_64 rng(17);
  SpanBatch batch = RandomBatch(&rng, {.traces = 6, .max_spans_per_trace = 8});
  const std::vector<TraceId> runs = Runs(batch);
  std::string data, tail;
  EncodeBatchSplit(batch, &data, &tail, GetParam());
  ASSERT_TRUE(DecodeBatchSplit(data, tail, runs).ok());
  for (size_t n = 0; n < data.size(); ++n) {
    EXPECT_FALSE(DecodeBatchSplit(std::string_view(data).substr(0, n), tail, runs).ok()) << n;
  }
  for (size_t n = 0; n < tail.size(); ++n) {
    EXPECT_FALSE(DecodeBatchSplit(data, std::string_view(tail).substr(0, n), runs).ok()) << n;
  }
  int refused = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string d = data, t = tail;
    std::string& target = i % 3 == 0 ? t : d;
    for (int k = 0; k < 1 + i % 3; ++k) {
      target[rng() % target.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    auto decoded = DecodeBatchSplit(d, t, runs);
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
      ++refused;
      continue;
    }
    (void)DebugString(*decoded);
    std::string again, again_tail;
    EncodeBatchSplit(*decoded, &again, &again_tail, GetParam());
    auto round = DecodeBatchSplit(again, again_tail, runs);
    ASSERT_TRUE(round.ok()) << round.status().ToString();
    EXPECT_EQ(DebugString(*round), DebugString(*decoded));
  }
  EXPECT_GT(refused, 0);
}

// Version 5's tail: span ids, varint length + range coder bytes, raw bits. Each part is checked:
// a wrong length, a truncated or extended part, a set padding bit, and symbols left in the
// version 4 timing columns (which version 5 leaves empty) are refused.
TEST(BatchCodec, RangeCodedTailIsCheckedPartByPart) {
  SpanBatch b;
  b.AddResource();
  for (uint64_t i = 0; i < 3; ++i) {
    const uint32_t row = b.AddSpan();
    b.spans.trace_id[row].bytes[0] = 1;
    b.spans.span_id[row] = SpanId::FromHighLow(7, 9 + i);
    b.spans.name[row] = "op";
    b.spans.start_time_unix_nano[row] = 1000 + 77 * i;
    b.spans.end_time_unix_nano[row] = 1000 + 77 * i + 123456 * (i + 1);
  }
  const std::vector<TraceId> runs = {b.spans.trace_id[0]};
  std::string data, tail;
  EncodeBatchSplit(b, &data, &tail, kBatchCodecRange);
  auto decoded = DecodeBatchSplit(data, tail, runs);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(DebugString(*decoded), DebugString(b));
  auto refused = [&](std::string_view d, std::string_view t) {
    auto r = DecodeBatchSplit(d, t, runs);
    return !r.ok() && r.status().code() == StatusCode::kDataLoss;
  };
  const size_t ids = 8 * b.size();
  const uint8_t rc_len = static_cast<uint8_t>(tail[ids]);
  ASSERT_LT(rc_len, 0x80);
  ASSERT_GT(tail.size(), ids + 1 + rc_len);  // some raw bits follow
  for (int delta : {-1, 1}) {
    std::string t = tail;
    t[ids] = static_cast<char>(rc_len + delta);
    EXPECT_TRUE(refused(data, t)) << delta;
  }
  std::string t = tail;
  t[ids + 1] = 1;  // the range coder's first byte is always 0
  EXPECT_TRUE(refused(data, t));
  t = tail;
  t.back() = static_cast<char>(t.back() ^ 0x80);  // padding (refused) or a raw bit (differs)
  auto padded = DecodeBatchSplit(data, t, runs);
  EXPECT_TRUE(!padded.ok() || DebugString(*padded) != DebugString(b));
  EXPECT_TRUE(refused(data, tail + '\0'));
  for (size_t n = 0; n < tail.size(); ++n) {
    EXPECT_TRUE(refused(data, std::string_view(tail).substr(0, n))) << n;
  }
  // A version 4 encoding's timing symbols where version 5 expects empty columns.
  std::string v4, v4_tail;
  EncodeBatchSplit(b, &v4, &v4_tail, kBatchCodecSplit);
  v4[0] = static_cast<char>(kBatchCodecRange);
  EXPECT_TRUE(refused(v4, tail));
}

// Durations of four operations jittered x[0.8, 1.25] and roots arriving at random gaps, as the
// demo workload makes them: version 5 codes the timings in fewer bytes than version 4 (tail and
// columns together, uncompressed).
TEST(BatchCodec, RangeCodedTimingsAreSmallerThanVersion4s) {
  std::mt19937_64 rng(21);
  SpanBatch b;
  b.AddResource();
  const char* names[] = {"a", "b", "c", "d"};
  for (uint64_t i = 0; i < 1000; ++i) {
    const uint32_t row = b.AddSpan();
    b.spans.trace_id[row] = TraceId::FromHighLow(1, i / 4 + 1);
    b.spans.span_id[row] = SpanId::FromHighLow(0, i + 1);
    b.spans.name[row] = names[i % 4];
    const double f = std::exp(std::uniform_real_distribution<double>(-0.223, 0.223)(rng));
    b.spans.start_time_unix_nano[row] =
        (row == 0 ? 1'000'000'000'000 : b.spans.start_time_unix_nano[row - 1]) + rng() % 2'000'000;
    b.spans.end_time_unix_nano[row] =
        b.spans.start_time_unix_nano[row] +
        static_cast<uint64_t>(f * 1e4 * std::pow(10.0, static_cast<double>(i % 4)));
  }
  std::string v4, v4_tail, v5, v5_tail;
  EncodeBatchSplit(b, &v4, &v4_tail, kBatchCodecSplit);
  EncodeBatchSplit(b, &v5, &v5_tail, kBatchCodecRange);
  auto decoded = DecodeBatchSplit(v5, v5_tail, Runs(b));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(DebugString(*decoded), DebugString(b));
  EXPECT_LT(v5.size() + v5_tail.size() + 200, v4.size() + v4_tail.size())
      << v5.size() << "+" << v5_tail.size() << " vs " << v4.size() << "+" << v4_tail.size();
}

// Bit packing: any widths 0..64 at any bit offset read back (the reader's 8-byte fast path and
// its byte-wise end), and the reader ends exactly at the writer's last byte.
TEST(BatchCodec, BitsRoundTripAtEveryWidthAndOffset) {
  std::mt19937_64 rng(16);
  std::vector<std::pair<uint64_t, unsigned>> values;
  for (unsigned bits = 0; bits <= 64; ++bits) {
    for (int k = 0; k < 3; ++k) {
      const uint64_t v = bits == 0 ? 0 : rng() >> (64 - bits);
      values.emplace_back(k == 0 && bits > 0 ? (uint64_t{1} << (bits - 1)) : v, bits);
    }
    values.emplace_back(bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1, bits);
    values.emplace_back(rng() % 8, 3);  // shifts the next value's offset
  }
  std::string out;
  embedded::BitWriter writer(&out);
  uint64_t total = 0;
  for (auto [v, bits] : values) {
    writer.Put(v, bits);
    total += bits;
  }
  EXPECT_EQ(out.size(), (total + 7) / 8);
  embedded::BitReader reader(out);
  for (auto [v, bits] : values) {
    uint64_t got;
    ASSERT_TRUE(reader.Get(bits, &got));
    EXPECT_EQ(got, v) << bits;
  }
  EXPECT_TRUE(reader.done());
  uint64_t more;
  EXPECT_FALSE(reader.Get(total % 8 == 0 ? 1 : 9 - total % 8, &more));
  EXPECT_FALSE(embedded::BitReader(out).Get(65, &more));
}

TEST(BatchCodec, EmptyBatchRoundTrips) {
  SpanBatch empty;
  std::string bytes;
  EncodeBatch(empty, &bytes);
  auto decoded = DecodeBatch(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
}

// Every reader of a decoded batch looks up each span's resource (its service), so spans with no
// resource to refer to are corruption, in the WAL's version and in a block page's.
TEST(BatchCodec, SpansWithoutAResourceAreDataLoss) {
  SpanBatch batch;
  const uint32_t row = batch.AddSpan();
  batch.spans.trace_id[row] = TraceId::FromHighLow(1, 1);
  batch.spans.span_id[row] = SpanId::FromHighLow(0, 1);
  ASSERT_TRUE(batch.resources.empty());
  std::string wal;
  EncodeBatch(batch, &wal);
  EXPECT_EQ(DecodeBatch(wal).status().code(), StatusCode::kDataLoss);
  std::string page, tail;
  EncodeBatchSplit(batch, &page, &tail);
  EXPECT_EQ(DecodeBatchSplit(page, tail, {batch.spans.trace_id[row]}).status().code(),
            StatusCode::kDataLoss);

  batch.AddResource();  // the same span with a resource reads
  wal.clear();
  EncodeBatch(batch, &wal);
  EXPECT_TRUE(DecodeBatch(wal).ok());
}

TEST(BatchCodec, ParentsOutsideTheRunAreKept) {
  std::mt19937_64 rng(3);
  SpanBatch batch = RandomBatch(&rng, {.traces = 3, .max_spans_per_trace = 6});
  // Reverse the rows: parents now come after children and some runs split.
  SpanBatch reversed;
  for (uint32_t i = static_cast<uint32_t>(batch.size()); i-- > 0;) reversed.AppendSpan(batch, i);
  std::string bytes;
  EncodeBatch(reversed, &bytes);
  auto decoded = DecodeBatch(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(CanonicalSpans(*decoded), CanonicalSpans(batch));
}

TEST(BatchCodec, EveryTruncationIsRejectedNotTrusted) {
  std::mt19937_64 rng(11);
  SpanBatch batch = RandomBatch(&rng, {.traces = 2, .max_spans_per_trace = 3});
  std::string bytes;
  EncodeBatch(batch, &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = DecodeBatch(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(decoded.ok()) << "prefix " << n;
  }
}

// Each span takes at least 28 bytes of the input (8 id bytes and 20 one-byte fields), each
// event 5, link 29, ...: counts the remaining bytes cannot hold are refused before the columns
// are sized, so a small corrupt WAL record or page cannot make the decoder allocate for
// millions of spans. The declared counts here passed the old check (8 items per byte).
TEST(BatchCodec, CountsTheInputCannotHoldAreRefusedBeforeAllocating) {
  for (size_t item = 0; item < 9; ++item) {
    SCOPED_TRACE(item);
    std::string bytes(1, '\x01');                                               // codec version 1
    for (size_t i = 0; i < 9; ++i) bytes.push_back(i == item ? '\x7f' : '\0');  // 127 items
    bytes.append(item == 0 ? 1000 : 20, '\0');  // fewer bytes than 127 items need
    auto decoded = DecodeBatch(bytes);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(decoded.status().ToString().find("counts larger than the input"), std::string::npos)
        << decoded.status().ToString();
  }
}

// The minimum sizes are exact, not guesses: batches of the smallest items still decode.
TEST(BatchCodec, BatchesOfMinimalItemsStillDecode) {
  SpanBatch batch;
  for (uint64_t i = 0; i < 300; ++i) {
    const uint32_t row = batch.AddSpan();
    batch.spans.trace_id[row] = TraceId::FromHighLow(1, 1);
    batch.spans.span_id[row] = SpanId::FromHighLow(0, i + 1);
  }
  for (int i = 0; i < 100; ++i) {
    batch.AddEvent();
    batch.AddLink();
    batch.AddResource();
    batch.AddScope();
    batch.AddAttribute("", AnyValue());
  }
  std::string bytes;
  EncodeBatch(batch, &bytes);
  auto decoded = DecodeBatch(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  std::string again;
  EncodeBatch(*decoded, &again);
  EXPECT_EQ(again, bytes);
}

TEST(BatchCodec, RandomByteFlipsNeverCrash) {
  std::mt19937_64 rng(12);
  SpanBatch batch = RandomBatch(&rng, {.traces = 3, .max_spans_per_trace = 4});
  std::string bytes;
  EncodeBatch(batch, &bytes);
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string copy = bytes;
    copy[rng() % copy.size()] ^= static_cast<char>(1 + rng() % 255);
    auto decoded = DecodeBatch(copy);
    if (!decoded.ok()) {
      ++rejected;
      EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
    } else {
      (void)DebugString(*decoded);  // whatever decodes is safe to walk
    }
  }
  EXPECT_GT(rejected, 0);
}

// The read-only passes of the WAL replay give what decoding would.
TEST(BatchCodec, TraceRunsMatchTheDecodedRowsAndStarts) {
  std::mt19937_64 rng(21);
  for (int i = 0; i < 20; ++i) {
    SpanBatch batch = RandomBatch(&rng, {.traces = 1 + i % 7});
    std::string bytes;
    EncodeBatch(batch, &bytes);
    std::vector<EncodedTraceRun> runs;
    ASSERT_TRUE(ReadTraceRuns(bytes, &runs).ok());
    uint32_t row = 0;
    for (const EncodedTraceRun& run : runs) {
      ASSERT_GT(run.spans, 0u);
      uint64_t lo = UINT64_MAX, hi = 0;
      for (uint32_t k = 0; k < run.spans; ++k, ++row) {
        ASSERT_LT(row, batch.size());
        EXPECT_EQ(batch.spans.trace_id[row], run.id) << "row " << row;
        lo = std::min(lo, batch.spans.start_time_unix_nano[row]);
        hi = std::max(hi, batch.spans.start_time_unix_nano[row]);
      }
      EXPECT_EQ(run.min_start, lo);
      EXPECT_EQ(run.max_start, hi);
    }
    EXPECT_EQ(row, batch.size()) << "the runs cover every row";
  }
}

TEST(BatchCodec, OperationsMatchTheDecodedSpans) {
  std::mt19937_64 rng(22);
  for (int i = 0; i < 20; ++i) {
    SpanBatch batch = RandomBatch(&rng, {.traces = 1 + i % 5});
    std::string bytes;
    EncodeBatch(batch, &bytes);
    std::vector<EncodedOperation> ops;
    ASSERT_TRUE(ReadOperations(bytes, &ops).ok());
    std::set<std::tuple<std::string, std::string, SpanKind>> want, got;
    for (uint32_t r = 0; r < batch.size(); ++r) {
      want.emplace(batch.ServiceName(r), batch.spans.name[r], batch.spans.kind[r]);
    }
    for (const EncodedOperation& op : ops) got.emplace(op.service, op.name, op.kind);
    EXPECT_EQ(got, want);
    EXPECT_EQ(ops.size(), got.size()) << "each operation once (the encoder's dictionary)";
  }
}

TEST(BatchCodec, ReadOnlyPassesRefuseMalformedRecords) {
  std::mt19937_64 rng(23);
  SpanBatch batch = RandomBatch(&rng, {.traces = 3});
  std::string bytes;
  EncodeBatch(batch, &bytes);
  std::vector<EncodedTraceRun> runs;
  std::vector<EncodedOperation> ops;
  for (size_t cut : {size_t{0}, size_t{1}, bytes.size() / 2, bytes.size() - 1}) {
    std::string_view part(bytes.data(), cut);
    EXPECT_EQ(ReadTraceRuns(part, &runs).code(), StatusCode::kDataLoss) << cut;
    EXPECT_EQ(ReadOperations(part, &ops).code(), StatusCode::kDataLoss) << cut;
  }
  std::string planes;  // a block page (no trace ids): not a WAL record
  EncodeBatchWithoutTraceIds(batch, &planes);
  EXPECT_EQ(ReadTraceRuns(planes, &runs).code(), StatusCode::kDataLoss);
  // Byte flips: refused as DataLoss or read without crashing, never anything else.
  for (int i = 0; i < 2000; ++i) {
    std::string copy = bytes;
    copy[rng() % copy.size()] ^= static_cast<char>(1 + rng() % 255);
    Status a = ReadTraceRuns(copy, &runs);
    Status b = ReadOperations(copy, &ops);
    EXPECT_TRUE(a.ok() || a.code() == StatusCode::kDataLoss);
    EXPECT_TRUE(b.ok() || b.code() == StatusCode::kDataLoss);
  }
}

}  // namespace
}  // namespace ariadne
