// Codec version 5 timings (docs/formats/block.md "Codec version 5"): a start offset or a
// duration (a signed 64-bit value x) as an adaptively range-coded bucket at sub-octave
// resolution, a sign bit, and the bits below the bucket's resolution stored raw.
//
// The magnitude m = |x| (two's complement: -x as an unsigned value) falls in bucket
// TimingBucket(m): m itself below 2^(kSubBits + 1), otherwise its bit length e and the kSubBits
// bits below its leading one, (e - kSubBits - 1) * 2^kSubBits + (m >> (e - kSubBits - 1)); the
// e - kSubBits - 1 low bits of m are raw. A value's bucket is coded relative to a prediction from
// its timing context (the span's name and its parent's name, start or duration: an average of
// the context's previous buckets): zigzag(bucket - prediction) with a 4-bit adaptive tree, 15
// meaning "absolute, follows" (then an 8-bit tree); the first value of a context is coded
// absolutely. Before the bucket, a value after the first of its context has a bit "equal to
// the previous value" (exact repeats, e.g. timings of millisecond clocks or fixed test loads,
// would otherwise pay their raw bits; ~0.005 bit when values never repeat). The models are per
// timing kind (start, duration) and shared by all contexts of a page: a page has ~1000 spans but
// only ~13 of each name, too few to learn a distribution per name, while "one bucket above the
// prediction" is a pattern every name shares. Thread-safety: one thread. Tested by
// range_coder_test.cc and batch_codec_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_TIMING_CODER_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_TIMING_CODER_H_

#include <bit>
#include <cstdint>

#include "server/storage/embedded/range_coder.h"
#include "server/storage/embedded/varint.h"

namespace ariadne::embedded {

constexpr int kSubBits = 2;  // buckets of 1/4 octave (1/8 measured worse)
constexpr uint32_t kExactBuckets = uint32_t{2} << kSubBits;
// The bucket of 2^64 - 1.
constexpr uint32_t kMaxBucket =
    (64 - kSubBits - 1) * (uint32_t{1} << kSubBits) + ((uint32_t{2} << kSubBits) - 1);
constexpr int kBucketBits = kSubBits <= 2 ? 8 : 9;
static_assert(kMaxBucket < (uint32_t{1} << kBucketBits));
constexpr uint32_t kDeltaEscape = 15;  // in the 4-bit delta tree
constexpr int32_t kNoBucket = -1;      // a timing context without a previous value
// A context predicts the next bucket from an average of its previous ones, in 1/16 of a bucket:
// average += (16 * bucket - average) >> kPredictShift (the first value sets it to 16 * bucket);
// the prediction is (average + 8) >> 4. (0, the previous bucket, and 1 measured worse.)
constexpr int kPredictShift = 2;
inline int64_t PredictedBucket(int32_t average) { return (average + 8) >> 4; }
inline int32_t NextAverage(int32_t average, uint32_t bucket) {
  return average + ((static_cast<int32_t>(bucket) * 16 - average) >> kPredictShift);
}

// The bucket of m and the count of raw bits below it.
inline uint32_t TimingBucket(uint64_t m, unsigned* raw_bits) {
  if (m < kExactBuckets) {
    *raw_bits = 0;
    return static_cast<uint32_t>(m);
  }
  const unsigned e = static_cast<unsigned>(std::bit_width(m));
  *raw_bits = e - kSubBits - 1;
  return (e - kSubBits - 1) * (uint32_t{1} << kSubBits) + static_cast<uint32_t>(m >> *raw_bits);
}
// The smallest magnitude of bucket b (<= kMaxBucket) and its raw bit count.
inline uint64_t TimingBucketBase(uint32_t b, unsigned* raw_bits) {
  if (b < kExactBuckets) {
    *raw_bits = 0;
    return b;
  }
  const unsigned e = (b >> kSubBits) + kSubBits;  // bit length of the bucket's values
  *raw_bits = e - kSubBits - 1;
  const uint64_t top = (uint64_t{1} << kSubBits) | (b & ((uint32_t{1} << kSubBits) - 1));
  return top << *raw_bits;
}

// What a timing context remembers: the average of its buckets (kNoBucket: no value yet) and the
// last value.
struct TimingState {
  int32_t average = kNoBucket;
  uint64_t value = 0;
};

// The adaptive models of one timing kind.
struct TimingModel {
  uint16_t repeat = kProbInit;
  BitTree<4> delta;
  BitTree<kBucketBits> absolute;
  uint16_t sign = kProbInit;
};

inline void UpdateTimingState(TimingState* s, uint32_t b, uint64_t x) {
  s->average = s->average == kNoBucket ? static_cast<int32_t>(b) * 16 : NextAverage(s->average, b);
  s->value = x;
}

inline void EncodeTiming(uint64_t x, TimingState* s, TimingModel* model, RangeEncoder* rc,
                         BitWriter* raw) {
  if (s->average != kNoBucket) {
    rc->Bit(&model->repeat, x == s->value ? 1 : 0);
    if (x == s->value) return;
  }
  const bool negative = static_cast<int64_t>(x) < 0;
  const uint64_t m = negative ? 0 - x : x;
  unsigned raw_bits;
  const uint32_t b = TimingBucket(m, &raw_bits);
  const uint64_t z = s->average == kNoBucket
                         ? kDeltaEscape
                         : ZigZag(static_cast<int64_t>(b) - PredictedBucket(s->average));
  if (s->average != kNoBucket) {
    model->delta.Encode(rc, z < kDeltaEscape ? static_cast<uint32_t>(z) : kDeltaEscape);
  }
  if (z >= kDeltaEscape) model->absolute.Encode(rc, b);
  if (b != 0) rc->Bit(&model->sign, negative ? 1 : 0);
  if (raw_bits > 0) raw->Put(m & ((uint64_t{1} << raw_bits) - 1), raw_bits);
  UpdateTimingState(s, b, x);
}

// False if the coded bucket does not exist or the raw bits run out (the range decoder's own
// errors show in its Finish()).
[[nodiscard]] inline bool DecodeTiming(TimingState* s, TimingModel* model, RangeDecoder* rc,
                                       BitReader* raw, uint64_t* x) {
  if (s->average != kNoBucket && rc->Bit(&model->repeat) != 0) {
    *x = s->value;
    return true;
  }
  int64_t b;
  const uint32_t z = s->average == kNoBucket ? kDeltaEscape : model->delta.Decode(rc);
  if (z < kDeltaEscape) {
    b = PredictedBucket(s->average) + UnZigZag(z);
  } else {
    b = model->absolute.Decode(rc);
  }
  if (b < 0 || b > static_cast<int64_t>(kMaxBucket)) return false;
  const bool negative = b != 0 && rc->Bit(&model->sign) != 0;
  unsigned raw_bits;
  uint64_t m = TimingBucketBase(static_cast<uint32_t>(b), &raw_bits);
  if (raw_bits > 0) {
    uint64_t low;
    if (!raw->Get(raw_bits, &low)) return false;
    m |= low;
  }
  *x = negative ? 0 - m : m;
  UpdateTimingState(s, static_cast<uint32_t>(b), *x);
  return true;
}

}  // namespace ariadne::embedded

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_TIMING_CODER_H_
