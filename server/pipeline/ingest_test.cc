// The shared ingest path: decompression with a hard cap, admission, decode errors, the store's
// answer, and the counters each outcome leaves.
#include "server/pipeline/ingest.h"

#include <future>
#include <string>

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "server/pipeline/span_factory.h"
#include "server/storage/memory/memory_store.h"

namespace ariadne {
namespace {

// window_bits: 15 + 16 gzip, 15 zlib, -15 raw deflate.
std::string Deflate(const std::string& in, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
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

std::string Gzip(const std::string& in) { return Deflate(in, 15 + 16); }

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  out.resize(n);
  return out;
}

TEST(DecompressTest, GzipAndZstdRoundTrip) {
  std::string text(100'000, 'x');
  for (size_t i = 0; i < text.size(); i += 7) text[i] = static_cast<char>('a' + i % 26);
  std::string out;
  ASSERT_TRUE(Decompress(Gzip(text), ContentEncoding::kGzip, 1 << 20, &out).ok());
  EXPECT_EQ(out, text);
  ASSERT_TRUE(Decompress(Zstd(text), ContentEncoding::kZstd, 1 << 20, &out).ok());
  EXPECT_EQ(out, text);
}

TEST(DecompressTest, BombIsRefusedAtTheCap) {
  std::string zeros(50 << 20, '\0');
  std::string gz = Gzip(zeros);
  std::string zs = Zstd(zeros);
  ASSERT_LT(gz.size(), 100'000u);
  std::string out;
  Status s = Decompress(gz, ContentEncoding::kGzip, 1 << 20, &out);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_LE(out.size(), 1u << 20);
  s = Decompress(zs, ContentEncoding::kZstd, 1 << 20, &out);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_LE(out.size(), 1u << 20);
}

TEST(DecompressTest, CorruptAndTruncatedBodiesAreInvalid) {
  std::string gz = Gzip(std::string(10'000, 'y'));
  std::string out;
  EXPECT_EQ(Decompress("not gzip at all", ContentEncoding::kGzip, 1 << 20, &out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Decompress(gz.substr(0, gz.size() / 2), ContentEncoding::kGzip, 1 << 20, &out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Decompress("garbage!", ContentEncoding::kZstd, 1 << 20, &out).code(),
            StatusCode::kInvalidArgument);
  std::string zs = Zstd(std::string(10'000, 'y'));
  EXPECT_EQ(Decompress(zs.substr(0, zs.size() - 3), ContentEncoding::kZstd, 1 << 20, &out).code(),
            StatusCode::kInvalidArgument);
}

TEST(DecompressTest, DeflateAcceptsZlibWrappedAndRawStreams) {
  std::string text(50'000, 'z');
  for (size_t i = 0; i < text.size(); i += 5) text[i] = static_cast<char>('a' + i % 26);
  for (int window_bits : {15, -15, 15 + 16}) {  // RFC 9110's zlib, raw deflate, even gzip
    std::string out;
    Status s = Decompress(Deflate(text, window_bits), ContentEncoding::kDeflate, 1 << 20, &out);
    ASSERT_TRUE(s.ok()) << window_bits << ": " << s.ToString();
    EXPECT_EQ(out, text) << window_bits;
  }
  std::string out;
  EXPECT_EQ(Decompress("\x78\x9c garbage", ContentEncoding::kDeflate, 1 << 20, &out).code(),
            StatusCode::kInvalidArgument);
}

// A zstd frame with no content size whose header declares a 2^window_log byte window, holding
// one raw block with "x".
std::string ZstdFrameWithWindow(int window_log) {
  std::string f = "\x28\xb5\x2f\xfd";                      // magic
  f.push_back('\0');                                       // descriptor: no FCS, not single segment
  f.push_back(static_cast<char>((window_log - 10) << 3));  // window: exponent, mantissa 0
  f.append("\x09\x00\x00", 3);                             // last block, raw, 1 byte
  f.push_back('x');
  return f;
}

TEST(DecompressTest, ZstdFramesDeclaringAHugeWindowAreRefusedBeforeAllocating) {
  std::string out;
  ASSERT_TRUE(Decompress(ZstdFrameWithWindow(23), ContentEncoding::kZstd, 1 << 20, &out).ok());
  EXPECT_EQ(out, "x");
  for (int window_log : {24, 31}) {  // 16 MiB: over our cap (zstd's default allows 128 MiB)
    Status s = Decompress(ZstdFrameWithWindow(window_log), ContentEncoding::kZstd, 1 << 20, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << window_log;
    EXPECT_NE(s.message().find("window"), std::string::npos) << s.ToString();
  }
}

TEST(DecompressTest, ParsesContentEncodingHeaders) {
  ContentEncoding e;
  ASSERT_TRUE(ParseContentEncoding("", &e));
  EXPECT_EQ(e, ContentEncoding::kIdentity);
  ASSERT_TRUE(ParseContentEncoding(" GZIP ", &e));
  EXPECT_EQ(e, ContentEncoding::kGzip);
  ASSERT_TRUE(ParseContentEncoding("zstd", &e));
  EXPECT_EQ(e, ContentEncoding::kZstd);
  EXPECT_FALSE(ParseContentEncoding("br", &e));
}

TEST(AdmissionTest, RefusesAboveTheLimitAndReleasesOnDestruction) {
  Admission a(1000);
  auto t1 = a.Admit(600);
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(a.Admit(600).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(a.refusals(), 1u);
  {
    auto t2 = a.Admit(400);
    ASSERT_TRUE(t2.ok());
    EXPECT_EQ(a.inflight_bytes(), 1000u);
    EXPECT_FALSE(t2->GrowTo(401).ok());
  }
  EXPECT_EQ(a.inflight_bytes(), 600u);
  t1->SetTo(10);
  EXPECT_EQ(a.inflight_bytes(), 10u);
}

// A decoder for tests: the body is the number of spans to produce, "bad" fails the request,
// a trailing "!" rejects one span alone.
Status FakeDecode(std::string&& body, const DecodeLimits&, DecodeResult* out) {
  if (body == "bad") return Status::InvalidArgument("not a request");
  bool reject = !body.empty() && body.back() == '!';
  if (reject) body.pop_back();
  int n = std::stoi(body);
  static uint64_t next = 1;
  for (int i = 0; i < n; ++i) {
    uint32_t res = out->batch.AddResource();
    uint32_t scope = out->batch.AddScope();
    uint32_t row = out->batch.AddSpan();
    out->batch.spans.trace_id[row] = TraceId::FromHighLow(0, next);
    out->batch.spans.span_id[row] = SpanId::FromHighLow(0, next++);
    out->batch.spans.resource_index[row] = res;
    out->batch.spans.scope_index[row] = scope;
  }
  if (reject) out->Reject("span 3: span id is 3 bytes, want 8");
  return Status::Ok();
}

IngestReply RunIngest(IngestPipeline* p, std::string body,
                      ContentEncoding enc = ContentEncoding::kIdentity) {
  std::promise<IngestReply> got;
  p->Ingest("test", "fake", std::move(body), enc, FakeDecode,
            [&](IngestReply r) { got.set_value(std::move(r)); });
  return got.get_future().get();
}

TEST(IngestTest, StoresSpansAndCountsThem) {
  MemoryStore store({});
  IngestStats stats;
  IngestPipeline p(&store, {}, &stats);
  IngestReply r = RunIngest(&p, "5");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.accepted, 5u);
  EXPECT_EQ(store.Stats().spans, 5u);
  EXPECT_EQ(stats.Get("accepted", "test"), 5u);
  EXPECT_EQ(p.admission().inflight_bytes(), 0u);
  r = RunIngest(&p, Gzip("3"), ContentEncoding::kGzip);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(store.Stats().spans, 8u);
}

TEST(IngestTest, PartialRejectionIsReportedAndCountedAsDropped) {
  MemoryStore store({});
  IngestStats stats;
  IngestPipeline p(&store, {}, &stats);
  IngestReply r = RunIngest(&p, "4!");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_NE(r.error_message.find("span id"), std::string::npos);
  EXPECT_EQ(stats.Get("dropped", "test", "malformed"), 1u);
}

TEST(IngestTest, MalformedTooLargeAndOverLimitRequestsAreRefusedWithTheirCodes) {
  MemoryStore store({});
  IngestStats stats;
  IngestOptions o;
  o.max_request_bytes = 1000;
  o.max_inflight_bytes = 1500;
  IngestPipeline p(&store, o, &stats);
  EXPECT_EQ(RunIngest(&p, "bad").status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunIngest(&p, std::string(2000, '1')).status.code(), StatusCode::kOutOfRange);
  EXPECT_EQ(RunIngest(&p, Gzip(std::string(5000, '1')), ContentEncoding::kGzip).status.code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(RunIngest(&p, "corrupt", ContentEncoding::kGzip).status.code(),
            StatusCode::kInvalidArgument);
  // 900 bytes reserve 1800 (body and decoded batch) > 1500: refused, retryable.
  EXPECT_EQ(RunIngest(&p, "1" + std::string(899, ' ')).status.code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(stats.Get("requests_refused", "test", "malformed"), 2u);
  EXPECT_EQ(stats.Get("requests_refused", "test", "too_large"), 2u);
  EXPECT_EQ(stats.Get("requests_refused", "test", "inflight_limit"), 1u);
  EXPECT_EQ(p.admission().inflight_bytes(), 0u);
  EXPECT_TRUE(RunIngest(&p, "2").status.ok());
}

TEST(IngestTest, StoreRefusalIsUnavailableAndCountsRefusedSpans) {
  MemoryStore store({});
  store.Close();
  IngestStats stats;
  IngestPipeline p(&store, {}, &stats);
  IngestReply r = RunIngest(&p, "3");
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(stats.Get("refused", "test", "store_unavailable"), 3u);
  std::string text;
  stats.AppendPrometheus(&text);
  EXPECT_NE(text.find("ariadne_receiver_spans_refused_total{receiver=\"test\",protocol=\"fake\","
                      "reason=\"store_unavailable\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ariadne_receiver_request_duration_seconds_count{receiver=\"test\"} 1"),
            std::string::npos)
      << text;
}

TEST(IngestTest, RateLimitRefusesOnceTheBucketIsEmpty) {
  MemoryStore store({});
  IngestStats stats;
  IngestOptions o;
  o.max_spans_per_second = 10;
  IngestPipeline p(&store, o, &stats);
  EXPECT_TRUE(RunIngest(&p, "8").status.ok());
  EXPECT_TRUE(RunIngest(&p, "8").status.ok());  // 2 tokens left: accepted whole, bucket in debt
  IngestReply r = RunIngest(&p, "1");
  EXPECT_EQ(r.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status.message().find("rate limit"), std::string_view::npos);
  EXPECT_EQ(stats.Get("requests_refused", "test", "rate_limit"), 1u);
  EXPECT_EQ(store.Stats().spans, 16u);
}

TEST(SpanFactoryTest, MakesWholeTracesWithValidParents) {
  SpanFactory f(3);
  SpanBatch b = f.MakeBatch(20, 1'000'000'000'000);
  ASSERT_EQ(b.size(), 24u);  // rounded up to whole traces of 8
  for (uint32_t i = 0; i < b.size(); ++i) {
    EXPECT_TRUE(b.spans.trace_id[i].IsValid());
    EXPECT_FALSE(b.ServiceName(i).empty());
    EXPECT_GT(b.spans.end_time_unix_nano[i], b.spans.start_time_unix_nano[i]);
    if (i % SpanFactory::kSpansPerTrace == 0) {
      EXPECT_FALSE(b.spans.parent_span_id[i].IsValid());
    } else {
      EXPECT_TRUE(b.spans.parent_span_id[i].IsValid());
    }
  }
}

TEST(IngestTest, StoppedIntakeRefusesWithUnavailable) {
  MemoryStore store({});
  IngestStats stats;
  IngestPipeline p(&store, {}, &stats);
  p.StopIntake();
  EXPECT_EQ(RunIngest(&p, "1").status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(store.Stats().spans, 0u);
}

}  // namespace
}  // namespace ariadne
