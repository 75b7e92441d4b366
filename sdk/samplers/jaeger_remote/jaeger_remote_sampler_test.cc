// JaegerRemoteSampler against a fake strategy server on 127.0.0.1: probabilistic, per-operation
// (with lower bound), rate limiting, keeping the last good strategy on failure. Polls are driven
// with PollNow(); no timing assertions.
#include "ariadne/sdk/jaeger_remote_sampler.h"

#include <mutex>

#include <gtest/gtest.h>

#include "ariadne/sdk/id_generator.h"
#include "server/api/http_server.h"

namespace ariadne::sdk {
namespace {

class StrategyServer {
 public:
  StrategyServer() : server_(HttpServerOptions{}) {
    server_.Route("GET", "/sampling", [this](HttpRequest&& req, HttpResponder respond) {
      std::lock_guard<std::mutex> lock(mu_);
      last_query_ = req.query;
      HttpResponse r = HttpResponse::Json(status_, body_);
      respond(std::move(r));
    });
    EXPECT_TRUE(server_.Start().ok());
  }
  ~StrategyServer() { server_.Stop(); }
  void Serve(int status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  std::string query() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_query_;
  }
  std::string endpoint() const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/sampling";
  }

 private:
  std::mutex mu_;
  int status_ = 200;
  std::string body_ = "{}";
  std::string last_query_;
  HttpServer server_;
};

JaegerRemoteSamplerOptions Options(const StrategyServer& s) {
  JaegerRemoteSamplerOptions o;
  o.endpoint = s.endpoint();
  o.service_name = "checkout api";
  o.initial_sampling_rate = 0;
  o.start_polling_thread = false;
  return o;
}

int CountSampled(JaegerRemoteSampler& s, std::string_view name, int n) {
  int sampled = 0;
  for (int i = 0; i < n; ++i) {
    trace::TraceId id = NewTraceId();
    SamplingParams p{nullptr, id, name, trace::SpanKind::kServer, {}, {}};
    if (s.ShouldSample(p) == SamplingDecision::kRecordAndSample) ++sampled;
  }
  return sampled;
}

TEST(JaegerRemoteSampler, UsesTheInitialRateUntilTheFirstPoll) {
  StrategyServer server;
  JaegerRemoteSampler s(Options(server));
  EXPECT_EQ(CountSampled(s, "op", 200), 0);
}

TEST(JaegerRemoteSampler, AppliesProbabilisticStrategiesAndSendsTheServiceName) {
  StrategyServer server;
  JaegerRemoteSampler s(Options(server));
  server.Serve(200,
               R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1}})");
  ASSERT_TRUE(s.PollNow());
  EXPECT_EQ(server.query(), "service=checkout%20api");
  EXPECT_EQ(CountSampled(s, "op", 200), 200);
  server.Serve(200, R"({"strategyType":0,"probabilisticSampling":{"samplingRate":0}})");
  ASSERT_TRUE(s.PollNow());
  EXPECT_EQ(CountSampled(s, "op", 200), 0);
}

TEST(JaegerRemoteSampler, PerOperationStrategiesWinAndHonourTheLowerBound) {
  StrategyServer server;
  JaegerRemoteSampler s(Options(server));
  server.Serve(200, R"({"strategyType":"PROBABILISTIC",
      "probabilisticSampling":{"samplingRate":1},
      "operationSampling":{"defaultSamplingProbability":0,
        "defaultLowerBoundTracesPerSecond":0.5,
        "perOperationStrategies":[{"operation":"GET /hot","probabilisticSampling":{"samplingRate":1}}]}})");
  ASSERT_TRUE(s.PollNow());
  EXPECT_EQ(CountSampled(s, "GET /hot", 100), 100);
  // Probability 0, but the lower bound lets the first one through (bucket of one credit).
  int cold = CountSampled(s, "GET /cold", 100);
  EXPECT_GE(cold, 1);
  EXPECT_LE(cold, 2);
}

TEST(JaegerRemoteSampler, RateLimitingCapsTracesPerSecond) {
  StrategyServer server;
  JaegerRemoteSampler s(Options(server));
  server.Serve(
      200, R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":3}})");
  ASSERT_TRUE(s.PollNow());
  int sampled = CountSampled(s, "op", 1000);
  EXPECT_GE(sampled, 3);
  EXPECT_LE(sampled, 4);  // a credit may accrue while the loop runs
}

TEST(JaegerRemoteSampler, KeepsTheLastGoodStrategyOnFailures) {
  StrategyServer server;
  JaegerRemoteSampler s(Options(server));
  server.Serve(200, R"({"probabilisticSampling":{"samplingRate":1}})");
  ASSERT_TRUE(s.PollNow());
  server.Serve(500, "oops");
  EXPECT_FALSE(s.PollNow());
  EXPECT_EQ(CountSampled(s, "op", 50), 50);
  server.Serve(200, "{not json");
  EXPECT_FALSE(s.PollNow());
  server.Serve(200, R"({"unknown":1})");
  EXPECT_FALSE(s.PollNow());
  EXPECT_EQ(CountSampled(s, "op", 50), 50);
  EXPECT_NE(s.Description().find("probabilistic"), std::string::npos);
}

TEST(JaegerRemoteSampler, UnreachableServerKeepsTheInitialRate) {
  JaegerRemoteSamplerOptions o;
  o.endpoint = "http://127.0.0.1:1/sampling";
  o.initial_sampling_rate = 1;
  o.start_polling_thread = false;
  JaegerRemoteSampler s(o);
  EXPECT_FALSE(s.PollNow());
  EXPECT_EQ(CountSampled(s, "op", 20), 20);
}

TEST(JaegerRemoteSampler, OptionsFromTheSamplerArg) {
  auto o = JaegerRemoteSamplerOptions::FromArg(
      "endpoint=http://agent:5778/sampling,pollingIntervalMs=2000,initialSamplingRate=0.25", "svc");
  EXPECT_EQ(o.endpoint, "http://agent:5778/sampling");
  EXPECT_EQ(o.polling_interval, std::chrono::milliseconds(2000));
  EXPECT_DOUBLE_EQ(o.initial_sampling_rate, 0.25);
  EXPECT_EQ(o.service_name, "svc");
}

}  // namespace
}  // namespace ariadne::sdk
