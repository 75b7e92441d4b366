// Samplers (OpenTelemetry trace/sdk.md §Sampling): AlwaysOn, AlwaysOff, TraceIdRatioBased,
// ParentBased with all four delegates. The Jaeger remote sampler is in jaeger_remote_sampler.h.
//
// TraceIdRatioBased: samples iff the trace id's low 8 bytes (big-endian) shifted right by one are
// below ratio * 2^63 (the Go/Java choice: the low half is the W3C Level-2 random part), so it is
// deterministic per trace id and a higher ratio samples a superset of a lower one.
// Samplers are immutable after construction and thread-safe. Tested by sampler_test.cc.
#ifndef ARIADNE_SDK_SAMPLER_H_
#define ARIADNE_SDK_SAMPLER_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ariadne/trace/span.h"
#include "ariadne/trace/span_context.h"

namespace ariadne::sdk {

enum class SamplingDecision : uint8_t { kDrop, kRecordOnly, kRecordAndSample };

struct SamplingParams {
  const trace::SpanContext* parent = nullptr;  // null for a root span
  const trace::TraceId& trace_id;
  std::string_view name;
  trace::SpanKind kind = trace::SpanKind::kInternal;
  std::span<const trace::KeyValue> attributes;
  std::span<const trace::Link> links;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual SamplingDecision ShouldSample(const SamplingParams& params) noexcept = 0;
  virtual std::string Description() const = 0;
};

std::unique_ptr<Sampler> MakeAlwaysOnSampler();
std::unique_ptr<Sampler> MakeAlwaysOffSampler();
// ratio is clamped to [0, 1].
std::unique_ptr<Sampler> MakeTraceIdRatioSampler(double ratio);

struct ParentBasedOptions {
  std::unique_ptr<Sampler> root;                       // required
  std::unique_ptr<Sampler> remote_parent_sampled;      // default AlwaysOn
  std::unique_ptr<Sampler> remote_parent_not_sampled;  // default AlwaysOff
  std::unique_ptr<Sampler> local_parent_sampled;       // default AlwaysOn
  std::unique_ptr<Sampler> local_parent_not_sampled;   // default AlwaysOff
};
std::unique_ptr<Sampler> MakeParentBasedSampler(ParentBasedOptions options);
std::unique_ptr<Sampler> MakeParentBasedSampler(std::unique_ptr<Sampler> root);

// The decision the sampler makes for every span whatever it is asked (AlwaysOn, AlwaysOff), or
// nullopt: the tracer then skips the virtual call (the sampler is immutable).
std::optional<SamplingDecision> ConstantSamplingDecision(const Sampler& sampler) noexcept;

// True if the ratio sampler samples this trace id (exposed for tests and the remote sampler).
bool TraceIdRatioSamples(const trace::TraceId& id, double ratio) noexcept;

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SAMPLER_H_
