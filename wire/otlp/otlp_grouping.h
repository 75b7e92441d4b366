// Groups a SpanBatch's spans by resource, then by scope, for the OTLP encoders (internal).
//
// OTLP nests spans as ResourceSpans -> ScopeSpans -> Span. Groups keep first-appearance order
// of resources, of scopes within a resource, and of spans within a scope, so encoding a batch
// decoded from OTLP gives back the same nesting. Pure function; tested through the encoders'
// round-trip tests (otlp_proto_encoder_test.cc, otlp_json_test.cc).
#ifndef ARIADNE_WIRE_OTLP_OTLP_GROUPING_H_
#define ARIADNE_WIRE_OTLP_OTLP_GROUPING_H_

#include <cstdint>
#include <vector>

#include "model/span_batch.h"

namespace ariadne {

struct ScopeGroup {
  uint32_t scope = 0;
  std::vector<uint32_t> spans;  // rows of the batch
};

struct ResourceGroup {
  uint32_t resource = 0;
  std::vector<ScopeGroup> scopes;
};

std::vector<ResourceGroup> GroupSpans(const SpanBatch& batch);

}  // namespace ariadne

#endif  // ARIADNE_WIRE_OTLP_OTLP_GROUPING_H_
