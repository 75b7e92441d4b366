#include "wire/jaeger/jaeger_thrift.h"

#include <string>
#include <vector>

#include "base/utf8.h"
#include "wire/jaeger/thrift_reader.h"

namespace ariadne {
namespace {

// jaeger.thrift's enums.
enum TagType : int32_t {
  kTagString = 0,
  kTagDouble = 1,
  kTagBool = 2,
  kTagLong = 3,
  kTagBinary = 4
};
enum RefType : int32_t { kChildOf = 0, kFollowsFrom = 1 };

struct RawTag {
  std::string_view key;
  int32_t type = -1;
  std::string_view str;
  double dbl = 0;
  bool boolean = false;
  int64_t lng = 0;
  std::string_view bin;
};

struct RawRef {
  int32_t type = kChildOf;
  int64_t trace_low = 0;
  int64_t trace_high = 0;
  int64_t span_id = 0;
};

// What one span's special tags say, applied when the span ends.
struct SpanExtras {
  bool error_tag = false;
  std::string_view otel_status_code;
  std::string_view otel_status_description;
  std::string_view scope_name;
  std::string_view scope_version;
};

SpanId SpanIdFrom(int64_t v) { return SpanId::FromHighLow(0, static_cast<uint64_t>(v)); }

class JaegerDecoder {
 public:
  JaegerDecoder(ThriftReader* r, const DecodeLimits& limits, DecodeResult* out)
      : r_(*r), limits_(limits), out_(*out), batch_(out->batch) {}

  // Reads a jaeger.Batch struct.
  Status DecodeBatch() {
    first_row_ = static_cast<uint32_t>(batch_.size());
    Status s = ReadBatch();
    if (!s.ok()) {
      std::vector<bool> keep(batch_.size(), false);
      for (uint32_t i = 0; i < first_row_; ++i) keep[i] = true;
      batch_.FilterSpans(keep);
      return s;
    }
    for (uint32_t i = first_row_; i < batch_.size(); ++i)
      batch_.spans.resource_index[i] = resource_;
    if (!rejected_.empty()) {
      std::vector<bool> keep(batch_.size(), true);
      for (uint32_t row : rejected_) keep[row] = false;
      batch_.FilterSpans(keep);
    }
    return Status::Ok();
  }

 private:
  Status FramingError() const {
    return Status::InvalidArgument("malformed Jaeger Thrift: " + r_.error());
  }

  Status ReadBatch() {
    bool have_process = false;
    if (!r_.ReadStructBegin()) return FramingError();
    while (true) {
      uint8_t type;
      int16_t id;
      if (!r_.ReadFieldBegin(&type, &id)) return FramingError();
      if (type == kThriftStop) break;
      if (id == 1 && type == kThriftStruct) {
        if (!ReadProcess()) return FramingError();
        have_process = true;
      } else if (id == 2 && type == kThriftList) {
        uint8_t et;
        uint32_t n;
        if (!r_.ReadListBegin(&et, &n)) return FramingError();
        if (n > limits_.max_spans || batch_.size() + n > limits_.max_spans) {
          return Status::ResourceExhausted("Jaeger batch declares " + std::to_string(n) +
                                           " spans, more than the limit of " +
                                           std::to_string(limits_.max_spans));
        }
        for (uint32_t i = 0; i < n; ++i) {
          if (et != kThriftStruct) {
            if (!r_.Skip(et)) return FramingError();
            continue;
          }
          if (!ReadSpan()) return FramingError();
        }
      } else if (!r_.Skip(type)) {
        return FramingError();
      }
    }
    if (!r_.ReadStructEnd()) return FramingError();
    if (!have_process) return Status::InvalidArgument("Jaeger batch has no process");
    return Status::Ok();
  }

  bool ReadTag(RawTag* t) {
    *t = RawTag();
    if (!r_.ReadStructBegin()) return false;
    while (true) {
      uint8_t type;
      int16_t id;
      if (!r_.ReadFieldBegin(&type, &id)) return false;
      if (type == kThriftStop) break;
      bool ok = true;
      if (id == 1 && type == kThriftString) {
        ok = r_.ReadBinary(&t->key);
      } else if (id == 2 && type == kThriftI32) {
        ok = r_.ReadI32(&t->type);
      } else if (id == 3 && type == kThriftString) {
        ok = r_.ReadBinary(&t->str);
      } else if (id == 4 && type == kThriftDouble) {
        ok = r_.ReadDouble(&t->dbl);
      } else if (id == 5 && type == kThriftBool) {
        ok = r_.ReadBool(&t->boolean);
      } else if (id == 6 && type == kThriftI64) {
        ok = r_.ReadI64(&t->lng);
      } else if (id == 7 && type == kThriftString) {
        ok = r_.ReadBinary(&t->bin);
      } else {
        ok = r_.Skip(type);
      }
      if (!ok) return false;
    }
    return r_.ReadStructEnd();
  }

  // The typed value of a tag; false for an unknown type.
  bool TagValue(const RawTag& t, AnyValue* v) const {
    switch (t.type) {
      case kTagString:
        *v = AnyValue::String(TruncateUtf8(t.str, limits_.max_value_bytes));
        return true;
      case kTagDouble:
        *v = AnyValue::Double(t.dbl);
        return true;
      case kTagBool:
        *v = AnyValue::Bool(t.boolean);
        return true;
      case kTagLong:
        *v = AnyValue::Int(t.lng);
        return true;
      case kTagBinary:
        *v = AnyValue::Bytes(t.bin.substr(0, limits_.max_value_bytes));
        return true;
      default:
        return false;
    }
  }

  // Appends a tag as an attribute of the owner whose range is *range, unless the limit is hit.
  void AddTag(const RawTag& t, Range* range, uint32_t* dropped) {
    AnyValue v;
    if (!TagValue(t, &v) || range->count >= limits_.max_attributes) {
      ++*dropped;
      return;
    }
    uint32_t index = batch_.AddAttribute(TruncateUtf8(t.key, limits_.max_name_bytes), v);
    if (range->count == 0) range->begin = index;
    ++range->count;
  }

  // Reads a list<Tag> into the attribute pool; `special` may claim a tag (returns true) so that
  // it is not kept as an attribute.
  template <typename Special>
  bool ReadTags(Range* range, uint32_t* dropped, Special special) {
    uint8_t et;
    uint32_t n;
    if (!r_.ReadListBegin(&et, &n)) return false;
    *range = Range{static_cast<uint32_t>(batch_.attributes.size()), 0};
    for (uint32_t i = 0; i < n; ++i) {
      if (et != kThriftStruct) {
        if (!r_.Skip(et)) return false;
        continue;
      }
      RawTag t;
      if (!ReadTag(&t)) return false;
      if (!special(t)) AddTag(t, range, dropped);
    }
    return true;
  }

  bool ReadProcess() {
    std::string_view service;
    Range tags;
    uint32_t dropped = 0;
    bool have_tags = false;
    if (!r_.ReadStructBegin()) return false;
    while (true) {
      uint8_t type;
      int16_t id;
      if (!r_.ReadFieldBegin(&type, &id)) return false;
      if (type == kThriftStop) break;
      bool ok = true;
      if (id == 1 && type == kThriftString) {
        ok = r_.ReadBinary(&service);
      } else if (id == 2 && type == kThriftList) {
        // service.name goes first, so the resource's range starts with it.
        uint32_t first = batch_.AddAttribute("service.name", AnyValue::String({}));
        ok = ReadTags(&tags, &dropped, [](const RawTag&) { return false; });
        if (ok) {
          have_tags = true;
          tags = Range{first, tags.count + 1};
        }
      } else {
        ok = r_.Skip(type);
      }
      if (!ok) return false;
    }
    if (!r_.ReadStructEnd()) return false;
    if (!have_tags) tags = Range{batch_.AddAttribute("service.name", AnyValue::String({})), 1};
    batch_.attributes[tags.begin].value =
        AnyValue::String(TruncateUtf8(service, limits_.max_value_bytes));
    resource_ = batch_.AddResource();
    batch_.resources[resource_].attributes = tags;
    batch_.resources[resource_].dropped_attributes_count = dropped;
    batch_.RefreshServiceName(resource_);
    return true;
  }

  bool ReadRef(RawRef* ref) {
    *ref = RawRef();
    if (!r_.ReadStructBegin()) return false;
    while (true) {
      uint8_t type;
      int16_t id;
      if (!r_.ReadFieldBegin(&type, &id)) return false;
      if (type == kThriftStop) break;
      bool ok = true;
      if (id == 1 && type == kThriftI32) {
        ok = r_.ReadI32(&ref->type);
      } else if (id == 2 && type == kThriftI64) {
        ok = r_.ReadI64(&ref->trace_low);
      } else if (id == 3 && type == kThriftI64) {
        ok = r_.ReadI64(&ref->trace_high);
      } else if (id == 4 && type == kThriftI64) {
        ok = r_.ReadI64(&ref->span_id);
      } else {
        ok = r_.Skip(type);
      }
      if (!ok) return false;
    }
    return r_.ReadStructEnd();
  }

  // Reads one Log into an event (or counts it dropped past the limit). *bad names a malformed
  // timestamp.
  bool ReadLog(uint32_t row, const char** bad) {
    bool keep = batch_.spans.events[row].count < limits_.max_events;
    if (!keep) {
      ++batch_.spans.dropped_events_count[row];
      return r_.Skip(kThriftStruct);
    }
    uint32_t ev = batch_.AddEvent();
    Range& span_events = batch_.spans.events[row];
    if (span_events.count == 0) span_events.begin = ev;
    ++span_events.count;
    int64_t ts = 0;
    std::string_view event_name;
    bool have_event_name = false;
    if (!r_.ReadStructBegin()) return false;
    while (true) {
      uint8_t type;
      int16_t id;
      if (!r_.ReadFieldBegin(&type, &id)) return false;
      if (type == kThriftStop) break;
      bool ok = true;
      if (id == 1 && type == kThriftI64) {
        ok = r_.ReadI64(&ts);
      } else if (id == 2 && type == kThriftList) {
        Range range;
        uint32_t dropped = 0;
        ok = ReadTags(&range, &dropped, [&](const RawTag& t) {
          if (!have_event_name && t.key == "event" && t.type == kTagString) {
            event_name = TruncateUtf8(t.str, limits_.max_name_bytes);
            have_event_name = true;
            return true;
          }
          return false;
        });
        batch_.events.attributes[ev] = range;
        batch_.events.dropped_attributes_count[ev] += dropped;
      } else {
        ok = r_.Skip(type);
      }
      if (!ok) return false;
    }
    if (!r_.ReadStructEnd()) return false;
    Range& attrs = batch_.events.attributes[ev];
    if (!have_event_name) {
      // No "event" field: a "message" field names the event instead.
      for (uint32_t i = attrs.begin; i < attrs.end(); ++i) {
        const KeyValue& kv = batch_.attributes[i];
        if (kv.key == "message" && kv.value.type == ValueType::kString) {
          event_name = TruncateUtf8(kv.value.str, limits_.max_name_bytes);
          batch_.attributes.erase(batch_.attributes.begin() + i);
          --attrs.count;
          break;
        }
      }
    }
    batch_.events.name[ev] = event_name;
    if (ts < 0 || static_cast<uint64_t>(ts) > UINT64_MAX / 1000) {
      *bad = "log timestamp out of range";
    } else {
      batch_.events.time_unix_nano[ev] = static_cast<uint64_t>(ts) * 1000;
    }
    return true;
  }

  bool ClaimSpanTag(const RawTag& t, uint32_t row, SpanExtras* x) {
    std::string_view k = t.key;
    if (k.size() < 5) return false;
    if (k == "span.kind" && t.type == kTagString) {
      SpanKind kind;
      // The common lower-case spellings first; ParseSpanKind handles the rest.
      if (t.str == "server") {
        kind = SpanKind::kServer;
      } else if (t.str == "client") {
        kind = SpanKind::kClient;
      } else if (!ParseSpanKind(t.str, &kind)) {
        return false;
      }
      batch_.spans.kind[row] = kind;
      return true;
    }
    if (k == "error") {
      if (t.type == kTagBool) {
        x->error_tag = t.boolean;
        return t.boolean;
      }
      if (t.type == kTagString && t.str == "true") {
        x->error_tag = true;
        return true;
      }
      return false;
    }
    if (t.type != kTagString) return false;
    if (k == "otel.status_code") {
      x->otel_status_code = t.str;
    } else if (k == "otel.status_description") {
      x->otel_status_description = TruncateUtf8(t.str, limits_.max_value_bytes);
    } else if (k == "otel.scope.name" || k == "otel.library.name") {
      x->scope_name = TruncateUtf8(t.str, limits_.max_name_bytes);
    } else if (k == "otel.scope.version" || k == "otel.library.version") {
      x->scope_version = TruncateUtf8(t.str, limits_.max_name_bytes);
    } else if (k == "w3c.tracestate") {
      batch_.spans.trace_state[row] = TruncateUtf8(t.str, limits_.max_value_bytes);
    } else {
      return false;
    }
    return true;
  }

  uint32_t ScopeIndex(std::string_view name, std::string_view version) {
    for (const auto& [n, v, index] : scopes_) {
      if (n == name && v == version) return index;
    }
    uint32_t index = batch_.AddScope();
    batch_.scopes[index].name = name;
    batch_.scopes[index].version = version;
    scopes_.push_back({name, version, index});
    return index;
  }

  bool ReadSpan() {
    uint32_t row = batch_.AddSpan();
    SpanColumns& s = batch_.spans;
    int64_t trace_low = 0, trace_high = 0, span_id = 0, parent = 0, start = 0, duration = 0;
    int32_t flags = 0;
    SpanExtras x;
    const char* bad = nullptr;
    refs_.clear();
    if (!r_.ReadStructBegin()) return false;
    while (true) {
      uint8_t type;
      int16_t id;
      if (!r_.ReadFieldBegin(&type, &id)) return false;
      if (type == kThriftStop) break;
      bool ok = true;
      if (type == kThriftI64 && id >= 1 && id <= 9 && id != 5 && id != 6 && id != 7) {
        int64_t* dst[] = {nullptr, &trace_low, &trace_high, &span_id, &parent,
                          nullptr, nullptr,    nullptr,     &start,   &duration};
        ok = r_.ReadI64(dst[id]);
      } else if (id == 5 && type == kThriftString) {
        std::string_view name;
        ok = r_.ReadBinary(&name);
        s.name[row] = TruncateUtf8(name, limits_.max_name_bytes);
      } else if (id == 7 && type == kThriftI32) {
        ok = r_.ReadI32(&flags);
      } else if (id == 6 && type == kThriftList) {
        uint8_t et;
        uint32_t n;
        ok = r_.ReadListBegin(&et, &n);
        for (uint32_t i = 0; ok && i < n; ++i) {
          if (et != kThriftStruct) {
            ok = r_.Skip(et);
            continue;
          }
          RawRef ref;
          ok = ReadRef(&ref);
          if (ok) refs_.push_back(ref);
        }
      } else if (id == 10 && type == kThriftList) {
        Range range;
        uint32_t dropped = 0;
        ok = ReadTags(&range, &dropped, [&](const RawTag& t) { return ClaimSpanTag(t, row, &x); });
        s.attributes[row] = range;
        s.dropped_attributes_count[row] += dropped;
      } else if (id == 11 && type == kThriftList) {
        uint8_t et;
        uint32_t n;
        ok = r_.ReadListBegin(&et, &n);
        for (uint32_t i = 0; ok && i < n; ++i) {
          ok = et == kThriftStruct ? ReadLog(row, &bad) : r_.Skip(et);
        }
      } else {
        ok = r_.Skip(type);
      }
      if (!ok) return false;
    }
    if (!r_.ReadStructEnd()) return false;

    s.trace_id[row] =
        TraceId::FromHighLow(static_cast<uint64_t>(trace_high), static_cast<uint64_t>(trace_low));
    s.span_id[row] = SpanIdFrom(span_id);
    s.flags[row] = static_cast<uint32_t>(flags) & 0xff;
    if (!s.trace_id[row].IsValid()) bad = "span has an all-zero trace id";
    if (span_id == 0) bad = "span has a zero span id";
    if (start < 0 || static_cast<uint64_t>(start) > UINT64_MAX / 2000) {
      bad = "span start time out of range";
    } else if (duration < 0 || static_cast<uint64_t>(duration) > UINT64_MAX / 2000) {
      bad = "span duration out of range";
    } else {
      s.start_time_unix_nano[row] = static_cast<uint64_t>(start) * 1000;
      s.end_time_unix_nano[row] =
          s.start_time_unix_nano[row] + static_cast<uint64_t>(duration) * 1000;
    }

    // Parent: parentSpanId when set, else the first CHILD_OF reference. Every other reference
    // (FOLLOWS_FROM, extra CHILD_OF) becomes a link.
    SpanId parent_id = SpanIdFrom(parent);
    bool parent_from_ref = false;
    for (const RawRef& ref : refs_) {
      TraceId tid = TraceId::FromHighLow(static_cast<uint64_t>(ref.trace_high),
                                         static_cast<uint64_t>(ref.trace_low));
      SpanId sid = SpanIdFrom(ref.span_id);
      if (ref.type == kChildOf && !parent_from_ref &&
          (parent == 0 || (sid == parent_id && tid == s.trace_id[row]))) {
        parent_id = sid;
        parent_from_ref = true;
        continue;
      }
      if (s.links[row].count >= limits_.max_links) {
        ++s.dropped_links_count[row];
        continue;
      }
      uint32_t link = batch_.AddLink();
      if (s.links[row].count == 0) s.links[row].begin = link;
      ++s.links[row].count;
      batch_.links.trace_id[link] = tid;
      batch_.links.span_id[link] = sid;
      if (ref.type != kFollowsFrom) {
        // Keeps the reference type so the Jaeger UI shows it as it came.
        uint32_t a = batch_.AddAttribute("jaeger.ref_type", AnyValue::String("CHILD_OF"));
        batch_.links.attributes[link] = Range{a, 1};
      }
    }
    s.parent_span_id[row] = parent_id;

    if (x.otel_status_code == "ERROR") {
      s.status_code[row] = SpanStatusCode::kError;
    } else if (x.otel_status_code == "OK") {
      s.status_code[row] = SpanStatusCode::kOk;
    } else if (x.error_tag) {
      s.status_code[row] = SpanStatusCode::kError;
    }
    if (s.status_code[row] == SpanStatusCode::kError) {
      s.status_message[row] = x.otel_status_description;
    }
    s.scope_index[row] = ScopeIndex(x.scope_name, x.scope_version);

    if (bad != nullptr) {
      out_.Reject(std::string(bad) + " (span " + std::to_string(row - first_row_) + ")");
      rejected_.push_back(row);
    }
    return true;
  }

  struct ScopeKey {
    std::string_view name;
    std::string_view version;
    uint32_t index;
  };

  ThriftReader& r_;
  const DecodeLimits& limits_;
  DecodeResult& out_;
  SpanBatch& batch_;
  uint32_t first_row_ = 0;
  uint32_t resource_ = 0;
  std::vector<RawRef> refs_;
  std::vector<ScopeKey> scopes_;
  std::vector<uint32_t> rejected_;
};

}  // namespace

Status DecodeJaegerBatch(std::string_view body, ThriftProtocol protocol, const DecodeLimits& limits,
                         DecodeResult* out) {
  // One copy of the body; every string the batch keeps is a view into it.
  std::string_view owned = out->batch.AdoptBuffer(std::string(body));
  ThriftReader reader(owned, protocol);
  JaegerDecoder decoder(&reader, limits, out);
  return decoder.DecodeBatch();
}

namespace {

// Reads the message envelope and the args struct around the Batch.
Status DecodeAgentMessage(ThriftReader& reader, const DecodeLimits& limits, DecodeResult* out) {
  std::string_view name;
  uint8_t type = 0;
  int32_t seqid = 0;
  if (!reader.ReadMessageBegin(&name, &type, &seqid)) {
    return Status::InvalidArgument("malformed Jaeger agent message: " + reader.error());
  }
  constexpr uint8_t kCall = 1, kOneway = 4;
  if (type != kCall && type != kOneway) {
    return Status::InvalidArgument("Jaeger agent message is not a call");
  }
  if (name != "emitBatch") {
    return Status::Unimplemented("unsupported Jaeger agent method: " +
                                 std::string(name.substr(0, 64)));
  }
  // The args struct: field 1 is the Batch.
  if (!reader.ReadStructBegin()) {
    return Status::InvalidArgument("malformed Jaeger agent message: " + reader.error());
  }
  bool have_batch = false;
  while (true) {
    uint8_t ft;
    int16_t id;
    if (!reader.ReadFieldBegin(&ft, &id)) {
      return Status::InvalidArgument("malformed Jaeger agent message: " + reader.error());
    }
    if (ft == kThriftStop) break;
    if (id == 1 && ft == kThriftStruct && !have_batch) {
      JaegerDecoder decoder(&reader, limits, out);
      Status s = decoder.DecodeBatch();
      if (!s.ok()) return s;
      have_batch = true;
    } else if (!reader.Skip(ft)) {
      return Status::InvalidArgument("malformed Jaeger agent message: " + reader.error());
    }
  }
  if (!have_batch) return Status::InvalidArgument("Jaeger emitBatch call has no batch");
  return Status::Ok();
}

}  // namespace

Status DecodeJaegerAgentEmitBatch(std::string_view datagram, ThriftProtocol protocol,
                                  const DecodeLimits& limits, DecodeResult* out) {
  std::string_view owned = out->batch.AdoptBuffer(std::string(datagram));
  ThriftReader reader(owned, protocol);
  size_t first_row = out->batch.size();
  uint64_t rejected = out->rejected_spans;
  Status s = DecodeAgentMessage(reader, limits, out);
  if (!s.ok() && out->batch.size() > first_row) {
    // The batch decoded but the envelope around it did not: drop the whole request.
    std::vector<bool> keep(out->batch.size(), false);
    for (size_t i = 0; i < first_row; ++i) keep[i] = true;
    out->batch.FilterSpans(keep);
    out->rejected_spans = rejected;
  }
  return s;
}

}  // namespace ariadne
