// OTEL_* parsing: defaults, empty-as-unset, booleans, integers, enums, endpoints, resources.
#include "ariadne/sdk/env_config.h"

#include <map>

#include <gtest/gtest.h>

namespace ariadne::sdk {
namespace {

SdkConfig Parse(std::map<std::string, std::string> vars) {
  return ParseSdkConfig([vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

std::string ServiceName(const SdkConfig& c) {
  const OwnedValue* v = c.resource.Find("service.name");
  return v ? std::get<std::string>(*v) : "";
}

TEST(EnvConfig, DefaultsFollowTheSpec) {
  SdkConfig c = Parse({});
  EXPECT_FALSE(c.disabled);
  EXPECT_EQ(c.sampler, "parentbased_always_on");
  EXPECT_EQ(c.exporters, std::vector<std::string>{"otlp"});
  EXPECT_EQ(c.propagators, "tracecontext,baggage");
  EXPECT_EQ(c.batch.max_queue_size, 2048u);
  EXPECT_EQ(c.batch.max_export_batch_size, 512u);
  EXPECT_EQ(c.batch.schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.batch.export_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(c.limits.attribute_count, 128u);
  EXPECT_EQ(c.otlp.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(c.otlp.protocol, "http/protobuf");
  EXPECT_EQ(c.otlp.timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(ServiceName(c), "unknown_service");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(EnvConfig, EmptyValuesAreUnset) {
  SdkConfig c = Parse({{"OTEL_TRACES_SAMPLER", ""},
                       {"OTEL_BSP_MAX_QUEUE_SIZE", ""},
                       {"OTEL_SDK_DISABLED", ""},
                       {"OTEL_SERVICE_NAME", ""}});
  EXPECT_EQ(c.sampler, "parentbased_always_on");
  EXPECT_EQ(c.batch.max_queue_size, 2048u);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(EnvConfig, BooleansAreTrueOnlyForTrueAndWarnOnGarbage) {
  EXPECT_TRUE(Parse({{"OTEL_SDK_DISABLED", "TRUE"}}).disabled);
  EXPECT_FALSE(Parse({{"OTEL_SDK_DISABLED", "false"}}).disabled);
  SdkConfig c = Parse({{"OTEL_SDK_DISABLED", "1"}});
  EXPECT_FALSE(c.disabled);
  EXPECT_EQ(c.warnings.size(), 1u);
}

TEST(EnvConfig, BadIntegersWarnAndKeepDefaults) {
  SdkConfig c = Parse({{"OTEL_BSP_MAX_QUEUE_SIZE", "lots"},
                       {"OTEL_BSP_SCHEDULE_DELAY", "-5"},
                       {"OTEL_SPAN_EVENT_COUNT_LIMIT", "99999999999"}});
  EXPECT_EQ(c.batch.max_queue_size, 2048u);
  EXPECT_EQ(c.batch.schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.limits.event_count, 128u);
  EXPECT_EQ(c.warnings.size(), 3u);
}

TEST(EnvConfig, BatchSizeIsCappedByQueueSize) {
  SdkConfig c =
      Parse({{"OTEL_BSP_MAX_QUEUE_SIZE", "100"}, {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200"}});
  EXPECT_EQ(c.batch.max_export_batch_size, 100u);
  EXPECT_EQ(c.warnings.size(), 1u);
}

TEST(EnvConfig, EnumsAreCaseInsensitiveAndUnknownWarns) {
  EXPECT_EQ(Parse({{"OTEL_TRACES_SAMPLER", "TraceIdRatio"}}).sampler, "traceidratio");
  SdkConfig c = Parse({{"OTEL_TRACES_SAMPLER", "xray"}});
  EXPECT_EQ(c.sampler, "parentbased_always_on");
  EXPECT_EQ(c.warnings.size(), 1u);
}

TEST(EnvConfig, ExporterListDeduplicatesAndMapsLogging) {
  SdkConfig c = Parse({{"OTEL_TRACES_EXPORTER", "console, logging,otlp,zipkin"}});
  EXPECT_EQ(c.exporters, (std::vector<std::string>{"console", "otlp"}));
  EXPECT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(Parse({{"OTEL_TRACES_EXPORTER", "none"}}).exporters, std::vector<std::string>{"none"});
}

TEST(EnvConfig, SignalEndpointIsUsedAsIsOrGetsARootPath) {
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318"}}).otlp.endpoint,
            "http://collector:4318/");
  EXPECT_EQ(
      Parse({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/custom/path"}}).otlp.endpoint,
      "http://c:4318/custom/path");
}

TEST(EnvConfig, BaseEndpointGetsV1Traces) {
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}}).otlp.endpoint,
            "http://collector:4318/v1/traces");
  EXPECT_EQ(
      Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/mycollector/"}}).otlp.endpoint,
      "http://collector:4318/mycollector/v1/traces");
  // The per-signal endpoint wins.
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:1"},
                   {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:2/x"}})
                .otlp.endpoint,
            "http://b:2/x");
}

TEST(EnvConfig, GrpcDefaultsAndEndpointsAreNotGivenAPath) {
  SdkConfig c = Parse({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}});
  EXPECT_EQ(c.otlp.endpoint, "http://localhost:4317");
  c = Parse(
      {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}});
  EXPECT_EQ(c.otlp.endpoint, "http://c:4317");
}

TEST(EnvConfig, HeadersTimeoutCompressionPerSignalOverride) {
  SdkConfig c = Parse({{"OTEL_EXPORTER_OTLP_HEADERS", "a=1"},
                       {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=s%20ecret,b=2"},
                       {"OTEL_EXPORTER_OTLP_COMPRESSION", "GZIP"},
                       {"OTEL_EXPORTER_OTLP_TIMEOUT", "500"},
                       {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0"}});
  ASSERT_EQ(c.otlp.headers.size(), 2u);
  EXPECT_EQ(c.otlp.headers[0].second, "s ecret");
  EXPECT_EQ(c.otlp.compression, "gzip");
  EXPECT_EQ(c.otlp.timeout, std::chrono::milliseconds(0));
}

TEST(EnvConfig, ResourceAttributesAreDecodedAndServiceNameWins) {
  SdkConfig c = Parse({{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs,team=a%2Cb"}});
  EXPECT_EQ(ServiceName(c), "from-attrs");
  EXPECT_EQ(std::get<std::string>(*c.resource.Find("team")), "a,b");
  c = Parse(
      {{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs"}, {"OTEL_SERVICE_NAME", "svc"}});
  EXPECT_EQ(ServiceName(c), "svc");
}

TEST(EnvConfig, MalformedResourceAttributesAreDiscardedWhole) {
  SdkConfig c = Parse({{"OTEL_RESOURCE_ATTRIBUTES", "team=a,bad%zz=1"}});
  EXPECT_EQ(c.resource.Find("team"), nullptr);
  EXPECT_EQ(c.warnings.size(), 1u);
}

TEST(EnvConfig, LimitsFallBackToGenericAttributeLimits) {
  SdkConfig c = Parse({{"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"},
                       {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "20"},
                       {"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "30"},
                       {"OTEL_SPAN_LINK_COUNT_LIMIT", "3"},
                       {"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "4"},
                       {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "5"}});
  EXPECT_EQ(c.limits.attribute_count, 10u);
  EXPECT_EQ(c.limits.attribute_value_length, 30u);
  EXPECT_EQ(c.limits.link_count, 3u);
  EXPECT_EQ(c.limits.event_attribute_count, 4u);
  EXPECT_EQ(c.limits.link_attribute_count, 5u);
}

TEST(EnvConfig, SamplerFromConfigHonoursArgAndWarnsOnBadArg) {
  std::vector<std::string> w;
  SdkConfig c =
      Parse({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.5"}});
  EXPECT_EQ(MakeSamplerFromConfig(c, &w)->Description(), "TraceIdRatioBased{0.5}");
  EXPECT_TRUE(w.empty());
  c = Parse(
      {{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "2"}});
  EXPECT_NE(MakeSamplerFromConfig(c, &w)->Description().find("TraceIdRatioBased{1}"),
            std::string::npos);
  EXPECT_EQ(w.size(), 1u);
  EXPECT_NE(MakeSamplerFromConfig(Parse({}), &w)->Description().find("ParentBased{root:AlwaysOn"),
            std::string::npos);
}

}  // namespace
}  // namespace ariadne::sdk
