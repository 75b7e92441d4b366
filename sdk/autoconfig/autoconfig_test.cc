#include "ariadne/sdk/autoconfig.h"

#include <map>

#include <gtest/gtest.h>

#include "ariadne/propagation/propagators.h"

namespace ariadne::sdk {
namespace {

SdkConfig Parse(std::map<std::string, std::string> vars) {
  return ParseSdkConfig([vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
}

TEST(AutoConfig, DisabledSdkBuildsNothing) {
  std::vector<std::string> w;
  EXPECT_EQ(MakeTracerProvider(Parse({{"OTEL_SDK_DISABLED", "true"}}), &w), nullptr);
}

TEST(AutoConfig, SamplerAndExporterComeFromTheEnvironment) {
  std::vector<std::string> w;
  auto p = MakeTracerProvider(
      Parse({{"OTEL_TRACES_SAMPLER", "always_off"}, {"OTEL_TRACES_EXPORTER", "none"}}), &w);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->state().sampler->Description(), "AlwaysOffSampler");
  EXPECT_EQ(p->state().processor, nullptr);
  EXPECT_FALSE(p->GetTracer("x").StartSpan("s").IsRecording());
}

TEST(AutoConfig, JaegerRemoteSamplerIsBuiltFromTheArg) {
  std::vector<std::string> w;
  auto p = MakeTracerProvider(Parse({{"OTEL_TRACES_SAMPLER", "jaeger_remote"},
                                     {"OTEL_TRACES_SAMPLER_ARG",
                                      "endpoint=http://127.0.0.1:1/sampling,initialSamplingRate=1"},
                                     {"OTEL_TRACES_EXPORTER", "none"}}),
                              &w);
  ASSERT_NE(p, nullptr);
  EXPECT_NE(p->state().sampler->Description().find("JaegerRemote"), std::string::npos);
}

TEST(AutoConfig, InitInstallsProviderAndPropagator) {
  EnvLookup env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "OTEL_TRACES_EXPORTER") return "none";
    if (n == "OTEL_PROPAGATORS") return "b3";
    if (n == "OTEL_SERVICE_NAME") return "svc";
    return std::nullopt;
  };
  auto p = InitTracingFromEnvironment(&env);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(trace::GetTracer("lib").StartSpan("s").IsRecording());
  EXPECT_EQ(propagation::GlobalPropagator().Fields(), std::vector<std::string>{"b3"});
  EXPECT_EQ(std::get<std::string>(*p->state().resource.Find("service.name")), "svc");
}

TEST(AutoConfig, HttpProtocolsGetTheSignalPathOnABaseEndpoint) {
  for (const char* protocol : {"http/protobuf", "http/json"}) {
    std::vector<std::string> w;
    SdkConfig c = Parse({{"OTEL_EXPORTER_OTLP_PROTOCOL", protocol},
                         {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}});
    exporters::OtlpHttpExporterOptions o = AutoconfigOtlpOptions(c.otlp, &w);
    EXPECT_EQ(o.endpoint, "http://collector:4318/v1/traces") << protocol;
    EXPECT_EQ(o.json, std::string(protocol) == "http/json");
    EXPECT_TRUE(w.empty());
  }
}

TEST(AutoConfig, GrpcEndpointsGetNoPathAndTheFallbackKeepsTheHost) {
  struct Case {
    const char* endpoint;
    const char* used;
  } cases[] = {
      {"http://collector:4317", "http://collector:4318/v1/traces"},
      {"https://collector.example:4317/", "https://collector.example:4318/v1/traces"},
      {"collector:9999", "https://collector:4318/v1/traces"},  // no scheme: TLS (not insecure)
      {"http://[::1]:4317", "http://[::1]:4318/v1/traces"},
      {"http://[::1]", "http://[::1]:4318/v1/traces"},
  };
  for (const Case& k : cases) {
    std::vector<std::string> w;
    SdkConfig c = Parse(
        {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", k.endpoint}});
    EXPECT_EQ(c.otlp.endpoint.find("v1/traces"), std::string::npos) << k.endpoint;
    exporters::OtlpHttpExporterOptions o = AutoconfigOtlpOptions(c.otlp, &w);
    EXPECT_EQ(o.endpoint, k.used) << k.endpoint;
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find(k.used), std::string::npos) << w[0];
  }
  std::vector<std::string> w;
  SdkConfig c = Parse({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}});
  EXPECT_EQ(AutoconfigOtlpOptions(c.otlp, &w).endpoint, "http://localhost:4318/v1/traces");
}

}  // namespace
}  // namespace ariadne::sdk
