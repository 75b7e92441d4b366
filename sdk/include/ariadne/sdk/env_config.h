// SdkConfig: every trace-related OTEL_* environment variable, parsed with the specification's
// rules (configuration/sdk-environment-variables.md, protocol/exporter.md):
//   - an empty value is unset; enum values are case-insensitive; unknown values warn and are
//     ignored; booleans are true only for "true" (any case), other non-"false" values warn;
//     integers are 0..2^31-1, unparsable ones warn and are ignored; a timeout of 0 means none;
//   - OTEL_RESOURCE_ATTRIBUTES is percent-decoded; a decoding error discards the whole value;
//     OTEL_SERVICE_NAME overrides service.name;
//   - OTLP/HTTP endpoint: ..._TRACES_ENDPOINT is used as is ("/" when it has no path);
//     OTEL_EXPORTER_OTLP_ENDPOINT is a base to which "v1/traces" is appended; per-signal options
//     override the generic ones.
// Problems are collected in `warnings` (the SDK logs them once at start-up) — parsing never
// fails and never throws. Values; ParseSdkConfig is pure given its lookup. Tested by
// env_config_test.cc.
#ifndef ARIADNE_SDK_ENV_CONFIG_H_
#define ARIADNE_SDK_ENV_CONFIG_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ariadne/sdk/batch_span_processor.h"
#include "ariadne/sdk/resource.h"
#include "ariadne/sdk/sampler.h"
#include "ariadne/sdk/span_limits.h"

namespace ariadne::sdk {

struct OtlpExporterConfig {
  std::string protocol = "http/protobuf";  // grpc | http/protobuf | http/json
  std::string endpoint;                    // the full URL spans are sent to
  std::vector<std::pair<std::string, std::string>> headers;
  std::string compression = "none";          // none | gzip
  std::chrono::milliseconds timeout{10000};  // 0 = no limit
  std::string certificate;
  std::string client_key;
  std::string client_certificate;
  bool insecure = false;  // gRPC endpoints without a scheme only
};

struct SdkConfig {
  bool disabled = false;  // OTEL_SDK_DISABLED
  Resource resource = Resource::Default();
  std::string sampler = "parentbased_always_on";     // OTEL_TRACES_SAMPLER (lower-case)
  std::string sampler_arg;                           // OTEL_TRACES_SAMPLER_ARG
  std::vector<std::string> exporters{"otlp"};        // OTEL_TRACES_EXPORTER (lower-case)
  std::string propagators = "tracecontext,baggage";  // OTEL_PROPAGATORS
  BatchSpanProcessorOptions batch;                   // OTEL_BSP_*
  SpanLimits limits;                                 // OTEL_*_LIMIT
  OtlpExporterConfig otlp;                           // OTEL_EXPORTER_OTLP_*
  std::vector<std::string> warnings;
};

// Returns the variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

SdkConfig ParseSdkConfig(const EnvLookup& env);
SdkConfig ParseSdkConfigFromEnvironment();  // uses getenv

// The sampler named by config.sampler/sampler_arg (warnings appended for bad arguments).
// jaeger_remote and parentbased_jaeger_remote need ariadne_sampler_jaeger_remote; here they
// fall back to their initial sampling rate with a warning.
std::unique_ptr<Sampler> MakeSamplerFromConfig(const SdkConfig& config,
                                               std::vector<std::string>* warnings);

// "a=1,b=x%20y" -> {{"a","1"},{"b","x y"}}; nullopt on a malformed member or bad encoding.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseKeyValueList(
    std::string_view text);

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_ENV_CONFIG_H_
