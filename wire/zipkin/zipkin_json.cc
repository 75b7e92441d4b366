#include "wire/zipkin/zipkin_json.h"

#include <string>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "base/utf8.h"

namespace ariadne {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Reads a non-negative integer count of microseconds (some clients send it as a float).
bool ReadMicros(element e, uint64_t* out) {
  switch (e.type()) {
    case element_type::UINT64:
      *out = e.get_uint64().value_unsafe();
      return true;
    case element_type::INT64: {
      int64_t v = e.get_int64().value_unsafe();
      if (v < 0) return false;
      *out = static_cast<uint64_t>(v);
      return true;
    }
    case element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      if (!(d >= 0) || d > 1.8e16) return false;
      *out = static_cast<uint64_t>(d + 0.5);
      return true;
    }
    default:
      return false;
  }
}

constexpr uint64_t kMaxMicros = UINT64_MAX / 2000;

class ZipkinDecoder {
 public:
  ZipkinDecoder(const DecodeLimits& limits, DecodeResult* out)
      : limits_(limits), out_(*out), b_(out->batch) {}

  Status Decode(simdjson::dom::array spans) {
    size_t n = spans.size();
    if (n > limits_.max_spans || b_.size() + n > limits_.max_spans) {
      return Status::ResourceExhausted("Zipkin request holds " + std::to_string(n) +
                                       " spans, more than the limit of " +
                                       std::to_string(limits_.max_spans));
    }
    size_t first = b_.size();
    std::vector<uint32_t> rejected;
    size_t index = 0;
    for (element e : spans) {
      uint32_t row = b_.AddSpan();
      const char* why = DecodeSpan(e, row);
      if (why != nullptr) {
        out_.Reject(std::string(why) + " (span " + std::to_string(index) + ")");
        rejected.push_back(row);
      }
      ++index;
    }
    if (!rejected.empty()) {
      std::vector<bool> keep(b_.size(), true);
      for (uint32_t r : rejected) keep[r] = false;
      b_.FilterSpans(keep);
    }
    (void)first;
    return Status::Ok();
  }

 private:
  // Free text (attribute values, status messages) and names (span, event and scope names,
  // attribute keys), each cut to its limit at a UTF-8 boundary and copied into the batch.
  std::string_view Str(std::string_view s) {
    return b_.Intern(TruncateUtf8(s, limits_.max_value_bytes));
  }
  std::string_view Name(std::string_view s) {
    return b_.Intern(TruncateUtf8(s, limits_.max_name_bytes));
  }

  void AddAttr(std::string_view key, const AnyValue& v, Range* r, uint32_t* dropped) {
    if (r->count >= limits_.max_attributes) {
      ++*dropped;
      return;
    }
    uint32_t i = b_.AddAttribute(Name(key), v);
    if (r->count == 0) r->begin = i;
    ++r->count;
  }

  // The endpoint's fields; false if it is not an object or a field has the wrong type.
  struct Endpoint {
    std::string_view service;
    std::string_view ipv4;
    std::string_view ipv6;
    int64_t port = -1;
  };
  static bool ReadEndpoint(element e, Endpoint* ep) {
    object o;
    if (e.get_object().get(o)) return e.is_null();
    for (auto field : o) {
      std::string_view k = field.key;
      element v = field.value;
      if (v.is_null()) continue;
      if (k == "serviceName") {
        if (v.get_string().get(ep->service)) return false;
      } else if (k == "ipv4") {
        if (v.get_string().get(ep->ipv4)) return false;
      } else if (k == "ipv6") {
        if (v.get_string().get(ep->ipv6)) return false;
      } else if (k == "port") {
        int64_t p;
        if (v.get_int64().get(p) || p < 0 || p > 65535) return false;
        ep->port = p;
      }
    }
    return true;
  }

  uint32_t ResourceFor(const Endpoint& ep) {
    key_.clear();
    for (std::string_view part : {ep.service, ep.ipv4, ep.ipv6}) {
      key_.append(part);
      key_.push_back('\0');
    }
    key_ += std::to_string(ep.port);
    auto it = resources_.find(key_);
    if (it != resources_.end()) return it->second;
    uint32_t index = b_.AddResource();
    Resource& res = b_.resources[index];
    Range r;
    uint32_t dropped = 0;
    AddAttr("service.name", AnyValue::String(Str(ep.service)), &r, &dropped);
    std::string_view ip = !ep.ipv4.empty() ? ep.ipv4 : ep.ipv6;
    if (!ip.empty()) AddAttr("network.local.address", AnyValue::String(Str(ip)), &r, &dropped);
    if (!ep.ipv4.empty() && !ep.ipv6.empty()) {
      AddAttr("network.local.address.ipv6", AnyValue::String(Str(ep.ipv6)), &r, &dropped);
    }
    if (ep.port > 0) AddAttr("network.local.port", AnyValue::Int(ep.port), &r, &dropped);
    b_.resources[index].attributes = r;
    res.dropped_attributes_count = dropped;
    b_.RefreshServiceName(index);
    resources_.emplace(key_, index);
    return index;
  }

  uint32_t ScopeFor(std::string_view name, std::string_view version) {
    name = TruncateUtf8(name, limits_.max_name_bytes);
    version = TruncateUtf8(version, limits_.max_name_bytes);
    for (const auto& s : scopes_) {
      if (s.name == name && s.version == version) return s.index;
    }
    uint32_t index = b_.AddScope();
    b_.scopes[index].name = name.empty() ? std::string_view() : b_.Intern(name);
    b_.scopes[index].version = version.empty() ? std::string_view() : b_.Intern(version);
    scopes_.push_back({b_.scopes[index].name, b_.scopes[index].version, index});
    return index;
  }

  static bool ParseCount(std::string_view s, uint32_t* out) {
    if (s.empty() || s.size() > 9) return false;
    uint32_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint32_t>(c - '0');
    }
    *out = v;
    return true;
  }

  // Fills span `row`; returns why it is malformed, or nullptr.
  const char* DecodeSpan(element e, uint32_t row) {
    SpanColumns& s = b_.spans;
    object o;
    if (e.get_object().get(o)) return "span is not a JSON object";
    bool have_trace = false, have_id = false;
    Endpoint local, remote;
    element tags_el, annotations_el;
    bool have_tags = false, have_annotations = false, have_remote = false;
    bool shared = false, debug = false;
    uint64_t ts = 0, duration = 0;
    s.kind[row] = SpanKind::kInternal;  // absent kind: a local span
    s.flags[row] = 0x01;                // reported Zipkin spans are sampled
    for (auto field : o) {
      std::string_view k = field.key;
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view str;
      if (k == "traceId") {
        if (v.get_string().get(str)) return "traceId is not a string";
        if ((str.size() != 16 && str.size() != 32) ||
            !TraceId::FromHex(str, &s.trace_id[row], true)) {
          return "traceId is not 16 or 32 hex digits";
        }
        have_trace = true;
      } else if (k == "id") {
        if (v.get_string().get(str)) return "id is not a string";
        if (str.empty() || !SpanId::FromHex(str, &s.span_id[row], true)) {
          return "id is not up to 16 hex digits";
        }
        have_id = true;
      } else if (k == "parentId") {
        if (v.get_string().get(str)) return "parentId is not a string";
        if (!str.empty() && !SpanId::FromHex(str, &s.parent_span_id[row], true)) {
          return "parentId is not up to 16 hex digits";
        }
      } else if (k == "name") {
        if (v.get_string().get(str)) return "name is not a string";
        s.name[row] = Name(str);
      } else if (k == "kind") {
        if (v.get_string().get(str)) return "kind is not a string";
        if (str == "CLIENT") {
          s.kind[row] = SpanKind::kClient;
        } else if (str == "SERVER") {
          s.kind[row] = SpanKind::kServer;
        } else if (str == "PRODUCER") {
          s.kind[row] = SpanKind::kProducer;
        } else if (str == "CONSUMER") {
          s.kind[row] = SpanKind::kConsumer;
        } else {
          return "unknown kind";
        }
      } else if (k == "timestamp") {
        if (!ReadMicros(v, &ts) || ts > kMaxMicros)
          return "timestamp is not a valid microsecond count";
      } else if (k == "duration") {
        if (!ReadMicros(v, &duration) || duration > kMaxMicros) {
          return "duration is not a valid microsecond count";
        }
      } else if (k == "localEndpoint") {
        if (!ReadEndpoint(v, &local)) return "malformed localEndpoint";
      } else if (k == "remoteEndpoint") {
        if (!ReadEndpoint(v, &remote)) return "malformed remoteEndpoint";
        have_remote = true;
      } else if (k == "tags") {
        tags_el = v;
        have_tags = true;
      } else if (k == "annotations") {
        annotations_el = v;
        have_annotations = true;
      } else if (k == "debug") {
        if (v.get_bool().get(debug)) return "debug is not a bool";
      } else if (k == "shared") {
        if (v.get_bool().get(shared)) return "shared is not a bool";
      }
    }
    if (!have_trace) return "span has no traceId";
    if (!have_id) return "span has no id";
    if (!s.trace_id[row].IsValid()) return "span has an all-zero trace id";
    if (!s.span_id[row].IsValid()) return "span has an all-zero id";
    s.start_time_unix_nano[row] = ts * 1000;
    s.end_time_unix_nano[row] = (ts + duration) * 1000;
    s.resource_index[row] = ResourceFor(local);

    Range attrs{static_cast<uint32_t>(b_.attributes.size()), 0};
    uint32_t dropped = 0;
    std::string_view scope_name, scope_version, status_code, status_description;
    bool error_tag = false;
    std::string_view error_message;
    if (have_tags) {
      object t;
      if (tags_el.get_object().get(t)) return "tags is not an object";
      for (auto field : t) {
        std::string_view k = field.key;
        element v = field.value;
        std::string_view sv;
        bool is_string = !v.get_string().get(sv);
        if (is_string) {
          if (k == "error") {
            error_tag = true;
            if (sv != "true" && sv != "") error_message = sv;
            continue;
          }
          if (k == "otel.status_code") {
            status_code = sv;
            continue;
          }
          if (k == "otel.status_description") {
            status_description = sv;
            continue;
          }
          if (k == "otel.scope.name" || k == "otel.library.name") {
            scope_name = sv;
            continue;
          }
          if (k == "otel.scope.version" || k == "otel.library.version") {
            scope_version = sv;
            continue;
          }
          uint32_t* count_dst = k == "otel.dropped_attributes_count"
                                    ? &s.dropped_attributes_count[row]
                                : k == "otel.dropped_events_count" ? &s.dropped_events_count[row]
                                : k == "otel.dropped_links_count"  ? &s.dropped_links_count[row]
                                                                   : nullptr;
          if (count_dst != nullptr && ParseCount(sv, count_dst)) continue;
          if (k == "service.name" && sv == b_.ServiceName(row)) continue;  // the resource has it
          AddAttr(k, AnyValue::String(Str(sv)), &attrs, &dropped);
          continue;
        }
        // Tags are strings in the spec; some clients send other scalars: keep them typed.
        bool bv;
        int64_t iv;
        double dv;
        if (!v.get_bool().get(bv)) {
          if (k == "error") {
            error_tag = bv;
            if (bv) continue;
          }
          AddAttr(k, AnyValue::Bool(bv), &attrs, &dropped);
        } else if (!v.get_int64().get(iv)) {
          AddAttr(k, AnyValue::Int(iv), &attrs, &dropped);
        } else if (!v.get_double().get(dv)) {
          AddAttr(k, AnyValue::Double(dv), &attrs, &dropped);
        } else if (!v.is_null()) {
          return "a tag value is not a string";
        }
      }
    }
    if (have_remote) {
      if (!remote.service.empty()) {
        AddAttr("peer.service", AnyValue::String(Str(remote.service)), &attrs, &dropped);
      }
      std::string_view ip = !remote.ipv4.empty() ? remote.ipv4 : remote.ipv6;
      if (!ip.empty()) AddAttr("network.peer.address", AnyValue::String(Str(ip)), &attrs, &dropped);
      if (remote.port > 0)
        AddAttr("network.peer.port", AnyValue::Int(remote.port), &attrs, &dropped);
    }
    if (shared) AddAttr("zipkin.shared", AnyValue::Bool(true), &attrs, &dropped);
    if (debug) AddAttr("zipkin.debug", AnyValue::Bool(true), &attrs, &dropped);
    s.attributes[row] = attrs;
    s.dropped_attributes_count[row] += dropped;

    if (status_code == "ERROR" || (status_code.empty() && error_tag)) {
      s.status_code[row] = SpanStatusCode::kError;
      std::string_view msg = !status_description.empty() ? status_description : error_message;
      s.status_message[row] = Str(msg);
    } else if (status_code == "OK") {
      s.status_code[row] = SpanStatusCode::kOk;
    }
    s.scope_index[row] = ScopeFor(scope_name, scope_version);

    if (have_annotations) {
      simdjson::dom::array list;
      if (annotations_el.get_array().get(list)) return "annotations is not a list";
      for (element a : list) {
        object ao;
        if (a.get_object().get(ao)) return "annotation is not an object";
        uint64_t ats = 0;
        std::string_view value;
        for (auto field : ao) {
          if (field.key == "timestamp") {
            if (!ReadMicros(field.value, &ats) || ats > kMaxMicros) {
              return "annotation timestamp is not a valid microsecond count";
            }
          } else if (field.key == "value") {
            if (field.value.get_string().get(value)) return "annotation value is not a string";
          }
        }
        if (s.events[row].count >= limits_.max_events) {
          ++s.dropped_events_count[row];
          continue;
        }
        uint32_t ev = b_.AddEvent();
        if (s.events[row].count == 0) s.events[row].begin = ev;
        ++s.events[row].count;
        b_.events.name[ev] = Name(value);
        b_.events.time_unix_nano[ev] = ats * 1000;
      }
    }
    return nullptr;
  }

  struct ScopeKey {
    std::string_view name;
    std::string_view version;
    uint32_t index;
  };

  const DecodeLimits& limits_;
  DecodeResult& out_;
  SpanBatch& b_;
  std::string key_;
  std::unordered_map<std::string, uint32_t> resources_;
  std::vector<ScopeKey> scopes_;
};

}  // namespace

Status DecodeZipkinJson(std::string_view json, const DecodeLimits& limits, DecodeResult* out) {
  // One parser per thread: it keeps its buffers between calls.
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element doc;
  auto err = parser.parse(padded).get(doc);
  if (err) {
    return Status::InvalidArgument(std::string("malformed Zipkin JSON: ") +
                                   simdjson::error_message(err));
  }
  simdjson::dom::array spans;
  if (doc.get_array().get(spans)) {
    return Status::InvalidArgument("Zipkin JSON body is not a list of spans");
  }
  ZipkinDecoder decoder(limits, out);
  return decoder.Decode(spans);
}

}  // namespace ariadne
