// libFuzzer target: the SDK's propagator extraction of incoming request headers (untrusted): W3C
// traceparent/tracestate, W3C baggage, B3 single and multi-header, Jaeger uber-trace-id and
// uberctx-*, the composite, and the OTEL_PROPAGATORS list parser.
// Checks: extraction never crashes; whatever valid span context a propagator extracts, injecting
// it with the same propagator and extracting again gives the same trace id, span id and sampled
// flag (a context is never corrupted on its way through a service); a tracestate or baggage
// accepted on extract is re-emitted by inject within the documented limits.
//
// Input: header lines "name:value" separated by '\n' (names any case, repeats allowed).
// Corpus: corpus/propagators.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ariadne/propagation/propagators.h"
#include "ariadne/propagation/text_map.h"
#include "fuzz/fuzz_checks.h"

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
namespace prop = ariadne::propagation;

Headers ParseHeaders(std::string_view in) {
  Headers h;
  while (!in.empty() && h.size() < 64) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    h.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return h;
}

std::vector<std::unique_ptr<prop::TextMapPropagator>>& Propagators() {
  static auto* all = [] {
    auto* v = new std::vector<std::unique_ptr<prop::TextMapPropagator>>();
    v->push_back(prop::MakeW3CTraceContextPropagator());
    v->push_back(prop::MakeW3CBaggagePropagator());
    v->push_back(prop::MakeB3Propagator());
    v->push_back(prop::MakeB3MultiPropagator());
    v->push_back(prop::MakeJaegerPropagator());
    std::vector<std::string> warnings;
    v->push_back(
        prop::MakePropagatorsFromList("tracecontext,baggage,b3,b3multi,jaeger", &warnings));
    return v;
  }();
  return *all;
}

void RoundTrip(prop::TextMapPropagator& p, const Headers& in) {
  Headers headers = in;
  prop::HeaderVectorCarrier carrier(&headers);
  ariadne::trace::Context ctx = p.Extract(carrier, ariadne::trace::Context());
  (void)p.Fields();
  Headers out;
  prop::HeaderVectorCarrier out_carrier(&out);
  p.Inject(ctx, out_carrier);
  for (const auto& [name, value] : out) {
    if (prop::EqualsIgnoreCase(name, "tracestate")) {
      FUZZ_CHECK(value.size() <= prop::kTraceStateInjectLimit);
    }
  }
  const auto& sc = ctx.span_context();
  if (!sc.IsValid()) return;
  ariadne::trace::Context again = p.Extract(out_carrier, ariadne::trace::Context());
  const auto& sc2 = again.span_context();
  FUZZ_CHECK(sc2.IsValid());
  FUZZ_CHECK(sc2.trace_id == sc.trace_id);
  FUZZ_CHECK(sc2.span_id == sc.span_id);
  FUZZ_CHECK(sc2.IsSampled() == sc.IsSampled());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const Headers headers = ParseHeaders(in);
  for (auto& p : Propagators()) RoundTrip(*p, headers);

  // The parsers behind them, on the raw input.
  (void)prop::ParseTraceParent(in);
  std::vector<std::string_view> values;
  for (const auto& [name, value] : headers) values.push_back(value);
  if (auto ts = prop::ParseTraceState(values)) {
    FUZZ_CHECK(prop::TruncateTraceState(*ts, prop::kTraceStateInjectLimit).size() <=
               prop::kTraceStateInjectLimit);
  }
  ariadne::trace::Baggage b = prop::ParseBaggage(values);
  FUZZ_CHECK(b.size() <= prop::kMaxBaggageMembers);
  (void)prop::FormatBaggage(b);
  std::vector<std::string> warnings;
  (void)prop::MakePropagatorsFromList(in.substr(0, 256), &warnings);
  return 0;
}
