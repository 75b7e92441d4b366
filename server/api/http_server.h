// HttpServer: the HTTP/1.1 server every HTTP surface of Ariadne runs on (OTLP/HTTP on 4318,
// Zipkin on 9411, Jaeger on 14268, query API and UI on 16686), built on Boost.Beast.
//
// Handlers are registered per method and path (exact or prefix) before Start(). A handler gets
// the whole request and a responder it must call exactly once, from any thread and at any time
// (after a WAL group commit, say); the connection waits for it. Keep-alive is supported.
//
// Resource bounds, because every client may be hostile:
//  - Bodies larger than max_body_bytes are refused with 413 as soon as the Content-Length header
//    is read, before any of the body is (chunked bodies: once they pass the limit); headers
//    larger than max_header_bytes with 431.
//  - After the headers, the early check (SetEarlyCheck) may refuse the request before its body
//    is read, e.g. 429 when the ingest memory budget cannot take Content-Length more bytes. The
//    answer is best effort: a client that does not wait for it and keeps uploading may see a
//    connection reset instead once the lingering close (kLingerTimeout) gives up.
//  - At most max_connections connections are open per listener. At the cap a new connection
//    takes the place of the oldest idle keep-alive connection (one waiting for its next request
//    with none of it received; closed and counted), so idle connections cannot hold every slot;
//    with none idle it is answered with a 503 if the socket takes it at once, and closed
//    (counted).
//  - The first request's headers must arrive within header_timeout; every later request on a
//    keep-alive connection, and every request's body, within idle_timeout. A client sending one
//    byte a second is cut off by these deadlines (counted as timeouts).
//  - accept() failing for lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) pauses
//    accepting for accept_backoff instead of retrying at once, which would spin a core; the
//    warning is logged at most once per 10 s with the number of failures since the last one.
// Every response carries X-Content-Type-Options: nosniff; the default 404 does not echo the path.
//
// Stop() stops accepting, lets in-flight requests finish (up to drain_timeout) and joins the
// threads. Thread-safe after Start(). Tested by http_server_test.cc and
// tests/integration/http_limits_test.cc.
#ifndef ARIADNE_SERVER_API_HTTP_SERVER_H_
#define ARIADNE_SERVER_API_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
// Called on the server's thread once a request's headers are read and before its body is: a
// request with every field but `body` set, and the declared Content-Length (0 when absent or
// chunked). A returned response refuses the request (the connection is then closed). Must be
// cheap and must not block.
using HttpEarlyCheck =
    std::function<std::optional<HttpResponse>(const HttpRequest& head, uint64_t content_length)>;

struct HttpServerOptions {
  std::string name = "http";  // for logs
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port (tests)
  size_t max_body_bytes = size_t{64} << 20;
  size_t max_header_bytes = size_t{64} << 10;
  int threads = 2;
  size_t max_connections = 1024;  // open connections; more are answered 503 and closed
  std::chrono::milliseconds header_timeout{10'000};  // first request's headers
  std::chrono::milliseconds idle_timeout{60'000};    // later requests, bodies, writes
  std::chrono::milliseconds accept_backoff{100};     // pause after EMFILE and the like
  std::chrono::milliseconds drain_timeout{10'000};
};

// Counters of one listener, for /metrics.
struct HttpServerStats {
  uint64_t connections = 0;           // open now
  uint64_t idle_connections = 0;      // open now, waiting for their next request (evictable)
  uint64_t connections_accepted = 0;  // total
  uint64_t connections_refused = 0;   // over max_connections
  uint64_t accept_errors = 0;         // accept() failures (EMFILE, ...)
  uint64_t timeouts = 0;              // connections closed by header_timeout / idle_timeout
  uint64_t early_refusals = 0;        // requests refused by the early check
  uint64_t idle_evictions = 0;        // idle keep-alive connections closed at the cap
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
  // See HttpEarlyCheck. Call before Start().
  void SetEarlyCheck(HttpEarlyCheck check);

  [[nodiscard]] Status Start();
  uint16_t port() const { return port_; }
  const HttpServerOptions& options() const { return options_; }
  HttpServerStats stats() const;
  void Stop();

  struct Impl;

 private:
  HttpServerOptions options_;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_API_HTTP_SERVER_H_
