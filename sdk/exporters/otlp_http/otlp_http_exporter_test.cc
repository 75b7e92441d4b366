// OtlpHttpExporter against a local fake collector (server/api HttpServer on 127.0.0.1):
// delivery in protobuf and gzip'd JSON, headers, retries on 503, Retry-After, no retry on 400,
// partial success, server down. Backoffs are 1 ms so the suite stays fast; no timing assertions.
#include "ariadne/exporters/otlp_http_exporter.h"

#include <atomic>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>
#include <zlib.h>

#include "ariadne/exporters/in_memory_exporter.h"
#include "ariadne/sdk/tracer_provider.h"
#include "server/api/http_server.h"
#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne::exporters {
namespace {

// A scripted collector: each request pops the next canned response (the last one repeats).
class FakeCollector {
 public:
  FakeCollector() : server_(HttpServerOptions{}) {
    server_.Route("POST", "/v1/traces", [this](HttpRequest&& req, HttpResponder respond) {
      HttpResponse r;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(std::move(req));
        r = script_.size() > 1 ? script_.front() : script_.back();
        if (script_.size() > 1) script_.pop_front();
      }
      respond(std::move(r));
    });
    EXPECT_TRUE(server_.Start().ok());
  }
  ~FakeCollector() { server_.Stop(); }
  void Script(std::deque<HttpResponse> s) { script_ = std::move(s); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/v1/traces";
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::deque<HttpResponse> script_{HttpResponse{200, "application/x-protobuf", {}, ""}};
  std::vector<HttpRequest> requests_;
  HttpServer server_;
};

HttpResponse Status(int code, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = code;
  r.headers = std::move(headers);
  r.body = "";
  return r;
}

// Makes n finished spans through a real provider.
struct Spans {
  explicit Spans(int n) {
    auto exporter = std::make_unique<InMemorySpanExporter>();
    auto store = exporter->GetStore();
    sdk::TracerProviderOptions o;
    o.resource.Set("service.name", std::string("checkout"));
    o.processor = std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter));
    provider = std::make_unique<sdk::SdkTracerProvider>(std::move(o));
    trace::Tracer t = provider->GetTracer("test-lib", "2.0");
    for (int i = 0; i < n; ++i) {
      trace::Span s = t.StartSpan("op" + std::to_string(i), trace::SpanKind::kClient);
      s.SetAttribute("str", "v")
          .SetAttribute("int", i)
          .SetAttribute("dbl", 1.5)
          .SetAttribute("b", true);
      s.AddEvent("evt", {{"k", 1}});
    }
    spans = store->Take();
  }
  std::unique_ptr<sdk::SdkTracerProvider> provider;
  std::vector<std::unique_ptr<sdk::SpanData>> spans;
};

OtlpHttpExporterOptions FastOptions(const std::string& url) {
  OtlpHttpExporterOptions o;
  o.endpoint = url;
  o.initial_backoff = std::chrono::milliseconds(1);
  o.max_backoff = std::chrono::milliseconds(2);
  o.timeout = std::chrono::seconds(10);
  return o;
}

sdk::Deadline In(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

TEST(OtlpHttpExporter, DeliversProtobufThatDecodesToTheSameSpans) {
  FakeCollector c;
  Spans s(3);
  auto o = FastOptions(c.url());
  o.headers = {{"api-key", "secret"}};
  OtlpHttpExporter e(o);
  ASSERT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kSuccess);
  auto reqs = c.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].Header("content-type"), "application/x-protobuf");
  EXPECT_EQ(reqs[0].Header("api-key"), "secret");
  DecodeResult r;
  ASSERT_TRUE(DecodeOtlpProto(std::string_view(reqs[0].body), DecodeLimits{}, &r).ok());
  ASSERT_EQ(r.batch.size(), 3u);
  EXPECT_EQ(r.batch.spans.name[1], "op1");
  EXPECT_EQ(r.batch.spans.kind[1], SpanKind::kClient);
  EXPECT_EQ(r.batch.ServiceName(0), "checkout");
  EXPECT_EQ(r.batch.scopes[r.batch.spans.scope_index[0]].name, "test-lib");
  const AnyValue* v = r.batch.FindSpanAttribute(2, "int");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->int_value, 2);
  EXPECT_EQ(r.batch.spans.events[0].count, 1u);
  EXPECT_EQ(r.batch.spans.trace_id[0].ToHex(), s.spans[0]->context.trace_id.ToHex());
  EXPECT_EQ(e.stats().exported_spans, 3u);
}

TEST(OtlpHttpExporter, DeliversGzippedJson) {
  FakeCollector c;
  Spans s(2);
  auto o = FastOptions(c.url());
  o.json = true;
  o.gzip = true;
  OtlpHttpExporter e(o);
  ASSERT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kSuccess);
  auto reqs = c.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].Header("content-type"), "application/json");
  EXPECT_EQ(reqs[0].Header("content-encoding"), "gzip");
  std::string json(1 << 20, '\0');
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 31), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(reqs[0].body.data());
  zs.avail_in = static_cast<uInt>(reqs[0].body.size());
  zs.next_out = reinterpret_cast<Bytef*>(json.data());
  zs.avail_out = static_cast<uInt>(json.size());
  ASSERT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  json.resize(zs.total_out);
  inflateEnd(&zs);
  DecodeResult r;
  ASSERT_TRUE(DecodeOtlpJson(json, DecodeLimits{}, &r).ok()) << json;
  EXPECT_EQ(r.batch.size(), 2u);
}

TEST(OtlpHttpExporter, RetriesOn503ThenSucceeds) {
  FakeCollector c;
  c.Script({Status(503), Status(503, {{"Retry-After", "0"}}), Status(200)});
  Spans s(1);
  OtlpHttpExporter e(FastOptions(c.url()));
  EXPECT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kSuccess);
  EXPECT_EQ(e.stats().requests, 3u);
  EXPECT_EQ(e.stats().retries, 2u);
  EXPECT_EQ(c.requests().size(), 3u);
}

TEST(OtlpHttpExporter, BadRequestIsNotRetried) {
  FakeCollector c;
  c.Script({Status(400)});
  Spans s(2);
  OtlpHttpExporter e(FastOptions(c.url()));
  EXPECT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kFailure);
  EXPECT_EQ(c.requests().size(), 1u);
  EXPECT_EQ(e.stats().failed_spans, 2u);
  EXPECT_EQ(e.stats().last_status, 400);
}

TEST(OtlpHttpExporter, RetryAfterBeyondTheDeadlineGivesUpInsteadOfWaiting) {
  FakeCollector c;
  c.Script({Status(429, {{"Retry-After", "3600"}})});
  Spans s(1);
  OtlpHttpExporter e(FastOptions(c.url()));
  EXPECT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kFailure);
  // With plain 1 ms backoff it would have retried; Retry-After (1 h) exceeds the deadline.
  EXPECT_EQ(c.requests().size(), 1u);
}

TEST(OtlpHttpExporter, RetriesAreBoundedByMaxAttempts) {
  FakeCollector c;
  c.Script({Status(502)});
  Spans s(1);
  auto o = FastOptions(c.url());
  o.max_attempts = 3;
  OtlpHttpExporter e(o);
  EXPECT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kFailure);
  EXPECT_EQ(c.requests().size(), 3u);
}

TEST(OtlpHttpExporter, PartialSuccessIsReportedNotRetried) {
  FakeCollector c;
  HttpResponse r = Status(200);
  EncodeExportTraceServiceResponse(2, "2 spans had no name", &r.body);
  r.content_type = "application/x-protobuf";
  c.Script({r});
  Spans s(5);
  OtlpHttpExporter e(FastOptions(c.url()));
  EXPECT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kSuccess);
  EXPECT_EQ(c.requests().size(), 1u);
  EXPECT_EQ(e.stats().rejected_spans, 2u);
  EXPECT_EQ(e.stats().exported_spans, 3u);
}

TEST(OtlpHttpExporter, ServerDownIsRetriedThenCountedAsFailed) {
  uint16_t port;
  {
    HttpServer probe(HttpServerOptions{});
    ASSERT_TRUE(probe.Start().ok());
    port = probe.port();
    probe.Stop();
  }
  Spans s(4);
  auto o = FastOptions("http://127.0.0.1:" + std::to_string(port) + "/v1/traces");
  o.max_attempts = 3;
  OtlpHttpExporter e(o);
  EXPECT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kFailure);
  EXPECT_EQ(e.stats().requests, 3u);
  EXPECT_EQ(e.stats().failed_spans, 4u);
  EXPECT_EQ(e.stats().last_status, 0);
}

TEST(OtlpHttpExporter, ShutdownInterruptsABackoffWait) {
  FakeCollector c;
  c.Script({Status(503, {{"Retry-After", "5"}})});
  Spans s(1);
  OtlpHttpExporter e(FastOptions(c.url()));
  std::thread stopper([&] {
    while (c.requests().empty()) std::this_thread::yield();
    e.Shutdown();
  });
  EXPECT_EQ(e.Export(s.spans, In(std::chrono::seconds(60))), sdk::ExportResult::kFailure);
  stopper.join();
  EXPECT_EQ(c.requests().size(), 1u);
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), std::chrono::milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now),
            std::chrono::milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:00 GMT", now), std::chrono::milliseconds(0));
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
}

TEST(RetryAfter, AcceptsTheObsoleteDateFormats) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:47 GMT", now),
            std::chrono::milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:47 1994", now), std::chrono::milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov 16 08:49:37 1994", now),
            std::chrono::milliseconds(kMaxRetryAfter));  // 10 days: capped
}

TEST(RetryAfter, HugeValuesAreCappedNotOverflowed) {
  auto now = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_EQ(ParseRetryAfter("999999999999999999999999999999", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("3601", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("3599", now), std::chrono::milliseconds(3599000));
  // Year 9999: beyond what system_clock holds in nanoseconds from_time_t used to overflow.
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("Mon, 01 Jan 0001 00:00:00 GMT", now), std::chrono::milliseconds(0));
}

TEST(RetryAfter, GarbageIsIgnored) {
  auto now = std::chrono::system_clock::from_time_t(784111777);
  for (const char* v : {"-5", "+5", "1.5", "5s", " 5", "5 5", "0x10", "Sun, 06 Nov 1994",
                        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT",
                        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTX",
                        "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994"}) {
    EXPECT_FALSE(ParseRetryAfter(v, now).has_value()) << v;
  }
}

TEST(OtlpHttpExporter, AnOverlongRetryAfterGivesUpInsteadOfRetryingAtOnce) {
  // It used to be discarded as malformed (more than 9 digits), so the exporter retried after
  // its own short backoff, against the server's wish.
  FakeCollector c;
  c.Script({Status(503, {{"Retry-After", "99999999999999999999"}})});
  Spans s(1);
  OtlpHttpExporter e(FastOptions(c.url()));
  EXPECT_EQ(e.Export(s.spans, In(std::chrono::seconds(20))), sdk::ExportResult::kFailure);
  EXPECT_EQ(c.requests().size(), 1u);
}

TEST(OtlpHttpExporter, NoExportDeadlineAndNoTimeoutStillDeliver) {
  FakeCollector c;
  c.Script({Status(200)});
  Spans s(2);
  auto o = FastOptions(c.url());
  o.timeout = std::chrono::milliseconds(0);
  OtlpHttpExporter e(o);
  EXPECT_EQ(e.Export(s.spans, sdk::Deadline::max()), sdk::ExportResult::kSuccess);
  EXPECT_EQ(e.stats().exported_spans, 2u);
}

}  // namespace
}  // namespace ariadne::exporters
