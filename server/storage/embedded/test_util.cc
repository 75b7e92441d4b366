#include "server/storage/embedded/test_util.h"

#include <algorithm>
#include <cstring>
#include <set>

#include <xxhash.h>

#include "server/storage/embedded/varint.h"

namespace ariadne::embedded_test {
namespace {

const char* const kServices[] = {"frontend", "cart", "checkout", "payment", "db"};
const char* const kOps[] = {"GET /", "POST /cart", "charge", "SELECT", "render", "publish"};
const char* const kKeys[] = {"http.method", "http.status_code", "db.system", "user.id", "retry"};

template <typename Id>
Id RandomId(std::mt19937_64* rng) {
  Id id;
  for (auto& b : id.bytes) b = static_cast<uint8_t>((*rng)() | 1);
  return id;
}

AnyValue RandomValue(std::mt19937_64* rng, SpanBatch* b, int depth) {
  switch ((*rng)() % (depth > 1 ? 5 : 7)) {
    case 0:
      return AnyValue::String(b->Intern("v" + std::to_string((*rng)() % 20)));
    case 1:
      return AnyValue::Int(static_cast<int64_t>((*rng)() % 1000) - 500);
    case 2:
      return AnyValue::Bool((*rng)() % 2 == 0);
    case 3:
      return AnyValue::Double(static_cast<double>((*rng)() % 1000) / 8.0);
    case 4:
      return AnyValue::Bytes(b->Intern(std::string(3, static_cast<char>((*rng)() % 256))));
    case 5: {
      AnyValue v;
      v.type = ValueType::kArray;
      std::vector<AnyValue> children;
      for (int i = 0; i < 2; ++i) children.push_back(RandomValue(rng, b, depth + 1));
      v.children.begin = static_cast<uint32_t>(b->array_values.size());
      v.children.count = 2;
      for (const AnyValue& c : children) b->array_values.push_back(c);
      return v;
    }
    default: {
      AnyValue v;
      v.type = ValueType::kKvList;
      std::vector<KeyValue> children;
      for (int i = 0; i < 2; ++i) {
        children.push_back(
            KeyValue{b->Intern("k" + std::to_string(i)), RandomValue(rng, b, depth + 1)});
      }
      v.children.begin = static_cast<uint32_t>(b->kvlist_values.size());
      v.children.count = 2;
      for (const KeyValue& c : children) b->kvlist_values.push_back(c);
      return v;
    }
  }
}

Range RandomAttributes(std::mt19937_64* rng, SpanBatch* b, int max_count, bool rich) {
  int n = static_cast<int>((*rng)() % static_cast<uint64_t>(max_count + 1));
  std::vector<KeyValue> kvs;
  for (int i = 0; i < n; ++i) {
    AnyValue v = rich ? RandomValue(rng, b, 0)
                      : AnyValue::String(b->Intern("v" + std::to_string((*rng)() % 20)));
    kvs.push_back(KeyValue{kKeys[(*rng)() % 5], v});
  }
  Range r{static_cast<uint32_t>(b->attributes.size()), static_cast<uint32_t>(n)};
  for (const KeyValue& kv : kvs) b->AddAttribute(kv.key, kv.value);
  return r;
}

}  // namespace

SpanBatch RandomBatch(std::mt19937_64* rng, const RandomBatchOptions& o) {
  SpanBatch b;
  for (const char* service : kServices) {
    uint32_t r = b.AddResource();
    uint32_t first = b.AddAttribute("service.name", AnyValue::String(service));
    b.AddAttribute("host.name", AnyValue::String(b.Intern("host-" + std::to_string((*rng)() % 3))));
    b.resources[r].attributes = Range{first, 2};
    b.resources[r].schema_url = (*rng)() % 2 ? "https://opentelemetry.io/schemas/1.21.0" : "";
    b.RefreshServiceName(r);
  }
  if (o.rich) {
    uint32_t s = b.AddScope();
    b.scopes[s].name = "io.ariadne.test";
    b.scopes[s].version = "1.0";
    b.scopes[s].attributes = RandomAttributes(rng, &b, 1, false);
  }
  for (int t = 0; t < o.traces; ++t) {
    TraceId trace = RandomId<TraceId>(rng);
    uint64_t trace_start = o.base_time_ns + (*rng)() % o.time_spread_ns;
    int n = 1 + static_cast<int>((*rng)() % static_cast<uint64_t>(o.max_spans_per_trace));
    std::vector<SpanId> ids;
    for (int i = 0; i < n; ++i) {
      uint32_t row = b.AddSpan();
      SpanColumns& c = b.spans;
      c.trace_id[row] = trace;
      c.span_id[row] = RandomId<SpanId>(rng);
      if (!ids.empty()) c.parent_span_id[row] = ids[(*rng)() % ids.size()];
      if (i > 0 && (*rng)() % 10 == 0) c.parent_span_id[row] = RandomId<SpanId>(rng);
      ids.push_back(c.span_id[row]);
      c.name[row] = kOps[(*rng)() % 6];
      c.kind[row] = static_cast<SpanKind>((*rng)() % 6);
      c.start_time_unix_nano[row] = trace_start + (*rng)() % 1'000'000'000;
      c.end_time_unix_nano[row] = c.start_time_unix_nano[row] + (*rng)() % 500'000'000;
      c.status_code[row] = static_cast<SpanStatusCode>((*rng)() % 3);
      if (c.status_code[row] == SpanStatusCode::kError) c.status_message[row] = "boom";
      c.flags[row] = 1;
      c.resource_index[row] = static_cast<uint32_t>((*rng)() % 5);
      c.scope_index[row] = 0;
      c.attributes[row] = RandomAttributes(rng, &b, 4, o.rich);
      if (o.rich && (*rng)() % 3 == 0) {
        uint32_t e = b.AddEvent();
        b.events.time_unix_nano[e] = c.start_time_unix_nano[row] + 10;
        b.events.name[e] = "exception";
        b.events.attributes[e] = RandomAttributes(rng, &b, 2, true);
        c.events[row] = Range{e, 1};
      }
      if (o.rich && (*rng)() % 5 == 0) {
        uint32_t l = b.AddLink();
        b.links.trace_id[l] = RandomId<TraceId>(rng);
        b.links.span_id[l] = RandomId<SpanId>(rng);
        b.links.attributes[l] = RandomAttributes(rng, &b, 1, true);
        c.links[row] = Range{l, 1};
      }
      c.dropped_attributes_count[row] = static_cast<uint32_t>((*rng)() % 2);
    }
  }
  return b;
}

std::vector<std::string> CanonicalSpans(const SpanBatch& batch) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < batch.size(); ++i) {
    SpanBatch one;
    one.AppendSpan(batch, i);
    out.push_back(DebugString(one));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> CanonicalTrace(const SpanBatch& batch, const TraceId& id) {
  SpanBatch sub;
  for (uint32_t i = 0; i < batch.size(); ++i) {
    if (batch.spans.trace_id[i] == id) sub.AppendSpan(batch, i);
  }
  return CanonicalSpans(sub);
}

std::vector<TraceId> TraceIds(const SpanBatch& batch) {
  std::set<TraceId> ids(batch.spans.trace_id.begin(), batch.spans.trace_id.end());
  return {ids.begin(), ids.end()};
}

namespace {
constexpr size_t kBlockHeader = 48;
}  // namespace

bool ReplaceMetaWord(std::string* block, uint64_t from, uint64_t to) {
  const uint64_t meta_len = embedded::GetFixed32(block->data() + 12);
  std::string old, now;
  embedded::PutFixed64(&old, from);
  embedded::PutFixed64(&now, to);
  const size_t at = block->find(old, kBlockHeader);
  if (at == std::string::npos || at + 8 > kBlockHeader + meta_len) return false;
  block->replace(at, 8, now);
  return true;
}

void FixBlockChecksums(std::string* block) {
  const uint64_t meta_len = embedded::GetFixed32(block->data() + 12);
  const uint64_t body_len = block->size() - kBlockHeader - meta_len;
  auto put = [&](size_t at, uint64_t v) {
    std::string w;
    embedded::PutFixed64(&w, v);
    block->replace(at, 8, w);
  };
  put(24, XXH3_64bits(block->data() + kBlockHeader, meta_len));
  put(32, XXH3_64bits(block->data() + kBlockHeader + meta_len, body_len));
  put(40, XXH3_64bits(block->data(), 40));
}

std::string ZstdFrameDeclaring(uint64_t declared, size_t len) {
  std::string f = {'\x28', '\xb5', '\x2f', '\xfd'};  // magic
  f.push_back('\xe0');  // 8-byte content size, single segment, no checksum, no dictionary
  embedded::PutFixed64(&f, declared);
  const uint32_t n = static_cast<uint32_t>(len - 16);
  const uint32_t block_header = 1 | (n << 3);  // last block, raw, n bytes
  for (int i = 0; i < 3; ++i) f.push_back(static_cast<char>(block_header >> (8 * i)));
  f.append(n, '\0');
  return f;
}

}  // namespace ariadne::embedded_test
