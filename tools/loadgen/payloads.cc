#include "tools/loadgen/payloads.h"

#include <chrono>
#include <cstring>
#include <set>

#include "model/span_batch.h"
#include "server/pipeline/span_factory.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne::loadgen {

std::vector<Payload> MakePayloads(int count, int spans_per_batch, uint64_t seed) {
  std::vector<Payload> out;
  SpanFactory factory(seed);
  auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  for (int i = 0; i < count; ++i) {
    SpanBatch b = factory.MakeBatch(spans_per_batch, now);
    Payload p;
    p.spans = static_cast<int>(b.size());
    EncodeOtlpProto(b, &p.bytes);
    std::set<TraceId> ids(b.spans.trace_id.begin(), b.spans.trace_id.end());
    for (const TraceId& id : ids) {
      const char* base = p.bytes.data();
      size_t pos = 0;
      while (true) {
        const void* hit = memmem(base + pos, p.bytes.size() - pos, id.bytes.data(), 16);
        if (hit == nullptr) break;
        size_t off = static_cast<size_t>(static_cast<const char*>(hit) - base);
        p.trace_id_offsets.push_back(off);
        pos = off + 16;
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

void Stamp(const Payload& p, uint64_t sequence, std::string* out) {
  out->assign(p.bytes);
  for (size_t off : p.trace_id_offsets) {
    uint64_t v;
    std::memcpy(&v, out->data() + off, 8);
    v ^= sequence * 0x9E3779B97F4A7C15ull;
    std::memcpy(out->data() + off, &v, 8);
  }
}

}  // namespace ariadne::loadgen
