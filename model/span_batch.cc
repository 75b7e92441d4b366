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

void SpanBatch::Clear() {
  auto clear = [](auto&... columns) { (columns.clear(), ...); };
  clear(spans.trace_id, spans.span_id, spans.parent_span_id, spans.trace_state, spans.flags,
        spans.name, spans.kind, spans.start_time_unix_nano, spans.end_time_unix_nano,
        spans.status_code, spans.status_message, spans.resource_index, spans.scope_index,
        spans.attributes, spans.events, spans.links, spans.dropped_attributes_count,
        spans.dropped_events_count, spans.dropped_links_count);
  clear(events.time_unix_nano, events.name, events.attributes, events.dropped_attributes_count);
  clear(links.trace_id, links.span_id, links.trace_state, links.attributes,
        links.dropped_attributes_count, links.flags);
  clear(resources, scopes, attributes, array_values, kvlist_values);
  arena_blocks_.clear();
  adopted_.clear();
  arena_ptr_ = nullptr;
  arena_left_ = 0;
  arena_bytes_ = 0;
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

AnyValue SpanBatch::CopyValue(const SpanBatch& from, const AnyValue& v, bool borrow) {
  AnyValue out = v;
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes:
      out.str = CopyString(v.str, borrow);
      break;
    case ValueType::kArray: {
      // Children first (they may nest), then this array's own children contiguously.
      std::vector<AnyValue> kids;
      kids.reserve(v.children.count);
      for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
        kids.push_back(CopyValue(from, from.array_values[i], borrow));
      }
      out.children = {static_cast<uint32_t>(array_values.size()), v.children.count};
      array_values.insert(array_values.end(), kids.begin(), kids.end());
      break;
    }
    case ValueType::kKvList: {
      std::vector<KeyValue> kids;
      kids.reserve(v.children.count);
      for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
        kids.push_back({CopyString(from.kvlist_values[i].key, borrow),
                        CopyValue(from, from.kvlist_values[i].value, borrow)});
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

Range SpanBatch::CopyAttributes(const SpanBatch& from, Range r, bool borrow) {
  Range out{static_cast<uint32_t>(attributes.size()), r.count};
  if (&from == this) {  // the pool being read would grow under the loop: copy aside first
    std::vector<KeyValue> copied;
    copied.reserve(r.count);
    for (uint32_t i = r.begin; i < r.end(); ++i) {
      copied.push_back({CopyString(from.attributes[i].key, borrow),
                        CopyValue(from, from.attributes[i].value, borrow)});
    }
    attributes.insert(attributes.end(), copied.begin(), copied.end());
    return out;
  }
  // Straight into the pool (no temporary vector per range: a malloc for every span's
  // attributes showed in block building's profile). CopyValue only grows the child pools, so
  // the range stays contiguous.
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    const KeyValue& kv = from.attributes[i];
    attributes.push_back({CopyString(kv.key, borrow), CopyValue(from, kv.value, borrow)});
  }
  return out;
}

namespace {

// Exact content keys of resources and scopes (SpanAppender's share_equal_resources): equal keys
// iff equal content. Values are typed; children recursively (nesting bounded like the decoders').
void KeyBytes(std::string_view s, std::string* out) {
  const auto n = static_cast<uint32_t>(s.size());
  out->append(reinterpret_cast<const char*>(&n), sizeof(n));
  out->append(s);
}

void KeyNumber(uint64_t v, std::string* out) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

void ValueKey(const SpanBatch& b, const AnyValue& v, int depth, std::string* out) {
  out->push_back(static_cast<char>(v.type));
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes:
      KeyBytes(v.str, out);
      break;
    case ValueType::kBool:
      out->push_back(v.bool_value ? 1 : 0);
      break;
    case ValueType::kInt:
      KeyNumber(static_cast<uint64_t>(v.int_value), out);
      break;
    case ValueType::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &v.double_value, 8);
      KeyNumber(bits, out);
      break;
    }
    case ValueType::kArray:
      KeyNumber(v.children.count, out);
      for (uint32_t i = 0; depth < 64 && i < v.children.count; ++i) {
        ValueKey(b, b.array_values[v.children.begin + i], depth + 1, out);
      }
      break;
    case ValueType::kKvList:
      KeyNumber(v.children.count, out);
      for (uint32_t i = 0; depth < 64 && i < v.children.count; ++i) {
        const KeyValue& kv = b.kvlist_values[v.children.begin + i];
        KeyBytes(kv.key, out);
        ValueKey(b, kv.value, depth + 1, out);
      }
      break;
    case ValueType::kEmpty:
      break;
  }
}

void AttributesKey(const SpanBatch& b, Range r, std::string* out) {
  KeyNumber(r.count, out);
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    KeyBytes(b.attributes[i].key, out);
    ValueKey(b, b.attributes[i].value, 0, out);
  }
}

std::string ResourceKey(const SpanBatch& b, const Resource& r) {
  std::string key(1, 'r');
  KeyBytes(r.schema_url, &key);
  KeyBytes(r.service_name, &key);
  KeyNumber(r.dropped_attributes_count, &key);
  AttributesKey(b, r.attributes, &key);
  return key;
}

std::string ScopeKey(const SpanBatch& b, const Scope& sc) {
  std::string key(1, 's');
  KeyBytes(sc.name, &key);
  KeyBytes(sc.version, &key);
  KeyBytes(sc.schema_url, &key);
  KeyNumber(sc.dropped_attributes_count, &key);
  AttributesKey(b, sc.attributes, &key);
  return key;
}

}  // namespace

// Copies spans from one batch into another, interning each source resource and scope once.
class BatchCopier {
 public:
  // owner: the SpanAppender whose options, sharing state and epoch apply (null: plain copies).
  BatchCopier(SpanBatch* dst, const SpanBatch& src, SpanAppender* owner = nullptr)
      : dst_(dst),
        src_(src),
        owner_(owner),
        borrow_(owner != nullptr && owner->options_.borrow_strings),
        share_(owner != nullptr && owner->options_.share_equal_resources) {}
  uint32_t CopySpan(uint32_t s);

  static constexpr uint32_t kNone = UINT32_MAX;

 private:
  friend class SpanBatch;
  // Where a source resource (scope) is in dst: valid while epoch is the owner's (Restart).
  struct Slot {
    uint32_t epoch = 0;
    uint32_t index = 0;
  };
  uint32_t Epoch() const { return owner_ != nullptr ? owner_->epoch_ : 1; }
  uint32_t CopyResource(uint32_t src_res);
  uint32_t CopyScope(uint32_t src_scope);

  SpanBatch* dst_;
  const SpanBatch& src_;
  SpanAppender* const owner_;
  const bool borrow_;
  const bool share_;
  // Indexed by source resource (scope) index, not hashed: looked up for every span. The scope
  // vectors have one more slot, for indices past src's scopes (spans without a scope).
  std::vector<Slot> resource_map_ = std::vector<Slot>(src_.resources.size());
  std::vector<Slot> scope_map_ = std::vector<Slot>(src_.scopes.size() + 1);
  // share_: the owner's class of each source resource (scope), kNone until its key is computed.
  std::vector<uint32_t> resource_class_ =
      std::vector<uint32_t>(share_ ? src_.resources.size() : 0, kNone);
  std::vector<uint32_t> scope_class_ =
      std::vector<uint32_t>(share_ ? src_.scopes.size() + 1 : 0, kNone);
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

SpanAppender::SpanAppender(SpanBatch* dst, SpanAppenderOptions options)
    : dst_(dst), options_(options) {}

void SpanAppender::Restart() {
  ++epoch_;
  std::fill(class_dst_.begin(), class_dst_.end(), BatchCopier::kNone);
}

uint32_t SpanAppender::ClassOf(std::string key) {
  auto [it, inserted] = classes_.try_emplace(std::move(key), classes_.size());
  if (inserted) class_dst_.push_back(BatchCopier::kNone);
  return it->second;
}
SpanAppender::~SpanAppender() = default;

uint32_t SpanAppender::Append(const SpanBatch& src, uint32_t row) {
  if (&src != last_src_) {  // rows mostly come in runs from one source (a trace's spans)
    std::unique_ptr<BatchCopier>& copier = copiers_[&src];
    if (copier == nullptr) {
      copier = std::make_unique<BatchCopier>(dst_, src, this);
    }
    last_src_ = &src;
    last_ = copier.get();
  }
  return last_->CopySpan(row);
}

uint32_t BatchCopier::CopyResource(uint32_t src_res) {
  SpanBatch& d = *dst_;
  const Resource& r = src_.resources[src_res];
  uint32_t cls = kNone;
  if (share_) {
    if (resource_class_[src_res] == kNone) {
      resource_class_[src_res] = owner_->ClassOf(ResourceKey(src_, r));
    }
    cls = resource_class_[src_res];
    if (owner_->class_dst_[cls] != kNone) return owner_->class_dst_[cls];
  }
  uint32_t idx = d.AddResource();
  Range attrs = d.CopyAttributes(src_, r.attributes, borrow_);
  Resource& nr = d.resources[idx];
  nr.attributes = attrs;
  nr.dropped_attributes_count = r.dropped_attributes_count;
  nr.schema_url = d.CopyString(r.schema_url, borrow_);
  d.RefreshServiceName(idx);
  if (nr.service_name.empty() && !r.service_name.empty()) {
    nr.service_name = d.CopyString(r.service_name, borrow_);
  }
  if (share_) owner_->class_dst_[cls] = idx;
  return idx;
}

uint32_t BatchCopier::CopyScope(uint32_t src_scope) {
  SpanBatch& d = *dst_;
  const Scope empty;  // an index past the scopes: the span has none
  const Scope& sc = src_scope < src_.scopes.size() ? src_.scopes[src_scope] : empty;
  uint32_t cls = kNone;
  if (share_) {
    if (scope_class_[src_scope] == kNone)
      scope_class_[src_scope] = owner_->ClassOf(ScopeKey(src_, sc));
    cls = scope_class_[src_scope];
    if (owner_->class_dst_[cls] != kNone) return owner_->class_dst_[cls];
  }
  uint32_t idx = d.AddScope();
  Range attrs = d.CopyAttributes(src_, sc.attributes, borrow_);
  Scope& ns = d.scopes[idx];
  ns.name = d.CopyString(sc.name, borrow_);
  ns.version = d.CopyString(sc.version, borrow_);
  ns.attributes = attrs;
  ns.dropped_attributes_count = sc.dropped_attributes_count;
  ns.schema_url = d.CopyString(sc.schema_url, borrow_);
  if (share_) owner_->class_dst_[cls] = idx;
  return idx;
}

uint32_t BatchCopier::CopySpan(uint32_t s) {
  SpanBatch& d = *dst_;
  const SpanBatch& o = src_;
  const bool borrow = borrow_;
  const uint32_t epoch = Epoch();
  const uint32_t src_res = o.spans.resource_index[s];
  if (resource_map_[src_res].epoch != epoch)
    resource_map_[src_res] = {epoch, CopyResource(src_res)};
  const uint32_t src_scope = std::min<uint32_t>(o.spans.scope_index[s], o.scopes.size());
  if (scope_map_[src_scope].epoch != epoch) scope_map_[src_scope] = {epoch, CopyScope(src_scope)};
  const uint32_t res = resource_map_[src_res].index;
  const uint32_t scope = scope_map_[src_scope].index;
  uint32_t row = d.AddSpan();
  d.spans.trace_id[row] = o.spans.trace_id[s];
  d.spans.span_id[row] = o.spans.span_id[s];
  d.spans.parent_span_id[row] = o.spans.parent_span_id[s];
  d.spans.trace_state[row] = d.CopyString(o.spans.trace_state[s], borrow);
  d.spans.flags[row] = o.spans.flags[s];
  d.spans.name[row] = d.CopyString(o.spans.name[s], borrow);
  d.spans.kind[row] = o.spans.kind[s];
  d.spans.start_time_unix_nano[row] = o.spans.start_time_unix_nano[s];
  d.spans.end_time_unix_nano[row] = o.spans.end_time_unix_nano[s];
  d.spans.status_code[row] = o.spans.status_code[s];
  d.spans.status_message[row] = d.CopyString(o.spans.status_message[s], borrow);
  d.spans.resource_index[row] = res;
  d.spans.scope_index[row] = scope;
  d.spans.attributes[row] = d.CopyAttributes(o, o.spans.attributes[s], borrow);
  d.spans.dropped_attributes_count[row] = o.spans.dropped_attributes_count[s];
  d.spans.dropped_events_count[row] = o.spans.dropped_events_count[s];
  d.spans.dropped_links_count[row] = o.spans.dropped_links_count[s];
  Range er = o.spans.events[s];
  Range new_events{static_cast<uint32_t>(d.events.size()), er.count};
  for (uint32_t e = er.begin; e < er.end(); ++e) {
    Range attrs = d.CopyAttributes(o, o.events.attributes[e], borrow);
    uint32_t ne = d.AddEvent();
    d.events.time_unix_nano[ne] = o.events.time_unix_nano[e];
    d.events.name[ne] = d.CopyString(o.events.name[e], borrow);
    d.events.attributes[ne] = attrs;
    d.events.dropped_attributes_count[ne] = o.events.dropped_attributes_count[e];
  }
  d.spans.events[row] = new_events;
  Range lr = o.spans.links[s];
  Range new_links{static_cast<uint32_t>(d.links.size()), lr.count};
  for (uint32_t l = lr.begin; l < lr.end(); ++l) {
    Range attrs = d.CopyAttributes(o, o.links.attributes[l], borrow);
    uint32_t nl = d.AddLink();
    d.links.trace_id[nl] = o.links.trace_id[l];
    d.links.span_id[nl] = o.links.span_id[l];
    d.links.trace_state[nl] = d.CopyString(o.links.trace_state[l], borrow);
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
