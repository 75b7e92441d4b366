// Test-only helpers for wire/otlp: random OTLP requests built with libprotobuf (from our own
// testdata/otlp_trace_test.proto) and a field-by-field comparison of a SpanBatch against such a
// request. Linked only into the otlp tests and benchmarks, never into the codec library.
// Thread-safety: none needed (tests). Used by otlp_differential_test.cc,
// otlp_proto_decoder_test.cc and otlp_benchmark.cc.
#ifndef ARIADNE_WIRE_OTLP_OTLP_TEST_UTIL_H_
#define ARIADNE_WIRE_OTLP_OTLP_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>

#include "model/span_batch.h"
#include "otlp_trace_test.pb.h"

namespace ariadne::otlp_test {

namespace pb = ::ariadne_test::otlp;

struct RandomOptions {
  int max_resources = 3;
  int max_scopes = 3;
  int max_spans = 6;
  int max_attributes = 6;
  int max_events = 3;
  int max_links = 2;
  int max_depth = 3;
};

// A random, valid request (ids of the right length, ASCII strings, no limit exceeded with the
// default DecodeLimits). Deterministic for a given rng state.
pb::ExportTraceServiceRequest RandomRequest(std::mt19937_64& rng, const RandomOptions& o = {});

// The realistic benchmark request: 512 spans, ~10 attributes each, one event per 4 spans, one
// resource with 10 attributes.
pb::ExportTraceServiceRequest RealisticRequest();

// (otlp_test_compare.cc, tests only) Adds gtest failures for every difference between batch (as
// decoded) and req. Spans must appear in req's order.
void ExpectBatchMatches(const SpanBatch& batch, const pb::ExportTraceServiceRequest& req);

}  // namespace ariadne::otlp_test

#endif  // ARIADNE_WIRE_OTLP_OTLP_TEST_UTIL_H_
