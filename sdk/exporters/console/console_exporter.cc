#include "ariadne/exporters/console_exporter.h"

#include <cinttypes>

#include "sdk/src/terminal_escape.h"

namespace ariadne::exporters {
namespace {

const char* KindName(trace::SpanKind k) {
  switch (k) {
    case trace::SpanKind::kInternal:
      return "internal";
    case trace::SpanKind::kServer:
      return "server";
    case trace::SpanKind::kClient:
      return "client";
    case trace::SpanKind::kProducer:
      return "producer";
    case trace::SpanKind::kConsumer:
      return "consumer";
  }
  return "?";
}

// Span data is attacker-controlled and this goes to a terminal: every name, key and string value
// is escaped (controls, C1 controls, invalid UTF-8) so that it cannot inject escape sequences.
void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  sdk::AppendEscapedForTerminal(s, /*quote=*/true, out);
  out->push_back('"');
}

void AppendKey(std::string_view s, std::string* out) {
  sdk::AppendEscapedForTerminal(s, /*quote=*/false, out);
}

void AppendAttributes(const std::vector<sdk::OwnedAttribute>& attrs, std::string* out) {
  for (const auto& a : attrs) {
    out->push_back(' ');
    AppendKey(a.key, out);
    out->push_back('=');
    out->append(FormatValue(a.value));
  }
}

}  // namespace

namespace {
// Value: an sdk::OwnedValue or sdk::AttributeValueRef.
template <typename Value>
std::string Format(const Value& value) {
  std::string out;
  char buf[64];
  auto scalar = [&](const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<T, bool>) {
      out.append(v ? "true" : "false");
    } else if constexpr (std::is_same_v<T, int64_t>) {
      std::snprintf(buf, sizeof buf, "%" PRId64, v);
      out.append(buf);
    } else if constexpr (std::is_same_v<T, double>) {
      std::snprintf(buf, sizeof buf, "%g", v);
      out.append(buf);
    } else {
      AppendQuoted(v, &out);
    }
  };
  sdk::VisitValue(value, [&](const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<T, std::vector<bool>> || std::is_same_v<T, std::vector<int64_t>> ||
                  std::is_same_v<T, std::vector<double>> ||
                  std::is_same_v<T, std::vector<std::string>>) {
      out.push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out.append(", ");
        if constexpr (std::is_same_v<T, std::vector<bool>>) {
          scalar(static_cast<bool>(v[i]));
        } else {
          scalar(v[i]);
        }
      }
      out.push_back(']');
    } else {
      scalar(v);
    }
  });
  return out;
}
}  // namespace

std::string FormatValue(const sdk::OwnedValue& value) { return Format(value); }
std::string FormatValue(const sdk::AttributeValueRef& value) { return Format(value); }

void FormatSpanForConsole(const sdk::SpanData& s, std::string* out) {
  char buf[128];
  out->append("span ");
  AppendQuoted(s.name, out);
  out->append(" trace=");
  s.context.trace_id.AppendHex(out);
  out->append(" span=");
  s.context.span_id.AppendHex(out);
  out->append(" parent=");
  if (s.parent_span_id.IsValid()) {
    s.parent_span_id.AppendHex(out);
  } else {
    out->push_back('-');
  }
  double ms = s.end_time_unix_nano >= s.start_time_unix_nano
                  ? (s.end_time_unix_nano - s.start_time_unix_nano) / 1e6
                  : 0.0;
  std::snprintf(buf, sizeof buf, " kind=%s %.3f ms status=%s", KindName(s.kind), ms,
                s.status_code == trace::StatusCode::kError ? "error"
                : s.status_code == trace::StatusCode::kOk  ? "ok"
                                                           : "unset");
  out->append(buf);
  if (!s.status_message.empty()) {
    out->append(" message=");
    AppendQuoted(s.status_message, out);
  }
  out->append(" scope=");
  AppendKey(s.scope().name, out);
  out->push_back('\n');
  for (const auto& a : s.attributes) {
    out->append("  ");
    AppendKey(a.key, out);
    out->append(" = ");
    out->append(FormatValue(a.value));
    out->push_back('\n');
  }
  for (const auto& e : s.events) {
    double at = e.time_unix_nano >= s.start_time_unix_nano
                    ? (e.time_unix_nano - s.start_time_unix_nano) / 1e6
                    : 0.0;
    std::snprintf(buf, sizeof buf, "  event +%.3f ms ", at);
    out->append(buf);
    AppendQuoted(e.name, out);
    AppendAttributes(e.attributes, out);
    out->push_back('\n');
  }
  for (const auto& l : s.links) {
    out->append("  link trace=");
    l.context.trace_id.AppendHex(out);
    out->append(" span=");
    l.context.span_id.AppendHex(out);
    AppendAttributes(l.attributes, out);
    out->push_back('\n');
  }
  if (s.dropped_attributes_count || s.dropped_events_count || s.dropped_links_count) {
    std::snprintf(buf, sizeof buf, "  dropped attributes=%u events=%u links=%u\n",
                  s.dropped_attributes_count, s.dropped_events_count, s.dropped_links_count);
    out->append(buf);
  }
}

sdk::ExportResult ConsoleSpanExporter::Export(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                                              sdk::Deadline) noexcept {
  try {
    std::string text;
    for (const auto& s : spans) FormatSpanForConsole(*s, &text);
    if (std::fwrite(text.data(), 1, text.size(), out_) != text.size()) {
      return sdk::ExportResult::kFailure;
    }
    return sdk::ExportResult::kSuccess;
  } catch (...) {
    return sdk::ExportResult::kFailure;
  }
}

}  // namespace ariadne::exporters
