// InitTracingFromEnvironment: one call that configures tracing from the OTEL_* variables
// (env_config.h) — sampler, span limits, resource, exporters (otlp over HTTP, console, none;
// otlp runs behind the batch processor, console behind the simple processor), and the global
// propagator from OTEL_PROPAGATORS — and installs the provider globally. With
// OTEL_SDK_DISABLED=true it installs nothing but the propagator and returns null, so the API
// stays no-op. Warnings are logged once through base/logging. Never throws.
// Target ariadne_sdk_autoconfig (links the exporters). Tested by autoconfig_test.cc.
#ifndef ARIADNE_SDK_AUTOCONFIG_H_
#define ARIADNE_SDK_AUTOCONFIG_H_

#include <memory>
#include <string>
#include <vector>

#include "ariadne/exporters/otlp_http_exporter.h"
#include "ariadne/sdk/env_config.h"
#include "ariadne/sdk/tracer_provider.h"

namespace ariadne::sdk {

// Builds a provider from a parsed configuration (not installed). Null when disabled.
std::shared_ptr<SdkTracerProvider> MakeTracerProvider(const SdkConfig& config,
                                                      std::vector<std::string>* warnings);

// The OTLP/HTTP exporter options autoconfig uses for `otlp`. For http/protobuf and http/json the
// endpoint is env_config's (a base OTEL_EXPORTER_OTLP_ENDPOINT already has v1/traces appended).
// grpc is not built into autoconfig: the endpoint is then a gRPC one and gets no path; autoconfig
// sends http/protobuf to the same scheme and host on port 4318 (path /v1/traces), with a warning.
exporters::OtlpHttpExporterOptions AutoconfigOtlpOptions(const OtlpExporterConfig& otlp,
                                                         std::vector<std::string>* warnings);

// Reads the process environment (or `env` when given), installs the provider and propagator
// globally and returns the provider (null when OTEL_SDK_DISABLED=true).
std::shared_ptr<SdkTracerProvider> InitTracingFromEnvironment(const EnvLookup* env = nullptr);

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_AUTOCONFIG_H_
