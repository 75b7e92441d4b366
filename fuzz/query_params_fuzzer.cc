// libFuzzer target: the query API's parameter parsing (untrusted query strings): QueryParams and
// UrlDecode, Go durations, RFC 3339 times and API trace ids directly, then the same text as the
// query string of the Jaeger search (/api/traces: tags JSON, logfmt tag=k:v, start/end/lookback,
// min/maxDuration, limit, traceID) and of /api/v3/traces (query.* parameters), served by a real
// HttpServer over a memory store holding a few traces. Checks: nothing crashes; every answer is
// 200, 400 or 404 (never a 5xx) with a JSON body.
//
// Input: the query string (bytes that cannot appear in a request line are %-escaped by the
// harness). Byte 0 & 3 picks the request: 0 none (direct calls only, fast), 1 /api/traces,
// 2 /api/v3/traces, 3 /api/dependencies. Corpus: corpus/query_params.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz/fuzz_checks.h"
#include "server/api/http_server.h"
#include "server/api/query_api.h"
#include "server/api/query_params.h"
#include "server/pipeline/span_factory.h"
#include "server/storage/memory/memory_store.h"

namespace {

using namespace ariadne;  // NOLINT

constexpr int64_t kNow = 1'700'000'000'000'000'000;

struct Fixture {
  MemoryStore store{MemoryStoreOptions{}};
  std::unique_ptr<HttpServer> server;
  Fixture() {
    SpanFactory f(7);
    store.Append(f.MakeBatch(40, static_cast<uint64_t>(kNow)),
                 [](Status s) { FUZZ_CHECK(s.ok()); });
    HttpServerOptions o;
    o.name = "query-fuzz";
    o.threads = 1;
    server = std::make_unique<HttpServer>(o);
    QueryApiOptions qo;
    qo.now_ns = [] { return kNow; };
    RegisterQueryApi(server.get(), &store, qo);
    FUZZ_CHECK(server->Start().ok());
  }
};

Fixture& GetFixture() {
  static Fixture* f = new Fixture();  // lives until exit: the server's threads use it
  return *f;
}

// One GET over a fresh connection; returns the status and fills *body. 0 on transport failure.
int Get(uint16_t port, const std::string& target, std::string* body) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  FUZZ_CHECK(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Close with RST: tens of thousands of runs would otherwise exhaust ephemeral ports in TIME_WAIT.
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return 0;
  }
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  for (size_t sent = 0; sent < req.size();) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (resp.compare(0, 9, "HTTP/1.1 ") != 0 || resp.size() < 12) return 0;
  size_t split = resp.find("\r\n\r\n");
  *body = split == std::string::npos ? "" : resp.substr(split + 4);
  return std::stoi(resp.substr(9, 3));
}

std::string EscapeForRequestLine(std::string_view in) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (c <= 0x20 || c >= 0x7f || c == '#') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void CheckAnswer(int status, const std::string& body) {
  FUZZ_CHECK(status == 200 || status == 400 || status == 404);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  FUZZ_CHECK(parser.parse(body).get(doc) == simdjson::SUCCESS);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  QueryParams params(in);
  for (const char* name : {"tags", "tag", "start", "end", "lookback", "limit", "minDuration",
                           "traceID", "query.start_time_min"}) {
    (void)params.Get(name);
    (void)params.GetAll(name);
    (void)params.Has(name);
  }
  std::string decoded = UrlDecode(in);
  (void)UrlDecode(in, /*plus_is_space=*/false);
  auto d = ParseGoDuration(decoded);
  if (d.ok() && decoded.find_first_of("hmsuµnd") == std::string::npos) {
    FUZZ_CHECK(*d == 0);  // only "0" may go without a unit
  }
  (void)ParseRfc3339Nanos(decoded);
  TraceId id;
  (void)ParseApiTraceId(decoded, &id);

  if (size == 0 || (data[0] & 3) == 0) return 0;
  static const char* const kPaths[] = {"", "/api/traces?", "/api/v3/traces?", "/api/dependencies?"};
  Fixture& f = GetFixture();
  std::string body;
  int status = Get(f.server->port(), kPaths[data[0] & 3] + EscapeForRequestLine(in), &body);
  if (status == 0) return 0;  // transport failure (machine under load), not the server's answer
  CheckAnswer(status, body);
  return 0;
}
