#include "wire/otlp/otlp_json.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include <simdjson.h>

#include "base/json_string.h"
#include "base/utf8.h"
#include "wire/otlp/otlp_grouping.h"

namespace ariadne {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Canonical form of a key: lower-case without underscores, so "traceId", "trace_id" and
// "TraceId" all match "traceid". Keys longer than the buffer never match a known name.
struct Key {
  explicit Key(std::string_view k) {
    for (char c : k) {
      if (c == '_') continue;
      if (n == sizeof buf) {
        n = 0;
        overflow = true;
        return;
      }
      buf[n++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  bool operator==(std::string_view s) const { return !overflow && std::string_view(buf, n) == s; }
  char buf[40];
  size_t n = 0;
  bool overflow = false;
};

bool ParseDecimal(std::string_view s, uint64_t* out, bool* negative) {
  *negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    *negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

class JsonDecoder {
 public:
  JsonDecoder(const DecodeLimits& limits, DecodeResult* out)
      : limits_(limits), out_(out), b_(out->batch) {}

  bool Request(element root);
  const std::string& error() const { return error_; }
  bool too_many_spans() const { return too_many_spans_; }

 private:
  bool Fail(std::string_view what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  bool Obj(element e, object* o, std::string_view what) {
    if (e.get_object().get(*o) != simdjson::SUCCESS)
      return Fail(std::string(what) + " is not an object");
    return true;
  }
  bool Arr(element e, array* a, std::string_view what) {
    if (e.get_array().get(*a) != simdjson::SUCCESS)
      return Fail(std::string(what) + " is not an array");
    return true;
  }
  bool Str(element e, std::string_view* s, std::string_view what) {
    if (e.get_string().get(*s) != simdjson::SUCCESS)
      return Fail(std::string(what) + " is not a string");
    return true;
  }
  // A string field cut to max bytes at a UTF-8 boundary (simdjson has validated the UTF-8).
  bool Text(element e, std::string_view* s, uint32_t max, std::string_view what) {
    std::string_view raw;
    if (!Str(e, &raw, what)) return false;
    *s = b_.Intern(TruncateUtf8(raw, max));
    return true;
  }
  bool Name(element e, std::string_view* s, std::string_view what) {
    return Text(e, s, limits_.max_name_bytes, what);
  }
  bool ValueText(element e, std::string_view* s, std::string_view what) {
    return Text(e, s, limits_.max_value_bytes, what);
  }
  // A 64-bit unsigned integer as a number or a decimal string.
  bool U64(element e, uint64_t* v, std::string_view what) {
    switch (e.type()) {
      case element_type::UINT64:
        return e.get_uint64().get(*v) == simdjson::SUCCESS;
      case element_type::INT64: {
        int64_t i;
        if (e.get_int64().get(i) != simdjson::SUCCESS || i < 0) break;
        *v = static_cast<uint64_t>(i);
        return true;
      }
      case element_type::DOUBLE: {
        double d;
        if (e.get_double().get(d) != simdjson::SUCCESS || !(d >= 0) || d >= 1.8446744073709552e19 ||
            d != std::floor(d)) {
          break;
        }
        *v = static_cast<uint64_t>(d);
        return true;
      }
      case element_type::STRING: {
        std::string_view s;
        bool neg;
        if (e.get_string().get(s) != simdjson::SUCCESS || !ParseDecimal(s, v, &neg) || neg) break;
        return true;
      }
      default:
        break;
    }
    return Fail(std::string(what) + " is not an unsigned integer");
  }
  bool I64(element e, int64_t* v, std::string_view what) {
    switch (e.type()) {
      case element_type::INT64:
        return e.get_int64().get(*v) == simdjson::SUCCESS;
      case element_type::UINT64: {
        uint64_t u;
        if (e.get_uint64().get(u) != simdjson::SUCCESS) break;
        *v = static_cast<int64_t>(u);  // two's complement, as on the protobuf wire
        return true;
      }
      case element_type::DOUBLE: {
        double d;
        if (e.get_double().get(d) != simdjson::SUCCESS || !(d >= -9.2233720368547758e18) ||
            d >= 9.2233720368547758e18 || d != std::floor(d)) {
          break;
        }
        *v = static_cast<int64_t>(d);
        return true;
      }
      case element_type::STRING: {
        std::string_view s;
        uint64_t u;
        bool neg;
        if (e.get_string().get(s) != simdjson::SUCCESS || !ParseDecimal(s, &u, &neg)) break;
        if (neg ? u > (1ull << 63) : u > static_cast<uint64_t>(INT64_MAX)) break;
        *v = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
        return true;
      }
      default:
        break;
    }
    return Fail(std::string(what) + " is not an integer");
  }
  bool U32(element e, uint32_t* v, std::string_view what) {
    uint64_t x;
    if (!U64(e, &x, what)) return false;
    *v = static_cast<uint32_t>(x);  // as protobuf truncates a wider varint
    return true;
  }

  // An id as hex (the OTLP/JSON rule) or, when the length says so, standard base64 (the plain
  // proto3 JSON mapping some clients use). "" means absent.
  template <typename Id>
  static bool ParseId(std::string_view s, Id* id) {
    *id = Id();
    if (s.size() == 2 * Id::kSize) return Id::FromHex(s, id);
    return Id::FromBase64(s, id);
  }

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

  bool Attributes(element e, Range* r, uint32_t* dropped);
  bool KeyValueOf(element e, KeyValue* kv, uint32_t depth);
  bool Value(element e, AnyValue* v, uint32_t depth);
  bool ResourceSpans(element e);
  bool ScopeSpans(element e, uint32_t resource);
  bool SpanOf(element e, uint32_t resource, uint32_t scope);
  bool EventOf(element e, uint32_t event);
  bool LinkOf(element e, uint32_t link, bool* valid);

  const DecodeLimits& limits_;
  DecodeResult* out_;
  SpanBatch& b_;
  std::string error_;
  bool too_many_spans_ = false;
  std::vector<bool> keep_;
  bool any_rejected_ = false;
};

bool JsonDecoder::Request(element root) {
  object o;
  if (!Obj(root, &o, "the request")) return false;
  for (auto field : o) {
    Key k(field.key);
    if (k == "resourcespans") {
      if (field.value.is_null()) continue;
      array a;
      if (!Arr(field.value, &a, "resourceSpans")) return false;
      for (element rs : a) {
        if (!ResourceSpans(rs)) return false;
      }
    }
  }
  if (any_rejected_) b_.FilterSpans(keep_);
  return true;
}

bool JsonDecoder::ResourceSpans(element e) {
  object o;
  if (!Obj(e, &o, "resourceSpans[]")) return false;
  uint32_t resource = b_.AddResource();
  for (auto field : o) {
    Key k(field.key);
    if (field.value.is_null()) continue;
    if (k == "resource") {
      object res;
      if (!Obj(field.value, &res, "resource")) return false;
      for (auto rf : res) {
        Key rk(rf.key);
        if (rf.value.is_null()) continue;
        Resource& r = b_.resources[resource];
        if (rk == "attributes") {
          if (!Attributes(rf.value, &r.attributes, &r.dropped_attributes_count)) return false;
        } else if (rk == "droppedattributescount") {
          uint32_t n;
          if (!U32(rf.value, &n, "droppedAttributesCount")) return false;
          b_.resources[resource].dropped_attributes_count += n;
        }
      }
    } else if (k == "scopespans" || k == "instrumentationlibraryspans") {
      array a;
      if (!Arr(field.value, &a, "scopeSpans")) return false;
      for (element ss : a) {
        if (!ScopeSpans(ss, resource)) return false;
      }
    } else if (k == "schemaurl") {
      std::string_view s;
      if (!ValueText(field.value, &s, "schemaUrl")) return false;
      b_.resources[resource].schema_url = s;
    }
  }
  b_.RefreshServiceName(resource);
  return true;
}

bool JsonDecoder::ScopeSpans(element e, uint32_t resource) {
  object o;
  if (!Obj(e, &o, "scopeSpans[]")) return false;
  uint32_t scope = b_.AddScope();
  for (auto field : o) {
    Key k(field.key);
    if (field.value.is_null()) continue;
    if (k == "scope" || k == "instrumentationlibrary") {
      object so;
      if (!Obj(field.value, &so, "scope")) return false;
      for (auto sf : so) {
        Key sk(sf.key);
        if (sf.value.is_null()) continue;
        std::string_view s;
        if (sk == "name") {
          if (!Name(sf.value, &s, "scope.name")) return false;
          b_.scopes[scope].name = s;
        } else if (sk == "version") {
          if (!Name(sf.value, &s, "scope.version")) return false;
          b_.scopes[scope].version = s;
        } else if (sk == "attributes") {
          Scope& sc = b_.scopes[scope];
          if (!Attributes(sf.value, &sc.attributes, &sc.dropped_attributes_count)) return false;
        } else if (sk == "droppedattributescount") {
          uint32_t n;
          if (!U32(sf.value, &n, "droppedAttributesCount")) return false;
          b_.scopes[scope].dropped_attributes_count += n;
        }
      }
    } else if (k == "spans") {
      array a;
      if (!Arr(field.value, &a, "spans")) return false;
      for (element s : a) {
        if (!SpanOf(s, resource, scope)) return false;
      }
    } else if (k == "schemaurl") {
      std::string_view s;
      if (!ValueText(field.value, &s, "schemaUrl")) return false;
      b_.scopes[scope].schema_url = s;
    }
  }
  return true;
}

bool JsonDecoder::SpanOf(element e, uint32_t resource, uint32_t scope) {
  if (b_.spans.size() >= limits_.max_spans) {
    too_many_spans_ = true;
    return Fail("too many spans");
  }
  object o;
  if (!Obj(e, &o, "span")) return false;
  uint32_t row = b_.AddSpan();
  b_.spans.resource_index[row] = resource;
  b_.spans.scope_index[row] = scope;
  std::string_view trace_id, span_id, parent_id;
  SpanColumns& sp = b_.spans;
  for (auto field : o) {
    Key k(field.key);
    element v = field.value;
    if (v.is_null()) continue;
    uint32_t n;
    uint64_t t;
    std::string_view s;
    if (k == "traceid") {
      if (!Str(v, &trace_id, "traceId")) return false;
    } else if (k == "spanid") {
      if (!Str(v, &span_id, "spanId")) return false;
    } else if (k == "parentspanid") {
      if (!Str(v, &parent_id, "parentSpanId")) return false;
    } else if (k == "tracestate") {
      if (!ValueText(v, &s, "traceState")) return false;
      sp.trace_state[row] = s;
    } else if (k == "flags") {
      if (!U32(v, &n, "flags")) return false;
      sp.flags[row] = n;
    } else if (k == "name") {
      if (!Name(v, &s, "name")) return false;
      sp.name[row] = s;
    } else if (k == "kind") {
      SpanKind kind = SpanKind::kUnspecified;
      if (v.is_string()) {
        std::string_view name;
        if (v.get_string().get(name) != simdjson::SUCCESS) return Fail("kind");
        if (!ParseSpanKind(name, &kind)) kind = SpanKind::kUnspecified;
      } else {
        int64_t i;
        if (!I64(v, &i, "kind")) return false;
        kind = (i >= 0 && i <= 5) ? static_cast<SpanKind>(i) : SpanKind::kUnspecified;
      }
      sp.kind[row] = kind;
    } else if (k == "starttimeunixnano") {
      if (!U64(v, &t, "startTimeUnixNano")) return false;
      sp.start_time_unix_nano[row] = t;
    } else if (k == "endtimeunixnano") {
      if (!U64(v, &t, "endTimeUnixNano")) return false;
      sp.end_time_unix_nano[row] = t;
    } else if (k == "attributes") {
      if (!Attributes(v, &sp.attributes[row], &sp.dropped_attributes_count[row])) return false;
    } else if (k == "droppedattributescount") {
      if (!U32(v, &n, "droppedAttributesCount")) return false;
      sp.dropped_attributes_count[row] += n;
    } else if (k == "events") {
      array a;
      if (!Arr(v, &a, "events")) return false;
      for (element ev : a) {
        if (sp.events[row].count >= limits_.max_events) {
          ++sp.dropped_events_count[row];
          continue;
        }
        uint32_t er = b_.AddEvent();
        if (sp.events[row].count == 0) sp.events[row].begin = er;
        ++sp.events[row].count;
        if (!EventOf(ev, er)) return false;
      }
    } else if (k == "droppedeventscount") {
      if (!U32(v, &n, "droppedEventsCount")) return false;
      sp.dropped_events_count[row] += n;
    } else if (k == "links") {
      array a;
      if (!Arr(v, &a, "links")) return false;
      for (element lk : a) {
        if (sp.links[row].count >= limits_.max_links) {
          ++sp.dropped_links_count[row];
          continue;
        }
        uint32_t lr = b_.AddLink();
        bool valid = true;
        if (!LinkOf(lk, lr, &valid)) return false;
        if (!valid) {
          DropLastLink(&b_);
          ++sp.dropped_links_count[row];
          continue;
        }
        if (sp.links[row].count == 0) sp.links[row].begin = lr;
        ++sp.links[row].count;
      }
    } else if (k == "droppedlinkscount") {
      if (!U32(v, &n, "droppedLinksCount")) return false;
      sp.dropped_links_count[row] += n;
    } else if (k == "status") {
      object so;
      if (!Obj(v, &so, "status")) return false;
      for (auto sf : so) {
        Key sk(sf.key);
        if (sf.value.is_null()) continue;
        if (sk == "message") {
          if (!ValueText(sf.value, &s, "status.message")) return false;
          sp.status_message[row] = s;
        } else if (sk == "code") {
          SpanStatusCode code = SpanStatusCode::kUnset;
          if (sf.value.is_string()) {
            std::string_view name;
            if (sf.value.get_string().get(name) != simdjson::SUCCESS) return Fail("status.code");
            if (name == "STATUS_CODE_OK") code = SpanStatusCode::kOk;
            if (name == "STATUS_CODE_ERROR") code = SpanStatusCode::kError;
          } else {
            int64_t i;
            if (!I64(sf.value, &i, "status.code")) return false;
            code = (i >= 0 && i <= 2) ? static_cast<SpanStatusCode>(i) : SpanStatusCode::kUnset;
          }
          sp.status_code[row] = code;
        }
      }
    }
  }
  const char* why = nullptr;
  if (!ParseId(trace_id, &sp.trace_id[row]) || !sp.trace_id[row].IsValid()) {
    why = "span with an invalid traceId (must be 32 hex digits, not all zero)";
  } else if (!ParseId(span_id, &sp.span_id[row]) || !sp.span_id[row].IsValid()) {
    why = "span with an invalid spanId (must be 16 hex digits, not all zero)";
  } else if (!parent_id.empty() && !ParseId(parent_id, &sp.parent_span_id[row])) {
    why = "span with an invalid parentSpanId (must be empty or 16 hex digits)";
  }
  if (keep_.size() < b_.spans.size()) keep_.resize(b_.spans.size(), true);
  if (why != nullptr) {
    keep_[row] = false;
    any_rejected_ = true;
    out_->Reject(why);
  }
  return true;
}

bool JsonDecoder::EventOf(element e, uint32_t event) {
  object o;
  if (!Obj(e, &o, "event")) return false;
  for (auto field : o) {
    Key k(field.key);
    if (field.value.is_null()) continue;
    std::string_view s;
    if (k == "timeunixnano") {
      uint64_t t;
      if (!U64(field.value, &t, "timeUnixNano")) return false;
      b_.events.time_unix_nano[event] = t;
    } else if (k == "name") {
      if (!Name(field.value, &s, "event.name")) return false;
      b_.events.name[event] = s;
    } else if (k == "attributes") {
      if (!Attributes(field.value, &b_.events.attributes[event],
                      &b_.events.dropped_attributes_count[event])) {
        return false;
      }
    } else if (k == "droppedattributescount") {
      uint32_t n;
      if (!U32(field.value, &n, "droppedAttributesCount")) return false;
      b_.events.dropped_attributes_count[event] += n;
    }
  }
  return true;
}

bool JsonDecoder::LinkOf(element e, uint32_t link, bool* valid) {
  object o;
  if (!Obj(e, &o, "link")) return false;
  std::string_view trace_id, span_id;
  for (auto field : o) {
    Key k(field.key);
    if (field.value.is_null()) continue;
    std::string_view s;
    uint32_t n;
    if (k == "traceid") {
      if (!Str(field.value, &trace_id, "link.traceId")) return false;
    } else if (k == "spanid") {
      if (!Str(field.value, &span_id, "link.spanId")) return false;
    } else if (k == "tracestate") {
      if (!ValueText(field.value, &s, "link.traceState")) return false;
      b_.links.trace_state[link] = s;
    } else if (k == "attributes") {
      if (!Attributes(field.value, &b_.links.attributes[link],
                      &b_.links.dropped_attributes_count[link])) {
        return false;
      }
    } else if (k == "droppedattributescount") {
      if (!U32(field.value, &n, "droppedAttributesCount")) return false;
      b_.links.dropped_attributes_count[link] += n;
    } else if (k == "flags") {
      if (!U32(field.value, &n, "link.flags")) return false;
      b_.links.flags[link] = n;
    }
  }
  *valid = ParseId(trace_id, &b_.links.trace_id[link]) && b_.links.trace_id[link].IsValid() &&
           ParseId(span_id, &b_.links.span_id[link]) && b_.links.span_id[link].IsValid();
  return true;
}

bool JsonDecoder::Attributes(element e, Range* r, uint32_t* dropped) {
  array a;
  if (!Arr(e, &a, "attributes")) return false;
  for (element kv_el : a) {
    if (r->count >= limits_.max_attributes) {
      ++*dropped;
      continue;
    }
    KeyValue kv;
    if (!KeyValueOf(kv_el, &kv, 0)) return false;
    ExtendableRange(r);
    b_.attributes.push_back(kv);
    ++r->count;
  }
  return true;
}

bool JsonDecoder::KeyValueOf(element e, KeyValue* kv, uint32_t depth) {
  object o;
  if (!Obj(e, &o, "attribute")) return false;
  for (auto field : o) {
    Key k(field.key);
    if (field.value.is_null()) continue;
    if (k == "key") {
      if (!Name(field.value, &kv->key, "attribute key")) return false;
    } else if (k == "value") {
      if (!Value(field.value, &kv->value, depth)) return false;
    }
  }
  return true;
}

bool JsonDecoder::Value(element e, AnyValue* v, uint32_t depth) {
  object o;
  if (!Obj(e, &o, "value")) return false;
  for (auto field : o) {
    Key k(field.key);
    element x = field.value;
    if (x.is_null()) continue;
    if (k == "stringvalue") {
      std::string_view s;
      if (!Str(x, &s, "stringValue")) return false;
      *v = AnyValue::String(b_.Intern(TruncateUtf8(s, limits_.max_value_bytes)));
    } else if (k == "boolvalue") {
      bool bv;
      if (x.get_bool().get(bv) != simdjson::SUCCESS) return Fail("boolValue is not a boolean");
      *v = AnyValue::Bool(bv);
    } else if (k == "intvalue") {
      int64_t i;
      if (!I64(x, &i, "intValue")) return false;
      *v = AnyValue::Int(i);
    } else if (k == "doublevalue") {
      double d;
      if (x.is_string()) {
        std::string_view s;
        if (x.get_string().get(s) != simdjson::SUCCESS) return Fail("doubleValue");
        if (s == "NaN") {
          d = std::numeric_limits<double>::quiet_NaN();
        } else if (s == "Infinity") {
          d = std::numeric_limits<double>::infinity();
        } else if (s == "-Infinity") {
          d = -std::numeric_limits<double>::infinity();
        } else {
          auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
          if (ec != std::errc() || ptr != s.data() + s.size()) {
            return Fail("doubleValue is not a number");
          }
        }
      } else if (x.get_double().get(d) != simdjson::SUCCESS) {
        return Fail("doubleValue is not a number");
      }
      *v = AnyValue::Double(d);
    } else if (k == "bytesvalue") {
      std::string_view s;
      if (!Str(x, &s, "bytesValue")) return false;
      std::string raw;
      if (!DecodeBase64(s, &raw)) return Fail("bytesValue is not base64");
      *v = AnyValue::Bytes(b_.Intern(std::string_view(raw).substr(0, limits_.max_value_bytes)));
    } else if (k == "arrayvalue" || k == "kvlistvalue") {
      bool is_array = k == "arrayvalue";
      if (depth + 1 > limits_.max_value_depth) return Fail("AnyValue nested too deeply");
      object inner;
      if (!Obj(x, &inner, is_array ? "arrayValue" : "kvlistValue")) return false;
      array values;
      bool have = false;
      for (auto f : inner) {
        if (Key(f.key) == "values" && !f.value.is_null()) {
          if (!Arr(f.value, &values, "values")) return false;
          have = true;
        }
      }
      uint32_t n = 0;
      if (have) {
        for (element child : values) {
          (void)child;
          ++n;
        }
      }
      AnyValue out;
      out.type = is_array ? ValueType::kArray : ValueType::kKvList;
      uint32_t begin;
      if (is_array) {
        begin = static_cast<uint32_t>(b_.array_values.size());
        b_.array_values.resize(begin + n);
      } else {
        begin = static_cast<uint32_t>(b_.kvlist_values.size());
        b_.kvlist_values.resize(begin + n);
      }
      if (have) {
        uint32_t i = 0;
        for (element child : values) {
          if (is_array) {
            AnyValue cv;
            if (!Value(child, &cv, depth + 1)) return false;
            b_.array_values[begin + i] = cv;
          } else {
            KeyValue ckv;
            if (!KeyValueOf(child, &ckv, depth + 1)) return false;
            b_.kvlist_values[begin + i] = ckv;
          }
          ++i;
        }
      }
      out.children = {begin, n};
      *v = out;
    }
  }
  return true;
}

thread_local simdjson::dom::parser tls_parser;

// ---------------------------------------------------------------------------------------------
// Encoding.

void AppendUint(uint64_t v, std::string* out) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out->append(buf, ptr);
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out->append(buf, ptr);
}

// "key":"decimal" (64-bit integers are strings in OTLP/JSON).
void AppendU64Field(std::string_view key, uint64_t v, std::string* out) {
  out->append(",\"").append(key).append("\":\"");
  AppendUint(v, out);
  out->push_back('"');
}

void AppendCountField(std::string_view key, uint32_t v, std::string* out) {
  if (v == 0) return;
  out->append(",\"").append(key).append("\":");
  AppendUint(v, out);
}

class JsonEncoder {
 public:
  JsonEncoder(const SpanBatch& b, std::string* out) : b_(b), out_(out) {}

  void ResourceSpansArray() {
    std::vector<ResourceGroup> groups = GroupSpans(b_);
    out_->push_back('[');
    bool first_rs = true;
    for (const ResourceGroup& rg : groups) {
      if (!first_rs) out_->push_back(',');
      first_rs = false;
      const Resource& r = b_.resources[rg.resource];
      out_->append("{\"resource\":{\"attributes\":");
      Attributes(r.attributes);
      AppendCountField("droppedAttributesCount", r.dropped_attributes_count, out_);
      out_->append("},\"scopeSpans\":[");
      bool first_ss = true;
      for (const ScopeGroup& sg : rg.scopes) {
        if (!first_ss) out_->push_back(',');
        first_ss = false;
        const Scope& s = b_.scopes[sg.scope];
        out_->append("{\"scope\":{\"name\":");
        AppendJsonString(out_, s.name);
        if (!s.version.empty()) {
          out_->append(",\"version\":");
          AppendJsonString(out_, s.version);
        }
        if (s.attributes.count != 0) {
          out_->append(",\"attributes\":");
          Attributes(s.attributes);
        }
        AppendCountField("droppedAttributesCount", s.dropped_attributes_count, out_);
        out_->append("},\"spans\":[");
        for (size_t i = 0; i < sg.spans.size(); ++i) {
          if (i != 0) out_->push_back(',');
          Span(sg.spans[i]);
        }
        out_->push_back(']');
        if (!s.schema_url.empty()) {
          out_->append(",\"schemaUrl\":");
          AppendJsonString(out_, s.schema_url);
        }
        out_->push_back('}');
      }
      out_->push_back(']');
      if (!r.schema_url.empty()) {
        out_->append(",\"schemaUrl\":");
        AppendJsonString(out_, r.schema_url);
      }
      out_->push_back('}');
    }
    out_->push_back(']');
  }

 private:
  void Span(uint32_t i) {
    const SpanColumns& s = b_.spans;
    out_->append("{\"traceId\":\"");
    s.trace_id[i].AppendHex(out_);
    out_->append("\",\"spanId\":\"");
    s.span_id[i].AppendHex(out_);
    out_->push_back('"');
    if (!s.trace_state[i].empty()) {
      out_->append(",\"traceState\":");
      AppendJsonString(out_, s.trace_state[i]);
    }
    if (s.parent_span_id[i].IsValid()) {
      out_->append(",\"parentSpanId\":\"");
      s.parent_span_id[i].AppendHex(out_);
      out_->push_back('"');
    }
    AppendCountField("flags", s.flags[i], out_);
    out_->append(",\"name\":");
    AppendJsonString(out_, s.name[i]);
    out_->append(",\"kind\":");
    AppendUint(static_cast<uint64_t>(s.kind[i]), out_);
    AppendU64Field("startTimeUnixNano", s.start_time_unix_nano[i], out_);
    AppendU64Field("endTimeUnixNano", s.end_time_unix_nano[i], out_);
    out_->append(",\"attributes\":");
    Attributes(s.attributes[i]);
    AppendCountField("droppedAttributesCount", s.dropped_attributes_count[i], out_);
    out_->append(",\"events\":[");
    Range ev = s.events[i];
    for (uint32_t e = ev.begin; e < ev.end(); ++e) {
      if (e != ev.begin) out_->push_back(',');
      out_->append("{\"timeUnixNano\":\"");
      AppendUint(b_.events.time_unix_nano[e], out_);
      out_->append("\",\"name\":");
      AppendJsonString(out_, b_.events.name[e]);
      out_->append(",\"attributes\":");
      Attributes(b_.events.attributes[e]);
      AppendCountField("droppedAttributesCount", b_.events.dropped_attributes_count[e], out_);
      out_->push_back('}');
    }
    out_->push_back(']');
    AppendCountField("droppedEventsCount", s.dropped_events_count[i], out_);
    out_->append(",\"links\":[");
    Range lk = s.links[i];
    for (uint32_t l = lk.begin; l < lk.end(); ++l) {
      if (l != lk.begin) out_->push_back(',');
      out_->append("{\"traceId\":\"");
      b_.links.trace_id[l].AppendHex(out_);
      out_->append("\",\"spanId\":\"");
      b_.links.span_id[l].AppendHex(out_);
      out_->push_back('"');
      if (!b_.links.trace_state[l].empty()) {
        out_->append(",\"traceState\":");
        AppendJsonString(out_, b_.links.trace_state[l]);
      }
      out_->append(",\"attributes\":");
      Attributes(b_.links.attributes[l]);
      AppendCountField("droppedAttributesCount", b_.links.dropped_attributes_count[l], out_);
      AppendCountField("flags", b_.links.flags[l], out_);
      out_->push_back('}');
    }
    out_->push_back(']');
    AppendCountField("droppedLinksCount", s.dropped_links_count[i], out_);
    out_->append(",\"status\":{");
    bool comma = false;
    if (!s.status_message[i].empty()) {
      out_->append("\"message\":");
      AppendJsonString(out_, s.status_message[i]);
      comma = true;
    }
    if (s.status_code[i] != SpanStatusCode::kUnset) {
      if (comma) out_->push_back(',');
      out_->append("\"code\":");
      AppendUint(static_cast<uint64_t>(s.status_code[i]), out_);
    }
    out_->append("}}");
  }

  void Attributes(Range r) {
    out_->push_back('[');
    for (uint32_t i = r.begin; i < r.end(); ++i) {
      if (i != r.begin) out_->push_back(',');
      KeyValueOut(b_.attributes[i]);
    }
    out_->push_back(']');
  }

  void KeyValueOut(const KeyValue& kv) {
    out_->append("{\"key\":");
    AppendJsonString(out_, kv.key);
    out_->append(",\"value\":");
    ValueOut(kv.value);
    out_->push_back('}');
  }

  void ValueOut(const AnyValue& v) {
    switch (v.type) {
      case ValueType::kEmpty:
        out_->append("{}");
        break;
      case ValueType::kString:
        out_->append("{\"stringValue\":");
        AppendJsonString(out_, v.str);
        out_->push_back('}');
        break;
      case ValueType::kBool:
        out_->append(v.bool_value ? "{\"boolValue\":true}" : "{\"boolValue\":false}");
        break;
      case ValueType::kInt:
        out_->append("{\"intValue\":\"");
        AppendInt(v.int_value, out_);
        out_->append("\"}");
        break;
      case ValueType::kDouble: {
        out_->append("{\"doubleValue\":");
        double d = v.double_value;
        if (std::isnan(d)) {
          out_->append("\"NaN\"");
        } else if (std::isinf(d)) {
          out_->append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else {
          char buf[32];
          auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
          (void)ec;
          out_->append(buf, ptr);
        }
        out_->push_back('}');
        break;
      }
      case ValueType::kBytes:
        out_->append("{\"bytesValue\":\"");
        AppendBase64(v.str, out_);
        out_->append("\"}");
        break;
      case ValueType::kArray:
        out_->append("{\"arrayValue\":{\"values\":[");
        for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
          if (i != v.children.begin) out_->push_back(',');
          ValueOut(b_.array_values[i]);
        }
        out_->append("]}}");
        break;
      case ValueType::kKvList:
        out_->append("{\"kvlistValue\":{\"values\":[");
        for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
          if (i != v.children.begin) out_->push_back(',');
          KeyValueOut(b_.kvlist_values[i]);
        }
        out_->append("]}}");
        break;
    }
  }

  const SpanBatch& b_;
  std::string* out_;
};

// Documents up to this size reuse a per-thread parser; bigger ones get a parser of their own,
// freed after the call, so one huge request does not pin its parse buffers in every thread.
constexpr size_t kReusedParserMaxBytes = 1 << 20;

Status DecodeWith(simdjson::dom::parser& parser, std::string_view json, const DecodeLimits& limits,
                  DecodeResult* out) {
  element root;
  auto err = parser.parse(json.data(), json.size()).get(root);
  if (err != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("malformed OTLP/JSON request: ") +
                                   simdjson::error_message(err));
  }
  JsonDecoder d(limits, out);
  if (d.Request(root)) return Status::Ok();
  out->batch = SpanBatch();
  out->rejected_spans = 0;
  out->error_message.clear();
  if (d.too_many_spans()) {
    return Status::ResourceExhausted("OTLP/JSON request holds more than " +
                                     std::to_string(limits.max_spans) + " spans");
  }
  return Status::InvalidArgument("malformed OTLP/JSON request: " + d.error());
}

}  // namespace

Status DecodeOtlpJson(std::string_view json, const DecodeLimits& limits, DecodeResult* out) {
  *out = DecodeResult();
  if (json.size() <= kReusedParserMaxBytes) return DecodeWith(tls_parser, json, limits, out);
  simdjson::dom::parser parser;
  return DecodeWith(parser, json, limits, out);
}

void EncodeOtlpJson(const SpanBatch& batch, std::string* out) {
  out->append("{\"resourceSpans\":");
  AppendOtlpJsonResourceSpans(batch, out);
  out->append("}");
}

void AppendOtlpJsonResourceSpans(const SpanBatch& batch, std::string* out) {
  JsonEncoder(batch, out).ResourceSpansArray();
}

void EncodeOtlpJsonResponse(int64_t rejected_spans, std::string_view error_message,
                            std::string* out) {
  if (rejected_spans == 0 && error_message.empty()) {
    out->append("{}");
    return;
  }
  out->append("{\"partialSuccess\":{\"rejectedSpans\":\"");
  AppendInt(rejected_spans, out);
  out->append("\",\"errorMessage\":");
  AppendJsonString(out, error_message);
  out->append("}}");
}

Status DecodeOtlpJsonResponse(std::string_view json, int64_t* rejected_spans,
                              std::string* error_message) {
  *rejected_spans = 0;
  error_message->clear();
  if (json.empty()) return Status::Ok();  // an empty body is an empty response
  element root;
  auto err = tls_parser.parse(json.data(), json.size()).get(root);
  object o;
  if (err != simdjson::SUCCESS || root.get_object().get(o) != simdjson::SUCCESS) {
    return Status::InvalidArgument("malformed OTLP/JSON response");
  }
  for (auto field : o) {
    if (!(Key(field.key) == "partialsuccess") || field.value.is_null()) continue;
    object ps;
    if (field.value.get_object().get(ps) != simdjson::SUCCESS) {
      return Status::InvalidArgument("malformed OTLP/JSON response: partialSuccess");
    }
    for (auto f : ps) {
      Key k(f.key);
      if (k == "rejectedspans") {
        int64_t n = 0;
        std::string_view s;
        uint64_t u;
        bool neg;
        if (f.value.get_int64().get(n) == simdjson::SUCCESS) {
          *rejected_spans = n;
        } else if (f.value.get_string().get(s) == simdjson::SUCCESS && ParseDecimal(s, &u, &neg) &&
                   !neg) {
          *rejected_spans = static_cast<int64_t>(u);
        } else if (!f.value.is_null()) {
          return Status::InvalidArgument("malformed OTLP/JSON response: rejectedSpans");
        }
      } else if (k == "errormessage") {
        std::string_view s;
        if (f.value.get_string().get(s) == simdjson::SUCCESS) error_message->assign(s);
      }
    }
  }
  return Status::Ok();
}

}  // namespace ariadne
