#include "ariadne/sdk/id_generator.h"

#include <chrono>
#include <cstring>
#include <random>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ariadne::sdk {
namespace {

uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct Xoshiro {
  uint64_t s[4];
  bool seeded = false;

  void Seed(uint64_t seed) {
    for (uint64_t& v : s) v = SplitMix(&seed);
    seeded = true;
  }
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t Next() {
    const uint64_t result = Rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = Rotl(s[3], 45);
    return result;
  }
};

thread_local Xoshiro tls_rng;

uint64_t FreshSeed() noexcept {
  uint64_t seed =
      static_cast<uint64_t>(std::chrono::high_resolution_clock::now().time_since_epoch().count());
  seed ^= reinterpret_cast<uintptr_t>(&tls_rng) * 0x9E3779B97F4A7C15ull;
  try {
    std::random_device rd;
    seed ^= (static_cast<uint64_t>(rd()) << 32) ^ rd();
  } catch (...) {
  }
  return seed;
}

}  // namespace

void SeedThreadRandom(uint64_t seed) noexcept { tls_rng.Seed(seed); }

namespace {
// This thread's generator, seeded on first use.
inline Xoshiro& ThreadRng() noexcept {
  Xoshiro& rng = tls_rng;
  if (!rng.seeded) [[unlikely]] {
    rng.Seed(FreshSeed());
  }
  return rng;
}
inline uint64_t NextRandom() noexcept { return ThreadRng().Next(); }
inline uint64_t NonZero(Xoshiro& rng) noexcept {
  uint64_t v;
  do {
    v = rng.Next();
  } while (v == 0);
  return v;
}
inline void PutBigEndian(uint8_t* out, uint64_t v) noexcept {
  v = __builtin_bswap64(v);
  std::memcpy(out, &v, 8);
}
}  // namespace

uint64_t RandomU64() noexcept { return NextRandom(); }

trace::TraceId NewTraceId() noexcept {
  trace::TraceId id;
  uint64_t hi, lo;
  do {
    hi = NextRandom();
    lo = NextRandom();
  } while (hi == 0 && lo == 0);
  PutBigEndian(id.bytes.data(), hi);
  PutBigEndian(id.bytes.data() + 8, lo);
  return id;
}

trace::SpanId NewSpanId() noexcept {
  trace::SpanId id;
  uint64_t v = NonZero(ThreadRng());
  std::memcpy(id.bytes.data(), &v, 8);
  return id;
}

void NewTraceAndSpanId(trace::TraceId* trace_id, trace::SpanId* span_id) noexcept {
  Xoshiro& rng = ThreadRng();
  uint64_t hi, lo;
  do {
    hi = rng.Next();
    lo = rng.Next();
  } while (hi == 0 && lo == 0);
#ifdef __SSE2__
  // One 16-byte store: the caller copies the id with one 16-byte load right away, and a load
  // that two 8-byte stores must feed is not forwarded from the store buffer (a stall of ~10 ns
  // here, as much as the rest of an unsampled span).
  _mm_storeu_si128(reinterpret_cast<__m128i*>(trace_id->bytes.data()),
                   _mm_set_epi64x(static_cast<int64_t>(__builtin_bswap64(lo)),
                                  static_cast<int64_t>(__builtin_bswap64(hi))));
#else
  PutBigEndian(trace_id->bytes.data(), hi);
  PutBigEndian(trace_id->bytes.data() + 8, lo);
#endif
  uint64_t v = NonZero(rng);
  std::memcpy(span_id->bytes.data(), &v, 8);
}

}  // namespace ariadne::sdk
