// SpanClock: the span timestamps' clock — wall-clock nanoseconds at span start and a cheap
// monotonic delta at span end.
//
// Why: on this project's machines a vDSO clock_gettime costs ~43 ns and RDTSC ~23 ns (KVM); a
// span needs two readings, so the clock alone was most of the 100 ns budget (issue 6).
// How: on x86-64 with an invariant TSC that the kernel itself uses as its clocksource, a reading
// is one RDTSC converted to Unix time through an anchor (tsc, unix_ns, ns-per-tick in 32.32
// fixed point) published under a seqlock. The first anchor is taken at first use; until a
// second one 10 ms later gives the tick rate, readings come from clock_gettime (the "warming"
// phase). Anchors are refreshed about once a second (re-reading CLOCK_REALTIME, so clock steps
// and NTP slewing are followed within a second); a new rate that differs from the previous by
// more than 1 % is ignored (clock step) and the anchor alone is refreshed. Span durations are
// computed from the tick delta, so they are never negative. Anywhere else (other CPUs, a
// non-TSC clocksource, ARIADNE_SDK_CLOCK=system), both readings are clock_gettime(REALTIME).
// TSC-based clocksources: "tsc", and "kvm-clock" (a KVM guest's clock is the TSC scaled through
// a page the host keeps; its vDSO reads the TSC itself, so a guest whose CPUID reports an
// invariant TSC may do the same — the project's VMs run kvm-clock with the kernel's own "tsc"
// clocksource disabled, where clock_gettime costs ~26 ns and RDTSC ~11 ns). Under kvm-clock the
// TSC may jump (snapshot restore, migration): a reading far behind the anchor or past the next
// refresh re-anchors at once, and a changed rate is adopted once two refreshes agree on it.
// Thread-safety: all functions are thread-safe and lock-free for readers. No allocation.
// Tested by span_clock_test.cc.
#ifndef ARIADNE_SDK_SRC_SPAN_CLOCK_H_
#define ARIADNE_SDK_SRC_SPAN_CLOCK_H_

#include <cstdint>
#include <string_view>

namespace ariadne::sdk {

struct ClockReading {
  uint64_t unix_nano = 0;
  uint64_t ticks = 0;  // 0: not a TSC reading (end time must come from SpanClockNow too)
};

// A span's start: wall-clock time and, when the fast clock is active, its tick count.
ClockReading SpanClockStart() noexcept;
// A span's end for a start reading: start.unix_nano plus the elapsed ticks when start.ticks is
// set, otherwise a fresh wall-clock reading (never before start.unix_nano).
uint64_t SpanClockEnd(const ClockReading& start) noexcept;
// Wall-clock now (the fast clock when active).
uint64_t SpanClockNow() noexcept;

// Whether the kernel clocksource of that name (as in
// /sys/devices/system/clocksource/clocksource0/current_clocksource) counts the TSC, so that
// reading the TSC directly agrees with it (the CPU must also report an invariant TSC).
bool ClocksourceIsTscBased(std::string_view clocksource) noexcept;

// For tests: true once readings come from the TSC.
bool SpanClockUsesTsc() noexcept;
// For tests: moves the anchor's tick count forward, as if the TSC had jumped back that much.
void SpanClockMoveAnchorForTesting(uint64_t ticks) noexcept;
// For tests: forces clock_gettime (true) or re-enables the fast clock (false).
void SpanClockForceSystemForTesting(bool force) noexcept;

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SRC_SPAN_CLOCK_H_
