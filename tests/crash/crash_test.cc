// Crash test against the real server: stream OTLP/HTTP requests to `ariadne serve --storage
// embedded`, record every acknowledged trace, SIGKILL the server at a random moment, restart it
// on the same data directory, and check that every acknowledged span is served with identical
// content (GET /api/v3/traces/{id}, OTLP JSON). Cycles: $ARIADNE_CRASH_CYCLES (default 20);
// a soak run sets more (docs/performance.md#embedded-store). Some cycles cut blocks
// (--block-max-spans is small) so crashes also hit block writes and WAL deletion.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>

#include "server/pipeline/span_factory.h"
#include "server/storage/embedded/test_util.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne {
namespace {

using embedded_test::CanonicalSpans;
using embedded_test::CanonicalTrace;
using testing::HttpGet;
using testing::HttpPost;
using testing::PickFreePort;
using testing::ServerProcess;

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

int Cycles() {
  const char* n = std::getenv("ARIADNE_CRASH_CYCLES");
  return n ? std::atoi(n) : 20;
}

struct Acked {
  std::mutex mu;
  // trace id -> canonical spans, as the server decoded them from our request
  std::map<TraceId, std::vector<std::string>> traces;
  std::vector<TraceId> recent;  // acknowledged since the last Verify
};

// Sends requests until stop; records the traces of every request answered 200 with nothing
// rejected.
void Stream(uint16_t otlp_port, uint64_t seed, const std::atomic<bool>* stop, Acked* acked,
            int* sent) {
  SpanFactory factory(seed);
  while (!stop->load()) {
    SpanBatch batch = factory.MakeBatch(24, NowNs());
    std::string body;
    EncodeOtlpProto(batch, &body);
    DecodeResult expected;
    if (!DecodeOtlpProto(std::string_view(body), DecodeLimits{}, &expected).ok()) continue;
    auto r = HttpPost(otlp_port, "/v1/traces", body, {{"Content-Type", "application/x-protobuf"}});
    ++*sent;
    if (r.status != 200) continue;  // refused or killed mid-request: not acknowledged
    int64_t rejected = 0;
    std::string message;
    if (!DecodeExportTraceServiceResponse(r.body, &rejected, &message).ok() || rejected != 0) {
      continue;
    }
    std::lock_guard lock(acked->mu);
    for (const TraceId& id : embedded_test::TraceIds(expected.batch)) {
      auto& spans = acked->traces[id];
      auto more = CanonicalTrace(expected.batch, id);
      spans.insert(spans.end(), more.begin(), more.end());
      std::sort(spans.begin(), spans.end());
      acked->recent.push_back(id);
    }
  }
}

// The acknowledged traces are served with exactly the acknowledged spans: all of them when
// `all`, else those acknowledged since the last check plus a random sample of about 300 older
// ones (so each restart stays quick; the final check covers everything).
void Verify(uint16_t query_port, Acked* acked, int cycle, bool all, std::mt19937_64* rng) {
  std::lock_guard lock(acked->mu);
  std::set<TraceId> todo(acked->recent.begin(), acked->recent.end());
  acked->recent.clear();
  const size_t stride = std::max<size_t>(1, acked->traces.size() / 300);
  for (const auto& [id, spans] : acked->traces) {
    if (all || (*rng)() % stride == 0) todo.insert(id);
  }
  for (const TraceId& id : todo) {
    auto r = HttpGet(query_port, "/api/v3/traces/" + id.ToHex());
    ASSERT_EQ(r.status, 200) << "cycle " << cycle << ": acknowledged trace " << id.ToHex()
                             << " lost: " << r.body;
    const std::string prefix = "{\"result\":";
    ASSERT_EQ(r.body.compare(0, prefix.size(), prefix), 0);
    std::string inner = r.body.substr(prefix.size(), r.body.size() - prefix.size() - 1);
    DecodeResult got;
    ASSERT_TRUE(DecodeOtlpJson(inner, DecodeLimits{}, &got).ok());
    ASSERT_EQ(CanonicalSpans(got.batch), acked->traces[id])
        << "cycle " << cycle << " trace " << id.ToHex();
  }
}

TEST(EmbeddedCrash, EveryAcknowledgedSpanSurvivesSigkill) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("ariadne-crash-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(dir);
  std::mt19937_64 rng(std::random_device{}());
  Acked acked;
  int total_sent = 0;
  for (int cycle = 0; cycle < Cycles(); ++cycle) {
    ServerProcess server(ARIADNE_BINARY);
    const uint16_t otlp = PickFreePort();
    ASSERT_TRUE(
        server.Start({"--storage=embedded", "--data-dir=" + dir,
                      "--otlp-http-port=" + std::to_string(otlp), "--otlp-grpc-port=0",
                      "--jaeger-compact-port=0", "--jaeger-binary-port=0", "--jaeger-http-port=0",
                      "--zipkin-port=0", "--block-max-spans=3000", "--block-max-age=1s"}))
        << "cycle " << cycle << " restart failed:\n"
        << server.log();
    Verify(server.query_port(), &acked, cycle, false, &rng);
    if (::testing::Test::HasFatalFailure()) return;

    std::atomic<bool> stop{false};
    std::vector<std::thread> senders;
    std::vector<int> sent(2, 0);
    for (int t = 0; t < 2; ++t) {
      senders.emplace_back(Stream, otlp, rng(), &stop, &acked, &sent[t]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 700));
    server.Kill(SIGKILL);
    stop = true;
    for (auto& t : senders) t.join();
    total_sent += sent[0] + sent[1];
  }
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start({"--storage=embedded", "--data-dir=" + dir, "--otlp-http-port=0",
                            "--otlp-grpc-port=0", "--jaeger-compact-port=0",
                            "--jaeger-binary-port=0", "--jaeger-http-port=0", "--zipkin-port=0"}))
      << server.log();
  Verify(server.query_port(), &acked, Cycles(), true, &rng);
  EXPECT_GT(acked.traces.size(), static_cast<size_t>(Cycles())) << "the load reached the server";
  std::printf("%d cycles, %d requests, %zu acknowledged traces, all present\n", Cycles(),
              total_sent, acked.traces.size());
  server.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ariadne
