#include "server/pipeline/span_factory.h"

#include <array>
#include <string>

namespace ariadne {
namespace {

struct Hop {
  int service;
  int parent;  // index of the parent hop, -1 for the root
  SpanKind kind;
  const char* name;
};

constexpr std::array<const char*, 5> kServices = {"frontend", "api", "db", "cache", "payments"};
constexpr std::array<Hop, SpanFactory::kSpansPerTrace> kTree = {{
    {0, -1, SpanKind::kServer, "GET /checkout"},
    {0, 0, SpanKind::kClient, "POST /api/orders"},
    {1, 1, SpanKind::kServer, "POST /api/orders"},
    {1, 2, SpanKind::kClient, "SELECT orders"},
    {2, 3, SpanKind::kServer, "SELECT orders"},
    {1, 2, SpanKind::kClient, "GET cart"},
    {3, 5, SpanKind::kServer, "GET cart"},
    {4, 2, SpanKind::kInternal, "charge card"},
}};

}  // namespace

SpanBatch SpanFactory::MakeBatch(int spans, uint64_t now_ns) {
  SpanBatch b;
  std::array<uint32_t, kServices.size()> resources{};
  for (size_t s = 0; s < kServices.size(); ++s) {
    resources[s] = b.AddResource();
    uint32_t first = b.AddAttribute("service.name", AnyValue::String(kServices[s]));
    b.AddAttribute("service.version", AnyValue::String("1.4.2"));
    b.AddAttribute("host.name", AnyValue::String(b.Intern("host-" + std::to_string(s))));
    b.AddAttribute("process.pid", AnyValue::Int(1000 + static_cast<int64_t>(s)));
    b.AddAttribute("telemetry.sdk.language", AnyValue::String("cpp"));
    b.resources[resources[s]].attributes = Range{first, 5};
    b.RefreshServiceName(resources[s]);
  }
  uint32_t scope = b.AddScope();
  b.scopes[scope].name = "ariadne.loadgen";
  b.scopes[scope].version = "1.0";
  int traces = (spans + kSpansPerTrace - 1) / kSpansPerTrace;
  for (int t = 0; t < traces; ++t) {
    TraceId trace = TraceId::FromHighLow(rng_() | 1, rng_() | 1);
    bool error = rng_() % 20 == 0;
    uint64_t start = now_ns - rng_() % 1'000'000'000;
    std::array<SpanId, kSpansPerTrace> ids;
    for (size_t h = 0; h < kTree.size(); ++h) {
      const Hop& hop = kTree[h];
      ids[h] = SpanId::FromHighLow(0, rng_() | 1);
      uint32_t row = b.AddSpan();
      b.spans.trace_id[row] = trace;
      b.spans.span_id[row] = ids[h];
      if (hop.parent >= 0) b.spans.parent_span_id[row] = ids[static_cast<size_t>(hop.parent)];
      b.spans.flags[row] = 1;
      b.spans.name[row] = hop.name;
      b.spans.kind[row] = hop.kind;
      uint64_t offset = h * 1'000'000;
      uint64_t duration = (kTree.size() - h) * 2'000'000 + rng_() % 1'000'000;
      b.spans.start_time_unix_nano[row] = start + offset;
      b.spans.end_time_unix_nano[row] = start + offset + duration;
      b.spans.resource_index[row] = resources[static_cast<size_t>(hop.service)];
      b.spans.scope_index[row] = scope;
      bool failed = error && (h == 0 || h == 7);
      b.spans.status_code[row] = failed ? SpanStatusCode::kError : SpanStatusCode::kUnset;
      if (failed) b.spans.status_message[row] = "card declined";
      uint32_t first = b.AddAttribute("http.method", AnyValue::String("POST"));
      b.AddAttribute("http.status_code", AnyValue::Int(failed ? 500 : 200));
      b.AddAttribute("http.url", AnyValue::String(b.Intern("https://shop.example.com/api/orders/" +
                                                           std::to_string(rng_() % 100000))));
      b.AddAttribute("net.peer.port", AnyValue::Int(8080));
      b.AddAttribute("sampled.ratio", AnyValue::Double(0.25));
      b.AddAttribute("cache.hit", AnyValue::Bool(rng_() % 2 == 0));
      b.AddAttribute("user.id",
                     AnyValue::String(b.Intern("user-" + std::to_string(rng_() % 5000))));
      b.spans.attributes[row] = Range{first, 7};
      if (h % 3 == 0) {
        uint32_t ev = b.AddEvent();
        b.events.name[ev] = failed ? "exception" : "request.received";
        b.events.time_unix_nano[ev] = start + offset + 100'000;
        uint32_t a = b.AddAttribute("message.size", AnyValue::Int(512));
        b.events.attributes[ev] = Range{a, 1};
        b.spans.events[row] = Range{ev, 1};
      }
    }
  }
  return b;
}

}  // namespace ariadne
