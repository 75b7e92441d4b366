// OtlpProtoSpanEncoder: the direct SpanData -> OTLP protobuf encoder must produce exactly the
// bytes of the SpanBatch path (AppendToSpanBatch + wire/otlp EncodeOtlpProto), for every
// attribute type, events, links, status, tracestate, remote parents, several scopes and several
// providers (resources), and the bytes must decode back to the same spans.
#include "ariadne/exporters/otlp_proto_direct.h"

#include <gtest/gtest.h>

#include "ariadne/exporters/in_memory_exporter.h"
#include "ariadne/exporters/span_batch_convert.h"
#include "ariadne/sdk/tracer_provider.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne::exporters {
namespace {

struct Provider {
  explicit Provider(std::string service) {
    auto exporter = std::make_unique<InMemorySpanExporter>();
    store = exporter->GetStore();
    sdk::TracerProviderOptions o;
    o.resource.Set("service.name", std::move(service));
    o.limits.attribute_count = 6;  // so that drops are counted and encoded
    o.processor = std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter));
    provider = std::make_unique<sdk::SdkTracerProvider>(std::move(o));
  }
  std::shared_ptr<InMemorySpanStore> store;
  std::unique_ptr<sdk::SdkTracerProvider> provider;
};

void RichSpan(trace::Tracer& t, int i) {
  trace::SpanContext remote;
  ASSERT_TRUE(trace::TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736", &remote.trace_id));
  ASSERT_TRUE(trace::SpanId::FromHex("00f067aa0ba902b7", &remote.span_id));
  remote.flags = trace::kFlagSampled;
  remote.remote = true;
  remote.trace_state = trace::TraceState::FromValidatedHeader("vendor=abc,other=x");
  trace::Context parent(remote);
  trace::StartSpanOptions o;
  o.kind = trace::SpanKind::kServer;
  if (i % 2 == 0) o.parent = &parent;
  trace::Span s = t.StartSpan("rich span " + std::to_string(i), o);
  const int64_t ints[] = {1, -2, 300000};
  const double dbls[] = {0.5, -1e300};
  const bool bools[] = {true, false, true};
  const std::string_view strs[] = {"a", "", "a longer string that does not fit inline"};
  s.SetAttribute("s", "value")
      .SetAttribute("a key that is longer than fifteen characters", std::string(300, 'x'))
      .SetAttribute("i", -i - 1)
      .SetAttribute("d", 2.25)
      .SetAttribute("b", i % 3 == 0)
      .SetAttribute("ints", std::span<const int64_t>(ints))
      .SetAttribute("dbls", std::span<const double>(dbls))  // 7th: dropped by the limit
      .SetAttribute("bools", std::span<const bool>(bools))
      .SetAttribute("strs", std::span<const std::string_view>(strs));
  s.AddEvent("event", {{"k", 1}, {"empty", ""}});
  s.AddEvent("exception", 12345, {});
  s.AddLink(remote, {{"link.attr", true}});
  if (i % 3 == 1) s.SetStatus(trace::StatusCode::kError, "boom");
  if (i % 3 == 2) s.SetStatus(trace::StatusCode::kOk);
}

std::string ViaSpanBatch(std::span<const std::unique_ptr<sdk::SpanData>> spans) {
  SpanBatch batch;
  AppendToSpanBatch(spans, &batch);
  std::string out;
  EncodeOtlpProto(batch, &out);
  return out;
}

TEST(OtlpProtoSpanEncoder, WritesTheSameBytesAsTheSpanBatchPath) {
  Provider a("checkout"), b("payments");
  trace::Tracer ta1 = a.provider->GetTracer("lib-one", "1.0");
  trace::Tracer ta2 = a.provider->GetTracer("lib-two");
  trace::Tracer tb = b.provider->GetTracer("", "", "https://schema/1");
  for (int i = 0; i < 12; ++i) {
    trace::Tracer& t = i % 3 == 0 ? ta1 : (i % 3 == 1 ? tb : ta2);
    RichSpan(t, i);
    t.StartSpan("plain").End();
  }
  // Interleave the two providers' spans so grouping is exercised.
  auto sa = a.store->Take();
  auto sb = b.store->Take();
  ASSERT_EQ(sa.size(), 16u);
  ASSERT_EQ(sb.size(), 8u);
  std::vector<std::unique_ptr<sdk::SpanData>> spans;
  for (size_t i = 0; i < sa.size() || i < sb.size(); ++i) {
    if (i < sa.size()) spans.push_back(std::move(sa[i]));
    if (i < sb.size()) spans.push_back(std::move(sb[i]));
  }
  ASSERT_GT(spans[0]->dropped_attributes_count, 0u);

  OtlpProtoSpanEncoder encoder;
  std::string direct = "prefix";
  encoder.Encode(spans, &direct);
  EXPECT_EQ(direct.substr(0, 6), "prefix");  // appends
  EXPECT_EQ(direct.substr(6), ViaSpanBatch(spans));

  // The encoder is reused by the exporter: a second, smaller call must be just as exact.
  std::string again;
  encoder.Encode(std::span(spans).subspan(3, 5), &again);
  EXPECT_EQ(again, ViaSpanBatch(std::span(spans).subspan(3, 5)));
}

TEST(OtlpProtoSpanEncoder, OutputDecodesBackToTheSpans) {
  Provider a("checkout");
  trace::Tracer t = a.provider->GetTracer("lib", "2.0");
  for (int i = 0; i < 4; ++i) RichSpan(t, i);
  auto spans = a.store->Take();
  OtlpProtoSpanEncoder encoder;
  std::string body;
  encoder.Encode(spans, &body);
  DecodeResult r;
  ASSERT_TRUE(DecodeOtlpProto(body, DecodeLimits{}, &r).ok());
  ASSERT_EQ(r.batch.size(), 4u);
  EXPECT_EQ(r.batch.ServiceName(0), "checkout");
  EXPECT_EQ(r.batch.spans.name[1], "rich span 1");
  EXPECT_EQ(r.batch.spans.trace_id[0].ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(r.batch.spans.trace_state[0], "vendor=abc,other=x");
  EXPECT_EQ(r.batch.spans.span_id[3].ToHex(), spans[3]->context.span_id.ToHex());
  EXPECT_EQ(r.batch.spans.start_time_unix_nano[2], spans[2]->start_time_unix_nano);
  EXPECT_EQ(r.batch.spans.end_time_unix_nano[2], spans[2]->end_time_unix_nano);
  const AnyValue* v = r.batch.FindSpanAttribute(2, "i");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->int_value, -3);
  EXPECT_EQ(r.batch.spans.events[0].count, 2u);
  EXPECT_EQ(r.batch.spans.links[0].count, 1u);
  EXPECT_EQ(r.batch.spans.status_code[1], SpanStatusCode::kError);
  EXPECT_EQ(r.batch.spans.status_message[1], "boom");
}

// The bytes for fixed spans, against a digest recorded before span attributes moved to the
// compact AttributeList: the encoding must not change with the storage.
TEST(OtlpProtoSpanEncoder, BytesForFixedSpansAreUnchanged) {
  Provider a("checkout");
  trace::Tracer t = a.provider->GetTracer("lib", "2.0");
  for (int i = 0; i < 4; ++i) RichSpan(t, i);
  {
    trace::Span s = t.StartSpan("replaced");
    s.SetAttribute("k", "a long value that is replaced").SetAttribute("e", "");
    s.SetAttribute("k", int64_t{1} << 40).SetAttribute("e", "non-empty");
  }
  auto spans = a.store->Take();
  ASSERT_EQ(spans.size(), 5u);
  uint8_t n = 0;
  for (auto& s : spans) {  // the ids and times that are random or from the clock
    for (auto& b : s->context.trace_id.bytes) b = ++n;
    for (auto& b : s->context.span_id.bytes) b = ++n;
    s->start_time_unix_nano = 1'700'000'000'000'000'000u + n;
    s->end_time_unix_nano = s->start_time_unix_nano + 1000;
    for (sdk::SpanEvent& e : s->events) e.time_unix_nano = s->start_time_unix_nano + 10;
  }
  OtlpProtoSpanEncoder encoder;
  std::string body;
  encoder.Encode(spans, &body);
  uint64_t digest = 0xcbf29ce484222325u;  // FNV-1a
  for (char c : body) digest = (digest ^ static_cast<uint8_t>(c)) * 0x100000001b3u;
  EXPECT_EQ(body.size(), 2933u);
  EXPECT_EQ(digest, 0x72b69b3f89301bd9u);
}

TEST(OtlpProtoSpanEncoder, EmptyInputWritesAnEmptyRequest) {
  OtlpProtoSpanEncoder encoder;
  std::string body;
  encoder.Encode({}, &body);
  EXPECT_TRUE(body.empty());
  EXPECT_EQ(body, ViaSpanBatch({}));
}

}  // namespace
}  // namespace ariadne::exporters
