// HttpServer: the HTTP/1.1 server every HTTP surface of Ariadne runs on (OTLP/HTTP on 4318,
// Zipkin on 9411, Jaeger on 14268, query API and UI on 16686), built on Boost.Beast.
//
// Handlers are registered per method and path (exact or prefix) before Start(). A handler gets
// the whole request and a responder it must call exactly once, from any thread and at any time
// (after a WAL group commit, say); the connection waits for it. Bodies larger than
// max_body_bytes are refused with 413 before they are read; headers larger than max_header_bytes
// with 431; idle and slow connections are closed after idle_timeout. Keep-alive is supported.
//
// Stop() stops accepting, lets in-flight requests finish (up to drain_timeout) and joins the
// threads. Thread-safe after Start(). Tested by http_server_test.cc.
#ifndef ARIADNE_SERVER_API_HTTP_SERVER_H_
#define ARIADNE_SERVER_API_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace ariadne {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // path and query as sent
  std::string path;                                          // target up to '?'
  std::string query;                                         // after '?', not decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_address;
  // The first header with this lower-case name, or "".
  std::string_view Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);
};

using HttpResponder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&& request, HttpResponder respond)>;

struct HttpServerOptions {
  std::string name = "http";  // for logs
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port (tests)
  size_t max_body_bytes = size_t{64} << 20;
  size_t max_header_bytes = size_t{64} << 10;
  int threads = 2;
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds drain_timeout{10'000};
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers a handler. An empty method matches any method. With prefix, path matches every
  // path that starts with it. The first registered match wins. Call before Start().
  void Route(std::string method, std::string path, HttpHandler handler, bool prefix = false);
  // Fallback for requests no route matches (default: 404).
  void SetNotFound(HttpHandler handler);

  [[nodiscard]] Status Start();
  uint16_t port() const { return port_; }
  const HttpServerOptions& options() const { return options_; }
  void Stop();

  struct Impl;

 private:
  HttpServerOptions options_;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_API_HTTP_SERVER_H_
