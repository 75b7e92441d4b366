// ariadne-loadgen: sends OTLP/gRPC or OTLP/HTTP protobuf batches of realistic spans to a server
// over several connections, at maximum rate or a target rate, for N seconds, and reports spans/s,
// p50/p99 acknowledgement latency and refusals (429 / RESOURCE_EXHAUSTED). With --server-pid it
// also reports the server's CPU use per core and peak RSS (from /proc). Usage: --help.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include "tools/loadgen/payloads.h"

namespace ariadne::loadgen {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string protocol = "grpc";  // grpc | http
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 4;
  double duration_s = 10;
  double rate = 0;  // spans per second over all connections; 0 = as fast as acknowledged
  int batch = 512;
  int payloads = 32;
  int server_pid = 0;
};

struct Shared {
  std::atomic<uint64_t> sequence{1};
  std::atomic<uint64_t> spans_ok{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> requests_ok{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::string first_error;
};

void RecordError(Shared* s, const std::string& e) {
  s->errors++;
  std::lock_guard lock(s->mu);
  if (s->first_error.empty()) s->first_error = e;
}

// One connection's loop; returns its latencies.
void Worker(const Options& o, const std::vector<Payload>& payloads, Shared* s,
            Clock::time_point end, int index) {
  std::vector<double> lat;
  double per_conn_rate = o.rate > 0 ? o.rate / o.connections : 0;
  auto next = Clock::now();
  std::string body;
  std::unique_ptr<grpc::GenericStub> stub;
  std::unique_ptr<boost::asio::io_context> ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  if (o.protocol == "grpc") {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one TCP connection per worker
    args.SetInt("ariadne.loadgen.worker", index);
    args.SetMaxSendMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel(o.host + ":" + std::to_string(o.port),
                                             grpc::InsecureChannelCredentials(), args);
    stub = std::make_unique<grpc::GenericStub>(channel);
  } else {
    ioc = std::make_unique<boost::asio::io_context>();
  }
  size_t i = static_cast<size_t>(index);
  while (Clock::now() < end) {
    const Payload& p = payloads[i++ % payloads.size()];
    if (per_conn_rate > 0) {
      std::this_thread::sleep_until(next);
      next += std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(p.spans / per_conn_rate));
    }
    Stamp(p, s->sequence.fetch_add(1), &body);
    auto t0 = Clock::now();
    if (stub) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      grpc::Slice slice(body);
      grpc::ByteBuffer req(&slice, 1), resp;
      std::promise<grpc::Status> done;
      stub->UnaryCall(&ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                      grpc::StubOptions(), &req, &resp,
                      [&](grpc::Status st) { done.set_value(st); });
      grpc::Status st = done.get_future().get();
      if (st.ok()) {
        s->spans_ok += static_cast<uint64_t>(p.spans);
        s->requests_ok++;
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      } else if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                 st.error_code() == grpc::StatusCode::UNAVAILABLE) {
        s->refused++;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      } else {
        RecordError(s, "grpc " + std::to_string(st.error_code()) + ": " + st.error_message());
      }
    } else {
      beast::error_code ec;
      if (!stream || !stream->socket().is_open()) {
        stream = std::make_unique<beast::tcp_stream>(*ioc);
        tcp::resolver resolver(*ioc);
        auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
        if (!ec) stream->connect(results, ec);
        if (!ec) stream->socket().set_option(tcp::no_delay(true), ec);
        if (ec) {
          RecordError(s, "connect: " + ec.message());
          stream.reset();
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
      }
      http::request<http::string_body> req{http::verb::post, "/v1/traces", 11};
      req.set(http::field::host, o.host);
      req.set(http::field::content_type, "application/x-protobuf");
      req.body() = std::move(body);
      req.prepare_payload();
      http::write(*stream, req, ec);
      beast::flat_buffer buf;
      http::response<http::string_body> res;
      if (!ec) http::read(*stream, buf, res, ec);
      body = std::move(req.body());
      if (ec) {
        RecordError(s, "http: " + ec.message());
        stream.reset();
        continue;
      }
      if (res.result_int() == 200) {
        s->spans_ok += static_cast<uint64_t>(p.spans);
        s->requests_ok++;
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      } else if (res.result_int() == 429 || res.result_int() == 503) {
        s->refused++;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      } else {
        RecordError(s, "http " + std::to_string(res.result_int()) + ": " + res.body());
      }
      if (!res.keep_alive()) stream.reset();
    }
  }
  std::lock_guard lock(s->mu);
  s->latencies_ms.insert(s->latencies_ms.end(), lat.begin(), lat.end());
}

// utime + stime of a process, in seconds; VmHWM in bytes.
bool ReadProc(int pid, double* cpu_s, uint64_t* hwm) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/stat", pid);
  FILE* f = std::fopen(path, "r");
  if (!f) return false;
  char buf[4096];
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');
  if (!p) return false;
  unsigned long ut = 0, st = 0;  // NOLINT(runtime/int)
  // Fields after ')': state(3) ... utime is field 14, stime 15.
  int field = 2;
  for (const char* c = p + 1; *c; ++c) {
    if (*c == ' ') {
      ++field;
      if (field == 14) ut = std::strtoul(c + 1, nullptr, 10);
      if (field == 15) st = std::strtoul(c + 1, nullptr, 10);
    }
  }
  *cpu_s = static_cast<double>(ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::snprintf(path, sizeof(path), "/proc/%d/status", pid);
  f = std::fopen(path, "r");
  if (!f) return false;
  char line[256];
  while (std::fgets(line, sizeof(line), f)) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) *hwm = std::strtoull(line + 6, nullptr, 10) * 1024;
  }
  std::fclose(f);
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: ariadne-loadgen --port P [--protocol grpc|http] [--host H] "
               "[--connections N] [--duration S] [--rate SPANS_PER_S] [--batch SPANS] "
               "[--server-pid PID]\n");
  return 2;
}

}  // namespace

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--protocol")
      o.protocol = value();
    else if (a == "--host")
      o.host = value();
    else if (a == "--port")
      o.port = std::atoi(value().c_str());
    else if (a == "--connections")
      o.connections = std::atoi(value().c_str());
    else if (a == "--duration")
      o.duration_s = std::atof(value().c_str());
    else if (a == "--rate")
      o.rate = std::atof(value().c_str());
    else if (a == "--batch")
      o.batch = std::atoi(value().c_str());
    else if (a == "--server-pid")
      o.server_pid = std::atoi(value().c_str());
    else
      return Usage();
  }
  if (o.port <= 0 || o.connections <= 0 || (o.protocol != "grpc" && o.protocol != "http")) {
    return Usage();
  }
  std::vector<Payload> payloads = MakePayloads(o.payloads, o.batch, 42);
  Shared shared;
  double cpu0 = 0, cpu1 = 0;
  uint64_t hwm = 0;
  if (o.server_pid) ReadProc(o.server_pid, &cpu0, &hwm);
  auto start = Clock::now();
  auto end = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(o.duration_s));
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back(Worker, std::cref(o), std::cref(payloads), &shared, end, c);
  }
  // One line per second: spans/s acknowledged in that second, refusals so far.
  uint64_t last = 0;
  for (int sec = 1; Clock::now() < end; ++sec) {
    std::this_thread::sleep_until(start + std::chrono::seconds(sec));
    uint64_t now_ok = shared.spans_ok.load();
    std::fprintf(stderr, "t=%ds spans/s=%llu refused=%llu\n", sec,
                 static_cast<unsigned long long>(now_ok - last),           // NOLINT(runtime/int)
                 static_cast<unsigned long long>(shared.refused.load()));  // NOLINT
    last = now_ok;
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (o.server_pid) ReadProc(o.server_pid, &cpu1, &hwm);
  auto& l = shared.latencies_ms;
  std::sort(l.begin(), l.end());
  auto pct = [&](double q) {
    return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<size_t>(q * l.size()))];
  };
  std::printf(
      "protocol=%s connections=%d batch=%d duration=%.1fs spans_acked=%llu spans_per_s=%.0f "
      "requests=%llu p50_ms=%.2f p99_ms=%.2f refused=%llu errors=%llu",
      o.protocol.c_str(), o.connections, o.batch, elapsed,
      static_cast<unsigned long long>(shared.spans_ok.load()),  // NOLINT(runtime/int)
      static_cast<double>(shared.spans_ok.load()) / elapsed,
      static_cast<unsigned long long>(shared.requests_ok.load()), pct(0.5), pct(0.99),  // NOLINT
      static_cast<unsigned long long>(shared.refused.load()),                           // NOLINT
      static_cast<unsigned long long>(shared.errors.load()));                           // NOLINT
  if (o.server_pid) {
    std::printf(" server_cpu_cores=%.2f server_peak_rss_mib=%.0f", (cpu1 - cpu0) / elapsed,
                static_cast<double>(hwm) / (1 << 20));
  }
  std::printf("\n");
  if (!shared.first_error.empty())
    std::fprintf(stderr, "first error: %s\n", shared.first_error.c_str());
  return shared.errors.load() == 0 ? 0 : 1;
}

}  // namespace ariadne::loadgen

int main(int argc, char** argv) { return ariadne::loadgen::Main(argc, argv); }
