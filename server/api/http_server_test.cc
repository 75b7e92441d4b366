#include "server/api/http_server.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testing/http_client.h"
#include "tests/testing/raw_connection.h"
#include "tests/testing/wait_for.h"

namespace ariadne {
namespace {

using testing::HttpGet;
using testing::HttpPost;
using testing::HttpRequestRaw;
using testing::RawConnection;
using testing::WaitFor;

std::unique_ptr<HttpServer> StartHealthServer(HttpServerOptions o) {
  auto server = std::make_unique<HttpServer>(o);
  server->Route("GET", "/health",
                [](HttpRequest&&, HttpResponder r) { r(HttpResponse::Text(200, "ok\n")); });
  server->Route("POST", "/ingest", [](HttpRequest&& req, HttpResponder r) {
    r(HttpResponse::Text(200, std::to_string(req.body.size())));
  });
  EXPECT_TRUE(server->Start().ok());
  return server;
}

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

TEST_F(HttpServerTest, EveryAnswerSaysNosniffAndTheDefault404DoesNotEchoThePath) {
  EXPECT_EQ(HttpGet(server_->port(), "/health").Header("x-content-type-options"), "nosniff");
  auto r = HttpGet(server_->port(), "/%3Cscript%3Ealert(1)%3C/script%3E<b>");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body.find("script"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("<b>"), std::string::npos) << r.body;
  r = HttpPost(server_->port(), "/echo", std::string(4096, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
}

TEST(HttpServerLimitsTest, ConnectionsOverTheCapAreRefusedAndCountedThenServiceResumes) {
  HttpServerOptions o;
  o.max_connections = 4;
  auto server = StartHealthServer(o);
  std::vector<RawConnection> held(4);
  for (RawConnection& c : held) ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(WaitFor([&] { return server->stats().connections == 4; }));

  for (int i = 0; i < 10; ++i) {
    RawConnection extra;
    ASSERT_TRUE(extra.Connect(server->port()));
    bool closed = false;
    std::string got = extra.ReadUntilClosed(5'000, &closed);
    EXPECT_TRUE(closed) << "connection " << i << " over the cap was left open";
    // The 503 is best effort; when it arrives it must be whole.
    if (!got.empty()) {
      EXPECT_EQ(got.rfind("HTTP/1.1 503", 0), 0u) << got;
    }
  }
  EXPECT_EQ(server->stats().connections_refused, 10u);
  EXPECT_EQ(server->stats().connections, 4u);

  held.clear();
  ASSERT_TRUE(WaitFor([&] { return server->stats().connections == 0; }));
  EXPECT_EQ(HttpGet(server->port(), "/health").status, 200);
}

constexpr char kHealth[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

TEST(HttpServerLimitsTest, AtTheCapTheOldestIdleKeepAliveConnectionMakesRoom) {
  HttpServerOptions o;
  o.max_connections = 2;
  auto server = StartHealthServer(o);
  // Two keep-alive connections that served a request and now sit idle hold every slot.
  // The server lists a connection as idle after it has written the answer, so the test waits
  // for that before the next one: otherwise "newer" could be listed first under load.
  RawConnection oldest, newer;
  uint64_t listed = 0;
  for (RawConnection* c : {&oldest, &newer}) {
    ASSERT_TRUE(c->Connect(server->port()));
    ASSERT_TRUE(c->Send(kHealth));
    ASSERT_NE(c->ReadUntil("ok\n", 5'000).find("200 OK"), std::string::npos);
    ++listed;
    ASSERT_TRUE(WaitFor([&] { return server->stats().idle_connections == listed; }));
  }
  ASSERT_TRUE(WaitFor([&] { return server->stats().connections == 2; }));

  // A new connection is admitted in place of the oldest idle one.
  RawConnection fresh;
  ASSERT_TRUE(fresh.Connect(server->port()));
  ASSERT_TRUE(fresh.Send(kHealth));
  EXPECT_NE(fresh.ReadUntil("ok\n", 5'000).find("200 OK"), std::string::npos);
  bool closed = false;
  oldest.ReadUntilClosed(5'000, &closed);
  EXPECT_TRUE(closed) << "the oldest idle connection was not closed";
  EXPECT_EQ(server->stats().idle_evictions, 1u);
  EXPECT_EQ(server->stats().connections_refused, 0u);
  // The newer idle connection still works.
  ASSERT_TRUE(newer.Send(kHealth));
  EXPECT_NE(newer.ReadUntil("ok\n", 5'000).find("200 OK"), std::string::npos);
}

TEST(HttpServerLimitsTest, AtTheCapAConnectionMidRequestIsNotClosed) {
  HttpServerOptions o;
  o.max_connections = 1;
  auto server = StartHealthServer(o);
  RawConnection busy;
  ASSERT_TRUE(busy.Connect(server->port()));
  ASSERT_TRUE(busy.Send(kHealth));
  ASSERT_NE(busy.ReadUntil("ok\n", 5'000).find("200 OK"), std::string::npos);
  // Half of the next request's headers: no longer idle.
  ASSERT_TRUE(busy.Send("GET /health HTTP/1.1\r\nHo"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // for the server to read them

  RawConnection extra;
  ASSERT_TRUE(extra.Connect(server->port()));
  bool closed = false;
  std::string got = extra.ReadUntilClosed(5'000, &closed);
  EXPECT_TRUE(closed) << "the connection over the cap was left open";
  if (!got.empty()) {
    EXPECT_EQ(got.rfind("HTTP/1.1 503", 0), 0u) << got;
  }
  EXPECT_TRUE(WaitFor([&] { return server->stats().connections_refused == 1; }));
  EXPECT_EQ(server->stats().idle_evictions, 0u);
  ASSERT_TRUE(busy.Send("st: x\r\n\r\n"));
  EXPECT_NE(busy.ReadUntil("ok\n", 5'000).find("200 OK"), std::string::npos);
}

TEST(HttpServerLimitsTest, SlowlorisIsCutOffByTheHeaderDeadline) {
  HttpServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  auto server = StartHealthServer(o);
  RawConnection slow;
  ASSERT_TRUE(slow.Connect(server->port()));
  std::string request = "GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(200, 'a');
  auto start = std::chrono::steady_clock::now();
  bool cut = false;
  // One byte every 50 ms: the headers would take 12 s; the server must close within ~0.3 s.
  for (char c : request) {
    if (!slow.Send(std::string(1, c))) {
      cut = true;
      break;
    }
    bool closed = false;
    slow.ReadUntilClosed(50, &closed);
    if (closed) {
      cut = true;
      break;
    }
  }
  EXPECT_TRUE(cut);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(WaitFor([&] { return server->stats().timeouts == 1; }));
  EXPECT_EQ(HttpGet(server->port(), "/health").status, 200);
}

TEST(HttpServerLimitsTest, KeepAliveConnectionMayIdleLongerThanTheHeaderDeadline) {
  HttpServerOptions o;
  // The header deadline must cover connect -> send on a loaded machine, hence 1 s.
  o.header_timeout = std::chrono::milliseconds(1'000);
  o.idle_timeout = std::chrono::milliseconds(20'000);
  auto server = StartHealthServer(o);
  RawConnection c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(c.ReadUntil("ok\n", 5'000).find("200 OK"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(3));  // 3x the header deadline
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(c.ReadUntil("ok\n", 5'000).find("200 OK"), std::string::npos);
  EXPECT_EQ(server->stats().timeouts, 0u);
}

TEST(HttpServerLimitsTest, EarlyCheckRefusesBeforeTheBodyIsSent) {
  HttpServerOptions o;
  auto server = std::make_unique<HttpServer>(o);
  std::atomic<int> handled{0};
  server->Route("POST", "/ingest", [&](HttpRequest&&, HttpResponder r) {
    handled.fetch_add(1);
    r(HttpResponse::Text(200, "stored\n"));
  });
  // Written on the server's thread, read on the test's.
  std::mutex seen_mu;
  uint64_t seen_length = 0;
  std::string seen_path;
  server->SetEarlyCheck(
      [&](const HttpRequest& head, uint64_t length) -> std::optional<HttpResponse> {
        {
          std::lock_guard<std::mutex> lock(seen_mu);
          seen_length = length;
          seen_path = head.path;
        }
        if (length <= 100) return std::nullopt;
        HttpResponse r = HttpResponse::Text(429, "busy\n");
        r.headers.emplace_back("Retry-After", "1");
        return r;
      });
  ASSERT_TRUE(server->Start().ok());

  // Headers only, declaring 1 MB (within max_body_bytes): the answer must come without the
  // body ever being sent.
  RawConnection c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
  std::string got = c.ReadUntil("busy\n", 5'000);
  EXPECT_EQ(got.rfind("HTTP/1.1 429", 0), 0u) << got;
  EXPECT_NE(got.find("Retry-After: 1"), std::string::npos) << got;
  {
    std::lock_guard<std::mutex> lock(seen_mu);
    EXPECT_EQ(seen_length, 1000000u);
    EXPECT_EQ(seen_path, "/ingest");
  }
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(server->stats().early_refusals, 1u);

  // A body the check admits reaches the handler.
  EXPECT_EQ(HttpPost(server->port(), "/ingest", std::string(50, 'x')).status, 200);
  EXPECT_EQ(handled.load(), 1);
}

TEST(HttpServerLimitsTest, DeclaredLengthOverTheLimitGets413WithoutTheBody) {
  HttpServerOptions o;
  o.max_body_bytes = 64 << 10;
  auto server = StartHealthServer(o);
  RawConnection c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n"));
  std::string got = c.ReadUntil("bytes\n", 5'000);
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  EXPECT_EQ(HttpPost(server->port(), "/ingest", std::string(1000, 'x')).body, "1000");
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
