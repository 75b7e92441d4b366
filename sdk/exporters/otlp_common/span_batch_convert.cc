#include "ariadne/exporters/span_batch_convert.h"

#include <cstring>
#include <unordered_map>

#include "ariadne/sdk/tracer_provider.h"

namespace ariadne::exporters {
namespace {

// Value: an sdk::OwnedValue or sdk::AttributeValueRef.
template <typename Value>
AnyValue Convert(const Value& v, SpanBatch* b) {
  return sdk::VisitValue(v, [b](const auto& x) {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, bool>) {
      return AnyValue::Bool(x);
    } else if constexpr (std::is_same_v<T, int64_t>) {
      return AnyValue::Int(x);
    } else if constexpr (std::is_same_v<T, double>) {
      return AnyValue::Double(x);
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      return AnyValue::String(x);
    } else {
      AnyValue arr;
      arr.type = ValueType::kArray;
      arr.children.begin = static_cast<uint32_t>(b->array_values.size());
      if constexpr (std::is_same_v<T, std::vector<bool>>) {
        for (bool e : x) b->array_values.push_back(AnyValue::Bool(e));
      } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
        for (int64_t e : x) b->array_values.push_back(AnyValue::Int(e));
      } else if constexpr (std::is_same_v<T, std::vector<double>>) {
        for (double e : x) b->array_values.push_back(AnyValue::Double(e));
      } else {
        for (const std::string& e : x) b->array_values.push_back(AnyValue::String(e));
      }
      arr.children.count = static_cast<uint32_t>(b->array_values.size()) - arr.children.begin;
      return arr;
    }
  });
}

template <typename Attrs>
Range AddAttributes(const Attrs& attrs, SpanBatch* b) {
  Range r;
  r.begin = static_cast<uint32_t>(b->attributes.size());
  for (const auto& a : attrs) b->AddAttribute(a.key, Convert(a.value, b));
  r.count = static_cast<uint32_t>(attrs.size());
  return r;
}

template <size_t N>
void CopyId(const trace::Id<N>& from, FixedId<N>* to) {
  std::memcpy(to->bytes.data(), from.bytes.data(), N);
}

}  // namespace

void AppendToSpanBatch(std::span<const std::unique_ptr<sdk::SpanData>> spans, SpanBatch* b) {
  std::unordered_map<const void*, uint32_t> resources, scopes;
  const void* last_resource = nullptr;
  const void* last_scope = nullptr;
  uint32_t last_resource_index = 0, last_scope_index = 0;

  SpanColumns& c = b->spans;
  size_t n = c.size() + spans.size();
  c.trace_id.reserve(n);
  c.span_id.reserve(n);
  c.parent_span_id.reserve(n);
  b->attributes.reserve(b->attributes.size() + spans.size() * 6);

  for (const auto& sp : spans) {
    const sdk::SpanData& s = *sp;
    const sdk::Resource* res = &s.state()->resource;
    if (res != last_resource) {
      auto it = resources.find(res);
      if (it == resources.end()) {
        uint32_t idx = b->AddResource();
        Range attrs = AddAttributes(res->attributes, b);
        b->resources[idx].attributes = attrs;
        b->RefreshServiceName(idx);
        it = resources.emplace(res, idx).first;
      }
      last_resource = res;
      last_resource_index = it->second;
    }
    const sdk::InstrumentationScope* scope = &s.scope();
    if (scope != last_scope) {
      auto it = scopes.find(scope);
      if (it == scopes.end()) {
        uint32_t idx = b->AddScope();
        b->scopes[idx].name = scope->name;
        b->scopes[idx].version = scope->version;
        b->scopes[idx].schema_url = scope->schema_url;
        it = scopes.emplace(scope, idx).first;
      }
      last_scope = scope;
      last_scope_index = it->second;
    }

    uint32_t row = b->AddSpan();
    CopyId(s.context.trace_id, &c.trace_id[row]);
    CopyId(s.context.span_id, &c.span_id[row]);
    CopyId(s.parent_span_id, &c.parent_span_id[row]);
    c.trace_state[row] = s.context.trace_state.header();
    // W3C flags in the low byte plus OTLP's "has is_remote" and "is remote" bits for the parent.
    uint32_t flags = s.context.flags & 0xff;
    if (s.parent_span_id.IsValid()) flags |= 0x100u | (s.parent_remote ? 0x200u : 0u);
    c.flags[row] = flags;
    c.name[row] = s.name;
    c.kind[row] = static_cast<SpanKind>(s.kind);
    c.start_time_unix_nano[row] = s.start_time_unix_nano;
    c.end_time_unix_nano[row] = s.end_time_unix_nano;
    c.status_code[row] = static_cast<SpanStatusCode>(s.status_code);
    c.status_message[row] = s.status_message;
    c.resource_index[row] = last_resource_index;
    c.scope_index[row] = last_scope_index;
    c.attributes[row] = AddAttributes(s.attributes, b);
    c.dropped_attributes_count[row] = s.dropped_attributes_count;
    c.dropped_events_count[row] = s.dropped_events_count;
    c.dropped_links_count[row] = s.dropped_links_count;
    if (!s.events.empty()) {
      Range er{static_cast<uint32_t>(b->events.size()), 0};
      for (const sdk::SpanEvent& e : s.events) {
        uint32_t ei = b->AddEvent();
        b->events.name[ei] = e.name;
        b->events.time_unix_nano[ei] = e.time_unix_nano;
        b->events.attributes[ei] = AddAttributes(e.attributes, b);
        b->events.dropped_attributes_count[ei] = e.dropped_attributes_count;
        ++er.count;
      }
      c.events[row] = er;
    }
    if (!s.links.empty()) {
      Range lr{static_cast<uint32_t>(b->links.size()), 0};
      for (const sdk::SpanLink& l : s.links) {
        uint32_t li = b->AddLink();
        CopyId(l.context.trace_id, &b->links.trace_id[li]);
        CopyId(l.context.span_id, &b->links.span_id[li]);
        b->links.trace_state[li] = l.context.trace_state.header();
        b->links.attributes[li] = AddAttributes(l.attributes, b);
        b->links.dropped_attributes_count[li] = l.dropped_attributes_count;
        b->links.flags[li] = (l.context.flags & 0xffu) | 0x100u | (l.context.remote ? 0x200u : 0u);
        ++lr.count;
      }
      c.links[row] = lr;
    }
  }
}

}  // namespace ariadne::exporters
