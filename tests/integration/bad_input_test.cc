// Bad input over the wire against the real binary: truncated and garbage bodies, wrong content
// types, oversized and gzip-bomb requests, ids of the wrong length. Each gets the right status
// and a message; the server stays healthy and requests on other connections are unaffected.
#include <chrono>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "server/pipeline/span_factory.h"
#include "tests/integration/test_args.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne {
namespace {

using testing::AnyPortArgs;
using testing::HttpGet;
using testing::HttpPost;
using testing::PickFreePort;
using testing::ServerProcess;

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void Varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
std::string Field(int number, const std::string& bytes) {
  std::string out;
  Varint(static_cast<uint64_t>(number << 3 | 2), &out);
  Varint(bytes.size(), &out);
  return out + bytes;
}
// A request with two spans: one with a 3-byte span id, one valid.
std::string RequestWithShortSpanId() {
  std::string trace_id(16, '\x11');
  std::string bad = Field(1, trace_id) + Field(2, "abc") + Field(5, "bad span");
  std::string good = Field(1, trace_id) + Field(2, std::string(8, '\x22')) + Field(5, "good");
  std::string scope_spans = Field(2, bad) + Field(2, good);
  std::string resource = Field(1, Field(1, Field(1, "service.name") + Field(2, Field(1, "ids"))));
  return Field(1, resource + Field(2, scope_spans));
}

std::string ValidRequest(uint64_t seed) {
  SpanFactory f(seed);
  auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  std::string out;
  EncodeOtlpProto(f.MakeBatch(16, now), &out);
  return out;
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    otlp_ = PickFreePort();
    zipkin_ = PickFreePort();
    jaeger_ = PickFreePort();
    ASSERT_TRUE(server_.Start(AnyPortArgs({"--storage=memory", "--max-request-bytes=1MiB",
                                           "--otlp-http-port=" + std::to_string(otlp_),
                                           "--zipkin-port=" + std::to_string(zipkin_),
                                           "--jaeger-http-port=" + std::to_string(jaeger_)})))
        << server_.log();
  }
  testing::ClientResponse PostOtlp(const std::string& body,
                                   const std::string& type = "application/x-protobuf",
                                   const std::string& encoding = "") {
    std::vector<std::pair<std::string, std::string>> h = {{"Content-Type", type}};
    if (!encoding.empty()) h.emplace_back("Content-Encoding", encoding);
    return HttpPost(otlp_, "/v1/traces", body, h);
  }
  void ExpectHealthy() {
    EXPECT_EQ(HttpGet(server_.query_port(), "/health").status, 200);
    EXPECT_EQ(PostOtlp(ValidRequest(++seed_)).status, 200);
  }

  ServerProcess server_{ARIADNE_BINARY};
  uint16_t otlp_ = 0, zipkin_ = 0, jaeger_ = 0;
  uint64_t seed_ = 100;
};

TEST_F(BadInputTest, TruncatedAndGarbageBodiesAre400WithAMessage) {
  std::string valid = ValidRequest(1);
  auto r = PostOtlp(valid.substr(0, valid.size() / 2));
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.body.empty());
  r = PostOtlp(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(PostOtlp("not gzip", "application/x-protobuf", "gzip").status, 400);
  r = HttpPost(zipkin_, "/api/v2/spans", "{not json", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.body.empty());
  r = HttpPost(jaeger_, "/api/traces", "garbage", {{"Content-Type", "application/x-thrift"}});
  EXPECT_EQ(r.status, 400);
  ExpectHealthy();
}

TEST_F(BadInputTest, WrongContentTypesAre415) {
  auto r = PostOtlp(ValidRequest(2), "text/html");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("application/x-protobuf"), std::string::npos);
  EXPECT_EQ(PostOtlp(ValidRequest(2), "application/x-protobuf", "br").status, 415);
  EXPECT_EQ(HttpPost(zipkin_, "/api/v2/spans", "[]", {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(HttpPost(jaeger_, "/api/traces", "", {{"Content-Type", "application/json"}}).status,
            415);
  ExpectHealthy();
}

TEST_F(BadInputTest, OversizedAndBombRequestsAre413) {
  auto r = PostOtlp(std::string(2 << 20, 'x'));
  EXPECT_EQ(r.status, 413);
  r = PostOtlp(Gzip(std::string(64 << 20, '\0')), "application/x-protobuf", "gzip");
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("larger than"), std::string::npos) << r.body;
  ExpectHealthy();
  auto m = HttpGet(server_.query_port(), "/metrics");
  EXPECT_NE(m.body.find("reason=\"too_large\"} 1"), std::string::npos) << m.body;
}

TEST_F(BadInputTest, ASpanWithAWrongLengthIdIsRejectedAloneWithPartialSuccess) {
  auto r = PostOtlp(RequestWithShortSpanId());
  ASSERT_EQ(r.status, 200) << r.body;
  int64_t rejected = 0;
  std::string msg;
  ASSERT_TRUE(DecodeExportTraceServiceResponse(r.body, &rejected, &msg).ok());
  EXPECT_EQ(rejected, 1);
  EXPECT_FALSE(msg.empty());
  auto t = HttpGet(server_.query_port(), "/api/traces/11111111111111111111111111111111");
  EXPECT_EQ(t.status, 200) << t.body;
  // Ids of the wrong length in the query API are a 400, not a crash.
  EXPECT_EQ(HttpGet(server_.query_port(), "/api/traces/" + std::string(40, 'a')).status, 400);
}

TEST(BadInputLimitsTest, LongNamesAndValuesAreCutToTheConfiguredLengths) {
  ServerProcess server(ARIADNE_BINARY);
  const uint16_t otlp = PickFreePort();
  ASSERT_TRUE(server.Start(
      AnyPortArgs({"--storage=memory", "--max-name-bytes=16", "--max-attribute-value-bytes=32",
                   "--otlp-http-port=" + std::to_string(otlp)})))
      << server.log();
  const std::string name(100, 'n'), key(100, 'k'), value(100, 'v');
  const std::string body =
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":)"
      R"({"stringValue":"cut"}}]},"scopeSpans":[{"spans":[{"traceId":)"
      R"("33333333333333333333333333333333","spanId":"3333333333333333","name":")" +
      name +
      R"(","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":)"
      R"("1700000000001000000","attributes":[{"key":")" +
      key + R"(","value":{"stringValue":")" + value + R"("}}]}]}]}]})";
  ASSERT_EQ(HttpPost(otlp, "/v1/traces", body, {{"Content-Type", "application/json"}}).status, 200);
  auto t = HttpGet(server.query_port(), "/api/traces/33333333333333333333333333333333");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_NE(t.body.find("\"operationName\":\"" + name.substr(0, 16) + "\""), std::string::npos)
      << t.body;
  EXPECT_NE(t.body.find("\"key\":\"" + key.substr(0, 16) + "\""), std::string::npos) << t.body;
  EXPECT_NE(t.body.find("\"value\":\"" + value.substr(0, 32) + "\""), std::string::npos) << t.body;
  EXPECT_EQ(t.body.find(name.substr(0, 17)), std::string::npos);
  EXPECT_EQ(t.body.find(value.substr(0, 33)), std::string::npos);
}

TEST_F(BadInputTest, AStalledConnectionDoesNotBlockOthers) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(otlp_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string head =
      "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
      "Content-Length: 100000\r\n\r\npartial";
  ASSERT_EQ(::send(fd, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
  for (int i = 0; i < 3; ++i) ExpectHealthy();
  ::close(fd);
  EXPECT_EQ(server_.Stop(), 0) << server_.log();
}

}  // namespace
}  // namespace ariadne
