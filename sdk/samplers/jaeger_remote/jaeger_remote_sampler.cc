#include "ariadne/sdk/jaeger_remote_sampler.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

#include <curl/curl.h>
#include <simdjson.h>

#include "ariadne/sdk/env_config.h"
#include "base/logging.h"

namespace ariadne::sdk {

// A token bucket: `rate` credits per second, at most max(rate, 1) banked.
class RateLimiter {
 public:
  explicit RateLimiter(double rate) : rate_(rate), balance_(std::max(rate, 1.0)) {
    last_ = std::chrono::steady_clock::now();
  }
  bool TryTake() {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    balance_ = std::min(std::max(rate_, 1.0), balance_ + elapsed * rate_);
    if (balance_ >= 1.0) {
      balance_ -= 1.0;
      return true;
    }
    return false;
  }

 private:
  std::mutex mu_;
  double rate_;
  double balance_;
  std::chrono::steady_clock::time_point last_;
};

struct RemoteStrategy {
  enum class Kind { kProbabilistic, kRateLimiting, kPerOperation } kind = Kind::kProbabilistic;
  double probability = 0;
  std::unique_ptr<RateLimiter> limiter;  // kRateLimiting
  // kPerOperation
  double default_probability = 0;
  double lower_bound_per_second = 0;
  std::map<std::string, double, std::less<>> operations;
  mutable std::mutex lower_bound_mu;
  mutable std::map<std::string, std::unique_ptr<RateLimiter>, std::less<>> lower_bounds;
  std::string description;
};

namespace {

size_t Append(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  if (s->size() + size * n > (1u << 20)) return 0;
  s->append(data, size * n);
  return size * n;
}

double Clamp01(double v) { return std::isnan(v) ? 0 : std::min(1.0, std::max(0.0, v)); }

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out.append(buf);
    }
  }
  return out;
}

}  // namespace

JaegerRemoteSamplerOptions JaegerRemoteSamplerOptions::FromArg(std::string_view arg,
                                                               std::string service_name) {
  JaegerRemoteSamplerOptions o;
  o.service_name = std::move(service_name);
  auto kvs = ParseKeyValueList(arg);
  if (!kvs) return o;
  for (auto& [k, v] : *kvs) {
    if (k == "endpoint") {
      o.endpoint = v;
    } else if (k == "pollingIntervalMs") {
      long ms = std::strtol(v.c_str(), nullptr, 10);
      if (ms > 0) o.polling_interval = std::chrono::milliseconds(ms);
    } else if (k == "initialSamplingRate") {
      o.initial_sampling_rate = Clamp01(std::strtod(v.c_str(), nullptr));
    }
  }
  return o;
}

std::shared_ptr<RemoteStrategy> JaegerRemoteSampler::ParseStrategy(std::string_view json) noexcept {
  try {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
      return nullptr;
    }
    auto s = std::make_shared<RemoteStrategy>();
    simdjson::dom::element ops;
    if (doc["operationSampling"].get(ops) == simdjson::SUCCESS && ops.is_object()) {
      s->kind = RemoteStrategy::Kind::kPerOperation;
      double d = 0;
      if (ops["defaultSamplingProbability"].get_double().get(d) == simdjson::SUCCESS) {
        s->default_probability = Clamp01(d);
      }
      if (ops["defaultLowerBoundTracesPerSecond"].get_double().get(d) == simdjson::SUCCESS) {
        s->lower_bound_per_second = std::max(0.0, d);
      }
      simdjson::dom::array per_op;
      if (ops["perOperationStrategies"].get_array().get(per_op) == simdjson::SUCCESS) {
        for (simdjson::dom::element op : per_op) {
          std::string_view name;
          double rate = 0;
          if (op["operation"].get_string().get(name) == simdjson::SUCCESS &&
              op["probabilisticSampling"]["samplingRate"].get_double().get(rate) ==
                  simdjson::SUCCESS) {
            s->operations[std::string(name)] = Clamp01(rate);
          }
        }
      }
      s->description =
          "JaegerRemote{perOperation, default=" + std::to_string(s->default_probability) +
          ", operations=" + std::to_string(s->operations.size()) + "}";
      return s;
    }
    double rate = 0;
    if (doc["probabilisticSampling"]["samplingRate"].get_double().get(rate) == simdjson::SUCCESS) {
      s->kind = RemoteStrategy::Kind::kProbabilistic;
      s->probability = Clamp01(rate);
      s->description = "JaegerRemote{probabilistic " + std::to_string(s->probability) + "}";
      return s;
    }
    double per_second = 0;
    simdjson::dom::element rl;
    if (doc["rateLimitingSampling"].get(rl) == simdjson::SUCCESS) {
      int64_t i = 0;
      if (rl["maxTracesPerSecond"].get_double().get(per_second) != simdjson::SUCCESS &&
          rl["maxTracesPerSecond"].get_int64().get(i) == simdjson::SUCCESS) {
        per_second = static_cast<double>(i);
      }
      s->kind = RemoteStrategy::Kind::kRateLimiting;
      s->limiter = std::make_unique<RateLimiter>(std::max(0.0, per_second));
      s->description = "JaegerRemote{rateLimiting " + std::to_string(per_second) + "/s}";
      return s;
    }
    return nullptr;
  } catch (...) {
    return nullptr;
  }
}

JaegerRemoteSampler::JaegerRemoteSampler(JaegerRemoteSamplerOptions options)
    : options_(std::move(options)) {
  auto initial = std::make_shared<RemoteStrategy>();
  initial->probability = Clamp01(options_.initial_sampling_rate);
  initial->description = "JaegerRemote{initial " + std::to_string(initial->probability) + "}";
  strategy_.store(initial);
  if (options_.start_polling_thread) {
    poller_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stop_) {
        lock.unlock();
        PollNow();
        lock.lock();
        cv_.wait_for(lock, options_.polling_interval, [this] { return stop_; });
      }
    });
  }
}

JaegerRemoteSampler::~JaegerRemoteSampler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (poller_.joinable()) poller_.join();
}

bool JaegerRemoteSampler::PollNow() noexcept {
  std::string body;
  long status = 0;
  CURLcode rc = CURLE_FAILED_INIT;
  if (CURL* curl = curl_easy_init()) {
    std::string url = options_.endpoint +
                      (options_.endpoint.find('?') == std::string::npos ? "?" : "&") +
                      "service=" + UrlEncode(options_.service_name);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
  }
  std::shared_ptr<RemoteStrategy> parsed;
  if (rc == CURLE_OK && status == 200) parsed = ParseStrategy(body);
  if (!parsed) {
    ARIADNE_LOG(kWarn, "jaeger remote sampler: keeping the last strategy")
        .Field("endpoint", options_.endpoint)
        .Field("status", static_cast<int64_t>(status))
        .Field("curl", curl_easy_strerror(rc));
    return false;
  }
  strategy_.store(std::move(parsed));
  return true;
}

SamplingDecision JaegerRemoteSampler::ShouldSample(const SamplingParams& p) noexcept {
  std::shared_ptr<RemoteStrategy> s = strategy_.load();
  auto decide = [](bool yes) {
    return yes ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
  };
  switch (s->kind) {
    case RemoteStrategy::Kind::kProbabilistic:
      return decide(TraceIdRatioSamples(p.trace_id, s->probability));
    case RemoteStrategy::Kind::kRateLimiting:
      return decide(s->limiter && s->limiter->TryTake());
    case RemoteStrategy::Kind::kPerOperation: {
      auto it = s->operations.find(p.name);
      double prob = it == s->operations.end() ? s->default_probability : it->second;
      if (TraceIdRatioSamples(p.trace_id, prob)) return SamplingDecision::kRecordAndSample;
      if (s->lower_bound_per_second <= 0) return SamplingDecision::kDrop;
      try {
        std::lock_guard<std::mutex> lock(s->lower_bound_mu);
        auto lb = s->lower_bounds.find(p.name);
        if (lb == s->lower_bounds.end()) {
          lb = s->lower_bounds
                   .emplace(std::string(p.name),
                            std::make_unique<RateLimiter>(s->lower_bound_per_second))
                   .first;
        }
        return decide(lb->second->TryTake());
      } catch (...) {
        return SamplingDecision::kDrop;
      }
    }
  }
  return SamplingDecision::kDrop;
}

std::string JaegerRemoteSampler::Description() const { return strategy_.load()->description; }

}  // namespace ariadne::sdk
