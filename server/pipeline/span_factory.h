// SpanFactory: realistic synthetic spans, for the load generator, benchmarks and tests.
//
// Each trace is a small call tree across services (frontend -> api -> db/cache/payments) of
// kSpansPerTrace spans: server and client kinds, HTTP and DB attributes of every scalar type,
// an event on some spans, an error status on about one trace in twenty, and resource attributes
// per service. Deterministic for a given seed. Thread-safety: one factory per thread.
// Tested by ingest_test.cc (used there and by tests/integration).
#ifndef ARIADNE_SERVER_PIPELINE_SPAN_FACTORY_H_
#define ARIADNE_SERVER_PIPELINE_SPAN_FACTORY_H_

#include <cstdint>
#include <random>

#include "model/span_batch.h"

namespace ariadne {

class SpanFactory {
 public:
  static constexpr int kSpansPerTrace = 8;
  explicit SpanFactory(uint64_t seed) : rng_(seed) {}

  // A batch of about `spans` spans (whole traces) whose traces started around now_ns.
  SpanBatch MakeBatch(int spans, uint64_t now_ns);

 private:
  std::mt19937_64 rng_;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_PIPELINE_SPAN_FACTORY_H_
