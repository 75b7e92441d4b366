#include "wire/otlp/otlp_proto_decoder.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "base/utf8.h"
#include "wire/otlp/otlp_text.h"
#include "wire/otlp/proto_wire.h"

namespace ariadne {
namespace {

using proto_wire::Cursor;
using proto_wire::kI32;
using proto_wire::kI64;
using proto_wire::kLen;
using proto_wire::kVarint;

class Decoder {
 public:
  Decoder(const DecodeLimits& limits, DecodeResult* out, bool zero_copy)
      : limits_(limits), out_(out), b_(out->batch), zero_copy_(zero_copy) {}

  bool DecodeRequest(Cursor c);
  const char* error() const { return error_; }
  const char* error_at() const { return error_at_; }
  bool too_many_spans() const { return too_many_spans_; }

 private:
  bool Fail(const Cursor& c, const char* what) {
    if (error_ == nullptr) {
      error_ = what;
      error_at_ = c.p;
    }
    return false;
  }
  // Reads the next tag; false at a malformed tag (error set).
  bool Tag(Cursor& c, uint32_t* field, uint32_t* wt) {
    if (!proto_wire::ReadTag(c, field, wt)) return Fail(c, "malformed tag");
    return true;
  }
  bool Len(Cursor& c, std::string_view* v) {
    if (!proto_wire::ReadLen(c, v)) return Fail(c, "length-delimited field exceeds the input");
    return true;
  }
  bool Varint(Cursor& c, uint64_t* v) {
    if (!proto_wire::ReadVarint(c, v)) return Fail(c, "malformed varint");
    return true;
  }
  bool Fixed64(Cursor& c, uint64_t* v) {
    if (!proto_wire::ReadFixed64(c, v)) return Fail(c, "truncated fixed64");
    return true;
  }
  bool Fixed32(Cursor& c, uint32_t* v) {
    if (!proto_wire::ReadFixed32(c, v)) return Fail(c, "truncated fixed32");
    return true;
  }
  bool Skip(Cursor& c, uint32_t field, uint32_t wt) {
    if (!proto_wire::SkipField(c, field, wt)) return Fail(c, "malformed unknown field");
    return true;
  }

  // A text field cut to max bytes at a UTF-8 boundary: kept as a view when valid UTF-8 (copied
  // only when the batch does not own the input), else repaired with U+FFFD into the arena (and
  // cut again, since each replaced byte grows to three).
  std::string_view Text(std::string_view s, uint32_t max) {
    if (s.empty()) return {};
    s = TruncateUtf8(s, max);
    if (!IsValidUtf8(s)) {
      scratch_.clear();
      AppendRepairedUtf8(s, &scratch_);
      return b_.Intern(TruncateUtf8(scratch_, max));
    }
    return zero_copy_ ? s : b_.Intern(s);
  }
  std::string_view Name(std::string_view s) { return Text(s, limits_.max_name_bytes); }
  std::string_view Value(std::string_view s) { return Text(s, limits_.max_value_bytes); }
  std::string_view Raw(std::string_view s) { return zero_copy_ ? s : b_.Intern(s); }

  // Makes r end at the end of the attribute pool so new entries extend it (moving the earlier
  // entries when another owner's attributes were appended in between).
  void ExtendableRange(Range* r) {
    auto end = static_cast<uint32_t>(b_.attributes.size());
    if (r->count == 0) {
      r->begin = end;
      return;
    }
    if (r->end() == end) return;
    for (uint32_t i = 0; i < r->count; ++i) b_.attributes.push_back(b_.attributes[r->begin + i]);
    r->begin = end;
  }

  bool DecodeKeyValueInto(std::string_view msg, KeyValue* kv, uint32_t depth);
  bool DecodeAttribute(std::string_view msg, Range* r, uint32_t* dropped);
  bool DecodeAnyValue(std::string_view msg, AnyValue* v, uint32_t depth);
  bool DecodeArray(std::string_view msg, AnyValue* v, uint32_t depth);
  bool DecodeKvList(std::string_view msg, AnyValue* v, uint32_t depth);
  bool DecodeResourceSpans(std::string_view msg);
  bool DecodeResource(std::string_view msg, uint32_t resource);
  bool DecodeScopeSpans(std::string_view msg, uint32_t resource);
  bool DecodeScope(std::string_view msg, uint32_t scope);
  bool DecodeSpan(std::string_view msg, uint32_t resource, uint32_t scope);
  bool DecodeEvent(std::string_view msg, uint32_t event);
  bool DecodeLink(std::string_view msg, uint32_t link, bool* valid);
  bool DecodeStatus(std::string_view msg, uint32_t span);

  const DecodeLimits& limits_;
  DecodeResult* out_;
  SpanBatch& b_;
  bool zero_copy_;
  const char* error_ = nullptr;
  const char* error_at_ = nullptr;
  bool too_many_spans_ = false;
  std::vector<bool> keep_;
  bool any_rejected_ = false;
  std::string scratch_;
};

bool Decoder::DecodeRequest(Cursor c) {
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    if (field == 1 && wt == kLen) {
      std::string_view msg;
      if (!Len(c, &msg) || !DecodeResourceSpans(msg)) return false;
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  if (any_rejected_) b_.FilterSpans(keep_);
  return true;
}

bool Decoder::DecodeResourceSpans(std::string_view msg) {
  Cursor c(msg);
  uint32_t resource = b_.AddResource();
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    if (field == 1 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeResource(sub, resource)) return false;
    } else if (field == 2 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeScopeSpans(sub, resource)) return false;
    } else if (field == 3 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      b_.resources[resource].schema_url = Value(sub);
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  b_.RefreshServiceName(resource);
  return true;
}

bool Decoder::DecodeResource(std::string_view msg, uint32_t resource) {
  Cursor c(msg);
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    if (field == 1 && wt == kLen) {
      std::string_view sub;
      Resource& r = b_.resources[resource];
      if (!Len(c, &sub) || !DecodeAttribute(sub, &r.attributes, &r.dropped_attributes_count)) {
        return false;
      }
    } else if (field == 2 && wt == kVarint) {
      uint64_t v;
      if (!Varint(c, &v)) return false;
      b_.resources[resource].dropped_attributes_count += static_cast<uint32_t>(v);
    } else if (!Skip(c, field, wt)) {  // entity_refs (3) and anything newer
      return false;
    }
  }
  return true;
}

bool Decoder::DecodeScopeSpans(std::string_view msg, uint32_t resource) {
  Cursor c(msg);
  uint32_t scope = b_.AddScope();
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    if (field == 1 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeScope(sub, scope)) return false;
    } else if (field == 2 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeSpan(sub, resource, scope)) return false;
    } else if (field == 3 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      b_.scopes[scope].schema_url = Value(sub);
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  return true;
}

bool Decoder::DecodeScope(std::string_view msg, uint32_t scope) {
  Cursor c(msg);
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    if (field == 1 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      b_.scopes[scope].name = Name(sub);
    } else if (field == 2 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      b_.scopes[scope].version = Name(sub);
    } else if (field == 3 && wt == kLen) {
      Scope& s = b_.scopes[scope];
      if (!Len(c, &sub) || !DecodeAttribute(sub, &s.attributes, &s.dropped_attributes_count)) {
        return false;
      }
    } else if (field == 4 && wt == kVarint) {
      uint64_t v;
      if (!Varint(c, &v)) return false;
      b_.scopes[scope].dropped_attributes_count += static_cast<uint32_t>(v);
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  return true;
}

bool Decoder::DecodeSpan(std::string_view msg, uint32_t resource, uint32_t scope) {
  if (b_.spans.size() >= limits_.max_spans) {
    too_many_spans_ = true;
    return Fail(Cursor(msg), "too many spans");
  }
  Cursor c(msg);
  uint32_t row = b_.AddSpan();
  b_.spans.resource_index[row] = resource;
  b_.spans.scope_index[row] = scope;
  std::string_view trace_id, span_id, parent_id;
  uint32_t events = 0, links = 0;
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    uint64_t v = 0;
    uint32_t v32 = 0;
    switch (field) {
      case 1:
        if (wt != kLen) break;
        if (!Len(c, &trace_id)) return false;
        continue;
      case 2:
        if (wt != kLen) break;
        if (!Len(c, &span_id)) return false;
        continue;
      case 3:
        if (wt != kLen) break;
        if (!Len(c, &sub)) return false;
        b_.spans.trace_state[row] = Value(sub);
        continue;
      case 4:
        if (wt != kLen) break;
        if (!Len(c, &parent_id)) return false;
        continue;
      case 5:
        if (wt != kLen) break;
        if (!Len(c, &sub)) return false;
        b_.spans.name[row] = Name(sub);
        continue;
      case 6:
        if (wt != kVarint) break;
        if (!Varint(c, &v)) return false;
        // Unknown kinds (as int32) become unspecified.
        b_.spans.kind[row] =
            static_cast<uint32_t>(v) <= 5 ? static_cast<SpanKind>(v) : SpanKind::kUnspecified;
        continue;
      case 7:
        if (wt != kI64) break;
        if (!Fixed64(c, &v)) return false;
        b_.spans.start_time_unix_nano[row] = v;
        continue;
      case 8:
        if (wt != kI64) break;
        if (!Fixed64(c, &v)) return false;
        b_.spans.end_time_unix_nano[row] = v;
        continue;
      case 9:
        if (wt != kLen) break;
        if (!Len(c, &sub) || !DecodeAttribute(sub, &b_.spans.attributes[row],
                                              &b_.spans.dropped_attributes_count[row])) {
          return false;
        }
        continue;
      case 10:
        if (wt != kVarint) break;
        if (!Varint(c, &v)) return false;
        b_.spans.dropped_attributes_count[row] += static_cast<uint32_t>(v);
        continue;
      case 11: {
        if (wt != kLen) break;
        if (!Len(c, &sub)) return false;
        if (events >= limits_.max_events) {
          ++b_.spans.dropped_events_count[row];
          continue;
        }
        uint32_t e = b_.AddEvent();
        if (events == 0) b_.spans.events[row].begin = e;
        ++events;
        b_.spans.events[row].count = events;
        if (!DecodeEvent(sub, e)) return false;
        continue;
      }
      case 12:
        if (wt != kVarint) break;
        if (!Varint(c, &v)) return false;
        b_.spans.dropped_events_count[row] += static_cast<uint32_t>(v);
        continue;
      case 13: {
        if (wt != kLen) break;
        if (!Len(c, &sub)) return false;
        if (links >= limits_.max_links) {
          ++b_.spans.dropped_links_count[row];
          continue;
        }
        uint32_t l = b_.AddLink();
        bool valid = true;
        if (!DecodeLink(sub, l, &valid)) return false;
        if (!valid) {
          // A link with malformed ids is dropped alone and counted.
          DropLastLink(&b_);
          ++b_.spans.dropped_links_count[row];
          continue;
        }
        if (links == 0) b_.spans.links[row].begin = l;
        ++links;
        b_.spans.links[row].count = links;
        continue;
      }
      case 14:
        if (wt != kVarint) break;
        if (!Varint(c, &v)) return false;
        b_.spans.dropped_links_count[row] += static_cast<uint32_t>(v);
        continue;
      case 15:
        if (wt != kLen) break;
        if (!Len(c, &sub) || !DecodeStatus(sub, row)) return false;
        continue;
      case 16:
        if (wt != kI32) break;
        if (!Fixed32(c, &v32)) return false;
        b_.spans.flags[row] = v32;
        continue;
      default:
        break;
    }
    if (!Skip(c, field, wt)) return false;
  }
  const char* why = nullptr;
  if (!TraceId::FromBytes(trace_id, &b_.spans.trace_id[row]) || !b_.spans.trace_id[row].IsValid()) {
    why = "span with an invalid trace_id (must be 16 bytes, not all zero)";
  } else if (!SpanId::FromBytes(span_id, &b_.spans.span_id[row]) ||
             !b_.spans.span_id[row].IsValid()) {
    why = "span with an invalid span_id (must be 8 bytes, not all zero)";
  } else if (!parent_id.empty() && !SpanId::FromBytes(parent_id, &b_.spans.parent_span_id[row])) {
    why = "span with an invalid parent_span_id (must be empty or 8 bytes)";
  }
  if (keep_.size() < b_.spans.size()) keep_.resize(b_.spans.size(), true);
  if (why != nullptr) {
    keep_[row] = false;
    any_rejected_ = true;
    out_->Reject(why);
  }
  return true;
}

bool Decoder::DecodeEvent(std::string_view msg, uint32_t event) {
  Cursor c(msg);
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    uint64_t v;
    if (field == 1 && wt == kI64) {
      if (!Fixed64(c, &v)) return false;
      b_.events.time_unix_nano[event] = v;
    } else if (field == 2 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      b_.events.name[event] = Name(sub);
    } else if (field == 3 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeAttribute(sub, &b_.events.attributes[event],
                                            &b_.events.dropped_attributes_count[event])) {
        return false;
      }
    } else if (field == 4 && wt == kVarint) {
      if (!Varint(c, &v)) return false;
      b_.events.dropped_attributes_count[event] += static_cast<uint32_t>(v);
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  return true;
}

bool Decoder::DecodeLink(std::string_view msg, uint32_t link, bool* valid) {
  Cursor c(msg);
  std::string_view trace_id, span_id;
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    uint64_t v;
    uint32_t v32;
    if (field == 1 && wt == kLen) {
      if (!Len(c, &trace_id)) return false;
    } else if (field == 2 && wt == kLen) {
      if (!Len(c, &span_id)) return false;
    } else if (field == 3 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      b_.links.trace_state[link] = Value(sub);
    } else if (field == 4 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeAttribute(sub, &b_.links.attributes[link],
                                            &b_.links.dropped_attributes_count[link])) {
        return false;
      }
    } else if (field == 5 && wt == kVarint) {
      if (!Varint(c, &v)) return false;
      b_.links.dropped_attributes_count[link] += static_cast<uint32_t>(v);
    } else if (field == 6 && wt == kI32) {
      if (!Fixed32(c, &v32)) return false;
      b_.links.flags[link] = v32;
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  *valid = TraceId::FromBytes(trace_id, &b_.links.trace_id[link]) &&
           SpanId::FromBytes(span_id, &b_.links.span_id[link]) &&
           b_.links.trace_id[link].IsValid() && b_.links.span_id[link].IsValid();
  return true;
}

bool Decoder::DecodeStatus(std::string_view msg, uint32_t span) {
  Cursor c(msg);
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    uint64_t v;
    if (field == 2 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      b_.spans.status_message[span] = Value(sub);
    } else if (field == 3 && wt == kVarint) {
      if (!Varint(c, &v)) return false;
      // Unknown codes become unset.
      b_.spans.status_code[span] =
          static_cast<uint32_t>(v) <= 2 ? static_cast<SpanStatusCode>(v) : SpanStatusCode::kUnset;
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  return true;
}

bool Decoder::DecodeAttribute(std::string_view msg, Range* r, uint32_t* dropped) {
  if (r->count >= limits_.max_attributes) {
    ++*dropped;
    return true;  // not decoded: only counted (its bytes were bounds-checked by the caller)
  }
  KeyValue kv;
  if (!DecodeKeyValueInto(msg, &kv, 0)) return false;
  ExtendableRange(r);
  b_.attributes.push_back(kv);
  ++r->count;
  return true;
}

bool Decoder::DecodeKeyValueInto(std::string_view msg, KeyValue* kv, uint32_t depth) {
  Cursor c(msg);
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    if (field == 1 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      kv->key = Name(sub);
    } else if (field == 2 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeAnyValue(sub, &kv->value, depth)) return false;
    } else if (!Skip(c, field, wt)) {  // key_strindex (3) and anything newer
      return false;
    }
  }
  return true;
}

bool Decoder::DecodeAnyValue(std::string_view msg, AnyValue* v, uint32_t depth) {
  Cursor c(msg);
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    std::string_view sub;
    uint64_t x;
    // A oneof: the last member present wins, as in protobuf.
    if (field == 1 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      *v = AnyValue::String(Value(sub));
    } else if (field == 2 && wt == kVarint) {
      if (!Varint(c, &x)) return false;
      *v = AnyValue::Bool(x != 0);
    } else if (field == 3 && wt == kVarint) {
      if (!Varint(c, &x)) return false;
      *v = AnyValue::Int(static_cast<int64_t>(x));
    } else if (field == 4 && wt == kI64) {
      if (!Fixed64(c, &x)) return false;
      double d;
      std::memcpy(&d, &x, sizeof d);
      *v = AnyValue::Double(d);
    } else if (field == 5 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeArray(sub, v, depth + 1)) return false;
    } else if (field == 6 && wt == kLen) {
      if (!Len(c, &sub) || !DecodeKvList(sub, v, depth + 1)) return false;
    } else if (field == 7 && wt == kLen) {
      if (!Len(c, &sub)) return false;
      *v = AnyValue::Bytes(Raw(sub.substr(0, limits_.max_value_bytes)));
    } else if (!Skip(c, field, wt)) {  // string_value_strindex (8): profiles only, ignored
      return false;
    }
  }
  return true;
}

// Counts the repeated field-1 LEN entries of msg, validating the framing of every field.
bool CountEntries(std::string_view msg, uint32_t* n) {
  Cursor c(msg);
  *n = 0;
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!proto_wire::ReadTag(c, &field, &wt)) return false;
    if (field == 1 && wt == kLen) ++*n;
    if (!proto_wire::SkipField(c, field, wt)) return false;
  }
  return true;
}

bool Decoder::DecodeArray(std::string_view msg, AnyValue* v, uint32_t depth) {
  if (depth > limits_.max_value_depth) return Fail(Cursor(msg), "AnyValue nested too deeply");
  uint32_t n;
  if (!CountEntries(msg, &n)) return Fail(Cursor(msg), "malformed ArrayValue");
  // Children are contiguous: reserve their slots first; grandchildren go after them.
  auto begin = static_cast<uint32_t>(b_.array_values.size());
  b_.array_values.resize(begin + n);
  Cursor c(msg);
  uint32_t i = 0;
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    if (field == 1 && wt == kLen) {
      std::string_view sub;
      if (!Len(c, &sub)) return false;
      AnyValue child;
      if (!DecodeAnyValue(sub, &child, depth)) return false;
      b_.array_values[begin + i++] = child;
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  AnyValue out;
  out.type = ValueType::kArray;
  out.children = {begin, n};
  *v = out;
  return true;
}

bool Decoder::DecodeKvList(std::string_view msg, AnyValue* v, uint32_t depth) {
  if (depth > limits_.max_value_depth) return Fail(Cursor(msg), "AnyValue nested too deeply");
  uint32_t n;
  if (!CountEntries(msg, &n)) return Fail(Cursor(msg), "malformed KeyValueList");
  auto begin = static_cast<uint32_t>(b_.kvlist_values.size());
  b_.kvlist_values.resize(begin + n);
  Cursor c(msg);
  uint32_t i = 0;
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!Tag(c, &field, &wt)) return false;
    if (field == 1 && wt == kLen) {
      std::string_view sub;
      if (!Len(c, &sub)) return false;
      KeyValue child;
      if (!DecodeKeyValueInto(sub, &child, depth)) return false;
      b_.kvlist_values[begin + i++] = child;
    } else if (!Skip(c, field, wt)) {
      return false;
    }
  }
  AnyValue out;
  out.type = ValueType::kKvList;
  out.children = {begin, n};
  *v = out;
  return true;
}

// Reserves columns for what a request of this size typically holds (about 400 bytes and 10
// attributes per span), so big requests do not reallocate their columns again and again.
// Only a capacity hint: the columns still grow as needed, and nothing is touched until used.
void ReserveFor(size_t bytes, const DecodeLimits& limits, SpanBatch* b) {
  size_t spans = std::min<size_t>(bytes / 512, limits.max_spans);
  if (spans < 64) return;
  SpanColumns& s = b->spans;
  s.trace_id.reserve(spans);
  s.span_id.reserve(spans);
  s.parent_span_id.reserve(spans);
  s.trace_state.reserve(spans);
  s.flags.reserve(spans);
  s.name.reserve(spans);
  s.kind.reserve(spans);
  s.start_time_unix_nano.reserve(spans);
  s.end_time_unix_nano.reserve(spans);
  s.status_code.reserve(spans);
  s.status_message.reserve(spans);
  s.resource_index.reserve(spans);
  s.scope_index.reserve(spans);
  s.attributes.reserve(spans);
  s.events.reserve(spans);
  s.links.reserve(spans);
  s.dropped_attributes_count.reserve(spans);
  s.dropped_events_count.reserve(spans);
  s.dropped_links_count.reserve(spans);
  b->attributes.reserve(spans * 8);
}

Status Run(std::string_view bytes, const DecodeLimits& limits, DecodeResult* out, bool zero_copy) {
  ReserveFor(bytes.size(), limits, &out->batch);
  Decoder d(limits, out, zero_copy);
  if (d.DecodeRequest(Cursor(bytes))) return Status::Ok();
  std::string msg = "malformed OTLP protobuf request: ";
  msg += d.error();
  if (d.error_at() != nullptr) {
    msg += " (at byte ";
    msg += std::to_string(d.error_at() - bytes.data());
    msg += ")";
  }
  *out = DecodeResult();  // nothing of a refused request survives, not even its rejections
  if (d.too_many_spans()) {
    return Status::ResourceExhausted("OTLP request holds more than " +
                                     std::to_string(limits.max_spans) + " spans");
  }
  return Status::InvalidArgument(msg);
}

}  // namespace

Status DecodeOtlpProto(std::string_view request, const DecodeLimits& limits, DecodeResult* out) {
  *out = DecodeResult();
  // Copying the request once into the batch and then decoding zero-copy costs one memcpy
  // instead of one arena copy per string.
  std::string_view owned = out->batch.AdoptBuffer(std::string(request));
  return Run(owned, limits, out, /*zero_copy=*/true);
}

Status DecodeOtlpProto(std::string&& request, const DecodeLimits& limits, DecodeResult* out) {
  *out = DecodeResult();
  std::string_view owned = out->batch.AdoptBuffer(std::move(request));
  return Run(owned, limits, out, /*zero_copy=*/true);
}

Status DecodeExportTraceServiceResponse(std::string_view bytes, int64_t* rejected_spans,
                                        std::string* error_message) {
  *rejected_spans = 0;
  error_message->clear();
  Cursor c(bytes);
  while (c.p < c.end) {
    uint32_t field, wt;
    if (!proto_wire::ReadTag(c, &field, &wt)) {
      return Status::InvalidArgument("malformed ExportTraceServiceResponse");
    }
    if (field == 1 && wt == kLen) {
      std::string_view sub;
      if (!proto_wire::ReadLen(c, &sub)) {
        return Status::InvalidArgument("malformed ExportTraceServiceResponse");
      }
      Cursor p(sub);
      while (p.p < p.end) {
        uint32_t f, w;
        if (!proto_wire::ReadTag(p, &f, &w)) {
          return Status::InvalidArgument("malformed ExportTracePartialSuccess");
        }
        uint64_t v;
        std::string_view s;
        if (f == 1 && w == kVarint) {
          if (!proto_wire::ReadVarint(p, &v)) {
            return Status::InvalidArgument("malformed ExportTracePartialSuccess");
          }
          *rejected_spans = static_cast<int64_t>(v);
        } else if (f == 2 && w == kLen) {
          if (!proto_wire::ReadLen(p, &s)) {
            return Status::InvalidArgument("malformed ExportTracePartialSuccess");
          }
          error_message->assign(s);
        } else if (!proto_wire::SkipField(p, f, w)) {
          return Status::InvalidArgument("malformed ExportTracePartialSuccess");
        }
      }
    } else if (!proto_wire::SkipField(c, field, wt)) {
      return Status::InvalidArgument("malformed ExportTraceServiceResponse");
    }
  }
  return Status::Ok();
}

}  // namespace ariadne
