#include "wire/otlp/otlp_proto_encoder.h"

#include <cstring>
#include <vector>

#include "wire/otlp/otlp_grouping.h"
#include "wire/otlp/proto_wire.h"

namespace ariadne {
namespace {

using proto_wire::PutBytes;
using proto_wire::PutFixed32;
using proto_wire::PutFixed64;
using proto_wire::PutVarint;
using proto_wire::VarintSize;

// Bytes of a LEN field with a one-byte tag holding n bytes.
inline size_t LenField(size_t n) { return 1 + VarintSize(n) + n; }
inline size_t StrField(std::string_view s) { return s.empty() ? 0 : LenField(s.size()); }
inline size_t VarintField(uint64_t v) { return v == 0 ? 0 : 1 + VarintSize(v); }

// Two passes over the same traversal: Size*() computes every nested message's length in
// pre-order into sizes_, Write*() replays the traversal consuming them. Output is written once
// into a buffer sized exactly.
class Encoder {
 public:
  explicit Encoder(const SpanBatch& b) : b_(b), groups_(GroupSpans(b)) {}

  void Encode(std::string* out) {
    size_t total = 0;
    for (const ResourceGroup& rg : groups_) total += LenField(SizeResourceSpans(rg));
    size_t old = out->size();
    out->resize(old + total);
    char* p = out->data() + old;
    next_ = 0;
    for (const ResourceGroup& rg : groups_) p = WriteResourceSpans(p, rg);
  }

 private:
  uint32_t Slot() {
    sizes_.push_back(0);
    return static_cast<uint32_t>(sizes_.size() - 1);
  }
  size_t Take() { return sizes_[next_++]; }
  char* Header(char* p, uint8_t tag) {
    *p++ = static_cast<char>(tag);
    return PutVarint(p, Take());
  }
  static char* Str(char* p, uint8_t tag, std::string_view s) {
    if (s.empty()) return p;
    *p++ = static_cast<char>(tag);
    p = PutVarint(p, s.size());
    return PutBytes(p, s);
  }
  static char* Var(char* p, uint8_t tag, uint64_t v) {
    if (v == 0) return p;
    *p++ = static_cast<char>(tag);
    return PutVarint(p, v);
  }

  // ---- AnyValue / KeyValue ----
  size_t SizeAnyValue(const AnyValue& v) {
    uint32_t slot = Slot();
    size_t n = 0;
    switch (v.type) {
      case ValueType::kEmpty:
        break;
      case ValueType::kString:
        n = LenField(v.str.size());
        break;
      case ValueType::kBool:
        n = 2;
        break;
      case ValueType::kInt:
        n = 1 + VarintSize(static_cast<uint64_t>(v.int_value));
        break;
      case ValueType::kDouble:
        n = 9;
        break;
      case ValueType::kBytes:
        n = LenField(v.str.size());
        break;
      case ValueType::kArray: {
        uint32_t arr = Slot();
        size_t m = 0;
        for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
          m += LenField(SizeAnyValue(b_.array_values[i]));
        }
        sizes_[arr] = m;
        n = LenField(m);
        break;
      }
      case ValueType::kKvList: {
        uint32_t list = Slot();
        size_t m = 0;
        for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
          m += LenField(SizeKeyValue(b_.kvlist_values[i]));
        }
        sizes_[list] = m;
        n = LenField(m);
        break;
      }
    }
    sizes_[slot] = n;
    return n;
  }
  char* WriteAnyValue(char* p, uint8_t tag, const AnyValue& v) {
    p = Header(p, tag);
    switch (v.type) {
      case ValueType::kEmpty:
        break;
      case ValueType::kString:
        *p++ = 0x0A;
        p = PutVarint(p, v.str.size());
        p = PutBytes(p, v.str);
        break;
      case ValueType::kBool:
        *p++ = 0x10;
        *p++ = v.bool_value ? 1 : 0;
        break;
      case ValueType::kInt:
        *p++ = 0x18;
        p = PutVarint(p, static_cast<uint64_t>(v.int_value));
        break;
      case ValueType::kDouble: {
        uint64_t bits;
        std::memcpy(&bits, &v.double_value, sizeof bits);
        *p++ = 0x21;
        p = PutFixed64(p, bits);
        break;
      }
      case ValueType::kBytes:
        *p++ = 0x3A;
        p = PutVarint(p, v.str.size());
        p = PutBytes(p, v.str);
        break;
      case ValueType::kArray:
        p = Header(p, 0x2A);
        for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
          p = WriteAnyValue(p, 0x0A, b_.array_values[i]);  // ArrayValue.values = 1
        }
        break;
      case ValueType::kKvList:
        p = Header(p, 0x32);
        for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
          p = WriteKeyValue(p, 0x0A, b_.kvlist_values[i]);
        }
        break;
    }
    return p;
  }
  size_t SizeKeyValue(const KeyValue& kv) {
    uint32_t slot = Slot();
    size_t n = StrField(kv.key) + LenField(SizeAnyValue(kv.value));
    sizes_[slot] = n;
    return n;
  }
  char* WriteKeyValue(char* p, uint8_t tag, const KeyValue& kv) {
    p = Header(p, tag);
    p = Str(p, 0x0A, kv.key);
    return WriteAnyValue(p, 0x12, kv.value);  // KeyValue.value = 2
  }
  size_t SizeAttributes(Range r) {
    size_t n = 0;
    for (uint32_t i = r.begin; i < r.end(); ++i) n += LenField(SizeKeyValue(b_.attributes[i]));
    return n;
  }
  char* WriteAttributes(char* p, uint8_t tag, Range r) {
    for (uint32_t i = r.begin; i < r.end(); ++i) p = WriteKeyValue(p, tag, b_.attributes[i]);
    return p;
  }

  // ---- Resource / Scope ----
  static bool HasResource(const Resource& r) {
    return r.attributes.count != 0 || r.dropped_attributes_count != 0;
  }
  static bool HasScope(const Scope& s) {
    return !s.name.empty() || !s.version.empty() || s.attributes.count != 0 ||
           s.dropped_attributes_count != 0;
  }
  size_t SizeResourceSpans(const ResourceGroup& rg) {
    uint32_t slot = Slot();
    const Resource& r = b_.resources[rg.resource];
    size_t n = 0;
    if (HasResource(r)) {
      uint32_t rs = Slot();
      size_t m = SizeAttributes(r.attributes) + VarintField(r.dropped_attributes_count);
      sizes_[rs] = m;
      n += LenField(m);
    }
    for (const ScopeGroup& sg : rg.scopes) n += LenField(SizeScopeSpans(sg));
    n += StrField(r.schema_url);
    sizes_[slot] = n;
    return n;
  }
  char* WriteResourceSpans(char* p, const ResourceGroup& rg) {
    p = Header(p, 0x0A);
    const Resource& r = b_.resources[rg.resource];
    if (HasResource(r)) {
      p = Header(p, 0x0A);
      p = WriteAttributes(p, 0x0A, r.attributes);
      p = Var(p, 0x10, r.dropped_attributes_count);
    }
    for (const ScopeGroup& sg : rg.scopes) p = WriteScopeSpans(p, sg);
    return Str(p, 0x1A, r.schema_url);
  }
  size_t SizeScopeSpans(const ScopeGroup& sg) {
    uint32_t slot = Slot();
    const Scope& s = b_.scopes[sg.scope];
    size_t n = 0;
    if (HasScope(s)) {
      uint32_t ss = Slot();
      size_t m = StrField(s.name) + StrField(s.version) + SizeAttributes(s.attributes) +
                 VarintField(s.dropped_attributes_count);
      sizes_[ss] = m;
      n += LenField(m);
    }
    for (uint32_t row : sg.spans) n += LenField(SizeSpan(row));
    n += StrField(s.schema_url);
    sizes_[slot] = n;
    return n;
  }
  char* WriteScopeSpans(char* p, const ScopeGroup& sg) {
    p = Header(p, 0x12);
    const Scope& s = b_.scopes[sg.scope];
    if (HasScope(s)) {
      p = Header(p, 0x0A);
      p = Str(p, 0x0A, s.name);
      p = Str(p, 0x12, s.version);
      p = WriteAttributes(p, 0x1A, s.attributes);
      p = Var(p, 0x20, s.dropped_attributes_count);
    }
    for (uint32_t row : sg.spans) p = WriteSpan(p, row);
    return Str(p, 0x1A, s.schema_url);
  }

  // ---- Span ----
  size_t SizeSpan(uint32_t i) {
    const SpanColumns& s = b_.spans;
    uint32_t slot = Slot();
    size_t n = LenField(16) + LenField(8) + StrField(s.trace_state[i]);
    if (s.parent_span_id[i].IsValid()) n += LenField(8);
    n += StrField(s.name[i]) + VarintField(static_cast<uint64_t>(s.kind[i]));
    if (s.start_time_unix_nano[i] != 0) n += 9;
    if (s.end_time_unix_nano[i] != 0) n += 9;
    n += SizeAttributes(s.attributes[i]) + VarintField(s.dropped_attributes_count[i]);
    Range ev = s.events[i];
    for (uint32_t e = ev.begin; e < ev.end(); ++e) {
      uint32_t es = Slot();
      size_t m = (b_.events.time_unix_nano[e] != 0 ? 9 : 0) + StrField(b_.events.name[e]) +
                 SizeAttributes(b_.events.attributes[e]) +
                 VarintField(b_.events.dropped_attributes_count[e]);
      sizes_[es] = m;
      n += LenField(m);
    }
    n += VarintField(s.dropped_events_count[i]);
    Range lk = s.links[i];
    for (uint32_t l = lk.begin; l < lk.end(); ++l) {
      uint32_t ls = Slot();
      size_t m = LenField(16) + LenField(8) + StrField(b_.links.trace_state[l]) +
                 SizeAttributes(b_.links.attributes[l]) +
                 VarintField(b_.links.dropped_attributes_count[l]) +
                 (b_.links.flags[l] != 0 ? 5 : 0);
      sizes_[ls] = m;
      n += LenField(m);
    }
    n += VarintField(s.dropped_links_count[i]);
    if (s.status_code[i] != SpanStatusCode::kUnset || !s.status_message[i].empty()) {
      uint32_t ss = Slot();
      size_t m =
          StrField(s.status_message[i]) + VarintField(static_cast<uint64_t>(s.status_code[i]));
      sizes_[ss] = m;
      n += LenField(m);
    }
    if (s.flags[i] != 0) n += 6;
    sizes_[slot] = n;
    return n;
  }
  char* WriteSpan(char* p, uint32_t i) {
    const SpanColumns& s = b_.spans;
    p = Header(p, 0x12);
    p = Str(p, 0x0A, s.trace_id[i].AsBytes());
    p = Str(p, 0x12, s.span_id[i].AsBytes());
    p = Str(p, 0x1A, s.trace_state[i]);
    if (s.parent_span_id[i].IsValid()) p = Str(p, 0x22, s.parent_span_id[i].AsBytes());
    p = Str(p, 0x2A, s.name[i]);
    p = Var(p, 0x30, static_cast<uint64_t>(s.kind[i]));
    if (s.start_time_unix_nano[i] != 0) {
      *p++ = 0x39;
      p = PutFixed64(p, s.start_time_unix_nano[i]);
    }
    if (s.end_time_unix_nano[i] != 0) {
      *p++ = 0x41;
      p = PutFixed64(p, s.end_time_unix_nano[i]);
    }
    p = WriteAttributes(p, 0x4A, s.attributes[i]);
    p = Var(p, 0x50, s.dropped_attributes_count[i]);
    Range ev = s.events[i];
    for (uint32_t e = ev.begin; e < ev.end(); ++e) {
      p = Header(p, 0x5A);
      if (b_.events.time_unix_nano[e] != 0) {
        *p++ = 0x09;
        p = PutFixed64(p, b_.events.time_unix_nano[e]);
      }
      p = Str(p, 0x12, b_.events.name[e]);
      p = WriteAttributes(p, 0x1A, b_.events.attributes[e]);
      p = Var(p, 0x20, b_.events.dropped_attributes_count[e]);
    }
    p = Var(p, 0x60, s.dropped_events_count[i]);
    Range lk = s.links[i];
    for (uint32_t l = lk.begin; l < lk.end(); ++l) {
      p = Header(p, 0x6A);
      p = Str(p, 0x0A, b_.links.trace_id[l].AsBytes());
      p = Str(p, 0x12, b_.links.span_id[l].AsBytes());
      p = Str(p, 0x1A, b_.links.trace_state[l]);
      p = WriteAttributes(p, 0x22, b_.links.attributes[l]);
      p = Var(p, 0x28, b_.links.dropped_attributes_count[l]);
      if (b_.links.flags[l] != 0) {
        *p++ = 0x35;
        p = PutFixed32(p, b_.links.flags[l]);
      }
    }
    p = Var(p, 0x70, s.dropped_links_count[i]);
    if (s.status_code[i] != SpanStatusCode::kUnset || !s.status_message[i].empty()) {
      p = Header(p, 0x7A);
      p = Str(p, 0x12, s.status_message[i]);
      p = Var(p, 0x18, static_cast<uint64_t>(s.status_code[i]));
    }
    if (s.flags[i] != 0) {
      *p++ = static_cast<char>(0x85);
      *p++ = 0x01;
      p = PutFixed32(p, s.flags[i]);
    }
    return p;
  }

  const SpanBatch& b_;
  std::vector<ResourceGroup> groups_;
  std::vector<uint32_t> sizes_;
  size_t next_ = 0;
};

}  // namespace

void EncodeOtlpProto(const SpanBatch& batch, std::string* out) {
  Encoder e(batch);
  e.Encode(out);
}

void EncodeExportTraceServiceResponse(int64_t rejected_spans, std::string_view error_message,
                                      std::string* out) {
  if (rejected_spans == 0 && error_message.empty()) return;
  size_t inner = VarintField(static_cast<uint64_t>(rejected_spans)) + StrField(error_message);
  std::string buf(LenField(inner), '\0');
  char* p = buf.data();
  *p++ = 0x0A;
  p = PutVarint(p, inner);
  if (rejected_spans != 0) {
    *p++ = 0x08;
    p = PutVarint(p, static_cast<uint64_t>(rejected_spans));
  }
  if (!error_message.empty()) {
    *p++ = 0x12;
    p = PutVarint(p, error_message.size());
    p = PutBytes(p, error_message);
  }
  out->append(buf);
}

}  // namespace ariadne
