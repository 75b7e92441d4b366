// Sanitizers: which sanitizer this translation unit is compiled with, for tests that scale their
// workload down under a sanitizer (never skip: the same assertions run on fewer iterations).
//
// The compile definitions come from the compiler itself (-fsanitize=... defines
// __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__ in g++, __has_feature(...) in clang), so the presets
// (CMakePresets.json: debug = ASan+UBSan, tsan = TSan) need no extra flag. UBSan alone costs little
// and does not count as slow. Header-only constants; thread-safe. Tested by sanitizers_test.cc.
#ifndef ARIADNE_BASE_SANITIZERS_H_
#define ARIADNE_BASE_SANITIZERS_H_

#if defined(__SANITIZE_ADDRESS__)
#define ARIADNE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARIADNE_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define ARIADNE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ARIADNE_TSAN 1
#endif
#endif

namespace ariadne {

#ifdef ARIADNE_ASAN
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif

#ifdef ARIADNE_TSAN
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif

// True when a sanitizer slows this build down by several times (ASan ~2-3x, TSan ~5-15x).
inline constexpr bool kSlowSanitizer = kAddressSanitizer || kThreadSanitizer;

// n in a normal build; n / divisor (at least 1) under a slow sanitizer. For loop counts of
// stress tests, e.g. `for (int i = 0; i < SanitizerScaled(100'000); ++i)`.
constexpr long SanitizerScaled(long n, long divisor = 10) {
  if (!kSlowSanitizer) return n;
  long scaled = n / divisor;
  return scaled > 0 ? scaled : 1;
}

}  // namespace ariadne

#endif  // ARIADNE_BASE_SANITIZERS_H_
