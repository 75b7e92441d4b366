// SdkTracerProvider: the SDK's TracerProvider. Owns the sampler, the span processor, the
// resource, the limits and the instrumentation scopes; Tracers it returns (and spans they start)
// point into it, so it must outlive them (install it globally with
// trace::SetGlobalTracerProvider, which keeps it alive). After Shutdown, tracers return
// non-recording spans. Thread-safe. Tested by tracer_test.cc.
#ifndef ARIADNE_SDK_TRACER_PROVIDER_H_
#define ARIADNE_SDK_TRACER_PROVIDER_H_

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string_view>

#include "ariadne/sdk/resource.h"
#include "ariadne/sdk/sampler.h"
#include "ariadne/sdk/span_limits.h"
#include "ariadne/sdk/span_processor.h"
#include "ariadne/trace/tracer.h"

namespace ariadne::sdk {

struct TracerProviderOptions {
  Resource resource = Resource::Default();
  std::unique_ptr<Sampler> sampler;          // default: parentbased_always_on (the spec's default)
  std::unique_ptr<SpanProcessor> processor;  // default: none (spans are dropped at End)
  SpanLimits limits;
};

class SpanPool;

struct TracerSharedState {
  TracerSharedState();
  ~TracerSharedState();
  std::unique_ptr<SpanPool> pool;  // recycled spans; outlives the processor (declared first)
  Resource resource;
  std::unique_ptr<Sampler> sampler;
  std::unique_ptr<SpanProcessor> processor;
  SpanLimits limits;
  std::atomic<bool> shut_down{false};
  // The sampler's decision when it never depends on the span (ConstantSamplingDecision).
  bool sampler_is_constant = false;
  SamplingDecision constant_decision = SamplingDecision::kDrop;
};

class SdkTracer;

class SdkTracerProvider final : public trace::TracerProvider {
 public:
  explicit SdkTracerProvider(TracerProviderOptions options);
  ~SdkTracerProvider() override;

  trace::Tracer GetTracer(std::string_view name, std::string_view version = {},
                          std::string_view schema_url = {}) noexcept override;
  bool ForceFlush(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;
  bool Shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;
  const TracerSharedState& state() const noexcept { return state_; }

 private:
  TracerSharedState state_;
  std::mutex mu_;
  std::deque<std::unique_ptr<SdkTracer>> tracers_;
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_TRACER_PROVIDER_H_
