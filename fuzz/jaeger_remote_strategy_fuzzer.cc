// libFuzzer target: the jaeger-remote sampler's strategy-JSON parser (what a sampling endpoint,
// possibly hostile or broken, answers) and its OTEL_TRACES_SAMPLER_ARG parser. Any input must give
// a strategy or null, never crash. Corpus: corpus/jaeger_remote_strategy.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ariadne/sdk/jaeger_remote_sampler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)ariadne::sdk::JaegerRemoteSampler::ParseStrategy(in);
  (void)ariadne::sdk::JaegerRemoteSamplerOptions::FromArg(in.substr(0, 512), "svc");
  return 0;
}
