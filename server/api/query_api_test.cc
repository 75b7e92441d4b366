// The query API over HTTP against a memory store: Jaeger's envelope, parameters, errors, and
// /api/v3. The trace JSON itself is wire/jaeger's (tested there).
#include "server/api/query_api.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "server/pipeline/span_factory.h"
#include "server/storage/memory/memory_store.h"
#include "tests/testing/http_client.h"

namespace ariadne {
namespace {

using testing::HttpGet;

constexpr int64_t kNow = 1'700'000'000'000'000'000;

// A store whose reads fail as a broken disk would make them.
class FailingStore : public SpanStore {
 public:
  void Append(SpanBatch, std::function<void(Status)> done) override {
    done(Status::IoError("disk on fire"));
  }
  StatusOr<SpanBatch> GetTrace(const TraceId&) override { return Status::IoError("disk on fire"); }
  StatusOr<std::vector<SpanBatch>> FindTraces(const TraceQuery&) override {
    return Status::IoError("disk on fire");
  }
  StatusOr<std::vector<std::string>> GetServices() override {
    return Status::IoError("disk on fire");
  }
  StatusOr<std::vector<OperationInfo>> GetOperations(std::string_view,
                                                     std::optional<SpanKind>) override {
    return Status::IoError("disk on fire");
  }
  StatusOr<std::vector<DependencyLink>> GetDependencies(uint64_t, uint64_t) override {
    return Status::IoError("disk on fire");
  }
  StoreStats Stats() override { return {}; }
  void Close() override {}
};

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

std::unique_ptr<HttpServer> StartQueryServer(SpanStore* store, QueryApiOptions qo) {
  HttpServerOptions o;
  o.name = "query";
  auto server = std::make_unique<HttpServer>(o);
  qo.now_ns = [] { return kNow; };
  RegisterQueryApi(server.get(), store, qo);
  EXPECT_TRUE(server->Start().ok());
  return server;
}

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SpanFactory f(7);
    SpanBatch b = f.MakeBatch(40, static_cast<uint64_t>(kNow));
    for (uint32_t i = 0; i < b.size(); ++i) {
      if (!b.spans.parent_span_id[i].IsValid()) first_trace_ = b.spans.trace_id[i];
      break;
    }
    // Failed calls in one trace, for the dependencies' errorCount.
    for (uint32_t i = 0; i < b.size(); ++i) {
      if (b.spans.trace_id[i] == first_trace_ && b.spans.parent_span_id[i].IsValid()) {
        b.spans.status_code[i] = SpanStatusCode::kError;
      }
    }
    store_.Append(std::move(b), [](Status s) { ASSERT_TRUE(s.ok()); });
    HttpServerOptions o;
    o.name = "query";
    server_ = std::make_unique<HttpServer>(o);
    QueryApiOptions qo;
    qo.now_ns = [] { return kNow; };
    RegisterQueryApi(server_.get(), &store_, qo);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }
  testing::ClientResponse Get(const std::string& target) {
    return HttpGet(server_->port(), target);
  }

  MemoryStore store_{MemoryStoreOptions{}};
  std::unique_ptr<HttpServer> server_;
  TraceId first_trace_;
};

TEST_F(QueryApiTest, ServicesUseJaegersEnvelope) {
  auto r = Get("/api/services");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.body,
            "{\"data\":[\"api\",\"cache\",\"db\",\"frontend\",\"payments\"],\"total\":5,"
            "\"limit\":0,\"offset\":0,\"errors\":null}");
}

TEST_F(QueryApiTest, OperationsOfAServiceAndByKind) {
  auto r = Get("/api/services/api/operations");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"GET cart\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"POST /api/orders\""), std::string::npos) << r.body;
  r = Get("/api/operations?service=api&spanKind=server");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "{\"data\":[{\"name\":\"POST /api/orders\",\"spanKind\":\"server\"}],\"total\":1,"
            "\"limit\":0,\"offset\":0,\"errors\":null}");
  r = Get("/api/operations");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"errors\":[{\"code\":400,\"msg\":\"parameter 'service' is required\"}]"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Get("/api/services/nope/operations").body,
            "{\"data\":[],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}");
}

TEST_F(QueryApiTest, SearchHonoursLimitAndFilters) {
  auto r = Get("/api/traces?service=frontend&limit=3&lookback=1h");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"total\":3"), std::string::npos) << r.body;
  r = Get("/api/traces?service=frontend&limit=100");
  EXPECT_NE(r.body.find("\"total\":5"), std::string::npos) << r.body;
  // Every trace's root lasts 16ms or more; no span lasts an hour.
  r = Get("/api/traces?service=frontend&minDuration=1h");
  EXPECT_NE(r.body.find("\"total\":0"), std::string::npos) << r.body;
  r = Get(
      "/api/traces?service=api&tag=http.method%3APOST&tags=%7B%22net.peer.port%22%3A%228080%22%7D");
  EXPECT_NE(r.body.find("\"total\":5"), std::string::npos) << r.body;
  r = Get("/api/traces?service=api&tag=http.method:GET");
  EXPECT_NE(r.body.find("\"total\":0"), std::string::npos) << r.body;
  // A window that ends before the spans: nothing.
  r = Get("/api/traces?service=api&start=0&end=1000");
  EXPECT_NE(r.body.find("\"total\":0"), std::string::npos) << r.body;
}

TEST_F(QueryApiTest, SearchErrorsAreJaegerErrors) {
  EXPECT_EQ(Get("/api/traces").status, 400);
  auto r = Get("/api/traces?service=api&minDuration=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unable to parse param 'minDuration'"), std::string::npos) << r.body;
  r = Get("/api/traces?service=api&minDuration=2s&maxDuration=1s");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("'maxDuration' should be greater than 'minDuration'"), std::string::npos);
  EXPECT_EQ(Get("/api/traces?service=api&limit=x").status, 400);
  EXPECT_EQ(Get("/api/traces?service=api&tag=novalue").status, 400);
  EXPECT_EQ(Get("/api/traces?service=api&tags=%5B1%5D").status, 400);
  EXPECT_EQ(Get("/api/traces?service=api&start=yesterday").status, 400);
}

TEST_F(QueryApiTest, TraceByIdFoundMissingAndMalformed) {
  auto r = Get("/api/traces/" + first_trace_.ToHex());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"total\":1"), std::string::npos);
  r = Get("/api/traces/0123456789abcdef");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("{\"code\":404,\"msg\":\"trace not found\"}"), std::string::npos);
  EXPECT_EQ(Get("/api/traces/not-an-id").status, 400);
  r = Get("/api/traces?traceID=" + first_trace_.ToHex() + "&traceID=0123");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"total\":1"), std::string::npos);
}

TEST_F(QueryApiTest, DependenciesBetweenServices) {
  uint64_t end_ns = static_cast<uint64_t>(kNow) + 60'000'000'000;
  auto links = store_.GetDependencies(end_ns, 3'600'000'000'000);
  ASSERT_TRUE(links.ok());
  ASSERT_FALSE(links->empty());
  uint64_t errors = 0;
  auto r =
      Get("/api/dependencies?endTs=" + std::to_string(end_ns / 1'000'000) + "&lookback=3600000");
  ASSERT_EQ(r.status, 200);
  for (const DependencyLink& l : *links) {
    errors += l.error_count;
    std::string want = "{\"parent\":\"" + l.parent + "\",\"child\":\"" + l.child +
                       "\",\"callCount\":" + std::to_string(l.call_count) +
                       ",\"errorCount\":" + std::to_string(l.error_count) + "}";
    EXPECT_NE(r.body.find(want), std::string::npos) << want << " in " << r.body;
  }
  EXPECT_GT(errors, 0u) << "the factory's traces include failed calls";
  EXPECT_EQ(Get("/api/dependencies?endTs=abc").status, 400);
  r = Get("/api/dependencies?endTs=1000&lookback=1000");
  EXPECT_NE(r.body.find("\"data\":[]"), std::string::npos) << r.body;
}

TEST_F(QueryApiTest, ApiV3ServicesOperationsAndErrors) {
  auto r = Get("/api/v3/services");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"services\":[\"api\",\"cache\",\"db\",\"frontend\",\"payments\"]}");
  r = Get("/api/v3/operations?service=db");
  EXPECT_EQ(r.body, "{\"operations\":[{\"name\":\"SELECT orders\",\"spanKind\":\"server\"}]}");
  r = Get("/api/v3/traces/0123456789abcdef");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("\"httpCode\":404"), std::string::npos);
  EXPECT_EQ(Get("/api/v3/traces/" + first_trace_.ToHex()).status, 200);
  EXPECT_EQ(Get("/api/v3/traces?query.service_name=api&query.start_time_min=yesterday").status,
            400);
  EXPECT_EQ(Get("/api/v3/traces?query.serviceName=api&query.startTimeMin=2023-11-14T00:00:00Z"
                "&query.startTimeMax=2023-11-15T00:00:00Z")
                .status,
            200);
}

TEST_F(QueryApiTest, InvalidLookbackIsAJaegerError) {
  auto r = Get("/api/traces?service=api&lookback=soon");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":400,"
            "\"msg\":\"unable to parse param 'lookback': time: invalid duration \\\"soon\\\"\"}]}");
  EXPECT_EQ(Get("/api/traces?service=api&lookback=-1h").status, 400);
  EXPECT_EQ(Get("/api/traces?service=api&lookback=0").status, 400);
  // Also next to start/end, where it does not set the window.
  EXPECT_EQ(Get("/api/traces?service=api&start=0&lookback=1x").status, 400);
  // What the Jaeger UI sends.
  EXPECT_EQ(Get("/api/traces?service=api&lookback=2d").status, 200);
  EXPECT_EQ(Get("/api/traces?service=api&start=0&end=1000&lookback=custom").status, 200);
}

TEST_F(QueryApiTest, TimesBeyondInt64NanosecondsAreRefusedNotWrapped) {
  // 18446744073709552 us * 1000 wraps uint64 to 384 ns: the search used to cover [0, 384 ns].
  auto r = Get("/api/traces?service=api&start=0&end=18446744073709552");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("unable to parse param 'end'"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("out of range"), std::string::npos) << r.body;
  EXPECT_EQ(Get("/api/traces?service=api&start=9223372036854776").status, 400);
  // The largest start that fits is accepted (an empty window, not an error).
  EXPECT_EQ(Get("/api/traces?service=api&start=9223372036854775").status, 200);
  // Dependencies: endTs and lookback in milliseconds.
  r = Get("/api/dependencies?endTs=9223372036855&lookback=1000");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("\"errors\":[{\"code\":400"), std::string::npos) << r.body;
  EXPECT_EQ(Get("/api/dependencies?endTs=1000&lookback=18446744073710").status, 400);
  EXPECT_EQ(Get("/api/dependencies?endTs=9223372036854&lookback=9223372036854").status, 200);
  // api/v3: the fuzzer's reproducer (fuzz/findings/query_params_rfc3339_year_1011_overflow.txt).
  r =
      Get("/api/v3/traces?query.service_name=api&query.start_time_min=2023-11-14T22:13:20Z"
          "&query.start_time_max=1011-11-14T22:13:20.123456789%2B01:00&query.num_traces=3");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("out of range"), std::string::npos) << r.body;
}

TEST_F(QueryApiTest, MultiGetIsBoundedAndDeduplicated) {
  std::string target = "/api/traces?";
  for (int i = 1; i <= 101; ++i) target += "traceID=" + std::to_string(i) + "&";
  auto r = Get(target);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("{\"code\":400,\"msg\":\"too many traceID params: 101 given, at most 100"),
            std::string::npos)
      << r.body;
  // 100 is allowed; the same id twice is returned once.
  target = "/api/traces?traceID=" + first_trace_.ToHex();
  for (int i = 1; i < 100; ++i) target += "&traceID=" + first_trace_.ToHex();
  r = Get(target);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"total\":1,"), std::string::npos) << r.body.substr(0, 200);
}

TEST(QueryApiStoreErrorTest, MultiGetReportsAFailingStoreInsteadOfSkippingIt) {
  FailingStore store;
  auto server = StartQueryServer(&store, QueryApiOptions{});
  auto r = HttpGet(server->port(), "/api/traces?traceID=abc&traceID=def");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_NE(r.body.find("{\"code\":500,\"msg\":\"disk on fire\"}"), std::string::npos) << r.body;
  server->Stop();
}

TEST_F(QueryApiTest, TruncatedTraceCarriesAWarning) {
  auto whole = store_.GetTrace(first_trace_);
  ASSERT_TRUE(whole.ok());
  ASSERT_GT(whole->size(), 3u);
  QueryApiOptions qo;
  qo.max_spans_per_trace = 3;
  auto server = StartQueryServer(&store_, qo);
  const std::string warning = "\"warnings\":[\"trace has " + std::to_string(whole->size()) +
                              " spans; only the 3 earliest are shown (max_spans_per_trace)\"]}";
  for (const std::string& target :
       {"/api/traces/" + first_trace_.ToHex(), "/api/traces?traceID=" + first_trace_.ToHex()}) {
    auto r = HttpGet(server->port(), target);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Count(r.body, "\"operationName\""), 3u) << r.body;
    EXPECT_NE(r.body.find(warning), std::string::npos) << r.body;
    // The body is valid JSON, with the warning as the trace's only one.
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    ASSERT_EQ(parser.parse(r.body).get(body), simdjson::SUCCESS) << r.body;
    simdjson::dom::array warnings;
    ASSERT_EQ(body["data"].at(0)["warnings"].get_array().get(warnings), simdjson::SUCCESS);
    ASSERT_EQ(warnings.size(), 1u);
    std::string_view text;
    ASSERT_EQ(warnings.at(0).get_string().get(text), simdjson::SUCCESS);
    EXPECT_EQ(text, "trace has " + std::to_string(whole->size()) +
                        " spans; only the 3 earliest are shown (max_spans_per_trace)");
    // The earliest spans are the ones kept.
    std::vector<uint64_t> starts = whole->spans.start_time_unix_nano;
    std::sort(starts.begin(), starts.end());
    for (uint32_t i = 0; i < whole->size(); ++i) {
      std::string span = "\"spanID\":\"" + whole->spans.span_id[i].ToHex() + "\"";
      uint64_t start = whole->spans.start_time_unix_nano[i];
      if (start < starts[2]) {
        EXPECT_NE(r.body.find(span), std::string::npos) << span;
      } else if (start > starts[2]) {
        EXPECT_EQ(r.body.find(span), std::string::npos) << span;
      }
    }
  }
  // Search results are cut the same way; traces within the bound have no warning.
  auto r = HttpGet(server->port(), "/api/traces?service=frontend&limit=100");
  ASSERT_EQ(r.status, 200);
  EXPECT_GT(Count(r.body, "\"processes\":"), 1u);
  EXPECT_EQ(Count(r.body, "only the 3 earliest are shown"), Count(r.body, "\"processes\":"))
      << r.body;
  r = Get("/api/traces/" + first_trace_.ToHex());  // the default bound keeps the whole trace
  EXPECT_EQ(Count(r.body, "\"operationName\""), whole->size());
  EXPECT_NE(r.body.find("\"warnings\":null}]"), std::string::npos);
  // api/v3 has no warnings field: the trace is cut silently.
  r = HttpGet(server->port(), "/api/v3/traces/" + first_trace_.ToHex());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Count(r.body, "\"spanId\""), 3u) << r.body;
  server->Stop();
  // 0 means no limit, as for the memory store.
  qo.max_spans_per_trace = 0;
  server = StartQueryServer(&store_, qo);
  r = HttpGet(server->port(), "/api/traces/" + first_trace_.ToHex());
  EXPECT_EQ(Count(r.body, "\"operationName\""), whole->size()) << r.body;
  server->Stop();
}

}  // namespace
}  // namespace ariadne
