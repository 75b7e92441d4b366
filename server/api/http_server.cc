#include "server/api/http_server.h"

#include <array>
#include <cctype>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include "base/logging.h"

namespace ariadne {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

struct RouteEntry {
  std::string method;
  std::string path;
  HttpHandler handler;
  bool prefix;
};

namespace {
class Session;
}  // namespace

struct HttpServer::Impl {
  explicit Impl(const HttpServerOptions& o)
      : options(o),
        ioc(o.threads),
        accept_strand(asio::make_strand(ioc)),
        acceptor(accept_strand),
        accept_timer(accept_strand) {}

  const HttpHandler* Find(const std::string& method, const std::string& path) const {
    for (const RouteEntry& r : routes) {
      if (!r.method.empty() && r.method != method) continue;
      if (r.prefix ? path.compare(0, r.path.size(), r.path) == 0 : path == r.path) {
        return &r.handler;
      }
    }
    return nullptr;
  }

  void Accept();
  void OnAcceptError(const beast::error_code& ec);
  void RefuseConnection(tcp::socket socket);
  // At the cap: closes the oldest idle keep-alive connection to admit `socket`, or refuses it.
  void AdmitByEvictingIdle(tcp::socket socket);
  void StartSession(tcp::socket socket);

  // Declared first so that they outlive the io_context, whose destruction destroys the sessions
  // still referenced by pending handlers (their destructors count down `connections`).
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> accept_errors{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> early_refusals{0};
  std::atomic<uint64_t> idle_evictions{0};
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  // Keep-alive connections waiting for their next request, oldest first. A session adds itself
  // when it starts waiting and removes itself when bytes arrive or it ends; the accept chain
  // takes the oldest at the cap. Every access holds idle_mu, as do a session's idle_it_/listed_.
  std::mutex idle_mu;
  std::list<std::weak_ptr<Session>> idle;

  HttpServerOptions options;
  asio::io_context ioc;
  // The accept chain (acceptor, accept_timer, their handlers and Stop's close) runs on this one
  // strand: with several threads they would otherwise touch the acceptor and timer at once.
  asio::strand<asio::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  asio::steady_timer accept_timer;  // the pause after an accept() failure
  std::vector<RouteEntry> routes;
  HttpHandler not_found;
  HttpEarlyCheck early_check;
  std::vector<std::thread> threads;
  // Rate limit of the accept warnings. Only the accept chain touches these, on accept_strand.
  std::chrono::steady_clock::time_point last_accept_log{};
  uint64_t accept_failures_unlogged = 0;
};

namespace {

constexpr std::chrono::seconds kAcceptLogInterval{10};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    server_->connections.fetch_add(1);
  }
  ~Session() {
    Unlist();
    server_->connections.fetch_sub(1);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The accept chain took this session off the idle list. Call with server_->idle_mu held.
  void UnlistedLocked() { listed_ = false; }
  asio::any_io_executor executor() { return stream_.get_executor(); }

  // On this session's strand: closes the connection if it is still waiting for its next request
  // with no byte of it received, and says whether it did.
  bool EvictIfIdle() {
    if (!waiting_idle_ || buffer_.size() > 0 || (parser_ && parser_->got_some())) return false;
    waiting_idle_ = false;
    stream_.close();  // the pending read ends with operation_aborted
    return true;
  }

  void Start() {
    // Beast reads at most (capacity - size) bytes per read_some, and a flat_buffer starts tiny:
    // without this a 100 KB OTLP body took ~100 reads of ~1 KB, each a composed asio operation
    // (executor copies, strand, timer), which cost more CPU than decoding the spans.
    buffer_.reserve(kReadBufferBytes);
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    if (server_->stopping.load()) return Close();
    // A keep-alive connection with nothing of its next request buffered is idle: at the
    // connection cap it may be closed to admit a new one.
    const bool idle = !first_request_ && buffer_.size() == 0;
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    // A new connection must send its first request's headers promptly; a keep-alive connection
    // may wait idle_timeout for its next request.
    stream_.expires_after(first_request_ ? server_->options.header_timeout
                                         : server_->options.idle_timeout);
    first_request_ = false;
    if (idle) {
      waiting_idle_ = true;
      List();
    }
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // Handles a read error (closing or answering); false when there was none.
  bool ReadFailed(const beast::error_code& ec) {
    if (!ec) return false;
    if (ec == asio::error::operation_aborted) {
      // Closed by EvictIfIdle: nothing left to do.
    } else if (ec == beast::error::timeout) {
      // An idle keep-alive connection reaching its deadline is normal; one that had started a
      // request is a slow (or slowloris) client.
      if (parser_->got_some() || buffer_.size() > 0) server_->timeouts.fetch_add(1);
      Close();
    } else if (ec == http::error::end_of_stream || ec == asio::error::eof ||
               ec == asio::error::connection_reset) {
      Close();
    } else if (ec == http::error::body_limit) {
      SendError(413, "request body larger than " + std::to_string(server_->options.max_body_bytes) +
                         " bytes\n");
    } else if (ec == http::error::header_limit) {
      SendError(431, "request headers too large\n");
    } else {
      SendError(400, "malformed HTTP request: " + ec.message() + "\n");
    }
    return true;
  }

  void OnHeader(beast::error_code ec, size_t /*bytes*/) {
    waiting_idle_ = false;
    Unlist();
    if (ReadFailed(ec)) return;
    const auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    head_request_ = msg.method() == http::verb::head;
    req_ = HttpRequest{};
    req_.method = std::string(msg.method_string());
    req_.target = std::string(msg.target());
    size_t q = req_.target.find('?');
    req_.path = req_.target.substr(0, q);
    if (q != std::string::npos) req_.query = req_.target.substr(q + 1);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req_.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    beast::error_code ep_ec;
    auto ep = stream_.socket().remote_endpoint(ep_ec);
    if (!ep_ec) req_.remote_address = ep.address().to_string();

    if (server_->early_check) {
      std::optional<HttpResponse> refusal =
          server_->early_check(req_, parser_->content_length().value_or(0));
      if (refusal) {
        server_->early_refusals.fetch_add(1);
        keep_alive_ = false;  // the body was not read: the connection cannot be reused
        return Write(std::move(*refusal));
      }
    }
    if (parser_->is_done()) return Dispatch();
    stream_.expires_after(server_->options.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t /*bytes*/) {
    if (ReadFailed(ec)) return;
    Dispatch();
  }

  void Dispatch() {
    req_.body = std::move(parser_->get().body());
    HttpRequest req = std::move(req_);
    const HttpHandler* h = server_->Find(req.method, req.path);
    if (h == nullptr && head_request_) h = server_->Find("GET", req.path);
    server_->in_flight.fetch_add(1);
    auto self = shared_from_this();
    auto respond = [self](HttpResponse resp) {
      asio::post(self->stream_.get_executor(), [self, r = std::move(resp)]() mutable {
        self->server_->in_flight.fetch_sub(1);
        self->Write(std::move(r));
      });
    };
    if (h != nullptr) {
      (*h)(std::move(req), std::move(respond));
    } else if (server_->not_found) {
      server_->not_found(std::move(req), std::move(respond));
    } else {
      // The path is not echoed: an answer should never carry attacker-chosen text it does not
      // need to.
      respond(HttpResponse::Text(404, "not found\n"));
    }
  }

  void SendError(int status, std::string body) {
    keep_alive_ = false;
    HttpResponse r = HttpResponse::Text(status, std::move(body));
    Write(std::move(r));
  }

  void Write(HttpResponse r) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(static_cast<unsigned>(r.status));
    res->version(11);
    res->set(http::field::server, "ariadne");
    res->set(http::field::content_type, r.content_type);
    // Browsers must take every answer for what its Content-Type says (a JSON error holding
    // span text must never be sniffed into HTML).
    res->set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !server_->stopping.load());
    res->prepare_payload();
    if (head_request_) res->body().clear();
    stream_.expires_after(server_->options.idle_timeout);
    auto self = shared_from_this();
    http::async_write(stream_, *res, [self, res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) return self->Close();
      self->Read();
    });
  }

  // Lingering close: shut down our side, then read and discard what the client still sends
  // (the rest of a body refused with 413, say) until it closes or kLingerTimeout passes. Closing
  // with unread data would make the kernel send a reset, and the client could lose the answer.
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    stream_.expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (!ec) self->Drain();
                            });
  }

  void List() {
    std::lock_guard<std::mutex> lock(server_->idle_mu);
    idle_it_ = server_->idle.insert(server_->idle.end(), weak_from_this());
    listed_ = true;
  }

  void Unlist() {
    std::lock_guard<std::mutex> lock(server_->idle_mu);
    if (listed_) server_->idle.erase(idle_it_);
    listed_ = false;
  }

  static constexpr std::chrono::seconds kLingerTimeout{2};
  static constexpr size_t kReadBufferBytes = 64 * 1024;
  std::array<char, 16 * 1024> drain_buffer_;

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest req_;  // the request being read: headers first, then the body
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool first_request_ = true;
  bool waiting_idle_ = false;  // reading the headers of a request after the first, none yet
  // This session's entry in server_->idle; both guarded by server_->idle_mu.
  std::list<std::weak_ptr<Session>>::iterator idle_it_;
  bool listed_ = false;
};

// What a connection over max_connections gets before it is closed.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Server: ariadne\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "Content-Length: 21\r\n"
    "\r\n"
    "too many connections\n";

}  // namespace

void HttpServer::Impl::RefuseConnection(tcp::socket socket) {
  connections_refused.fetch_add(1);
  // Best effort and never blocking: a socket whose send buffer cannot take these few bytes at
  // once just gets closed.
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (!ec) socket.send(asio::buffer(kTooManyConnections.data(), kTooManyConnections.size()), 0, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void HttpServer::Impl::OnAcceptError(const beast::error_code& ec) {
  accept_errors.fetch_add(1);
  ++accept_failures_unlogged;
  auto now = std::chrono::steady_clock::now();
  if (now - last_accept_log >= kAcceptLogInterval) {
    ARIADNE_LOG(kWarn, "accept failed")
        .Field("server", options.name)
        .Field("error", ec.message())
        .Field("failures", std::to_string(accept_failures_unlogged));
    last_accept_log = now;
    accept_failures_unlogged = 0;
  }
  // A connection the client aborted before we took it is its own business: take the next one.
  if (ec == asio::error::connection_aborted) return Accept();
  // Anything else (EMFILE, ENFILE, ENOBUFS, ENOMEM, ...) tends to persist, and the listening
  // socket stays readable, so retrying at once would spin a core until it clears. Pause instead;
  // the pending connections wait in the kernel's backlog.
  accept_timer.expires_after(options.accept_backoff);
  accept_timer.async_wait(asio::bind_executor(accept_strand, [this](beast::error_code timer_ec) {
    if (timer_ec || stopping.load()) return;
    Accept();
  }));
}

void HttpServer::Impl::StartSession(tcp::socket socket) {
  connections_accepted.fetch_add(1);
  // Answers are small and written at once: without TCP_NODELAY, Nagle's algorithm and the
  // client's delayed ACK can hold each answer back for tens of milliseconds.
  beast::error_code nd_ec;
  socket.set_option(tcp::no_delay(true), nd_ec);
  std::make_shared<Session>(std::move(socket), this)->Start();
}

void HttpServer::Impl::AdmitByEvictingIdle(tcp::socket socket) {
  // Without this, one client could hold every slot for idle_timeout with keep-alive
  // connections it never uses. Only a connection between requests is closed, never one with a
  // request in progress; a client reusing it retries on a new connection as HTTP/1.1 expects.
  std::shared_ptr<Session> victim;
  {
    std::lock_guard<std::mutex> lock(idle_mu);
    for (auto it = idle.begin(); it != idle.end(); ++it) {
      victim = it->lock();  // an expired entry is a session being destroyed: it removes itself
      if (victim) {
        victim->UnlistedLocked();
        idle.erase(it);
        break;
      }
    }
  }
  if (!victim) return RefuseConnection(std::move(socket));
  // The victim's state is only read on its strand. If its next request started meanwhile, it
  // stays and the new connection is refused, so the cap holds.
  asio::any_io_executor ex = victim->executor();
  asio::post(ex, [this, victim = std::move(victim), socket = std::move(socket)]() mutable {
    if (!victim->EvictIfIdle()) return RefuseConnection(std::move(socket));
    idle_evictions.fetch_add(1);
    StartSession(std::move(socket));
  });
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(
      asio::make_strand(ioc),
      asio::bind_executor(accept_strand, [this](beast::error_code ec, tcp::socket socket) {
        if (stopping.load() || ec == asio::error::operation_aborted) return;
        if (ec) return OnAcceptError(ec);
        if (connections.load() >= options.max_connections) {
          AdmitByEvictingIdle(std::move(socket));
        } else {
          StartSession(std::move(socket));
        }
        Accept();
      }));
}

HttpServer::HttpServer(HttpServerOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string method, std::string path, HttpHandler handler, bool prefix) {
  impl_->routes.push_back({std::move(method), std::move(path), std::move(handler), prefix});
}

void HttpServer::SetNotFound(HttpHandler handler) { impl_->not_found = std::move(handler); }

void HttpServer::SetEarlyCheck(HttpEarlyCheck check) { impl_->early_check = std::move(check); }

HttpServerStats HttpServer::stats() const {
  HttpServerStats s;
  s.connections = impl_->connections.load();
  s.connections_accepted = impl_->connections_accepted.load();
  s.connections_refused = impl_->connections_refused.load();
  s.accept_errors = impl_->accept_errors.load();
  s.timeouts = impl_->timeouts.load();
  s.early_refusals = impl_->early_refusals.load();
  s.idle_evictions = impl_->idle_evictions.load();
  {
    std::lock_guard<std::mutex> lock(impl_->idle_mu);
    s.idle_connections = impl_->idle.size();
  }
  return s;
}

Status HttpServer::Start() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(options_.host, ec);
  if (ec) return Status::InvalidArgument("bad listen address '" + options_.host + "'");
  tcp::endpoint ep(addr, options_.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable(options_.name + ": cannot listen on " + options_.host + ":" +
                               std::to_string(options_.port) + ": " + ec.message());
  }
  port_ = impl_->acceptor.local_endpoint().port();
  asio::post(impl_->accept_strand, [impl = impl_.get()] { impl->Accept(); });
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->threads.empty()) return;
  impl_->stopping.store(true);
  asio::post(impl_->accept_strand, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_timer.cancel();
  });
  auto deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
  while (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Give the last responses a moment to be written before the loop stops.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace ariadne
