// The header-only carriers: Beast round trip, curl injection, gRPC client metadata (sent through
// a real call to an in-process server, which records what arrived).
#include <mutex>

#include <boost/beast/http.hpp>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/rpc_method.h>
#include <gtest/gtest.h>

#include "ariadne/propagation/beast_carrier.h"
#include "ariadne/propagation/curl_carrier.h"
#include "ariadne/propagation/grpc_carrier.h"
#include "ariadne/propagation/propagators.h"

namespace ariadne::propagation {
namespace {

const char* kTp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(BeastCarrier, ExtractsCaseInsensitivelyAndCombinesTracestate) {
  boost::beast::http::request<boost::beast::http::string_body> req;
  req.insert("TraceParent", kTp);
  req.insert("tracestate", "a=1");
  req.insert("tracestate", "b=2");
  BeastHeaderCarrier carrier(req);
  trace::Context ctx = MakeW3CTraceContextPropagator()->Extract(carrier, trace::Context());
  EXPECT_TRUE(ctx.span_context().IsValid());
  EXPECT_EQ(ctx.span_context().trace_state.header(), "a=1,b=2");
  boost::beast::http::response<boost::beast::http::string_body> resp;
  BeastHeaderCarrier out(resp);
  MakeW3CTraceContextPropagator()->Inject(ctx, out);
  EXPECT_EQ(std::string(resp["traceparent"]), kTp);
}

TEST(CurlCarrier, AppendsHeaderLines) {
  curl_slist* headers = nullptr;
  CurlHeaderCarrier carrier(&headers);
  std::vector<std::pair<std::string, std::string>> in = {{"traceparent", kTp}};
  HeaderVectorCarrier src(&in);
  trace::Context ctx = MakeW3CTraceContextPropagator()->Extract(src, trace::Context());
  MakeW3CTraceContextPropagator()->Inject(ctx, carrier);
  ASSERT_NE(headers, nullptr);
  EXPECT_EQ(std::string(headers->data), std::string("traceparent: ") + kTp);
  curl_slist_free_all(headers);
}

// Answers every call with an empty message and keeps the client metadata of the last one.
class MetadataRecorder : public grpc::CallbackGenericService {
 public:
  std::vector<std::pair<std::string, std::string>> Received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(grpc::GenericCallbackServerContext* ctx, MetadataRecorder* owner) {
      std::vector<std::pair<std::string, std::string>> md;
      for (const auto& [k, v] : ctx->client_metadata()) {
        md.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
      }
      {
        std::lock_guard<std::mutex> lock(owner->mu_);
        owner->received_ = std::move(md);
      }
      StartRead(&request_);
    }
    void OnReadDone(bool) override {
      grpc::Slice empty("");
      response_ = grpc::ByteBuffer(&empty, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    grpc::ByteBuffer request_, response_;
  };
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new Reactor(ctx, this);
  }

  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> received_;
};

TEST(GrpcCarrier, ClientInjectSendsTraceparentAsMetadata) {
  MetadataRecorder recorder;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterCallbackGenericService(&recorder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  std::vector<std::pair<std::string, std::string>> in = {{"traceparent", kTp},
                                                         {"tracestate", "vendor=1"}};
  HeaderVectorCarrier src(&in);
  trace::Context ctx = MakeW3CTraceContextPropagator()->Extract(src, trace::Context());
  ASSERT_TRUE(ctx.span_context().IsValid());

  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  grpc::internal::RpcMethod method("/test.Echo/Call", grpc::internal::RpcMethod::NORMAL_RPC,
                                   channel);
  grpc::ClientContext cctx;
  cctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  GrpcClientCarrier carrier(cctx);
  MakeW3CTraceContextPropagator()->Inject(ctx, carrier);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::Status st = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel.get(), method, &cctx, request, &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  server->Shutdown();

  // What arrived is the same context: the server extracts the same trace id, span id, flags.
  std::vector<std::pair<std::string, std::string>> received = recorder.Received();
  HeaderVectorCarrier got(&received);
  EXPECT_EQ(got.Get("traceparent"), kTp);
  trace::Context out = MakeW3CTraceContextPropagator()->Extract(got, trace::Context());
  ASSERT_TRUE(out.span_context().IsValid());
  EXPECT_EQ(out.span_context().trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(out.span_context().span_id.ToHex(), "00f067aa0ba902b7");
  EXPECT_TRUE(out.span_context().IsSampled());
  EXPECT_EQ(out.span_context().trace_state.header(), "vendor=1");
}

}  // namespace
}  // namespace ariadne::propagation
