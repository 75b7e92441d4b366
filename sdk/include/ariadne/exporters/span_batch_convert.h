// Converts finished SDK spans to a model/SpanBatch, the form the wire/otlp encoders take.
//
// Zero copy: strings in the batch are views into the SpanData objects (names, keys, values,
// tracestate) and into their provider's resource and scope, so the batch must be encoded
// before the spans are released — exporters convert and encode inside Export. Resources and
// scopes are interned by address (one per provider / per tracer). Not thread-safe (a batch per
// call). Tested by otlp_http_exporter_test.cc (round trip through the decoder).
#ifndef ARIADNE_EXPORTERS_SPAN_BATCH_CONVERT_H_
#define ARIADNE_EXPORTERS_SPAN_BATCH_CONVERT_H_

#include <memory>
#include <span>

#include "ariadne/sdk/span_data.h"
#include "model/span_batch.h"

namespace ariadne::exporters {

void AppendToSpanBatch(std::span<const std::unique_ptr<sdk::SpanData>> spans, SpanBatch* batch);

}  // namespace ariadne::exporters

#endif  // ARIADNE_EXPORTERS_SPAN_BATCH_CONVERT_H_
