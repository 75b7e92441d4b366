#include "ariadne/exporters/otlp_proto_direct.h"

#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ariadne/sdk/tracer_provider.h"
#include "base/short_bytes.h"

namespace ariadne::exporters {
namespace {

using sdk::SpanData;
using sdk::VisitValue;

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline size_t LenField(size_t n) { return 1 + VarintSize(n) + n; }
inline size_t StrField(std::string_view s) { return s.empty() ? 0 : LenField(s.size()); }
inline size_t VarintField(uint64_t v) { return v == 0 ? 0 : 1 + VarintSize(v); }

inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
inline char* PutFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
  return p + 8;
}
inline char* PutFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
  return p + 4;
}
// Keys, names and short values are mostly under 32 bytes (base/short_bytes.h).
inline char* PutBytes(char* p, const void* data, size_t n) {
  CopyShortBytes(p, static_cast<const char*>(data), n);
  return p + n;
}
inline char* Len(char* p, uint8_t tag, size_t n) {
  *p++ = static_cast<char>(tag);
  return PutVarint(p, n);
}
inline char* Str(char* p, uint8_t tag, std::string_view s) {
  if (s.empty()) return p;
  p = Len(p, tag, s.size());
  return PutBytes(p, s.data(), s.size());
}
inline char* Var(char* p, uint8_t tag, uint64_t v) {
  if (v == 0) return p;
  *p++ = static_cast<char>(tag);
  return PutVarint(p, v);
}
template <size_t N>
inline char* Id(char* p, uint8_t tag, const trace::Id<N>& id) {
  *p++ = static_cast<char>(tag);
  *p++ = static_cast<char>(N);
  return PutBytes(p, id.bytes.data(), N);
}

// ---- AnyValue (scalars inline, arrays as ArrayValue) ----
inline size_t ScalarSize(bool) { return 2; }
inline size_t ScalarSize(int64_t v) { return 1 + VarintSize(static_cast<uint64_t>(v)); }
inline size_t ScalarSize(double) { return 9; }
inline size_t ScalarSize(std::string_view s) { return LenField(s.size()); }

inline char* PutScalar(char* p, bool v) {
  *p++ = 0x10;
  *p++ = v ? 1 : 0;
  return p;
}
inline char* PutScalar(char* p, int64_t v) {
  *p++ = 0x18;
  return PutVarint(p, static_cast<uint64_t>(v));
}
inline char* PutScalar(char* p, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  *p++ = 0x21;
  return PutFixed64(p, bits);
}
inline char* PutScalar(char* p, std::string_view s) {
  p = Len(p, 0x0A, s.size());
  return PutBytes(p, s.data(), s.size());
}

// Bytes of the ArrayValue message (repeated AnyValue values = 1).
template <typename Vec>
size_t ArrayBodySize(const Vec& vec) {
  size_t m = 0;
  for (const auto& x : vec) {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, bool>) {
      m += LenField(ScalarSize(static_cast<bool>(x)));
    } else {
      m += LenField(ScalarSize(static_cast<const T&>(x)));
    }
  }
  return m;
}

template <typename T>
constexpr bool kIsArray =
    std::is_same_v<T, std::vector<bool>> || std::is_same_v<T, std::vector<int64_t>> ||
    std::is_same_v<T, std::vector<double>> || std::is_same_v<T, std::vector<std::string>>;

// Value is an sdk::OwnedValue or sdk::AttributeValueRef (attribute_list.h).
template <typename Value>
size_t AnyValueSize(const Value& v) {
  return VisitValue(v, [](const auto& x) -> size_t {
    using T = std::decay_t<decltype(x)>;
    if constexpr (kIsArray<T>) {
      return LenField(ArrayBodySize(x));
    } else {
      return ScalarSize(x);
    }
  });
}

template <typename Value>
char* PutAnyValueBody(char* p, const Value& v) {
  return VisitValue(v, [p](const auto& x) -> char* {
    using T = std::decay_t<decltype(x)>;
    if constexpr (kIsArray<T>) {
      char* q = Len(p, 0x2A, ArrayBodySize(x));
      for (const auto& e : x) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, bool>) {
          q = Len(q, 0x0A, ScalarSize(static_cast<bool>(e)));
          q = PutScalar(q, static_cast<bool>(e));
        } else {
          q = Len(q, 0x0A, ScalarSize(static_cast<const E&>(e)));
          q = PutScalar(q, static_cast<const E&>(e));
        }
      }
      return q;
    } else {
      return PutScalar(p, x);
    }
  });
}

// Attribute: an sdk::AttributeRef or sdk::OwnedAttribute.
template <typename Attribute>
inline size_t KeyValueSize(const Attribute& a) {
  return StrField(a.key) + LenField(AnyValueSize(a.value));
}

template <typename Attrs>
size_t AttributesSize(const Attrs& attrs) {
  size_t n = 0;
  for (const auto& a : attrs) n += LenField(KeyValueSize(a));
  return n;
}

template <typename Attrs>
char* PutAttributes(char* p, uint8_t tag, const Attrs& attrs) {
  for (const auto& a : attrs) {
    size_t value_size = AnyValueSize(a.value);
    p = Len(p, tag, StrField(a.key) + LenField(value_size));
    p = Str(p, 0x0A, a.key);
    p = Len(p, 0x12, value_size);  // KeyValue.value = 2
    p = PutAnyValueBody(p, a.value);
  }
  return p;
}

// ---- Span ----
uint32_t SpanFlags(const SpanData& s) {
  // W3C flags in the low byte plus OTLP's "has is_remote" and "is remote" bits for the parent.
  uint32_t flags = s.context.flags & 0xffu;
  if (s.parent_span_id.IsValid()) flags |= 0x100u | (s.parent_remote ? 0x200u : 0u);
  return flags;
}
uint32_t LinkFlags(const sdk::SpanLink& l) {
  return (l.context.flags & 0xffu) | 0x100u | (l.context.remote ? 0x200u : 0u);
}
size_t EventSize(const sdk::SpanEvent& e) {
  return (e.time_unix_nano != 0 ? 9 : 0) + StrField(e.name) + AttributesSize(e.attributes) +
         VarintField(e.dropped_attributes_count);
}
size_t LinkSize(const sdk::SpanLink& l) {
  return LenField(16) + LenField(8) + StrField(l.context.trace_state.header()) +
         AttributesSize(l.attributes) + VarintField(l.dropped_attributes_count) + 5;
}
bool HasStatus(const SpanData& s) {
  return s.status_code != trace::StatusCode::kUnset || !s.status_message.empty();
}
size_t StatusSize(const SpanData& s) {
  return StrField(s.status_message) + VarintField(static_cast<uint64_t>(s.status_code));
}

size_t SpanSize(const SpanData& s) {
  size_t n = LenField(16) + LenField(8) + StrField(s.context.trace_state.header());
  if (s.parent_span_id.IsValid()) n += LenField(8);
  n += StrField(s.name) + VarintField(static_cast<uint64_t>(s.kind));
  if (s.start_time_unix_nano != 0) n += 9;
  if (s.end_time_unix_nano != 0) n += 9;
  n += AttributesSize(s.attributes) + VarintField(s.dropped_attributes_count);
  for (const sdk::SpanEvent& e : s.events) n += LenField(EventSize(e));
  n += VarintField(s.dropped_events_count);
  for (const sdk::SpanLink& l : s.links) n += LenField(LinkSize(l));
  n += VarintField(s.dropped_links_count);
  if (HasStatus(s)) n += LenField(StatusSize(s));
  if (SpanFlags(s) != 0) n += 6;
  return n;
}

char* PutSpan(char* p, const SpanData& s, size_t size) {
  p = Len(p, 0x12, size);  // ScopeSpans.spans = 2
  p = Id(p, 0x0A, s.context.trace_id);
  p = Id(p, 0x12, s.context.span_id);
  p = Str(p, 0x1A, s.context.trace_state.header());
  if (s.parent_span_id.IsValid()) p = Id(p, 0x22, s.parent_span_id);
  p = Str(p, 0x2A, s.name);
  p = Var(p, 0x30, static_cast<uint64_t>(s.kind));
  if (s.start_time_unix_nano != 0) {
    *p++ = 0x39;
    p = PutFixed64(p, s.start_time_unix_nano);
  }
  if (s.end_time_unix_nano != 0) {
    *p++ = 0x41;
    p = PutFixed64(p, s.end_time_unix_nano);
  }
  p = PutAttributes(p, 0x4A, s.attributes);
  p = Var(p, 0x50, s.dropped_attributes_count);
  for (const sdk::SpanEvent& e : s.events) {
    p = Len(p, 0x5A, EventSize(e));
    if (e.time_unix_nano != 0) {
      *p++ = 0x09;
      p = PutFixed64(p, e.time_unix_nano);
    }
    p = Str(p, 0x12, e.name);
    p = PutAttributes(p, 0x1A, e.attributes);
    p = Var(p, 0x20, e.dropped_attributes_count);
  }
  p = Var(p, 0x60, s.dropped_events_count);
  for (const sdk::SpanLink& l : s.links) {
    p = Len(p, 0x6A, LinkSize(l));
    p = Id(p, 0x0A, l.context.trace_id);
    p = Id(p, 0x12, l.context.span_id);
    p = Str(p, 0x1A, l.context.trace_state.header());
    p = PutAttributes(p, 0x22, l.attributes);
    p = Var(p, 0x28, l.dropped_attributes_count);
    *p++ = 0x35;
    p = PutFixed32(p, LinkFlags(l));
  }
  p = Var(p, 0x70, s.dropped_links_count);
  if (HasStatus(s)) {
    p = Len(p, 0x7A, StatusSize(s));
    p = Str(p, 0x12, s.status_message);
    p = Var(p, 0x18, static_cast<uint64_t>(s.status_code));
  }
  uint32_t flags = SpanFlags(s);
  if (flags != 0) {
    *p++ = static_cast<char>(0x85);
    *p++ = 0x01;
    p = PutFixed32(p, flags);
  }
  return p;
}

// ---- Resource / scope ----
size_t ResourceBodySize(const sdk::Resource& r) { return AttributesSize(r.attributes); }
bool HasScope(const sdk::InstrumentationScope& s) { return !s.name.empty() || !s.version.empty(); }
size_t ScopeBodySize(const sdk::InstrumentationScope& s) {
  return StrField(s.name) + StrField(s.version);
}

}  // namespace

void OtlpProtoSpanEncoder::Encode(std::span<const std::unique_ptr<SpanData>> spans,
                                  std::string* out) {
  const size_t n = spans.size();
  span_sizes_.resize(n);
  span_group_.resize(n);
  groups_.clear();

  // Pass 1: group (resource, scope) pairs in first-appearance order and size every span.
  size_t last_group = SIZE_MAX;
  for (size_t i = 0; i < n; ++i) {
    const SpanData& s = *spans[i];
    const void* res = &s.state()->resource;
    const void* scope = &s.scope();
    if (last_group == SIZE_MAX || groups_[last_group].resource != res ||
        groups_[last_group].scope != scope) {
      last_group = SIZE_MAX;
      for (size_t g = 0; g < groups_.size(); ++g) {
        if (groups_[g].resource == res && groups_[g].scope == scope) {
          last_group = g;
          break;
        }
      }
      if (last_group == SIZE_MAX) {
        groups_.push_back(Group{res, scope, 0});
        last_group = groups_.size() - 1;
      }
    }
    size_t size = SpanSize(s);
    span_sizes_[i] = static_cast<uint32_t>(size);
    span_group_[i] = static_cast<uint32_t>(last_group);
    groups_[last_group].size += LenField(size);
  }

  // Resources in first-appearance order; within each, its scopes in first-appearance order.
  // Sizes: ScopeSpans = scope header + spans + schema_url; ResourceSpans = resource + scopes.
  struct ResourceOut {
    const sdk::Resource* resource;
    size_t size;
  };
  std::vector<ResourceOut> resources;
  std::vector<size_t> scope_spans_size(groups_.size());
  for (size_t g = 0; g < groups_.size(); ++g) {
    const Group& grp = groups_[g];
    const auto* res = static_cast<const sdk::Resource*>(grp.resource);
    const auto* scope = static_cast<const sdk::InstrumentationScope*>(grp.scope);
    size_t ss = grp.size + StrField(scope->schema_url);
    if (HasScope(*scope)) ss += LenField(ScopeBodySize(*scope));
    scope_spans_size[g] = ss;
    size_t r = 0;
    while (r < resources.size() && resources[r].resource != res) ++r;
    if (r == resources.size()) {
      size_t body = ResourceBodySize(*res);
      resources.push_back(ResourceOut{res, res->attributes.empty() ? 0 : LenField(body)});
    }
    resources[r].size += LenField(ss);
  }
  size_t total = 0;
  for (const ResourceOut& r : resources) total += LenField(r.size);

  // Pass 2: write.
  size_t old = out->size();
  out->resize(old + total);
  char* p = out->data() + old;
  for (const ResourceOut& r : resources) {
    p = Len(p, 0x0A, r.size);  // ExportTraceServiceRequest.resource_spans = 1
    if (!r.resource->attributes.empty()) {
      p = Len(p, 0x0A, ResourceBodySize(*r.resource));
      p = PutAttributes(p, 0x0A, r.resource->attributes);
    }
    for (size_t g = 0; g < groups_.size(); ++g) {
      if (groups_[g].resource != r.resource) continue;
      const auto* scope = static_cast<const sdk::InstrumentationScope*>(groups_[g].scope);
      p = Len(p, 0x12, scope_spans_size[g]);  // ResourceSpans.scope_spans = 2
      if (HasScope(*scope)) {
        p = Len(p, 0x0A, ScopeBodySize(*scope));
        p = Str(p, 0x0A, scope->name);
        p = Str(p, 0x12, scope->version);
      }
      for (size_t i = 0; i < n; ++i) {
        if (span_group_[i] == g) p = PutSpan(p, *spans[i], span_sizes_[i]);
      }
      p = Str(p, 0x1A, scope->schema_url);
    }
  }
}

}  // namespace ariadne::exporters
