// Overload against the real binary: concurrent OTLP/HTTP clients, one ingest slot and no queue
// wait, so requests that overlap are refused with 429 + Retry-After (counted by reason in
// /metrics), every accepted span is stored and searchable, no refused span is, and the server
// takes requests normally once the load is gone. Runs with the memory and the embedded store.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/pipeline/span_factory.h"
#include "tests/integration/test_args.h"
#include "tests/testing/http_client.h"
#include "tests/testing/metrics_text.h"
#include "tests/testing/server_process.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne {
namespace {

using testing::AnyPortArgs;
using testing::HttpGet;
using testing::HttpPost;
using testing::MetricValue;
using testing::PickFreePort;
using testing::ServerProcess;

struct Sent {
  std::string body;
  std::vector<TraceId> traces;
  uint64_t spans = 0;
};

Sent MakeRequest(uint64_t seed, int spans) {
  SpanFactory f(seed);
  auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  SpanBatch b = f.MakeBatch(spans, now);
  Sent s;
  s.spans = b.size();
  for (uint32_t i = 0; i < b.size(); ++i) {
    if (s.traces.empty() || !(s.traces.back() == b.spans.trace_id[i])) {
      s.traces.push_back(b.spans.trace_id[i]);
    }
  }
  EncodeOtlpProto(b, &s.body);
  return s;
}

class OverloadTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    otlp_ = PickFreePort();
    std::vector<std::string> args = {"--storage=" + GetParam(), "--max-concurrent-ingests=1",
                                     "--max-queue-wait=0s",
                                     "--otlp-http-port=" + std::to_string(otlp_)};
    if (GetParam() == "embedded") {
      dir_ = std::filesystem::temp_directory_path() /
             ("ariadne-overload-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
      args.push_back("--data-dir=" + dir_.string());
    }
    ASSERT_TRUE(server_.Start(AnyPortArgs(args))) << server_.log();
  }
  void TearDown() override {
    EXPECT_EQ(server_.Stop(), 0);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  testing::ClientResponse Post(const std::string& body) {
    return HttpPost(otlp_, "/v1/traces", body, {{"Content-Type", "application/x-protobuf"}});
  }

  ServerProcess server_{ARIADNE_BINARY};
  uint16_t otlp_ = 0;
  std::filesystem::path dir_;
};

TEST_P(OverloadTest, ExcessIsRefusedWith429AndEveryAcceptedSpanIsStored) {
  constexpr int kClients = 8;
  constexpr int kSpansPerRequest = 2000;
  std::mutex mu;
  std::vector<Sent> accepted, refused;
  int other = 0;
  bool retry_after_missing = false;
  // Rounds of concurrent requests until some were refused (overlapping requests on one slot
  // with no queue wait are refused, so this takes one round in practice).
  std::atomic<uint64_t> seed{1};
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&] {
        for (int i = 0; i < 4; ++i) {
          Sent s = MakeRequest(seed.fetch_add(1), kSpansPerRequest);
          auto r = Post(s.body);
          std::lock_guard lock(mu);
          if (r.status == 200) {
            accepted.push_back(std::move(s));
          } else if (r.status == 429) {
            if (r.Header("retry-after").empty()) retry_after_missing = true;
            refused.push_back(std::move(s));
          } else {
            ++other;
          }
        }
      });
    }
    for (auto& t : clients) t.join();
    if (!refused.empty() && !accepted.empty()) break;
  }
  ASSERT_FALSE(refused.empty()) << "no request was refused";
  ASSERT_FALSE(accepted.empty());
  EXPECT_EQ(other, 0);
  EXPECT_FALSE(retry_after_missing);

  std::string metrics = HttpGet(server_.query_port(), "/metrics").body;
  EXPECT_EQ(MetricValue(metrics, "ariadne_receiver_requests_refused_total",
                        {"receiver=\"otlp_http\"", "reason=\"queue_full\""}),
            static_cast<int64_t>(refused.size()))
      << metrics;
  uint64_t accepted_spans = 0;
  for (const Sent& s : accepted) accepted_spans += s.spans;
  EXPECT_EQ(
      MetricValue(metrics, "ariadne_receiver_spans_accepted_total", {"receiver=\"otlp_http\""}),
      static_cast<int64_t>(accepted_spans));
  EXPECT_EQ(MetricValue(metrics, "ariadne_store_spans"), static_cast<int64_t>(accepted_spans));

  // Every trace of an accepted request is stored whole; no trace of a refused one is.
  auto spans_of = [&](const TraceId& id) {
    auto r = HttpGet(server_.query_port(), "/api/traces/" + id.ToHex());
    if (r.status != 200) return size_t{0};
    size_t n = 0;
    for (size_t p = 0; (p = r.body.find("\"operationName\"", p)) != std::string::npos; ++p) ++n;
    return n;
  };
  for (const Sent& s : accepted) {
    for (const TraceId& id : s.traces) {
      EXPECT_EQ(spans_of(id), static_cast<size_t>(SpanFactory::kSpansPerTrace)) << id.ToHex();
    }
  }
  for (const Sent& s : refused) {
    EXPECT_EQ(spans_of(s.traces.front()), 0u) << s.traces.front().ToHex();
  }

  // Load gone: one client at a time is accepted again.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Post(MakeRequest(seed.fetch_add(1), kSpansPerRequest).body).status, 200);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, OverloadTest, ::testing::Values("memory", "embedded"));

}  // namespace
}  // namespace ariadne
