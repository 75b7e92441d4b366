#include "ariadne/sdk/autoconfig.h"

#include "ariadne/exporters/console_exporter.h"
#include "ariadne/exporters/otlp_http_exporter.h"
#include "ariadne/propagation/propagators.h"
#include "ariadne/sdk/batch_span_processor.h"
#include "ariadne/sdk/jaeger_remote_sampler.h"
#include "base/logging.h"

namespace ariadne::sdk {

exporters::OtlpHttpExporterOptions AutoconfigOtlpOptions(const OtlpExporterConfig& otlp,
                                                         std::vector<std::string>* warnings) {
  exporters::OtlpHttpExporterOptions o = exporters::OtlpHttpExporterOptions::FromConfig(otlp);
  if (otlp.protocol != "grpc") return o;  // env_config already applied the /v1/traces rule
  // The endpoint is a gRPC one (no path per the spec, usually port 4317): never append a path to
  // it. Send http/protobuf to the same scheme and host on the OTLP/HTTP port instead — where a
  // collector serving both protocols listens — rather than to an unrelated default.
  std::string_view e = otlp.endpoint;
  std::string scheme = otlp.insecure ? "http://" : "https://";  // no scheme: TLS unless insecure
  for (std::string_view s : {"http://", "https://"}) {
    if (e.substr(0, s.size()) == s) {
      scheme = std::string(s);
      e.remove_prefix(s.size());
    }
  }
  e = e.substr(0, e.find('/'));  // authority
  size_t port_colon = e.rfind(':');
  if (port_colon != std::string_view::npos && e.find(']', port_colon) == std::string_view::npos) {
    e = e.substr(0, port_colon);  // host:port or [v6]:port; a bare [v6] has no port
  }
  if (e.empty()) e = "localhost";
  o.endpoint = scheme + std::string(e) + ":4318/v1/traces";
  o.json = false;
  warnings->push_back(
      "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not built into autoconfig; using "
      "http/protobuf to " +
      o.endpoint);
  return o;
}

std::shared_ptr<SdkTracerProvider> MakeTracerProvider(const SdkConfig& config,
                                                      std::vector<std::string>* warnings) {
  if (config.disabled) return nullptr;
  try {
    std::vector<std::unique_ptr<SpanProcessor>> processors;
    for (const std::string& name : config.exporters) {
      if (name == "otlp") {
        exporters::OtlpHttpExporterOptions o = AutoconfigOtlpOptions(config.otlp, warnings);
        processors.push_back(std::make_unique<BatchSpanProcessor>(
            std::make_unique<exporters::OtlpHttpExporter>(std::move(o)), config.batch));
      } else if (name == "console") {
        processors.push_back(std::make_unique<SimpleSpanProcessor>(
            std::make_unique<exporters::ConsoleSpanExporter>()));
      }
    }
    TracerProviderOptions options;
    options.resource = config.resource;
    options.limits = config.limits;
    if (config.sampler == "jaeger_remote" || config.sampler == "parentbased_jaeger_remote") {
      const OwnedValue* service = config.resource.Find("service.name");
      std::string name = service && std::holds_alternative<std::string>(*service)
                             ? std::get<std::string>(*service)
                             : std::string("unknown_service");
      auto remote = std::make_unique<JaegerRemoteSampler>(
          JaegerRemoteSamplerOptions::FromArg(config.sampler_arg, name));
      options.sampler = config.sampler == "jaeger_remote"
                            ? std::move(remote)
                            : MakeParentBasedSampler(std::move(remote));
    } else {
      options.sampler = MakeSamplerFromConfig(config, warnings);
    }
    if (processors.size() == 1) {
      options.processor = std::move(processors[0]);
    } else if (!processors.empty()) {
      options.processor = std::make_unique<MultiSpanProcessor>(std::move(processors));
    }
    return std::make_shared<SdkTracerProvider>(std::move(options));
  } catch (...) {
    warnings->push_back("tracing set-up failed; tracing stays disabled");
    return nullptr;
  }
}

std::shared_ptr<SdkTracerProvider> InitTracingFromEnvironment(const EnvLookup* env) {
  SdkConfig config = env ? ParseSdkConfig(*env) : ParseSdkConfigFromEnvironment();
  std::vector<std::string> warnings = config.warnings;
  std::shared_ptr<SdkTracerProvider> provider = MakeTracerProvider(config, &warnings);
  try {
    propagation::SetGlobalPropagator(
        propagation::MakePropagatorsFromList(config.propagators, &warnings));
  } catch (...) {
  }
  for (const std::string& w : warnings)
    ARIADNE_LOG(kWarn, "tracing configuration").Field("problem", w);
  if (provider) trace::SetGlobalTracerProvider(provider);
  return provider;
}

}  // namespace ariadne::sdk
