// Drives W3CTestService the way the w3c/trace-context harness does: POST /test with the headers
// under test and callback URLs served by a local "harness" server, then checks what the
// callbacks received (TraceContextTest, AdvancedTest, TraceContext2Test shapes).
#include "sdk/examples/w3c_test_service.h"

#include <map>
#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "tests/testing/http_client.h"

namespace ariadne::examples {
namespace {

const std::string kTid = "12345678901234567890123456789012";

class Harness {
 public:
  Harness() : server_(HttpServerOptions{}) {
    server_.Route(
        "POST", "/",
        [this](HttpRequest&& req, HttpResponder respond) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            calls_[req.path] = {std::string(req.Header("traceparent")),
                                std::string(req.Header("tracestate")), req.body};
          }
          respond(HttpResponse::Json(200, "{}"));
        },
        /*prefix=*/true);
    EXPECT_TRUE(server_.Start().ok());
    EXPECT_TRUE(service_.Start().ok());
  }
  ~Harness() {
    service_.Stop();
    server_.Stop();
  }
  struct Call {
    std::string traceparent, tracestate, body;
  };
  // Sends the test request and returns the callbacks, by index.
  std::vector<Call> Run(std::vector<std::pair<std::string, std::string>> headers, int callbacks) {
    std::string body = "[";
    for (int i = 0; i < callbacks; ++i) {
      if (i) body += ",";
      body += "{\"url\":\"http://127.0.0.1:" + std::to_string(server_.port()) + "/scope." +
              std::to_string(i) + "\",\"arguments\":[]}";
    }
    body += "]";
    headers.push_back({"Content-Type", "application/json"});
    auto resp = testing::HttpPost(service_.port(), "/test", body, headers);
    EXPECT_EQ(resp.status, 200);
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Call> out;
    for (int i = 0; i < callbacks; ++i) out.push_back(calls_["/scope." + std::to_string(i)]);
    calls_.clear();
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Call> calls_;
  HttpServer server_;
  W3CTestService service_;
};

std::string TraceId(const std::string& tp) { return tp.size() == 55 ? tp.substr(3, 32) : ""; }

TEST(W3CTestService, ContinuesAValidTraceWithADistinctParentPerCallback) {
  Harness h;
  auto calls =
      h.Run({{"traceparent", "00-" + kTid + "-1234567890123456-01"}, {"tracestate", "foo=1"}}, 3);
  std::set<std::string> parents;
  for (const auto& c : calls) {
    EXPECT_EQ(TraceId(c.traceparent), kTid);
    EXPECT_EQ(c.traceparent.substr(53), "01");
    EXPECT_EQ(c.tracestate, "foo=1");
    EXPECT_EQ(c.body, "[]");
    parents.insert(c.traceparent.substr(36, 16));
  }
  EXPECT_EQ(parents.size(), 3u);
  EXPECT_EQ(parents.count("1234567890123456"), 0u);
}

TEST(W3CTestService, RestartsOnAnInvalidTraceparentAndDropsTracestate) {
  Harness h;
  auto calls =
      h.Run({{"traceparent", "00-" + kTid + "-0000000000000000-01"}, {"tracestate", "foo=1"}}, 1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].traceparent.size(), 55u);
  EXPECT_NE(TraceId(calls[0].traceparent), kTid);
  EXPECT_EQ(calls[0].tracestate, "");
}

TEST(W3CTestService, PropagatesTheRandomFlag) {
  Harness h;
  auto calls = h.Run({{"traceparent", "00-" + kTid + "-1234567890123456-02"}}, 1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(TraceId(calls[0].traceparent), kTid);
  EXPECT_EQ(calls[0].traceparent.substr(53), "02");
}

TEST(W3CTestService, StartsATraceWhenNoneIsGiven) {
  Harness h;
  auto calls = h.Run({}, 1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].traceparent.size(), 55u);
  EXPECT_EQ(calls[0].traceparent.substr(0, 3), "00-");
}

}  // namespace
}  // namespace ariadne::examples
