#include "ariadne/sdk/autoconfig.h"

#include "ariadne/exporters/console_exporter.h"
#include "ariadne/exporters/otlp_http_exporter.h"
#include "ariadne/propagation/propagators.h"
#include "ariadne/sdk/batch_span_processor.h"
#include "ariadne/sdk/jaeger_remote_sampler.h"
#include "base/logging.h"

namespace ariadne::sdk {

std::shared_ptr<SdkTracerProvider> MakeTracerProvider(const SdkConfig& config,
                                                      std::vector<std::string>* warnings) {
  if (config.disabled) return nullptr;
  try {
    std::vector<std::unique_ptr<SpanProcessor>> processors;
    for (const std::string& name : config.exporters) {
      if (name == "otlp") {
        exporters::OtlpHttpExporterOptions o =
            exporters::OtlpHttpExporterOptions::FromConfig(config.otlp);
        if (config.otlp.protocol == "grpc") {
          warnings->push_back(
              "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not built into autoconfig; using "
              "http/protobuf to http://localhost:4318/v1/traces");
          o.endpoint = "http://localhost:4318/v1/traces";
        }
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
