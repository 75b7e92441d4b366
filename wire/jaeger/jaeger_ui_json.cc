#include "wire/jaeger/jaeger_ui_json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/json_string.h"
#include "model/ids.h"

namespace ariadne {
namespace {

constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;
constexpr int kMaxValueDepth = 16;
constexpr char kHex[] = "0123456789abcdef";

void AppendNumber(double d, std::string* out) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), d);
  out->append(buf, res.ptr);
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, res.ptr);
}

void AppendUint(uint64_t v, std::string* out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, res.ptr);
}

// Two lower-case hex digits per byte value, so an id is one table lookup per byte and one append.
struct HexPairs {
  char pairs[256][2];
  constexpr HexPairs() : pairs() {
    for (int b = 0; b < 256; ++b) {
      pairs[b][0] = kHex[b >> 4];
      pairs[b][1] = kHex[b & 15];
    }
  }
};
constexpr HexPairs kHexPairs;

// Appends the bytes [first, last) of an id as a quoted hex string.
template <size_t N>
void AppendQuotedHex(const std::array<uint8_t, N>& bytes, size_t first, std::string* out) {
  char buf[2 * N + 2];
  char* p = buf;
  *p++ = '"';
  for (size_t i = first; i < N; ++i) {
    *p++ = kHexPairs.pairs[bytes[i]][0];
    *p++ = kHexPairs.pairs[bytes[i]][1];
  }
  *p++ = '"';
  out->append(buf, static_cast<size_t>(p - buf));
}

// Jaeger's id rendering: 16 hex digits for a 64-bit trace id (high half zero), else 32.
void AppendTraceIdHex(const TraceId& id, std::string* out) {
  AppendQuotedHex(id.bytes, id.High() == 0 ? 8 : 0, out);
}

void AppendSpanIdHex(const SpanId& id, std::string* out) { AppendQuotedHex(id.bytes, 0, out); }

// The quoted hex of the trace's own id, rendered once: every span and most references repeat it.
class TraceIdCache {
 public:
  void Append(const TraceId& id, std::string* out) {
    if (!valid_ || !(id == id_)) {
      id_ = id;
      text_.clear();
      AppendTraceIdHex(id, &text_);
      valid_ = true;
    }
    out->append(text_);
  }

 private:
  TraceId id_;
  std::string text_;
  bool valid_ = false;
};

// A double as JSON: non-finite values have no JSON number form, so they become strings.
void AppendDoubleJson(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("\"NaN\"");
  } else if (std::isinf(d)) {
    out->append(d > 0 ? "\"+Inf\"" : "\"-Inf\"");
  } else {
    AppendNumber(d, out);
  }
}

// A value as plain JSON (for arrays and maps, which Jaeger tags carry as JSON strings).
void AppendValueJson(const SpanBatch& b, const AnyValue& v, int depth, std::string* out) {
  if (depth > kMaxValueDepth) {
    out->append("null");
    return;
  }
  switch (v.type) {
    case ValueType::kEmpty:
      out->append("null");
      return;
    case ValueType::kString:
      AppendJsonString(out, v.str);
      return;
    case ValueType::kBool:
      out->append(v.bool_value ? "true" : "false");
      return;
    case ValueType::kInt:
      AppendInt(v.int_value, out);
      return;
    case ValueType::kDouble:
      AppendDoubleJson(v.double_value, out);
      return;
    case ValueType::kBytes: {
      std::string b64;
      AppendBase64(v.str, &b64);
      AppendJsonString(out, b64);
      return;
    }
    case ValueType::kArray: {
      out->push_back('[');
      for (uint32_t i = 0; i < v.children.count; ++i) {
        if (i > 0) out->push_back(',');
        size_t idx = v.children.begin + i;
        if (idx >= b.array_values.size()) break;
        AppendValueJson(b, b.array_values[idx], depth + 1, out);
      }
      out->push_back(']');
      return;
    }
    case ValueType::kKvList: {
      out->push_back('{');
      for (uint32_t i = 0; i < v.children.count; ++i) {
        size_t idx = v.children.begin + i;
        if (idx >= b.kvlist_values.size()) break;
        if (i > 0) out->push_back(',');
        AppendJsonString(out, b.kvlist_values[idx].key);
        out->push_back(':');
        AppendValueJson(b, b.kvlist_values[idx].value, depth + 1, out);
      }
      out->push_back('}');
      return;
    }
  }
  out->append("null");
}

class TagWriter {
 public:
  explicit TagWriter(std::string* out) : out_(*out) {}

  void Begin(std::string_view key, std::string_view type) {
    out_.append(first_ ? "{\"key\":" : ",{\"key\":");
    first_ = false;
    AppendJsonString(&out_, key);
    out_.append(",\"type\":\"");
    out_.append(type);
    out_.append("\",\"value\":");
  }
  void String(std::string_view key, std::string_view value) {
    Begin(key, "string");
    AppendJsonString(&out_, value);
    out_.push_back('}');
  }
  void Bool(std::string_view key, bool value) {
    Begin(key, "bool");
    out_.append(value ? "true}" : "false}");
  }
  void Int(std::string_view key, int64_t value) {
    Begin(key, "int64");
    // Beyond ±(2^53−1) a JSON number loses precision in JavaScript: Jaeger sends a string.
    if (value > kMaxSafeInteger || value < -kMaxSafeInteger) {
      out_.push_back('"');
      AppendInt(value, &out_);
      out_.push_back('"');
    } else {
      AppendInt(value, &out_);
    }
    out_.push_back('}');
  }
  void Value(const SpanBatch& b, const KeyValue& kv) {
    const AnyValue& v = kv.value;
    switch (v.type) {
      case ValueType::kString:
        String(kv.key, v.str);
        return;
      case ValueType::kBool:
        Bool(kv.key, v.bool_value);
        return;
      case ValueType::kInt:
        Int(kv.key, v.int_value);
        return;
      case ValueType::kDouble:
        Begin(kv.key, "float64");
        AppendDoubleJson(v.double_value, &out_);
        out_.push_back('}');
        return;
      case ValueType::kBytes: {
        Begin(kv.key, "binary");
        std::string b64;
        AppendBase64(v.str, &b64);
        AppendJsonString(&out_, b64);
        out_.push_back('}');
        return;
      }
      case ValueType::kEmpty:
        String(kv.key, "");
        return;
      case ValueType::kArray:
      case ValueType::kKvList: {
        std::string json;
        AppendValueJson(b, v, 0, &json);
        String(kv.key, json);
        return;
      }
    }
  }
  void Attributes(const SpanBatch& b, Range r) {
    for (uint32_t i = r.begin; i < r.end() && i < b.attributes.size(); ++i)
      Value(b, b.attributes[i]);
  }

 private:
  std::string& out_;
  bool first_ = true;
};

std::string_view LinkRefType(const SpanBatch& b, uint32_t link) {
  Range r = b.links.attributes[link];
  for (uint32_t i = r.begin; i < r.end() && i < b.attributes.size(); ++i) {
    const KeyValue& kv = b.attributes[i];
    if (kv.key == "jaeger.ref_type" && kv.value.type == ValueType::kString &&
        kv.value.str == "CHILD_OF") {
      return "CHILD_OF";
    }
  }
  return "FOLLOWS_FROM";
}

void AppendReference(std::string_view type, const TraceId& trace, const SpanId& span, bool first,
                     TraceIdCache* ids, std::string* out) {
  out->append(first ? "{\"refType\":\"" : ",{\"refType\":\"");
  out->append(type);
  out->append("\",\"traceID\":");
  ids->Append(trace, out);
  out->append(",\"spanID\":");
  AppendSpanIdHex(span, out);
  out->push_back('}');
}

void AppendProcess(const SpanBatch& b, uint32_t resource, std::string* out) {
  out->append("{\"serviceName\":");
  std::string_view service;
  if (resource < b.resources.size()) service = b.resources[resource].service_name;
  AppendJsonString(out, service);
  out->append(",\"tags\":[");
  if (resource < b.resources.size()) {
    TagWriter tags(out);
    Range r = b.resources[resource].attributes;
    for (uint32_t i = r.begin; i < r.end() && i < b.attributes.size(); ++i) {
      if (b.attributes[i].key == "service.name") continue;
      tags.Value(b, b.attributes[i]);
    }
  }
  out->append("]}");
}

}  // namespace

void AppendJaegerUiTrace(const SpanBatch& trace, std::string* out,
                         std::span<const std::string> warnings) {
  const SpanBatch& b = trace;
  const SpanColumns& s = b.spans;
  out->append("{\"traceID\":");
  if (b.empty()) {
    out->append("\"\"");
  } else {
    AppendTraceIdHex(s.trace_id[0], out);
  }

  // Processes: identical ones (same JSON) share an id, numbered p1, p2, ... in order of first use.
  std::vector<std::string> process_json;
  std::map<std::string, size_t> process_ids;
  std::vector<size_t> resource_process(b.resources.size() + 1, SIZE_MAX);
  auto process_of = [&](uint32_t resource) {
    size_t slot = resource < b.resources.size() ? resource : b.resources.size();
    if (resource_process[slot] != SIZE_MAX) return resource_process[slot];
    std::string json;
    AppendProcess(b, resource, &json);
    auto [it, inserted] = process_ids.emplace(json, process_json.size());
    if (inserted) process_json.push_back(std::move(json));
    resource_process[slot] = it->second;
    return it->second;
  };

  // Room for the whole trace up front (about 300 bytes a span plus its attributes and events),
  // so a 50,000-span trace is not copied on every doubling of the string.
  out->reserve(out->size() + 320 * size_t{b.size()} + 64 * b.attributes.size() +
               64 * b.events.size());
  TraceIdCache ids;
  out->append(",\"spans\":[");
  for (uint32_t i = 0; i < b.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"traceID\":");
    ids.Append(s.trace_id[i], out);
    out->append(",\"spanID\":");
    AppendSpanIdHex(s.span_id[i], out);
    out->append(",\"flags\":");
    AppendUint(s.flags[i] & 0xff, out);
    out->append(",\"operationName\":");
    AppendJsonString(out, s.name[i]);

    out->append(",\"references\":[");
    bool first = true;
    if (s.parent_span_id[i].IsValid()) {
      AppendReference("CHILD_OF", s.trace_id[i], s.parent_span_id[i], true, &ids, out);
      first = false;
    }
    Range links = s.links[i];
    for (uint32_t l = links.begin; l < links.end() && l < b.links.size(); ++l) {
      AppendReference(LinkRefType(b, l), b.links.trace_id[l], b.links.span_id[l], first, &ids, out);
      first = false;
    }
    out->append("],\"startTime\":");
    uint64_t start = s.start_time_unix_nano[i];
    uint64_t end = s.end_time_unix_nano[i];
    AppendUint(start / 1000, out);
    out->append(",\"duration\":");
    AppendUint(end > start ? (end - start) / 1000 : 0, out);

    out->append(",\"tags\":[");
    TagWriter tags(out);
    tags.Attributes(b, s.attributes[i]);
    if (s.kind[i] != SpanKind::kUnspecified) tags.String("span.kind", SpanKindName(s.kind[i]));
    if (s.status_code[i] == SpanStatusCode::kError) {
      tags.String("otel.status_code", "ERROR");
      tags.Bool("error", true);
    } else if (s.status_code[i] == SpanStatusCode::kOk) {
      tags.String("otel.status_code", "OK");
    }
    if (!s.status_message[i].empty()) tags.String("otel.status_description", s.status_message[i]);
    if (s.scope_index[i] < b.scopes.size()) {
      const Scope& scope = b.scopes[s.scope_index[i]];
      if (!scope.name.empty()) tags.String("otel.scope.name", scope.name);
      if (!scope.version.empty()) tags.String("otel.scope.version", scope.version);
    }
    if (!s.trace_state[i].empty()) tags.String("w3c.tracestate", s.trace_state[i]);
    if (s.dropped_attributes_count[i] > 0) {
      tags.Int("otel.dropped_attributes_count", s.dropped_attributes_count[i]);
    }
    if (s.dropped_events_count[i] > 0) {
      tags.Int("otel.dropped_events_count", s.dropped_events_count[i]);
    }
    if (s.dropped_links_count[i] > 0)
      tags.Int("otel.dropped_links_count", s.dropped_links_count[i]);

    out->append("],\"logs\":[");
    Range events = s.events[i];
    for (uint32_t e = events.begin; e < events.end() && e < b.events.size(); ++e) {
      if (e > events.begin) out->push_back(',');
      out->append("{\"timestamp\":");
      AppendUint(b.events.time_unix_nano[e] / 1000, out);
      out->append(",\"fields\":[");
      TagWriter fields(out);
      fields.String("event", b.events.name[e]);
      fields.Attributes(b, b.events.attributes[e]);
      if (b.events.dropped_attributes_count[e] > 0) {
        fields.Int("otel.dropped_attributes_count", b.events.dropped_attributes_count[e]);
      }
      out->append("]}");
    }
    out->append("],\"processID\":\"p");
    AppendUint(process_of(s.resource_index[i]) + 1, out);
    out->append("\",\"warnings\":null}");
  }
  out->append("],\"processes\":{");
  for (size_t p = 0; p < process_json.size(); ++p) {
    if (p > 0) out->push_back(',');
    out->append("\"p");
    AppendUint(p + 1, out);
    out->append("\":");
    out->append(process_json[p]);
  }
  if (warnings.empty()) {
    out->append("},\"warnings\":null}");
    return;
  }
  out->append("},\"warnings\":[");
  for (size_t w = 0; w < warnings.size(); ++w) {
    if (w > 0) out->push_back(',');
    AppendJsonString(out, warnings[w]);
  }
  out->append("]}");
}

}  // namespace ariadne
