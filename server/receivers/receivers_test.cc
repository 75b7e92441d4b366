// The receivers in process: OTLP/HTTP (protobuf, gzip, zstd, errors, CORS, refusals) and
// OTLP/gRPC (through a generic gRPC client), each into a memory store.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "server/pipeline/span_factory.h"
#include "server/receivers/http_reply.h"
#include "server/receivers/otlp_grpc_receiver.h"
#include "server/receivers/otlp_http_receiver.h"
#include "server/storage/memory/memory_store.h"
#include "tests/testing/http_client.h"
#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne {
namespace {

using testing::HttpPost;
using testing::HttpRequestRaw;

std::string Gzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string RequestBytes(int spans, uint64_t seed = 1) {
  SpanFactory f(seed);
  std::string out;
  EncodeOtlpProto(f.MakeBatch(spans, 1'700'000'000'000'000'000), &out);
  return out;
}

class OtlpHttpTest : public ::testing::Test {
 protected:
  void StartServer(IngestOptions o = {}) {
    pipeline_ = std::make_unique<IngestPipeline>(&store_, o, &stats_);
    HttpServerOptions ho;
    ho.name = "otlp_http";
    server_ = std::make_unique<HttpServer>(ho);
    OtlpHttpOptions otlp;
    otlp.cors_allowed_origins = {"https://app.example.com"};
    RegisterOtlpHttpRoutes(server_.get(), pipeline_.get(), otlp);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  testing::ClientResponse Post(const std::string& body, const std::string& type,
                               const std::string& encoding = "") {
    std::vector<std::pair<std::string, std::string>> h = {{"Content-Type", type}};
    if (!encoding.empty()) h.emplace_back("Content-Encoding", encoding);
    return HttpPost(server_->port(), "/v1/traces", body, h);
  }

  MemoryStore store_{MemoryStoreOptions{}};
  IngestStats stats_;
  std::unique_ptr<IngestPipeline> pipeline_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(OtlpHttpTest, ProtobufRequestIsStoredAndAnsweredWithAnExportResponse) {
  StartServer();
  auto r = Post(RequestBytes(16), "application/x-protobuf");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/x-protobuf");
  int64_t rejected = -1;
  std::string msg;
  ASSERT_TRUE(DecodeExportTraceServiceResponse(r.body, &rejected, &msg).ok());
  EXPECT_EQ(rejected, 0);
  EXPECT_EQ(store_.Stats().spans, 16u);
  EXPECT_EQ(stats_.Get("accepted", "otlp_http"), 16u);
  auto services = *store_.GetServices();
  EXPECT_EQ(services.size(), 5u);
}

TEST_F(OtlpHttpTest, GzipBodyIsDecompressed) {
  StartServer();
  auto r = Post(Gzip(RequestBytes(8)), "application/x-protobuf", "gzip");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(store_.Stats().spans, 8u);
}

TEST_F(OtlpHttpTest, ZstdBodyIsDecompressed) {
  StartServer();
  std::string plain = RequestBytes(8);
  std::string z(ZSTD_compressBound(plain.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), plain.data(), plain.size(), 3));
  auto r = Post(z, "application/x-protobuf", "zstd");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(store_.Stats().spans, 8u);
}

TEST_F(OtlpHttpTest, JsonRequestIsAnsweredInJson) {
  StartServer();
  SpanFactory f(5);
  std::string body;
  EncodeOtlpJson(f.MakeBatch(8, 1'700'000'000'000'000'000), &body);
  auto r = Post(body, "application/json; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(store_.Stats().spans, 8u);
  r = Post("{\"resourceSpans\": [", "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_NE(r.body.find("\"code\":3"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"message\":"), std::string::npos) << r.body;
}

TEST_F(OtlpHttpTest, BadRequestsGetTheirStatusCodes) {
  StartServer();
  EXPECT_EQ(Post(RequestBytes(8), "text/plain").status, 415);
  EXPECT_EQ(Post(RequestBytes(8), "application/x-protobuf", "br").status, 415);
  auto r = Post("\x0a\xff\xff\xff\x0f garbage", "application/x-protobuf");
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.body.empty());
  EXPECT_EQ(Post("not gzip", "application/x-protobuf", "gzip").status, 400);
  EXPECT_EQ(testing::HttpGet(server_->port(), "/v1/traces").status, 405);
  EXPECT_EQ(store_.Stats().spans, 0u);
  // The server still works.
  EXPECT_EQ(Post(RequestBytes(8), "application/x-protobuf").status, 200);
}

TEST_F(OtlpHttpTest, GzipBombIsRefusedWith413) {
  IngestOptions o;
  o.max_request_bytes = 1 << 20;
  StartServer(o);
  auto r = Post(Gzip(std::string(20 << 20, '\0')), "application/x-protobuf", "gzip");
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("larger than"), std::string::npos);
}

TEST_F(OtlpHttpTest, OverTheInflightLimitIsRefusedWith429AndRetryAfter) {
  IngestOptions o;
  o.max_inflight_bytes = 100;
  StartServer(o);
  auto r = Post(RequestBytes(8), "application/x-protobuf");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("retry-after"), "1");
  EXPECT_EQ(stats_.Get("requests_refused", "otlp_http", "inflight_limit"), 1u);
}

TEST_F(OtlpHttpTest, CorsPreflightAndAllowedOrigin) {
  StartServer();
  auto pre = HttpRequestRaw(server_->port(),
                            "OPTIONS /v1/traces HTTP/1.1\r\nHost: x\r\n"
                            "Origin: https://app.example.com\r\n"
                            "Access-Control-Request-Method: POST\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.Header("access-control-allow-origin"), "https://app.example.com");
  EXPECT_NE(pre.Header("access-control-allow-methods").find("POST"), std::string::npos);
  auto other = HttpRequestRaw(server_->port(),
                              "OPTIONS /v1/traces HTTP/1.1\r\nHost: x\r\n"
                              "Origin: https://evil.example.com\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(other.Header("access-control-allow-origin"), "");
  auto post =
      HttpPost(server_->port(), "/v1/traces", RequestBytes(8),
               {{"Content-Type", "application/x-protobuf"}, {"Origin", "https://app.example.com"}});
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(post.Header("access-control-allow-origin"), "https://app.example.com");
}

std::shared_ptr<grpc::Channel> Channel(uint16_t port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

grpc::Status CallExportOn(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::string& body, std::string* response) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(body);
  grpc::ByteBuffer req(&slice, 1);
  grpc::ByteBuffer resp;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp,
                 [&](grpc::Status s) { done.set_value(s); });
  grpc::Status s = done.get_future().get();
  std::vector<grpc::Slice> slices;
  response->clear();
  if (s.ok() && resp.Dump(&slices).ok()) {
    for (auto& sl : slices) response->append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  }
  return s;
}

grpc::Status CallExport(uint16_t port, const std::string& method, const std::string& body,
                        std::string* response) {
  return CallExportOn(Channel(port), method, body, response);
}

constexpr char kExport[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

TEST(OtlpGrpcTest, ExportStoresSpansAndMapsErrorsToGrpcCodes) {
  MemoryStore store({});
  IngestStats stats;
  IngestPipeline pipeline(&store, {}, &stats);
  OtlpGrpcReceiver receiver(&pipeline, OtlpGrpcOptions{});
  ASSERT_TRUE(receiver.Start().ok());
  std::string resp;
  grpc::Status s = CallExport(receiver.port(), kExport, RequestBytes(24), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(store.Stats().spans, 24u);
  s = CallExport(receiver.port(), kExport, "\x0a\xff\xff\xff\x0f garbage", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = CallExport(receiver.port(), "/some.Other/Method", "", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  receiver.Stop();
}

TEST(OtlpGrpcTest, RefusalsAreResourceExhaustedAndStoreRefusalIsUnavailable) {
  MemoryStore store({});
  IngestStats stats;
  IngestOptions o;
  o.max_inflight_bytes = 100;
  IngestPipeline pipeline(&store, o, &stats);
  OtlpGrpcReceiver receiver(&pipeline, OtlpGrpcOptions{});
  ASSERT_TRUE(receiver.Start().ok());
  std::string resp;
  grpc::Status s = CallExport(receiver.port(), kExport, RequestBytes(8), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_FALSE(s.error_details().empty());
  receiver.Stop();

  MemoryStore closed({});
  closed.Close();
  IngestPipeline p2(&closed, {}, &stats);
  OtlpGrpcReceiver r2(&p2, OtlpGrpcOptions{});
  ASSERT_TRUE(r2.Start().ok());
  s = CallExport(r2.port(), kExport, RequestBytes(8), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  r2.Stop();
}

// A memory store whose first Append waits until released: holds the pipeline's only ingest
// slot. Later appends go straight through.
class BlockingStore : public MemoryStore {
 public:
  BlockingStore() : MemoryStore({}) {}
  void Append(SpanBatch batch, std::function<void(Status)> done) override {
    if (!blocked_once_.exchange(true)) {
      entered_.set_value();
      released_.wait();
    }
    MemoryStore::Append(std::move(batch), std::move(done));
  }
  std::promise<void> entered_;
  std::promise<void> release_;

 private:
  std::atomic<bool> blocked_once_{false};
  std::shared_future<void> released_ = release_.get_future().share();
};

TEST(RpcStatusTest, HandWrittenProtosAreByteExact) {
  EXPECT_EQ(EncodeRpcStatusProto(0, ""), "");
  EXPECT_EQ(EncodeRpcStatusProto(8, "busy"), std::string("\x08\x08\x12\x04") + "busy");
  std::string long_message(200, 'm');  // a two-byte length varint
  EXPECT_EQ(EncodeRpcStatusProto(3, long_message), "\x08\x03\x12\xc8\x01" + long_message);
  const std::string type = "type.googleapis.com/google.rpc.RetryInfo";  // 40 bytes
  std::string any = "\x0a\x28" + type + std::string("\x12\x04\x0a\x02\x08\x03", 6);
  EXPECT_EQ(EncodeRetryStatusDetails(14, "x", 3),
            std::string("\x08\x0e\x12\x01x\x1a\x30", 7) + any);
}

TEST(OtlpGrpcTest, OverloadIsResourceExhaustedWithRetryInfoAndCountedByReason) {
  BlockingStore store;
  IngestStats stats;
  IngestOptions o;
  o.gate.max_concurrent = 1;
  o.gate.max_queue_wait = std::chrono::milliseconds(0);
  IngestPipeline pipeline(&store, o, &stats);
  OtlpGrpcReceiver receiver(&pipeline, OtlpGrpcOptions{});
  ASSERT_TRUE(receiver.Start().ok());
  auto first = std::async(std::launch::async, [&] {
    std::string resp;
    return CallExport(receiver.port(), kExport, RequestBytes(8, 1), &resp).error_code();
  });
  store.entered_.get_future().wait();  // the only slot is taken
  std::string resp;
  grpc::Status s = CallExport(receiver.port(), kExport, RequestBytes(8, 2), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_details().find("RetryInfo"), std::string::npos);
  EXPECT_EQ(stats.Get("requests_refused", "otlp_grpc", "queue_full"), 1u);
  store.release_.set_value();
  EXPECT_EQ(first.get(), grpc::StatusCode::OK);
  EXPECT_EQ(store.Stats().spans, 8u);
  receiver.Stop();
}

// Holds the only ingest slot with one call on a channel, then makes a second call on the same
// channel and says whether it reached the server (where it waits in the gate's queue) within
// `window`, polling. Both calls then complete.
bool SecondCallReachesTheServer(int max_concurrent_streams, std::chrono::milliseconds window) {
  BlockingStore store;
  IngestStats stats;
  IngestOptions o;
  o.gate.max_concurrent = 1;
  o.gate.max_queue_wait = std::chrono::seconds(30);  // a call reaching the server queues
  IngestPipeline pipeline(&store, o, &stats);
  OtlpGrpcOptions go;
  go.max_concurrent_streams = max_concurrent_streams;
  OtlpGrpcReceiver receiver(&pipeline, go);
  EXPECT_TRUE(receiver.Start().ok());
  auto channel = Channel(receiver.port());
  auto first = std::async(std::launch::async, [&] {
    std::string resp;
    return CallExportOn(channel, kExport, RequestBytes(8, 1), &resp).error_code();
  });
  store.entered_.get_future().wait();  // the only ingest slot is taken
  auto second = std::async(std::launch::async, [&] {
    std::string resp;
    return CallExportOn(channel, kExport, RequestBytes(8, 2), &resp).error_code();
  });
  bool reached = false;
  auto deadline = std::chrono::steady_clock::now() + window;
  while (!reached && std::chrono::steady_clock::now() < deadline) {
    reached = pipeline.gate().queued() > 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(second.wait_for(std::chrono::milliseconds(0)), std::future_status::ready)
      << "the second call finished while the first held the only ingest slot";
  store.release_.set_value();
  EXPECT_EQ(first.get(), grpc::StatusCode::OK);
  EXPECT_EQ(second.get(), grpc::StatusCode::OK);
  EXPECT_EQ(store.Stats().spans, 16u);
  receiver.Stop();
  return reached;
}

TEST(OtlpGrpcTest, CallsBeyondMaxConcurrentStreamsWaitOnTheClientInsteadOfReachingTheServer) {
  // Control: with two streams the second call does reach the server (generous window: the
  // positive outcome is polled for, so a slow machine only makes it slower).
  EXPECT_TRUE(SecondCallReachesTheServer(2, std::chrono::seconds(10)));
  // With one stream it stays on the client for as long as the first call runs.
  EXPECT_FALSE(SecondCallReachesTheServer(1, std::chrono::seconds(1)));
}

TEST(OtlpGrpcTest, IdleConnectionsAreClosed) {
  MemoryStore store({});
  IngestStats stats;
  IngestPipeline pipeline(&store, {}, &stats);
  OtlpGrpcOptions go;
  // Long enough that the connection is still open when the first call returns, even on a
  // loaded machine or under TSan (200 ms was not).
  go.max_connection_idle = std::chrono::seconds(1);
  OtlpGrpcReceiver receiver(&pipeline, go);
  ASSERT_TRUE(receiver.Start().ok());
  auto channel = Channel(receiver.port());
  std::string resp;
  ASSERT_TRUE(CallExportOn(channel, kExport, RequestBytes(4), &resp).ok());
  EXPECT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (channel->GetState(false) == GRPC_CHANNEL_READY &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(channel->GetState(false), GRPC_CHANNEL_READY) << "the server kept an idle connection";
  // The client reconnects for the next export.
  EXPECT_TRUE(CallExportOn(channel, kExport, RequestBytes(4, 3), &resp).ok());
  receiver.Stop();
}

TEST(OtlpGrpcTest, SecondReceiverOnTheSamePortFails) {
  MemoryStore store({});
  IngestStats stats;
  IngestPipeline pipeline(&store, {}, &stats);
  OtlpGrpcReceiver first(&pipeline, OtlpGrpcOptions{});
  ASSERT_TRUE(first.Start().ok());
  OtlpGrpcOptions same_port;
  same_port.port = first.port();
  OtlpGrpcReceiver second(&pipeline, same_port);
  EXPECT_FALSE(second.Start().ok());
}

}  // namespace
}  // namespace ariadne
