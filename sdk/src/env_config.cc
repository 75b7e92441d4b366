#include "ariadne/sdk/env_config.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace ariadne::sdk {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class Reader {
 public:
  Reader(const EnvLookup& env, std::vector<std::string>* warnings)
      : env_(env), warnings_(warnings) {}

  // Empty counts as unset.
  std::optional<std::string> Get(const std::string& name) const {
    std::optional<std::string> v = env_(name);
    if (v && Trim(*v).empty()) return std::nullopt;
    if (v) return std::string(Trim(*v));
    return v;
  }
  std::optional<std::string> First(const std::string& specific, const std::string& generic) const {
    std::optional<std::string> v = Get(specific);
    return v ? v : Get(generic);
  }
  void Bool(const std::string& name, bool* out) const {
    std::optional<std::string> v = Get(name);
    if (!v) return;
    std::string l = Lower(*v);
    *out = l == "true";
    if (l != "true" && l != "false") Warn(name, *v, "is not a boolean; treated as false");
  }
  // Non-negative 32-bit integer.
  std::optional<uint32_t> Int(const std::string& name) const {
    std::optional<std::string> v = Get(name);
    if (!v) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long long n = std::strtoll(v->c_str(), &end, 10);
    if (errno != 0 || end == v->c_str() || *end != '\0' || n < 0 || n > 2147483647) {
      Warn(name, *v, "is not an integer in 0..2147483647; ignored");
      return std::nullopt;
    }
    return static_cast<uint32_t>(n);
  }
  std::optional<uint32_t> IntEither(const std::string& specific, const std::string& generic) const {
    std::optional<uint32_t> v = Int(specific);
    return v ? v : Int(generic);
  }
  void Warn(const std::string& name, const std::string& value, const std::string& what) const {
    warnings_->push_back(name + "='" + value + "' " + what);
  }

 private:
  const EnvLookup& env_;
  std::vector<std::string>* warnings_;
};

bool HasPath(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  return url.find('/', start) != std::string_view::npos;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || HexVal(s[i + 1]) < 0 || HexVal(s[i + 2]) < 0) return std::nullopt;
    out.push_back(static_cast<char>(HexVal(s[i + 1]) * 16 + HexVal(s[i + 2])));
    i += 2;
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> ParseKeyValueList(
    std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view member = Trim(text.substr(0, comma));
    if (!member.empty()) {
      size_t eq = member.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      std::string_view k = Trim(member.substr(0, eq));
      if (k.empty()) return std::nullopt;
      auto key = PercentDecode(k);
      auto value = PercentDecode(Trim(member.substr(eq + 1)));
      if (!key || !value) return std::nullopt;
      out.emplace_back(std::move(*key), std::move(*value));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

SdkConfig ParseSdkConfig(const EnvLookup& env) {
  SdkConfig c;
  Reader r(env, &c.warnings);

  if (r.Get("OTEL_CONFIG_FILE") || r.Get("OTEL_EXPERIMENTAL_CONFIG_FILE")) {
    c.warnings.push_back(
        "OTEL_CONFIG_FILE is not supported by the Ariadne SDK; using environment variables");
  }
  r.Bool("OTEL_SDK_DISABLED", &c.disabled);

  if (auto v = r.Get("OTEL_RESOURCE_ATTRIBUTES")) {
    auto kvs = ParseKeyValueList(*v);
    if (!kvs) {
      r.Warn("OTEL_RESOURCE_ATTRIBUTES", *v, "is malformed; discarded");
    } else {
      Resource env_resource;
      for (auto& [k, val] : *kvs) env_resource.Set(k, val);
      c.resource = c.resource.Merge(env_resource);
    }
  }
  if (auto v = r.Get("OTEL_SERVICE_NAME")) c.resource.Set("service.name", *v);

  static const char* kSamplers[] = {"always_on",
                                    "always_off",
                                    "traceidratio",
                                    "parentbased_always_on",
                                    "parentbased_always_off",
                                    "parentbased_traceidratio",
                                    "jaeger_remote",
                                    "parentbased_jaeger_remote"};
  if (auto v = r.Get("OTEL_TRACES_SAMPLER")) {
    std::string l = Lower(*v);
    if (std::find(std::begin(kSamplers), std::end(kSamplers), l) != std::end(kSamplers)) {
      c.sampler = l;
    } else {
      r.Warn("OTEL_TRACES_SAMPLER", *v, "is not a supported sampler; using parentbased_always_on");
    }
  }
  if (auto v = r.Get("OTEL_TRACES_SAMPLER_ARG")) c.sampler_arg = *v;

  if (auto v = r.Get("OTEL_TRACES_EXPORTER")) {
    c.exporters.clear();
    std::string_view list = *v;
    while (true) {
      size_t comma = list.find(',');
      std::string name = Lower(Trim(list.substr(0, comma)));
      if (name == "logging") name = "console";  // deprecated alias
      if (name == "otlp" || name == "console" || name == "none") {
        if (std::find(c.exporters.begin(), c.exporters.end(), name) == c.exporters.end()) {
          c.exporters.push_back(name);
        }
      } else if (!name.empty()) {
        r.Warn("OTEL_TRACES_EXPORTER", name, "is not a supported exporter; ignored");
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    if (c.exporters.empty()) c.exporters.push_back("otlp");
    if (c.exporters.size() > 1) {
      c.exporters.erase(std::remove(c.exporters.begin(), c.exporters.end(), "none"),
                        c.exporters.end());
    }
  }
  if (auto v = r.Get("OTEL_PROPAGATORS")) c.propagators = *v;

  if (auto v = r.Int("OTEL_BSP_SCHEDULE_DELAY"))
    c.batch.schedule_delay = std::chrono::milliseconds(*v);
  if (auto v = r.Int("OTEL_BSP_EXPORT_TIMEOUT"))
    c.batch.export_timeout = std::chrono::milliseconds(*v);
  if (auto v = r.Int("OTEL_BSP_MAX_QUEUE_SIZE")) {
    if (*v == 0) {
      r.Warn("OTEL_BSP_MAX_QUEUE_SIZE", "0", "must be positive; ignored");
    } else {
      c.batch.max_queue_size = *v;
    }
  }
  if (auto v = r.Int("OTEL_BSP_MAX_EXPORT_BATCH_SIZE")) {
    if (*v == 0) {
      r.Warn("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "0", "must be positive; ignored");
    } else {
      c.batch.max_export_batch_size = *v;
    }
  }
  if (c.batch.max_export_batch_size > c.batch.max_queue_size) {
    c.warnings.push_back("OTEL_BSP_MAX_EXPORT_BATCH_SIZE exceeds OTEL_BSP_MAX_QUEUE_SIZE; using " +
                         std::to_string(c.batch.max_queue_size));
    c.batch.max_export_batch_size = c.batch.max_queue_size;
  }

  if (auto v = r.IntEither("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT")) {
    c.limits.attribute_count = *v;
  }
  if (auto v = r.IntEither("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                           "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")) {
    c.limits.attribute_value_length = *v;
  }
  if (auto v = r.Int("OTEL_SPAN_EVENT_COUNT_LIMIT")) c.limits.event_count = *v;
  if (auto v = r.Int("OTEL_SPAN_LINK_COUNT_LIMIT")) c.limits.link_count = *v;
  if (auto v = r.Int("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT")) c.limits.event_attribute_count = *v;
  if (auto v = r.Int("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT")) c.limits.link_attribute_count = *v;

  // OTLP exporter.
  OtlpExporterConfig& o = c.otlp;
  if (auto v = r.First("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")) {
    std::string l = Lower(*v);
    if (l == "grpc" || l == "http/protobuf" || l == "http/json") {
      o.protocol = l;
    } else {
      r.Warn("OTEL_EXPORTER_OTLP_PROTOCOL", *v, "is not grpc, http/protobuf or http/json; ignored");
    }
  }
  bool grpc = o.protocol == "grpc";
  if (auto v = r.Get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
    o.endpoint = *v;
    if (!grpc && !HasPath(o.endpoint)) o.endpoint += "/";
  } else if (auto base = r.Get("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    o.endpoint = *base;
    if (!grpc) {
      if (o.endpoint.back() != '/') o.endpoint += "/";
      o.endpoint += "v1/traces";
    }
  } else {
    o.endpoint = grpc ? "http://localhost:4317" : "http://localhost:4318/v1/traces";
  }
  if (auto v = r.First("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS")) {
    auto kvs = ParseKeyValueList(*v);
    if (kvs) {
      o.headers = std::move(*kvs);
    } else {
      r.Warn("OTEL_EXPORTER_OTLP_HEADERS", "(hidden)", "is malformed; ignored");
    }
  }
  if (auto v = r.First("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION")) {
    std::string l = Lower(*v);
    if (l == "gzip" || l == "none") {
      o.compression = l;
    } else {
      r.Warn("OTEL_EXPORTER_OTLP_COMPRESSION", *v, "is not gzip or none; ignored");
    }
  }
  if (auto v = r.Int("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")) {
    o.timeout = std::chrono::milliseconds(*v);
  } else if (auto g = r.Int("OTEL_EXPORTER_OTLP_TIMEOUT")) {
    o.timeout = std::chrono::milliseconds(*g);
  }
  if (auto v = r.First("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "OTEL_EXPORTER_OTLP_CERTIFICATE")) {
    o.certificate = *v;
  }
  if (auto v = r.First("OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_KEY")) {
    o.client_key = *v;
  }
  if (auto v = r.First("OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE",
                       "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE")) {
    o.client_certificate = *v;
  }
  if (r.Get("OTEL_EXPORTER_OTLP_TRACES_INSECURE")) {
    r.Bool("OTEL_EXPORTER_OTLP_TRACES_INSECURE", &o.insecure);
  } else {
    r.Bool("OTEL_EXPORTER_OTLP_INSECURE", &o.insecure);
  }
  return c;
}

SdkConfig ParseSdkConfigFromEnvironment() {
  return ParseSdkConfig([](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
}

namespace {
double ParseRatio(const SdkConfig& c, std::vector<std::string>* warnings) {
  if (c.sampler_arg.empty()) return 1.0;
  char* end = nullptr;
  double r = std::strtod(c.sampler_arg.c_str(), &end);
  if (end == c.sampler_arg.c_str() || *end != '\0' || !(r >= 0 && r <= 1)) {
    warnings->push_back("OTEL_TRACES_SAMPLER_ARG='" + c.sampler_arg +
                        "' is not a probability in [0, 1]; using 1.0");
    return 1.0;
  }
  return r;
}
double JaegerInitialRate(const SdkConfig& c) {
  auto kvs = ParseKeyValueList(c.sampler_arg);
  if (kvs) {
    for (auto& [k, v] : *kvs) {
      if (k == "initialSamplingRate") {
        char* end = nullptr;
        double r = std::strtod(v.c_str(), &end);
        if (end != v.c_str() && *end == '\0' && r >= 0 && r <= 1) return r;
      }
    }
  }
  return 0.001;
}
}  // namespace

std::unique_ptr<Sampler> MakeSamplerFromConfig(const SdkConfig& c,
                                               std::vector<std::string>* warnings) {
  const std::string& s = c.sampler;
  if (s == "always_on") return MakeAlwaysOnSampler();
  if (s == "always_off") return MakeAlwaysOffSampler();
  if (s == "traceidratio") return MakeTraceIdRatioSampler(ParseRatio(c, warnings));
  if (s == "parentbased_always_off") return MakeParentBasedSampler(MakeAlwaysOffSampler());
  if (s == "parentbased_traceidratio") {
    return MakeParentBasedSampler(MakeTraceIdRatioSampler(ParseRatio(c, warnings)));
  }
  if (s == "jaeger_remote" || s == "parentbased_jaeger_remote") {
    warnings->push_back("OTEL_TRACES_SAMPLER=" + s +
                        ": the remote sampler is not linked; using its initial sampling rate");
    auto ratio = MakeTraceIdRatioSampler(JaegerInitialRate(c));
    return s == "jaeger_remote" ? std::move(ratio) : MakeParentBasedSampler(std::move(ratio));
  }
  return MakeParentBasedSampler(MakeAlwaysOnSampler());
}

}  // namespace ariadne::sdk
