// JaegerRemoteSampler: polls a Jaeger sampling endpoint (`GET <endpoint>?service=<name>`,
// e.g. http://localhost:5778/sampling) and applies the strategy it returns:
//   - operationSampling (checked first): per-operation probabilities, a default probability,
//     and defaultLowerBoundTracesPerSecond guaranteeing a minimum rate per operation;
//   - probabilisticSampling: a trace-id ratio;
//   - rateLimitingSampling: at most maxTracesPerSecond (token bucket).
// Until the first successful poll it samples at initial_sampling_rate; when a poll fails (HTTP
// error, timeout, bad JSON) it keeps the last good strategy and logs a warning.
// Polls on its own thread every polling_interval (PollNow() for tests). ShouldSample reads the
// current strategy through an atomic shared_ptr: lock-free for probabilistic strategies, a short
// mutex for rate limiters. Thread-safe. Own library (ariadne::sampler_jaeger_remote: libcurl,
// simdjson). Tested by jaeger_remote_sampler_test.cc with a fake strategy server.
#ifndef ARIADNE_SDK_JAEGER_REMOTE_SAMPLER_H_
#define ARIADNE_SDK_JAEGER_REMOTE_SAMPLER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ariadne/sdk/sampler.h"

namespace ariadne::sdk {

struct JaegerRemoteSamplerOptions {
  std::string endpoint = "http://localhost:5778/sampling";
  std::string service_name = "unknown_service";
  std::chrono::milliseconds polling_interval{60000};
  double initial_sampling_rate = 0.001;
  std::chrono::milliseconds request_timeout{5000};
  bool start_polling_thread = true;  // false: only PollNow() (tests)

  // Parses OTEL_TRACES_SAMPLER_ARG ("endpoint=...,pollingIntervalMs=...,initialSamplingRate=...").
  static JaegerRemoteSamplerOptions FromArg(std::string_view arg, std::string service_name);
};

struct RemoteStrategy;  // parsed strategy (opaque)

class JaegerRemoteSampler final : public Sampler {
 public:
  explicit JaegerRemoteSampler(JaegerRemoteSamplerOptions options);
  ~JaegerRemoteSampler() override;

  SamplingDecision ShouldSample(const SamplingParams& params) noexcept override;
  std::string Description() const override;

  // Fetches and applies the strategy now; false (strategy unchanged) on any failure.
  bool PollNow() noexcept;
  // Parses a strategy response; exposed for tests. Null when malformed.
  static std::shared_ptr<RemoteStrategy> ParseStrategy(std::string_view json) noexcept;

 private:
  JaegerRemoteSamplerOptions options_;
  std::atomic<std::shared_ptr<RemoteStrategy>> strategy_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread poller_;
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_JAEGER_REMOTE_SAMPLER_H_
