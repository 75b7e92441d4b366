// Trace and span id generation from a thread-local xoshiro256** generator, seeded once per
// thread from std::random_device mixed with the thread's address and the clock. Root trace ids
// are W3C Level-2 random (all 16 bytes random). Never returns an all-zero id. Thread-safe (no
// shared state). Tested by sampler_test.cc.
#ifndef ARIADNE_SDK_ID_GENERATOR_H_
#define ARIADNE_SDK_ID_GENERATOR_H_

#include <cstdint>

#include "ariadne/trace/span_context.h"

namespace ariadne::sdk {

uint64_t RandomU64() noexcept;
trace::TraceId NewTraceId() noexcept;
trace::SpanId NewSpanId() noexcept;
// Both ids of a root span, with one look-up of this thread's generator (the tracer's hot path).
void NewTraceAndSpanId(trace::TraceId* trace_id, trace::SpanId* span_id) noexcept;

// Re-seeds this thread's generator (after fork(), or for reproducible tests).
void SeedThreadRandom(uint64_t seed) noexcept;

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_ID_GENERATOR_H_
