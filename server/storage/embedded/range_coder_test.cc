#include "server/storage/embedded/range_coder.h"

#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "server/storage/embedded/timing_coder.h"

namespace ariadne::embedded {
namespace {

// Bits drawn with a skew that changes along the stream, each coded with one of a few models.
struct Coded {
  std::vector<uint32_t> bits;
  std::vector<int> models;
  std::string bytes;
};
Coded CodeRandomBits(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  Coded c;
  std::vector<uint16_t> probs(4, kProbInit);
  RangeEncoder enc(&c.bytes);
  for (size_t i = 0; i < n; ++i) {
    const int model = static_cast<int>(rng() % probs.size());
    const double p_one = model == 0 ? 0.5 : model == 1 ? 0.02 : model == 2 ? 0.98 : (i % 64) / 64.0;
    const uint32_t bit = std::uniform_real_distribution<double>(0, 1)(rng) < p_one ? 1 : 0;
    enc.Bit(&probs[model], bit);
    c.bits.push_back(bit);
    c.models.push_back(model);
  }
  enc.Finish();
  return c;
}
// Decodes c.bits.size() bits of bytes; true if all match and the stream ends cleanly.
bool DecodesTo(const Coded& c, std::string_view bytes) {
  std::vector<uint16_t> probs(4, kProbInit);
  RangeDecoder dec(bytes);
  bool same = true;
  for (size_t i = 0; i < c.bits.size(); ++i) {
    same = dec.Bit(&probs[c.models[i]]) == c.bits[i] && same;
  }
  return dec.Finish() && same;
}

TEST(RangeCoder, RandomBitsRoundTripAndSkewedOnesCostLess) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const size_t n = seed * seed * 50;
    const Coded c = CodeRandomBits(seed, n);
    ASSERT_TRUE(DecodesTo(c, c.bytes)) << seed;
    ASSERT_GE(c.bytes.size(), 5u);
    EXPECT_EQ(c.bytes[0], 0);
    // A quarter of the bits are fair coins (1 bit each), half strongly skewed (~0.14 bit), a
    // quarter in between: well under one byte per 8 bits.
    if (n >= 2000) {
      EXPECT_LT(c.bytes.size(), n / 8 * 3 / 4) << n;
    }
  }
}

TEST(RangeCoder, LongRunsOfOneValueSaturateWithoutError) {
  for (uint32_t value : {0u, 1u}) {
    std::string bytes;
    uint16_t p = kProbInit;
    RangeEncoder enc(&bytes);
    for (int i = 0; i < 100000; ++i) enc.Bit(&p, value);
    enc.Finish();
    // The model saturates at 15/4096 (or 4081/4096): about 0.005 bit per bit.
    EXPECT_LT(bytes.size(), 100000u / 8 / 16) << value;
    uint16_t q = kProbInit;
    RangeDecoder dec(bytes);
    for (int i = 0; i < 100000; ++i) ASSERT_EQ(dec.Bit(&q), value) << i;
    EXPECT_TRUE(dec.Finish());
    EXPECT_EQ(p, q);
  }
}

// Carries: bytes of low that are 0xFF are held back until it is known whether a carry changes
// them (and the byte before). Many seeds of mixed bits produce such bytes (about one in 256);
// the round trips check the carry path.
TEST(RangeCoder, CarriesThroughRunsOfFFBytes) {
  int ff_runs = 0;
  for (uint64_t seed = 100; seed < 400; ++seed) {
    std::mt19937_64 rng(seed);
    Coded c;
    std::vector<uint16_t> probs(4, kProbInit);
    RangeEncoder enc(&c.bytes);
    for (int i = 0; i < 3000; ++i) {
      const int model = static_cast<int>(rng() % 4);
      const uint32_t bit = model == 0 ? 1 : model == 1 ? 0 : static_cast<uint32_t>(rng() & 1);
      enc.Bit(&probs[model], bit);
      c.bits.push_back(bit);
      c.models.push_back(model);
    }
    enc.Finish();
    // An 0xFF byte comes out only through the held-back path (the byte a carry could change).
    ff_runs += c.bytes.find('\xff') != std::string::npos ? 1 : 0;
    ASSERT_TRUE(DecodesTo(c, c.bytes)) << seed;
  }
  EXPECT_GT(ff_runs, 0);
}

TEST(RangeCoder, TruncatedExtendedOrDamagedStreamsAreRefused) {
  const Coded c = CodeRandomBits(7, 4000);
  ASSERT_TRUE(DecodesTo(c, c.bytes));
  for (size_t n = 0; n < c.bytes.size(); ++n) {
    EXPECT_FALSE(DecodesTo(c, std::string_view(c.bytes).substr(0, n))) << n;
  }
  EXPECT_FALSE(DecodesTo(c, c.bytes + '\0'));
  std::string first = c.bytes;
  first[0] = 1;  // the first byte is always 0
  EXPECT_FALSE(DecodesTo(c, first));
  std::mt19937_64 rng(8);
  int refused = 0;
  for (int i = 0; i < 500; ++i) {
    std::string bad = c.bytes;
    bad[1 + rng() % (bad.size() - 1)] ^= static_cast<char>(1 + rng() % 255);
    refused += DecodesTo(c, bad) ? 0 : 1;  // bits differ or the stream does not end cleanly
  }
  // A change of the last bytes may stay inside the final interval and decode the same bits
  // (the page checksum is what catches damage); any other change gives different bits.
  EXPECT_GT(refused, 480);
}

TEST(RangeCoder, EmptyStreamIsFiveBytes) {
  std::string bytes;
  RangeEncoder enc(&bytes);
  enc.Finish();
  EXPECT_EQ(bytes, std::string(5, '\0'));
  EXPECT_TRUE(RangeDecoder(bytes).Finish());
  EXPECT_FALSE(RangeDecoder(std::string(4, '\0')).Finish());
  EXPECT_FALSE(RangeDecoder("").Finish());
}

TEST(RangeCoder, BitTreesRoundTripEverySymbol) {
  std::string bytes;
  BitTree<8> tree;
  RangeEncoder enc(&bytes);
  for (uint32_t s = 0; s < 256; ++s) tree.Encode(&enc, s);
  for (uint32_t s = 0; s < 1000; ++s) tree.Encode(&enc, 77);
  enc.Finish();
  BitTree<8> back;
  RangeDecoder dec(bytes);
  for (uint32_t s = 0; s < 256; ++s) ASSERT_EQ(back.Decode(&dec), s);
  for (uint32_t s = 0; s < 1000; ++s) ASSERT_EQ(back.Decode(&dec), 77u);
  EXPECT_TRUE(dec.Finish());
  EXPECT_LT(bytes.size(), 256u + 1000 / 8);  // the repeated symbol is learnt
}

TEST(TimingCoder, BucketsCoverEveryBitLengthExactly) {
  std::vector<uint64_t> edges = {
      0, 1, 2, 7, 8, 9, 15, 16, 1000, UINT64_MAX, UINT64_MAX - 1, uint64_t{1} << 63};
  for (unsigned e = 1; e < 64; ++e) {
    edges.push_back(uint64_t{1} << e);
    edges.push_back((uint64_t{1} << e) - 1);
    edges.push_back((uint64_t{1} << e) + 1);
  }
  for (uint64_t m : edges) {
    unsigned raw, base_raw;
    const uint32_t b = TimingBucket(m, &raw);
    ASSERT_LE(b, kMaxBucket) << m;
    const uint64_t base = TimingBucketBase(b, &base_raw);
    ASSERT_EQ(raw, base_raw) << m;
    ASSERT_EQ(base, raw == 64 ? 0 : (m >> raw) << raw) << m;
  }
  unsigned raw;
  EXPECT_EQ(TimingBucket(UINT64_MAX, &raw), kMaxBucket);
  EXPECT_EQ(raw, 64u - kSubBits - 1);
  // Consecutive buckets are adjacent ranges.
  for (uint32_t b = 0; b < kMaxBucket; ++b) {
    unsigned r0, r1;
    const uint64_t lo = TimingBucketBase(b, &r0), next = TimingBucketBase(b + 1, &r1);
    ASSERT_EQ(lo + (uint64_t{1} << r0), next) << b;
  }
}

struct TimingStream {
  std::vector<uint64_t> values;
  std::vector<int> contexts;
  std::string rc, raw;
};
TimingStream EncodeTimings(std::vector<uint64_t> values, std::vector<int> contexts) {
  TimingStream s{std::move(values), std::move(contexts), {}, {}};
  RangeEncoder rc(&s.rc);
  BitWriter raw(&s.raw);
  TimingModel model;
  std::vector<TimingState> states(4);
  for (size_t i = 0; i < s.values.size(); ++i) {
    EncodeTiming(s.values[i], &states[s.contexts[i]], &model, &rc, &raw);
  }
  rc.Finish();
  return s;
}
bool DecodeTimings(const TimingStream& s, std::string_view rc_bytes, std::string_view raw_bytes) {
  RangeDecoder rc(rc_bytes);
  BitReader raw(raw_bytes);
  TimingModel model;
  std::vector<TimingState> states(4);
  for (size_t i = 0; i < s.values.size(); ++i) {
    uint64_t x;
    if (!DecodeTiming(&states[s.contexts[i]], &model, &rc, &raw, &x) || x != s.values[i]) {
      return false;
    }
  }
  return rc.Finish() && raw.done();
}

TEST(TimingCoder, ValuesRoundTripAndJitteredRepeatsCostLessThanTheirBits) {
  std::mt19937_64 rng(9);
  std::vector<uint64_t> values = {0, 1, UINT64_MAX, uint64_t{1} << 63, 7, 8, 0 - uint64_t{8}};
  std::vector<int> contexts = {0, 0, 0, 1, 1, 2, 3};
  double raw_bits = 0;
  for (int i = 0; i < 4000; ++i) {  // durations of 4 operations, jittered x[0.8, 1.25]
    const int context = static_cast<int>(rng() % 4);
    const double f = std::exp(std::uniform_real_distribution<double>(-0.223, 0.223)(rng));
    const uint64_t v = static_cast<uint64_t>(f * 1e3 * std::pow(40.0, context));
    values.push_back(v);
    contexts.push_back(context);
    raw_bits += std::bit_width(v);
  }
  const TimingStream s = EncodeTimings(values, contexts);
  ASSERT_TRUE(DecodeTimings(s, s.rc, s.raw));
  // Per value the entropy is about log2(0.45 v); storing the bits below the leading one costs
  // bit_width - 1. The coder stays within ~2.5 bits per value of the first.
  double entropy = 0;
  for (size_t i = 7; i < values.size(); ++i) entropy += std::log2(0.446 * values[i]);
  const double coded = 8.0 * static_cast<double>(s.rc.size() + s.raw.size());
  EXPECT_LT(coded, raw_bits);
  EXPECT_LT(coded, entropy + 2.5 * 4000) << entropy / 4000 << " " << coded / 4000;
}

// Exact repeats (a fixed load, a millisecond clock) cost a fraction of a bit, not their raw bits.
TEST(TimingCoder, RepeatedValuesCostAlmostNothing) {
  std::vector<uint64_t> values;
  std::vector<int> contexts;
  for (int i = 0; i < 4000; ++i) {
    values.push_back(i % 2 == 0 ? 5'000'000 : 123'456'789);
    contexts.push_back(i % 2);
  }
  const TimingStream s = EncodeTimings(values, contexts);
  ASSERT_TRUE(DecodeTimings(s, s.rc, s.raw));
  EXPECT_LT(s.rc.size() + s.raw.size(), 40u);
}

TEST(TimingCoder, DamagedStreamsAreRefusedOrDecodeWithoutReadingPastTheEnd) {
  std::mt19937_64 rng(10);
  std::vector<uint64_t> values;
  std::vector<int> contexts;
  for (int i = 0; i < 300; ++i) {
    values.push_back(rng() >> (rng() % 64));
    contexts.push_back(static_cast<int>(rng() % 4));
  }
  const TimingStream s = EncodeTimings(values, contexts);
  ASSERT_TRUE(DecodeTimings(s, s.rc, s.raw));
  for (size_t n = 0; n < s.rc.size(); ++n) {
    EXPECT_FALSE(DecodeTimings(s, std::string_view(s.rc).substr(0, n), s.raw)) << n;
  }
  for (size_t n = 0; n < s.raw.size(); ++n) {
    EXPECT_FALSE(DecodeTimings(s, s.rc, std::string_view(s.raw).substr(0, n))) << n;
  }
  EXPECT_FALSE(DecodeTimings(s, s.rc + '\0', s.raw));
  EXPECT_FALSE(DecodeTimings(s, s.rc, s.raw + '\0'));
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string rc = s.rc;
    rc[rng() % rc.size()] ^= static_cast<char>(1 + rng() % 255);
    refused += DecodeTimings(s, rc, s.raw) ? 0 : 1;
  }
  EXPECT_GT(refused, 950);
}

}  // namespace
}  // namespace ariadne::embedded
