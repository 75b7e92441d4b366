// OtlpGrpcExporter against an in-process gRPC server (callback generic service on 127.0.0.1)
// that records requests and answers from a script: delivery, metadata, retry on UNAVAILABLE,
// no retry on INVALID_ARGUMENT, RESOURCE_EXHAUSTED retried only with RetryInfo and after its
// delay, partial success. Backoffs are 1 ms; the only time bound is a generous one.
#include "ariadne/exporters/otlp_grpc_exporter.h"

#include <deque>
#include <mutex>

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ariadne/exporters/in_memory_exporter.h"
#include "ariadne/sdk/tracer_provider.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"
#include "wire/otlp/proto_wire.h"

namespace ariadne::exporters {
namespace {

struct Recorded {
  std::string method;
  std::string api_key;
  std::string body;
};

class FakeService : public grpc::CallbackGenericService {
 public:
  struct Shared {
    std::mutex mu;
    std::deque<grpc::Status> script{grpc::Status::OK};
    std::string ok_body;
    std::vector<Recorded> requests;
  };
  explicit FakeService(Shared* s) : s_(s) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new Reactor(ctx, s_);
  }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(grpc::GenericCallbackServerContext* ctx, Shared* s) : ctx_(ctx), s_(s) {
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no message"));
        return;
      }
      Recorded r;
      r.method = ctx_->method();
      auto md = ctx_->client_metadata().find("api-key");
      if (md != ctx_->client_metadata().end())
        r.api_key.assign(md->second.data(), md->second.size());
      std::vector<grpc::Slice> slices;
      (void)request_.Dump(&slices);
      for (auto& sl : slices) r.body.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
      grpc::Status st;
      std::string ok_body;
      {
        std::lock_guard<std::mutex> lock(s_->mu);
        s_->requests.push_back(std::move(r));
        st = s_->script.front();
        if (s_->script.size() > 1) s_->script.pop_front();
        ok_body = s_->ok_body;
      }
      if (!st.ok()) {
        Finish(st);
        return;
      }
      grpc::Slice slice(ok_body);
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    grpc::GenericCallbackServerContext* ctx_;
    Shared* s_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };
  Shared* s_;
};

class Collector {
 public:
  Collector() : service_(&shared) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterCallbackGenericService(&service_);
    server_ = b.BuildAndStart();
  }
  ~Collector() { server_->Shutdown(); }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Recorded> requests() {
    std::lock_guard<std::mutex> lock(shared.mu);
    return shared.requests;
  }
  // The server's answers, in order (the last one repeats). Set under the lock: the server's
  // threads read it.
  void Script(std::deque<grpc::Status> script) {
    std::lock_guard<std::mutex> lock(shared.mu);
    shared.script = std::move(script);
  }
  void OkBody(std::string body) {
    std::lock_guard<std::mutex> lock(shared.mu);
    shared.ok_body = std::move(body);
  }
  FakeService::Shared shared;

 private:
  FakeService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

struct Spans {
  explicit Spans(int n) {
    auto exporter = std::make_unique<InMemorySpanExporter>();
    auto store = exporter->GetStore();
    sdk::TracerProviderOptions o;
    o.processor = std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter));
    provider = std::make_unique<sdk::SdkTracerProvider>(std::move(o));
    trace::Tracer t = provider->GetTracer("grpc-test");
    for (int i = 0; i < n; ++i) t.StartSpan("op" + std::to_string(i)).End();
    spans = store->Take();
  }
  std::unique_ptr<sdk::SdkTracerProvider> provider;
  std::vector<std::unique_ptr<sdk::SpanData>> spans;
};

OtlpGrpcExporterOptions Fast(const std::string& endpoint) {
  OtlpGrpcExporterOptions o;
  o.endpoint = endpoint;
  o.initial_backoff = std::chrono::milliseconds(1);
  o.max_backoff = std::chrono::milliseconds(2);
  return o;
}
sdk::Deadline In20s() { return std::chrono::steady_clock::now() + std::chrono::seconds(20); }

TEST(OtlpGrpcExporter, DeliversTheExportCallWithMetadata) {
  Collector c;
  Spans s(3);
  auto o = Fast(c.endpoint());
  o.headers = {{"API-Key", "secret"}};
  OtlpGrpcExporter e(o);
  ASSERT_EQ(e.Export(s.spans, In20s()), sdk::ExportResult::kSuccess);
  auto reqs = c.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "/opentelemetry.proto.collector.trace.v1.TraceService/Export");
  EXPECT_EQ(reqs[0].api_key, "secret");
  DecodeResult r;
  ASSERT_TRUE(DecodeOtlpProto(std::string_view(reqs[0].body), DecodeLimits{}, &r).ok());
  EXPECT_EQ(r.batch.size(), 3u);
  EXPECT_EQ(e.stats().exported_spans, 3u);
}

TEST(OtlpGrpcExporter, RetriesUnavailableButNotInvalidArgument) {
  Collector c;
  c.Script({grpc::Status(grpc::StatusCode::UNAVAILABLE, "busy"), grpc::Status::OK});
  Spans s(1);
  OtlpGrpcExporter e(Fast(c.endpoint()));
  EXPECT_EQ(e.Export(s.spans, In20s()), sdk::ExportResult::kSuccess);
  EXPECT_EQ(c.requests().size(), 2u);

  Collector bad;
  bad.Script({grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no")});
  OtlpGrpcExporter e2(Fast(bad.endpoint()));
  EXPECT_EQ(e2.Export(s.spans, In20s()), sdk::ExportResult::kFailure);
  EXPECT_EQ(bad.requests().size(), 1u);
  EXPECT_EQ(e2.stats().last_code, static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
}

TEST(OtlpGrpcExporter, ResourceExhaustedWithoutRetryInfoIsNotRetried) {
  Collector c;
  c.Script({grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "quota")});
  Spans s(1);
  OtlpGrpcExporter e(Fast(c.endpoint()));
  EXPECT_EQ(e.Export(s.spans, In20s()), sdk::ExportResult::kFailure);
  EXPECT_EQ(c.requests().size(), 1u);
}

// google.rpc.Status{code, message, details: [Any{RetryInfo{retry_delay: {seconds, nanos}}}]},
// as the server's receiver writes it.
std::string RetryInfoDetails(uint64_t seconds, uint64_t nanos) {
  std::string duration;
  proto_wire::AppendVarint(&duration, 1 << 3);
  proto_wire::AppendVarint(&duration, seconds);
  proto_wire::AppendVarint(&duration, 2 << 3);
  proto_wire::AppendVarint(&duration, nanos);
  std::string retry_info;
  proto_wire::AppendLenField(&retry_info, 1, duration);
  std::string any;
  proto_wire::AppendLenField(&any, 1, "type.googleapis.com/google.rpc.RetryInfo");
  proto_wire::AppendLenField(&any, 2, retry_info);
  std::string status;
  proto_wire::AppendVarint(&status, 1 << 3);
  proto_wire::AppendVarint(&status, static_cast<uint64_t>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  proto_wire::AppendLenField(&status, 3, any);
  return status;
}

TEST(OtlpGrpcExporter, ResourceExhaustedWithRetryInfoIsRetried) {
  Collector c;
  c.Script({grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "busy",
                         RetryInfoDetails(0, 2'000'000)),  // 2 ms
            grpc::Status::OK});
  Spans s(1);
  OtlpGrpcExporter e(Fast(c.endpoint()));
  EXPECT_EQ(e.Export(s.spans, In20s()), sdk::ExportResult::kSuccess);
  EXPECT_EQ(c.requests().size(), 2u);
  EXPECT_EQ(e.stats().retries, 1u);
}

TEST(OtlpGrpcExporter, RetryInfoDelayIsHonouredNotReplacedByTheBackoff) {
  // The server asks for 60 s, more than the export's 20 s: the export fails at once, after one
  // request. With the 1 ms backoff instead of the server's delay it would have been retried.
  for (auto code : {grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::UNAVAILABLE}) {
    Collector c;
    c.Script({grpc::Status(code, "busy", RetryInfoDetails(60, 0)), grpc::Status::OK});
    Spans s(1);
    OtlpGrpcExporter e(Fast(c.endpoint()));
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(e.Export(s.spans, In20s()), sdk::ExportResult::kFailure);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));  // no sleep
    EXPECT_EQ(c.requests().size(), 1u);
    EXPECT_EQ(e.stats().failed_spans, 1u);
  }
}

TEST(OtlpGrpcExporter, PartialSuccessIsCounted) {
  Collector c;
  std::string ok_body;
  EncodeExportTraceServiceResponse(1, "one bad span", &ok_body);
  c.OkBody(std::move(ok_body));
  Spans s(4);
  OtlpGrpcExporter e(Fast(c.endpoint()));
  EXPECT_EQ(e.Export(s.spans, In20s()), sdk::ExportResult::kSuccess);
  EXPECT_EQ(e.stats().rejected_spans, 1u);
  EXPECT_EQ(e.stats().exported_spans, 3u);
}

TEST(OtlpGrpcExporter, UnreachableServerFailsAfterBoundedAttempts) {
  Spans s(2);
  auto o = Fast("http://127.0.0.1:1");
  o.max_attempts = 2;
  o.timeout = std::chrono::milliseconds(500);
  OtlpGrpcExporter e(o);
  EXPECT_EQ(e.Export(s.spans, In20s()), sdk::ExportResult::kFailure);
  EXPECT_EQ(e.stats().requests, 2u);
  EXPECT_EQ(e.stats().failed_spans, 2u);
}

TEST(OtlpGrpcExporter, HugeTimeoutsAndNoDeadlineDoNotOverflow) {
  // Before the deadlines saturated, now + timeout overflowed into the past and every call
  // failed at once with DEADLINE_EXCEEDED.
  Collector c;
  Spans s(2);
  auto o = Fast(c.endpoint());
  o.max_attempts = 1;
  o.timeout = std::chrono::milliseconds::max();
  OtlpGrpcExporter huge(o);
  EXPECT_EQ(huge.Export(s.spans, sdk::Deadline::max()), sdk::ExportResult::kSuccess);
  o.timeout = std::chrono::milliseconds(0);  // only the export deadline, which is none
  OtlpGrpcExporter none(o);
  EXPECT_EQ(none.Export(s.spans, sdk::Deadline::max()), sdk::ExportResult::kSuccess);
  EXPECT_EQ(c.requests().size(), 2u);
  EXPECT_EQ(huge.stats().exported_spans + none.stats().exported_spans, 4u);
}

}  // namespace
}  // namespace ariadne::exporters
