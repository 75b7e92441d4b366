#include "server/query/trace_query.h"

#include <charconv>
#include <cstdio>

#include "base/json_string.h"

namespace ariadne {
namespace {

void AppendText(const SpanBatch& b, const AnyValue& v, bool nested, std::string* out) {
  switch (v.type) {
    case ValueType::kEmpty:
      if (nested) out->append("null");
      break;
    case ValueType::kString:
      if (nested) {
        AppendJsonString(out, v.str);
      } else {
        out->append(v.str);
      }
      break;
    case ValueType::kBytes: {
      std::string b64;
      AppendBase64(v.str, &b64);
      if (nested) {
        AppendJsonString(out, b64);
      } else {
        out->append(b64);
      }
      break;
    }
    case ValueType::kBool:
      out->append(v.bool_value ? "true" : "false");
      break;
    case ValueType::kInt:
      out->append(std::to_string(v.int_value));
      break;
    case ValueType::kDouble: {
      char buf[32];
      auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v.double_value);
      out->append(buf, ec == std::errc() ? p : buf);
      break;
    }
    case ValueType::kArray:
      out->push_back('[');
      for (uint32_t i = 0; i < v.children.count; ++i) {
        if (i) out->push_back(',');
        AppendText(b, b.array_values[v.children.begin + i], true, out);
      }
      out->push_back(']');
      break;
    case ValueType::kKvList:
      out->push_back('{');
      for (uint32_t i = 0; i < v.children.count; ++i) {
        const KeyValue& kv = b.kvlist_values[v.children.begin + i];
        if (i) out->push_back(',');
        AppendJsonString(out, kv.key);
        out->push_back(':');
        AppendText(b, kv.value, true, out);
      }
      out->push_back('}');
      break;
  }
}

bool RangeHas(const SpanBatch& b, Range r, std::string_view key, std::string_view want,
              bool* key_found) {
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (b.attributes[i].key != key) continue;
    *key_found = true;
    if (ValueAsText(b, b.attributes[i].value) == want) return true;
  }
  return false;
}

bool TagMatches(const SpanBatch& b, uint32_t row, std::string_view key, std::string_view want) {
  bool found = false;
  if (RangeHas(b, b.spans.attributes[row], key, want, &found)) return true;
  const Resource& res = b.resources[b.spans.resource_index[row]];
  if (RangeHas(b, res.attributes, key, want, &found)) return true;
  Range ev = b.spans.events[row];
  for (uint32_t e = ev.begin; e < ev.end(); ++e) {
    if (RangeHas(b, b.events.attributes[e], key, want, &found)) return true;
  }
  SpanStatusCode code = b.spans.status_code[row];
  if (key == "error") return want == "true" && code == SpanStatusCode::kError;
  if (key == "span.kind") return want == SpanKindName(b.spans.kind[row]);
  if (key == "otel.status_code") {
    return (want == "ERROR" && code == SpanStatusCode::kError) ||
           (want == "OK" && code == SpanStatusCode::kOk);
  }
  if (key == "otel.status_description") return want == b.spans.status_message[row];
  return false;
}

}  // namespace

std::string ValueAsText(const SpanBatch& batch, const AnyValue& value) {
  std::string out;
  AppendText(batch, value, false, &out);
  return out;
}

bool SpanMatches(const SpanBatch& b, uint32_t row, const TraceQuery& q) {
  if (!q.service.empty() && b.ServiceName(row) != q.service) return false;
  if (!q.operation.empty() && b.spans.name[row] != q.operation) return false;
  if (q.span_kind && b.spans.kind[row] != *q.span_kind) return false;
  uint64_t start = b.spans.start_time_unix_nano[row];
  if (start < q.start_min_ns || start > q.start_max_ns) return false;
  uint64_t end = b.spans.end_time_unix_nano[row];
  uint64_t duration = end > start ? end - start : 0;
  if (duration < q.duration_min_ns || duration > q.duration_max_ns) return false;
  for (const auto& [key, want] : q.tags) {
    if (!TagMatches(b, row, key, want)) return false;
  }
  return true;
}

}  // namespace ariadne
