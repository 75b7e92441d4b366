#include "sdk/src/span_clock.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#define ARIADNE_HAVE_TSC 1
#else
#define ARIADNE_HAVE_TSC 0
#endif

namespace ariadne::sdk {
namespace {

__extension__ typedef unsigned __int128 U128;  // 64x64 -> 128-bit products

enum Mode : int { kUnknown = 0, kWarming = 1, kTsc = 2, kSystem = 3 };

constexpr uint64_t kWarmupNanos = 10'000'000;      // first rate measured over >= 10 ms
constexpr uint64_t kRefreshNanos = 1'000'000'000;  // anchor refreshed about once a second
constexpr uint64_t kMaxPairTicks = 20'000;         // a (tsc, realtime) pair taken this close
// A reading this far before the anchor is not the ordinary jitter of threads reading around an
// anchor's midpoint but a TSC that moved back (1-2 ms at 2-4 GHz).
constexpr uint64_t kMaxBehindTicks = 4'000'000;
constexpr uint64_t kMinMult = (1ull << 32) / 20;  // 20 GHz
constexpr uint64_t kMaxMult = (1ull << 32) * 10;  // 100 MHz

struct State {
  std::atomic<int> mode{kUnknown};
  std::atomic<bool> updating{false};
  // The anchor, under the seqlock `seq` (odd while being written).
  std::atomic<uint32_t> seq{0};
  std::atomic<uint64_t> tsc{0};
  std::atomic<uint64_t> unix_ns{0};
  std::atomic<uint64_t> mult{0};  // nanoseconds per tick, 32.32 fixed point
  std::atomic<uint64_t> next_refresh_tsc{0};
  std::atomic<uint64_t> suspect_mult{0};  // a rate off by > 1 % at the last refresh, else 0
  // The warming phase's first pair.
  std::atomic<uint64_t> warm_tsc{0};
  std::atomic<uint64_t> warm_unix{0};
};
State g_clock;

uint64_t SystemNow() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

#if ARIADNE_HAVE_TSC
uint64_t Rdtsc() noexcept { return __rdtsc(); }
#else
uint64_t Rdtsc() noexcept { return 0; }
#endif

bool TscUsable() noexcept {
#if ARIADNE_HAVE_TSC
  const char* env = std::getenv("ARIADNE_SDK_CLOCK");
  if (env != nullptr && std::strcmp(env, "system") == 0) return false;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(0x80000000u, &a, &b, &c, &d) == 0 || a < 0x80000007u) return false;
  __get_cpuid(0x80000007u, &a, &b, &c, &d);
  if ((d & (1u << 8)) == 0) return false;  // no invariant TSC
  FILE* f = std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
  if (f == nullptr) return false;
  char buf[32] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string_view name(buf, n);
  if (!name.empty() && name.back() == '\n') name.remove_suffix(1);
  return ClocksourceIsTscBased(name);
#else
  return false;
#endif
}

// Within 1 % of each other.
bool Near(uint64_t a, uint64_t b) noexcept { return (a > b ? a - b : b - a) <= b / 100; }

uint64_t Scale(uint64_t ticks, uint64_t mult) noexcept {
  return static_cast<uint64_t>((static_cast<U128>(ticks) * mult) >> 32);
}
uint64_t TicksFor(uint64_t nanos, uint64_t mult) noexcept {
  return static_cast<uint64_t>((static_cast<U128>(nanos) << 32) / mult);
}

// A (tsc, realtime) pair read back to back; false if we were preempted every time.
bool ReadPair(uint64_t* tsc, uint64_t* unix_ns) noexcept {
  for (int i = 0; i < 4; ++i) {
    uint64_t a = Rdtsc();
    uint64_t w = SystemNow();
    uint64_t b = Rdtsc();
    if (b >= a && b - a < kMaxPairTicks) {
      *tsc = a + (b - a) / 2;
      *unix_ns = w;
      return true;
    }
  }
  return false;
}

void Publish(uint64_t tsc, uint64_t unix_ns, uint64_t mult) noexcept {
  // Release stores instead of a release fence (ThreadSanitizer does not model fences, and g++
  // refuses them under -fsanitize=thread): a reader that sees any new field also sees the odd
  // sequence number stored before it. Free on x86.
  uint32_t s = g_clock.seq.load(std::memory_order_relaxed);
  g_clock.seq.store(s + 1, std::memory_order_relaxed);
  g_clock.tsc.store(tsc, std::memory_order_release);
  g_clock.unix_ns.store(unix_ns, std::memory_order_release);
  g_clock.mult.store(mult, std::memory_order_release);
  g_clock.seq.store(s + 2, std::memory_order_release);
  g_clock.next_refresh_tsc.store(tsc + TicksFor(kRefreshNanos, mult), std::memory_order_relaxed);
}

bool ReadAnchor(uint64_t* tsc, uint64_t* unix_ns, uint64_t* mult) noexcept {
  for (int i = 0; i < 64; ++i) {
    uint32_t s1 = g_clock.seq.load(std::memory_order_acquire);
    if (s1 & 1u) continue;
    // Acquire loads (not an acquire fence, see Publish) keep the re-read of seq after them.
    *tsc = g_clock.tsc.load(std::memory_order_acquire);
    *unix_ns = g_clock.unix_ns.load(std::memory_order_acquire);
    *mult = g_clock.mult.load(std::memory_order_acquire);
    if (g_clock.seq.load(std::memory_order_relaxed) == s1) return true;
  }
  return false;
}

// Called by whoever wins `updating`. Moves Unknown -> Warming|System, Warming -> Tsc|System and
// refreshes the anchor in Tsc mode.
void Update(int mode) noexcept {
  uint64_t t = 0, w = 0;
  if (mode == kUnknown) {
    if (!TscUsable() || !ReadPair(&t, &w)) {
      g_clock.mode.store(kSystem, std::memory_order_release);
      return;
    }
    g_clock.warm_tsc.store(t, std::memory_order_relaxed);
    g_clock.warm_unix.store(w, std::memory_order_relaxed);
    g_clock.mode.store(kWarming, std::memory_order_release);
    return;
  }
  if (!ReadPair(&t, &w)) return;  // try again later
  if (mode == kWarming) {
    uint64_t t0 = g_clock.warm_tsc.load(std::memory_order_relaxed);
    uint64_t w0 = g_clock.warm_unix.load(std::memory_order_relaxed);
    if (t <= t0 || w <= w0) {
      g_clock.mode.store(kSystem, std::memory_order_release);
      return;
    }
    auto mult = static_cast<uint64_t>((static_cast<U128>(w - w0) << 32) / (t - t0));
    if (mult < kMinMult || mult > kMaxMult) {
      g_clock.mode.store(kSystem, std::memory_order_release);
      return;
    }
    Publish(t, w, mult);
    g_clock.mode.store(kTsc, std::memory_order_release);
    return;
  }
  uint64_t at = 0, aw = 0, am = 0;
  if (!ReadAnchor(&at, &aw, &am)) return;
  uint64_t mult = am;
  if (t > at && w > aw) {
    auto measured = static_cast<uint64_t>((static_cast<U128>(w - aw) << 32) / (t - at));
    if (Near(measured, am)) {
      mult = measured;
      g_clock.suspect_mult.store(0, std::memory_order_relaxed);
    } else {
      // A clock step, or a real change of the TSC rate (a VM moved to another host): keep the
      // rate and re-anchor only, but adopt a new rate that two refreshes in a row agree on.
      uint64_t suspect = g_clock.suspect_mult.exchange(measured, std::memory_order_relaxed);
      if (measured >= kMinMult && measured <= kMaxMult && Near(measured, suspect)) {
        mult = measured;
        g_clock.suspect_mult.store(0, std::memory_order_relaxed);
      }
    }
  }
  Publish(t, w, mult);
}

void TryUpdate(int mode) noexcept {
  if (g_clock.updating.load(std::memory_order_relaxed) ||
      g_clock.updating.exchange(true, std::memory_order_acquire)) {
    return;
  }
  if (g_clock.mode.load(std::memory_order_acquire) == mode) Update(mode);
  g_clock.updating.store(false, std::memory_order_release);
}

}  // namespace

ClockReading SpanClockStart() noexcept {
  int mode = g_clock.mode.load(std::memory_order_acquire);
  if (mode == kTsc) [[likely]] {
    uint64_t now = Rdtsc();
    uint64_t at, aw, am;
    if (ReadAnchor(&at, &aw, &am)) {
      // Due for a refresh, or the TSC is far behind the anchor (under kvm-clock a restored
      // snapshot or a migration can move it): re-anchor, and read the wall clock this once.
      if (now > g_clock.next_refresh_tsc.load(std::memory_order_relaxed) ||
          now + kMaxBehindTicks < at) [[unlikely]] {
        TryUpdate(kTsc);
        if (!ReadAnchor(&at, &aw, &am) || now + kMaxBehindTicks < at) {
          return ClockReading{SystemNow(), 0};
        }
      }
      uint64_t unix_ns = now >= at ? aw + Scale(now - at, am) : aw - Scale(at - now, am);
      return ClockReading{unix_ns, now == 0 ? 1 : now};
    }
    return ClockReading{SystemNow(), 0};
  }
  if (mode == kSystem) return ClockReading{SystemNow(), 0};
  uint64_t now = SystemNow();
  if (mode == kUnknown || now - g_clock.warm_unix.load(std::memory_order_relaxed) >= kWarmupNanos) {
    TryUpdate(mode);
  }
  return ClockReading{now, 0};
}

uint64_t SpanClockEnd(const ClockReading& start) noexcept {
  if (start.ticks != 0 && g_clock.mode.load(std::memory_order_relaxed) == kTsc) [[likely]] {
    uint64_t now = Rdtsc();
    uint64_t elapsed = now > start.ticks ? now - start.ticks : 0;
    return start.unix_nano + Scale(elapsed, g_clock.mult.load(std::memory_order_relaxed));
  }
  uint64_t now = SystemNow();
  return now > start.unix_nano ? now : start.unix_nano;
}

uint64_t SpanClockNow() noexcept { return SpanClockStart().unix_nano; }

bool ClocksourceIsTscBased(std::string_view clocksource) noexcept {
  return clocksource == "tsc" || clocksource == "kvm-clock";
}

bool SpanClockUsesTsc() noexcept { return g_clock.mode.load() == kTsc; }

void SpanClockMoveAnchorForTesting(uint64_t ticks) noexcept {
  uint64_t t = 0, w = 0, m = 0;
  if (ReadAnchor(&t, &w, &m)) Publish(t + ticks, w, m);
}

void SpanClockForceSystemForTesting(bool force) noexcept {
  g_clock.mode.store(force ? kSystem : kUnknown, std::memory_order_release);
}

}  // namespace ariadne::sdk
