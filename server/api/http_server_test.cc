#include "server/api/http_server.h"

#include <thread>

#include <gtest/gtest.h>

#include "tests/testing/http_client.h"

namespace ariadne {
namespace {

using testing::HttpGet;
using testing::HttpPost;
using testing::HttpRequestRaw;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions o;
    o.max_body_bytes = 1024;
    server_ = std::make_unique<HttpServer>(o);
    server_->Route("GET", "/health",
                   [](HttpRequest&&, HttpResponder r) { r(HttpResponse::Text(200, "ok\n")); });
    server_->Route("POST", "/echo", [](HttpRequest&& req, HttpResponder r) {
      HttpResponse resp = HttpResponse::Text(200, req.body);
      resp.headers.emplace_back("X-Query", req.query);
      resp.headers.emplace_back("X-Type", std::string(req.Header("content-type")));
      r(std::move(resp));
    });
    server_->Route("GET", "/later", [](HttpRequest&&, HttpResponder r) {
      // Answered from another thread, after the handler returned.
      std::thread([r = std::move(r)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r(HttpResponse::Json(202, "{}"));
      }).detach();
    });
    server_->Route(
        "GET", "/static/",
        [](HttpRequest&& req, HttpResponder r) { r(HttpResponse::Text(200, req.path)); },
        /*prefix=*/true);
    ASSERT_TRUE(server_->Start().ok());
  }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, RoutesExactPrefixAndNotFound) {
  EXPECT_EQ(HttpGet(server_->port(), "/health").body, "ok\n");
  EXPECT_EQ(HttpGet(server_->port(), "/static/a/b.js").body, "/static/a/b.js");
  EXPECT_EQ(HttpGet(server_->port(), "/nope").status, 404);
  EXPECT_EQ(HttpPost(server_->port(), "/health", "").status, 404);  // wrong method
}

TEST_F(HttpServerTest, BodyQueryAndHeadersReachTheHandler) {
  auto r = HttpPost(server_->port(), "/echo?a=1&b=2", "payload",
                    {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "payload");
  EXPECT_EQ(r.Header("x-query"), "a=1&b=2");
  EXPECT_EQ(r.Header("x-type"), "application/x-protobuf");
}

TEST_F(HttpServerTest, AsynchronousResponder) {
  auto r = HttpGet(server_->port(), "/later");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.Header("content-type"), "application/json");
}

TEST_F(HttpServerTest, OversizedBodyIsRefusedWith413AndServerStaysHealthy) {
  auto r = HttpPost(server_->port(), "/echo", std::string(4096, 'x'));
  EXPECT_EQ(r.status, 413);
  // A declared length far beyond the limit is refused without sending the body.
  r = HttpRequestRaw(server_->port(),
                     "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(HttpGet(server_->port(), "/health").status, 200);
}

TEST_F(HttpServerTest, GarbageGets400) {
  auto r = HttpRequestRaw(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HttpGet(server_->port(), "/health").status, 200);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string two =
      "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: "
      "close\r\n\r\n";
  auto r = HttpRequestRaw(server_->port(), two);
  EXPECT_EQ(r.status, 200);  // the client reads the first; the server answered both
}

TEST(HttpServerStartTest, BadAddressAndBusyPortAreErrors) {
  HttpServerOptions o;
  o.host = "not an address";
  HttpServer bad(o);
  EXPECT_EQ(bad.Start().code(), StatusCode::kInvalidArgument);
  HttpServer first(HttpServerOptions{});
  ASSERT_TRUE(first.Start().ok());
  HttpServerOptions same;
  same.port = first.port();
  HttpServer second(same);
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ariadne
