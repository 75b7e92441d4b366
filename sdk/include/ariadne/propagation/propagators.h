// The propagators: W3C trace context (traceparent + tracestate, Level 2), W3C baggage, B3 single
// header, B3 multi-header, Jaeger (uber-trace-id + uberctx-*), composite, and the
// OTEL_PROPAGATORS list parser.
//
// W3C rules implemented (w3c/trace-context spec §3): lower-case hex only; version ff invalid;
// version 00 exactly 55 characters; higher versions accept trailing "-..." data and are re-emitted
// as 00; all-zero ids invalid; a repeated traceparent is invalid; flags other than sampled
// (0x01) and random (0x02) are cleared on output. tracestate: headers combined; keys/values per
// the grammar; empty members skipped; duplicates or more than 32 members invalidate the whole
// tracestate (traceparent kept); when injecting, the header is cut to 512 characters by
// dropping entries longer than 128 characters first, then entries from the right.
// Baggage: members with a bad key or value are skipped (never partially kept); values are
// percent-decoded on extract and encoded on inject; at most 180 members and 8192 bytes.
// Immutable after construction, thread-safe. Tested by propagation_test.cc.
#ifndef ARIADNE_PROPAGATION_PROPAGATORS_H_
#define ARIADNE_PROPAGATION_PROPAGATORS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ariadne/propagation/text_map.h"

namespace ariadne::propagation {

inline constexpr size_t kMaxTraceStateMembers = 32;
inline constexpr size_t kTraceStateInjectLimit = 512;
inline constexpr size_t kMaxBaggageMembers = 180;
inline constexpr size_t kMaxBaggageBytes = 8192;

// Parses one traceparent value (OWS trimmed). nullopt when invalid.
std::optional<trace::SpanContext> ParseTraceParent(std::string_view value) noexcept;
std::string FormatTraceParent(const trace::SpanContext& context);
// Parses the combined tracestate header; nullopt when invalid (then it must be dropped).
std::optional<std::string> ParseTraceState(const std::vector<std::string_view>& headers) noexcept;
// Cuts a valid tracestate to at most `limit` characters, dropping whole entries.
std::string TruncateTraceState(std::string_view header, size_t limit);

trace::Baggage ParseBaggage(const std::vector<std::string_view>& headers) noexcept;
std::string FormatBaggage(const trace::Baggage& baggage);

std::unique_ptr<TextMapPropagator> MakeW3CTraceContextPropagator();
std::unique_ptr<TextMapPropagator> MakeW3CBaggagePropagator();
std::unique_ptr<TextMapPropagator> MakeB3Propagator();       // single "b3" header
std::unique_ptr<TextMapPropagator> MakeB3MultiPropagator();  // X-B3-* headers
std::unique_ptr<TextMapPropagator> MakeJaegerPropagator();
std::unique_ptr<TextMapPropagator> MakeCompositePropagator(
    std::vector<std::unique_ptr<TextMapPropagator>> parts);

// OTEL_PROPAGATORS: comma-separated, case-insensitive, deduplicated; "none" gives a no-op.
// Unknown names are skipped and reported in *warnings. Empty list = "tracecontext,baggage".
std::unique_ptr<TextMapPropagator> MakePropagatorsFromList(std::string_view list,
                                                           std::vector<std::string>* warnings);

}  // namespace ariadne::propagation

#endif  // ARIADNE_PROPAGATION_PROPAGATORS_H_
