#include "model/span_batch.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "base/status.h"

namespace ariadne {

std::string_view SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kUnspecified:
      return "unspecified";
    case SpanKind::kInternal:
      return "internal";
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
  }
  return "unspecified";
}

bool ParseSpanKind(std::string_view name, SpanKind* kind) {
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::string_view n = lower;
  if (n.substr(0, 10) == "span_kind_") n.remove_prefix(10);
  for (SpanKind k : {SpanKind::kUnspecified, SpanKind::kInternal, SpanKind::kServer,
                     SpanKind::kClient, SpanKind::kProducer, SpanKind::kConsumer}) {
    if (n == SpanKindName(k)) {
      *kind = k;
      return true;
    }
  }
  return false;
}

std::string_view SpanBatch::Intern(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > arena_left_) {
    size_t block = std::max(kArenaBlock, s.size());
    // Not zero-filled: every byte is written by memcpy before a view can see it, and zeroing
    // 64 KiB per batch was 5 % of a fuzzing run on small requests (fuzz/README.md).
    arena_blocks_.push_back(std::make_unique_for_overwrite<char[]>(block));
    arena_ptr_ = arena_blocks_.back().get();
    arena_left_ = block;
    arena_bytes_ += block;
  }
  std::memcpy(arena_ptr_, s.data(), s.size());
  std::string_view out(arena_ptr_, s.size());
  arena_ptr_ += s.size();
  arena_left_ -= s.size();
  return out;
}

std::string_view SpanBatch::AdoptBuffer(std::string buffer) {
  adopted_.push_back(std::make_unique<std::string>(std::move(buffer)));
  arena_bytes_ += adopted_.back()->capacity();
  return *adopted_.back();
}

uint32_t SpanBatch::AddSpan() {
  auto row = static_cast<uint32_t>(spans.size());
  spans.trace_id.emplace_back();
  spans.span_id.emplace_back();
  spans.parent_span_id.emplace_back();
  spans.trace_state.emplace_back();
  spans.flags.push_back(0);
  spans.name.emplace_back();
  spans.kind.push_back(SpanKind::kUnspecified);
  spans.start_time_unix_nano.push_back(0);
  spans.end_time_unix_nano.push_back(0);
  spans.status_code.push_back(SpanStatusCode::kUnset);
  spans.status_message.emplace_back();
  spans.resource_index.push_back(0);
  spans.scope_index.push_back(0);
  spans.attributes.emplace_back();
  spans.events.emplace_back();
  spans.links.emplace_back();
  spans.dropped_attributes_count.push_back(0);
  spans.dropped_events_count.push_back(0);
  spans.dropped_links_count.push_back(0);
  return row;
}

uint32_t SpanBatch::AddEvent() {
  auto row = static_cast<uint32_t>(events.size());
  events.time_unix_nano.push_back(0);
  events.name.emplace_back();
  events.attributes.emplace_back();
  events.dropped_attributes_count.push_back(0);
  return row;
}

uint32_t SpanBatch::AddLink() {
  auto row = static_cast<uint32_t>(links.size());
  links.trace_id.emplace_back();
  links.span_id.emplace_back();
  links.trace_state.emplace_back();
  links.attributes.emplace_back();
  links.dropped_attributes_count.push_back(0);
  links.flags.push_back(0);
  return row;
}

uint32_t SpanBatch::AddResource() {
  resources.emplace_back();
  return static_cast<uint32_t>(resources.size() - 1);
}

uint32_t SpanBatch::AddScope() {
  scopes.emplace_back();
  return static_cast<uint32_t>(scopes.size() - 1);
}

uint32_t SpanBatch::AddAttribute(std::string_view key, const AnyValue& value) {
  attributes.push_back(KeyValue{key, value});
  return static_cast<uint32_t>(attributes.size() - 1);
}

void SpanBatch::RefreshServiceName(uint32_t resource) {
  Resource& r = resources[resource];
  r.service_name = {};
  for (uint32_t i = r.attributes.begin; i < r.attributes.end(); ++i) {
    if (attributes[i].key == "service.name" && attributes[i].value.type == ValueType::kString) {
      r.service_name = attributes[i].value.str;
    }
  }
}

const AnyValue* SpanBatch::FindSpanAttribute(uint32_t span, std::string_view key) const {
  Range r = spans.attributes[span];
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (attributes[i].key == key) return &attributes[i].value;
  }
  return nullptr;
}

namespace {

template <typename T>
void Compact(std::vector<T>* column, const std::vector<bool>& keep) {
  size_t out = 0;
  for (size_t i = 0; i < column->size(); ++i) {
    if (keep[i]) (*column)[out++] = std::move((*column)[i]);
  }
  column->resize(out);
}

}  // namespace

void SpanBatch::FilterSpans(const std::vector<bool>& keep) {
  ARIADNE_CHECK(keep.size() == spans.size());
  Compact(&spans.trace_id, keep);
  Compact(&spans.span_id, keep);
  Compact(&spans.parent_span_id, keep);
  Compact(&spans.trace_state, keep);
  Compact(&spans.flags, keep);
  Compact(&spans.name, keep);
  Compact(&spans.kind, keep);
  Compact(&spans.start_time_unix_nano, keep);
  Compact(&spans.end_time_unix_nano, keep);
  Compact(&spans.status_code, keep);
  Compact(&spans.status_message, keep);
  Compact(&spans.resource_index, keep);
  Compact(&spans.scope_index, keep);
  Compact(&spans.attributes, keep);
  Compact(&spans.events, keep);
  Compact(&spans.links, keep);
  Compact(&spans.dropped_attributes_count, keep);
  Compact(&spans.dropped_events_count, keep);
  Compact(&spans.dropped_links_count, keep);
}

AnyValue SpanBatch::CopyValue(const SpanBatch& from, const AnyValue& v) {
  AnyValue out = v;
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes:
      out.str = Intern(v.str);
      break;
    case ValueType::kArray: {
      // Children first (they may nest), then this array's own children contiguously.
      std::vector<AnyValue> kids;
      kids.reserve(v.children.count);
      for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
        kids.push_back(CopyValue(from, from.array_values[i]));
      }
      out.children = {static_cast<uint32_t>(array_values.size()), v.children.count};
      array_values.insert(array_values.end(), kids.begin(), kids.end());
      break;
    }
    case ValueType::kKvList: {
      std::vector<KeyValue> kids;
      kids.reserve(v.children.count);
      for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
        kids.push_back(
            {Intern(from.kvlist_values[i].key), CopyValue(from, from.kvlist_values[i].value)});
      }
      out.children = {static_cast<uint32_t>(kvlist_values.size()), v.children.count};
      kvlist_values.insert(kvlist_values.end(), kids.begin(), kids.end());
      break;
    }
    default:
      break;
  }
  return out;
}

Range SpanBatch::CopyAttributes(const SpanBatch& from, Range r) {
  std::vector<KeyValue> copied;
  copied.reserve(r.count);
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    copied.push_back({Intern(from.attributes[i].key), CopyValue(from, from.attributes[i].value)});
  }
  Range out{static_cast<uint32_t>(attributes.size()), r.count};
  attributes.insert(attributes.end(), copied.begin(), copied.end());
  return out;
}

// Copies spans from one batch into another, interning each source resource and scope once.
class BatchCopier {
 public:
  BatchCopier(SpanBatch* dst, const SpanBatch& src) : dst_(dst), src_(src) {}
  uint32_t CopySpan(uint32_t s);

 private:
  friend class SpanBatch;
  SpanBatch* dst_;
  const SpanBatch& src_;
  std::unordered_map<uint32_t, uint32_t> resource_map_;
  std::unordered_map<uint32_t, uint32_t> scope_map_;
};

uint32_t SpanBatch::Append(const SpanBatch& other) {
  auto first = static_cast<uint32_t>(spans.size());
  BatchCopier copier(this, other);
  for (uint32_t i = 0; i < other.size(); ++i) copier.CopySpan(i);
  return first;
}

uint32_t SpanBatch::AppendSpan(const SpanBatch& other, uint32_t row) {
  BatchCopier copier(this, other);
  return copier.CopySpan(row);
}

SpanAppender::SpanAppender(SpanBatch* dst) : dst_(dst) {}
SpanAppender::~SpanAppender() = default;

uint32_t SpanAppender::Append(const SpanBatch& src, uint32_t row) {
  if (&src != last_src_) {  // rows mostly come in runs from one source (a trace's spans)
    std::unique_ptr<BatchCopier>& copier = copiers_[&src];
    if (copier == nullptr) copier = std::make_unique<BatchCopier>(dst_, src);
    last_src_ = &src;
    last_ = copier.get();
  }
  return last_->CopySpan(row);
}

uint32_t BatchCopier::CopySpan(uint32_t s) {
  SpanBatch& d = *dst_;
  const SpanBatch& o = src_;
  uint32_t src_res = o.spans.resource_index[s];
  auto rit = resource_map_.find(src_res);
  if (rit == resource_map_.end()) {
    const Resource& r = o.resources[src_res];
    uint32_t idx = d.AddResource();
    Range attrs = d.CopyAttributes(o, r.attributes);
    Resource& nr = d.resources[idx];
    nr.attributes = attrs;
    nr.dropped_attributes_count = r.dropped_attributes_count;
    nr.schema_url = d.Intern(r.schema_url);
    d.RefreshServiceName(idx);
    if (nr.service_name.empty() && !r.service_name.empty())
      nr.service_name = d.Intern(r.service_name);
    rit = resource_map_.emplace(src_res, idx).first;
  }
  uint32_t src_scope = o.spans.scope_index[s];
  auto sit = scope_map_.find(src_scope);
  if (sit == scope_map_.end()) {
    uint32_t idx = d.AddScope();
    if (src_scope < o.scopes.size()) {
      const Scope& sc = o.scopes[src_scope];
      Range attrs = d.CopyAttributes(o, sc.attributes);
      Scope& ns = d.scopes[idx];
      ns.name = d.Intern(sc.name);
      ns.version = d.Intern(sc.version);
      ns.attributes = attrs;
      ns.dropped_attributes_count = sc.dropped_attributes_count;
      ns.schema_url = d.Intern(sc.schema_url);
    }
    sit = scope_map_.emplace(src_scope, idx).first;
  }
  uint32_t row = d.AddSpan();
  d.spans.trace_id[row] = o.spans.trace_id[s];
  d.spans.span_id[row] = o.spans.span_id[s];
  d.spans.parent_span_id[row] = o.spans.parent_span_id[s];
  d.spans.trace_state[row] = d.Intern(o.spans.trace_state[s]);
  d.spans.flags[row] = o.spans.flags[s];
  d.spans.name[row] = d.Intern(o.spans.name[s]);
  d.spans.kind[row] = o.spans.kind[s];
  d.spans.start_time_unix_nano[row] = o.spans.start_time_unix_nano[s];
  d.spans.end_time_unix_nano[row] = o.spans.end_time_unix_nano[s];
  d.spans.status_code[row] = o.spans.status_code[s];
  d.spans.status_message[row] = d.Intern(o.spans.status_message[s]);
  d.spans.resource_index[row] = rit->second;
  d.spans.scope_index[row] = sit->second;
  d.spans.attributes[row] = d.CopyAttributes(o, o.spans.attributes[s]);
  d.spans.dropped_attributes_count[row] = o.spans.dropped_attributes_count[s];
  d.spans.dropped_events_count[row] = o.spans.dropped_events_count[s];
  d.spans.dropped_links_count[row] = o.spans.dropped_links_count[s];
  Range er = o.spans.events[s];
  Range new_events{static_cast<uint32_t>(d.events.size()), er.count};
  for (uint32_t e = er.begin; e < er.end(); ++e) {
    Range attrs = d.CopyAttributes(o, o.events.attributes[e]);
    uint32_t ne = d.AddEvent();
    d.events.time_unix_nano[ne] = o.events.time_unix_nano[e];
    d.events.name[ne] = d.Intern(o.events.name[e]);
    d.events.attributes[ne] = attrs;
    d.events.dropped_attributes_count[ne] = o.events.dropped_attributes_count[e];
  }
  d.spans.events[row] = new_events;
  Range lr = o.spans.links[s];
  Range new_links{static_cast<uint32_t>(d.links.size()), lr.count};
  for (uint32_t l = lr.begin; l < lr.end(); ++l) {
    Range attrs = d.CopyAttributes(o, o.links.attributes[l]);
    uint32_t nl = d.AddLink();
    d.links.trace_id[nl] = o.links.trace_id[l];
    d.links.span_id[nl] = o.links.span_id[l];
    d.links.trace_state[nl] = d.Intern(o.links.trace_state[l]);
    d.links.attributes[nl] = attrs;
    d.links.dropped_attributes_count[nl] = o.links.dropped_attributes_count[l];
    d.links.flags[nl] = o.links.flags[l];
  }
  d.spans.links[row] = new_links;
  return row;
}

SpanBatch SpanBatch::Clone() const {
  SpanBatch out;
  out.Append(*this);
  return out;
}

size_t SpanBatch::MemoryBytes() const {
  size_t per_span = sizeof(TraceId) + 2 * sizeof(SpanId) + 3 * sizeof(std::string_view) +
                    4 * sizeof(uint32_t) + 2 * sizeof(uint64_t) + 3 * sizeof(Range) +
                    5 * sizeof(uint32_t) + 2;
  return arena_bytes_ + spans.span_id.capacity() * per_span +
         attributes.capacity() * sizeof(KeyValue) + kvlist_values.capacity() * sizeof(KeyValue) +
         array_values.capacity() * sizeof(AnyValue) +
         events.name.capacity() *
             (sizeof(uint64_t) + sizeof(std::string_view) + sizeof(Range) + 4) +
         links.span_id.capacity() *
             (sizeof(TraceId) + sizeof(SpanId) + sizeof(std::string_view) + sizeof(Range) + 8) +
         resources.capacity() * sizeof(Resource) + scopes.capacity() * sizeof(Scope);
}

bool ValuesEqual(const SpanBatch& a, const AnyValue& va, const SpanBatch& b, const AnyValue& vb) {
  if (va.type != vb.type) return false;
  switch (va.type) {
    case ValueType::kEmpty:
      return true;
    case ValueType::kString:
    case ValueType::kBytes:
      return va.str == vb.str;
    case ValueType::kBool:
      return va.bool_value == vb.bool_value;
    case ValueType::kInt:
      return va.int_value == vb.int_value;
    case ValueType::kDouble:
      return std::memcmp(&va.double_value, &vb.double_value, sizeof(double)) == 0;
    case ValueType::kArray:
      if (va.children.count != vb.children.count) return false;
      for (uint32_t i = 0; i < va.children.count; ++i) {
        if (!ValuesEqual(a, a.array_values[va.children.begin + i], b,
                         b.array_values[vb.children.begin + i])) {
          return false;
        }
      }
      return true;
    case ValueType::kKvList:
      if (va.children.count != vb.children.count) return false;
      for (uint32_t i = 0; i < va.children.count; ++i) {
        const KeyValue& ka = a.kvlist_values[va.children.begin + i];
        const KeyValue& kb = b.kvlist_values[vb.children.begin + i];
        if (ka.key != kb.key || !ValuesEqual(a, ka.value, b, kb.value)) return false;
      }
      return true;
  }
  return false;
}

namespace {

void AppendValue(const SpanBatch& b, const AnyValue& v, std::string* out) {
  char buf[64];
  switch (v.type) {
    case ValueType::kEmpty:
      out->append("<empty>");
      break;
    case ValueType::kString:
      out->push_back('"');
      out->append(v.str);
      out->push_back('"');
      break;
    case ValueType::kBytes:
      out->append("b64:");
      AppendBase64(v.str, out);
      break;
    case ValueType::kBool:
      out->append(v.bool_value ? "true" : "false");
      break;
    case ValueType::kInt:
      out->append(std::to_string(v.int_value));
      break;
    case ValueType::kDouble:
      std::snprintf(buf, sizeof(buf), "%.17g", v.double_value);
      out->append(buf);
      break;
    case ValueType::kArray:
      out->push_back('[');
      for (uint32_t i = 0; i < v.children.count; ++i) {
        if (i) out->push_back(',');
        AppendValue(b, b.array_values[v.children.begin + i], out);
      }
      out->push_back(']');
      break;
    case ValueType::kKvList:
      out->push_back('{');
      for (uint32_t i = 0; i < v.children.count; ++i) {
        const KeyValue& kv = b.kvlist_values[v.children.begin + i];
        if (i) out->push_back(',');
        out->append(kv.key);
        out->push_back('=');
        AppendValue(b, kv.value, out);
      }
      out->push_back('}');
      break;
  }
}

void AppendAttrs(const SpanBatch& b, Range r, std::string* out) {
  out->push_back('{');
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (i != r.begin) out->push_back(' ');
    out->append(b.attributes[i].key);
    out->push_back('=');
    AppendValue(b, b.attributes[i].value, out);
  }
  out->push_back('}');
}

}  // namespace

std::string DebugString(const SpanBatch& b) {
  std::string out;
  for (uint32_t s = 0; s < b.size(); ++s) {
    const Resource& r = b.resources[b.spans.resource_index[s]];
    out += "span " + b.spans.trace_id[s].ToHex() + "/" + b.spans.span_id[s].ToHex();
    out += " parent=" + b.spans.parent_span_id[s].ToHex();
    out += " name=\"" + std::string(b.spans.name[s]) + "\"";
    out += " kind=" + std::string(SpanKindName(b.spans.kind[s]));
    out += " start=" + std::to_string(b.spans.start_time_unix_nano[s]);
    out += " end=" + std::to_string(b.spans.end_time_unix_nano[s]);
    out += " status=" + std::to_string(static_cast<int>(b.spans.status_code[s]));
    out += ":\"" + std::string(b.spans.status_message[s]) + "\"";
    out += " flags=" + std::to_string(b.spans.flags[s]);
    out += " state=\"" + std::string(b.spans.trace_state[s]) + "\"";
    out += " dropped=" + std::to_string(b.spans.dropped_attributes_count[s]) + "/" +
           std::to_string(b.spans.dropped_events_count[s]) + "/" +
           std::to_string(b.spans.dropped_links_count[s]);
    out += "\n  resource ";
    AppendAttrs(b, r.attributes, &out);
    out += " dropped=" + std::to_string(r.dropped_attributes_count);
    out += " schema=\"" + std::string(r.schema_url) + "\"";
    if (b.spans.scope_index[s] < b.scopes.size()) {
      const Scope& sc = b.scopes[b.spans.scope_index[s]];
      out += "\n  scope " + std::string(sc.name) + "@" + std::string(sc.version) + " ";
      AppendAttrs(b, sc.attributes, &out);
    }
    out += "\n  attrs ";
    AppendAttrs(b, b.spans.attributes[s], &out);
    Range er = b.spans.events[s];
    for (uint32_t e = er.begin; e < er.end(); ++e) {
      out += "\n  event " + std::to_string(b.events.time_unix_nano[e]) + " \"" +
             std::string(b.events.name[e]) + "\" ";
      AppendAttrs(b, b.events.attributes[e], &out);
      out += " dropped=" + std::to_string(b.events.dropped_attributes_count[e]);
    }
    Range lr = b.spans.links[s];
    for (uint32_t l = lr.begin; l < lr.end(); ++l) {
      out += "\n  link " + b.links.trace_id[l].ToHex() + "/" + b.links.span_id[l].ToHex() +
             " state=\"" + std::string(b.links.trace_state[l]) +
             "\" flags=" + std::to_string(b.links.flags[l]) + " ";
      AppendAttrs(b, b.links.attributes[l], &out);
    }
    out += "\n";
  }
  return out;
}

}  // namespace ariadne
