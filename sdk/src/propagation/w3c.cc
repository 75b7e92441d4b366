// W3C traceparent, tracestate and baggage.
#include <cstdio>
#include <set>

#include "ariadne/propagation/propagators.h"

namespace ariadne::propagation {
namespace {

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
int HexVal(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }
bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool KeyChars(std::string_view k) {
  for (char c : k) {
    if (!(IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/')) return false;
  }
  return true;
}

// simple-key = lcalpha 0*255(keychar); multi-tenant-key = tenant-id "@" system-id with
// tenant-id = (lcalpha / DIGIT) 0*240(keychar) and system-id = lcalpha 0*13(keychar).
bool ValidKey(std::string_view k) {
  size_t at = k.find('@');
  if (at == std::string_view::npos) {
    return !k.empty() && k.size() <= 256 && IsLcAlpha(k[0]) && KeyChars(k.substr(1));
  }
  std::string_view tenant = k.substr(0, at), system = k.substr(at + 1);
  return !tenant.empty() && tenant.size() <= 241 && (IsLcAlpha(tenant[0]) || IsDigit(tenant[0])) &&
         KeyChars(tenant.substr(1)) && !system.empty() && system.size() <= 14 &&
         IsLcAlpha(system[0]) && KeyChars(system.substr(1));
}

bool ValidValue(std::string_view v) {
  if (v.empty() || v.size() > 256) return false;
  for (char c : v) {
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  }
  return v.back() != ' ';
}

}  // namespace

std::optional<trace::SpanContext> ParseTraceParent(std::string_view value) noexcept {
  value = TrimOws(value);
  if (value.size() < 55) return std::nullopt;
  if (!IsLowerHex(value[0]) || !IsLowerHex(value[1]) || value[2] != '-') return std::nullopt;
  int version = HexVal(value[0]) * 16 + HexVal(value[1]);
  if (version == 0xff) return std::nullopt;
  if (version == 0 && value.size() != 55) return std::nullopt;
  if (value.size() > 55 && value[55] != '-') return std::nullopt;
  trace::SpanContext ctx;
  if (!trace::TraceId::FromHex(value.substr(3, 32), &ctx.trace_id)) return std::nullopt;
  if (value[35] != '-') return std::nullopt;
  if (!trace::SpanId::FromHex(value.substr(36, 16), &ctx.span_id)) return std::nullopt;
  if (value[52] != '-') return std::nullopt;
  if (!IsLowerHex(value[53]) || !IsLowerHex(value[54])) return std::nullopt;
  if (!ctx.trace_id.IsValid() || !ctx.span_id.IsValid()) return std::nullopt;
  int flags = HexVal(value[53]) * 16 + HexVal(value[54]);
  ctx.flags = static_cast<uint8_t>(flags & (trace::kFlagSampled | trace::kFlagRandom));
  ctx.remote = true;
  return ctx;
}

std::string FormatTraceParent(const trace::SpanContext& c) {
  std::string out;
  out.reserve(55);
  out.append("00-");
  c.trace_id.AppendHex(&out);
  out.push_back('-');
  c.span_id.AppendHex(&out);
  char flags[4];
  std::snprintf(flags, sizeof flags, "-%02x", c.flags & (trace::kFlagSampled | trace::kFlagRandom));
  out.append(flags);
  return out;
}

std::optional<std::string> ParseTraceState(const std::vector<std::string_view>& headers) noexcept {
  try {
    std::string out;
    std::set<std::string_view> keys;
    size_t members = 0;
    for (std::string_view header : headers) {
      while (true) {
        size_t comma = header.find(',');
        std::string_view member = TrimOws(header.substr(0, comma));
        if (!member.empty()) {
          size_t eq = member.find('=');
          if (eq == std::string_view::npos) return std::nullopt;
          std::string_view key = member.substr(0, eq);
          std::string_view value = member.substr(eq + 1);
          if (!ValidKey(key) || !ValidValue(value)) return std::nullopt;
          if (!keys.insert(key).second) return std::nullopt;
          if (++members > kMaxTraceStateMembers) return std::nullopt;
          if (!out.empty()) out.push_back(',');
          out.append(member);
        }
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
      }
    }
    return out;
  } catch (...) {
    return std::nullopt;
  }
}

std::string TruncateTraceState(std::string_view header, size_t limit) {
  if (header.size() <= limit) return std::string(header);
  std::vector<std::string_view> entries;
  while (!header.empty()) {
    size_t comma = header.find(',');
    entries.push_back(header.substr(0, comma));
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  auto total = [&] {
    size_t n = 0;
    for (auto e : entries) n += e.size();
    return n + (entries.empty() ? 0 : entries.size() - 1);
  };
  for (size_t i = 0; i < entries.size() && total() > limit;) {
    if (entries[i].size() > 128) {
      entries.erase(entries.begin() + static_cast<ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  while (!entries.empty() && total() > limit) entries.pop_back();
  std::string out;
  for (auto e : entries) {
    if (!out.empty()) out.push_back(',');
    out.append(e);
  }
  return out;
}

namespace {

bool IsTokenChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  static constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={}";
  return kSeparators.find(c) == std::string_view::npos;
}
bool IsBaggageOctet(char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
         (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      auto hv = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int a = hv(in[i + 1]), b = hv(in[i + 2]);
      if (a < 0 || b < 0) return false;
      out->push_back(static_cast<char>(a * 16 + b));
      i += 2;
    } else if (IsBaggageOctet(c)) {
      out->push_back(c);
    } else {
      return false;
    }
  }
  return true;
}

void PercentEncode(std::string_view in, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : in) {
    if (IsBaggageOctet(c) && c != '%') {
      out->push_back(c);
    } else {
      unsigned char u = static_cast<unsigned char>(c);
      out->push_back('%');
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    }
  }
}

}  // namespace

trace::Baggage ParseBaggage(const std::vector<std::string_view>& headers) noexcept {
  trace::Baggage baggage;
  try {
    size_t members = 0, bytes = 0;
    std::string value;
    for (std::string_view header : headers) {
      bytes += header.size();
      if (bytes > kMaxBaggageBytes) break;
      while (true) {
        size_t comma = header.find(',');
        std::string_view member = TrimOws(header.substr(0, comma));
        if (!member.empty() && members < kMaxBaggageMembers) {
          size_t semi = member.find(';');
          std::string_view kv = member.substr(0, semi);
          std::string_view props = semi == std::string_view::npos
                                       ? std::string_view()
                                       : TrimOws(member.substr(semi + 1));
          size_t eq = kv.find('=');
          if (eq != std::string_view::npos) {
            std::string_view key = TrimOws(kv.substr(0, eq));
            std::string_view raw = TrimOws(kv.substr(eq + 1));
            bool key_ok = !key.empty();
            for (char c : key) key_ok = key_ok && IsTokenChar(c);
            if (key_ok && PercentDecode(raw, &value)) {
              baggage = baggage.Set(key, value, props);
              ++members;
            }
          }
        }
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
      }
    }
  } catch (...) {
  }
  return baggage;
}

std::string FormatBaggage(const trace::Baggage& baggage) {
  std::string out;
  std::string member;
  size_t count = 0;
  for (const trace::BaggageEntry& e : baggage.entries()) {
    member.clear();
    member.append(e.key);
    member.push_back('=');
    PercentEncode(e.value, &member);
    if (!e.metadata.empty()) {
      member.push_back(';');
      member.append(e.metadata);
    }
    if (count >= kMaxBaggageMembers ||
        out.size() + member.size() + (out.empty() ? 0 : 1) > kMaxBaggageBytes) {
      continue;  // whole members only
    }
    if (!out.empty()) out.push_back(',');
    out.append(member);
    ++count;
  }
  return out;
}

namespace {

class W3CTraceContext final : public TextMapPropagator {
 public:
  void Inject(const trace::Context& ctx, TextMapCarrier& carrier) noexcept override {
    const trace::SpanContext& sc = ctx.span_context();
    if (!sc.IsValid()) return;
    try {
      carrier.Set("traceparent", FormatTraceParent(sc));
      if (!sc.trace_state.empty()) {
        carrier.Set("tracestate",
                    TruncateTraceState(sc.trace_state.header(), kTraceStateInjectLimit));
      }
    } catch (...) {
    }
  }
  trace::Context Extract(const TextMapCarrier& carrier,
                         const trace::Context& base) noexcept override {
    std::vector<std::string_view> parents = carrier.GetAll("traceparent");
    if (parents.size() != 1) return base;
    std::optional<trace::SpanContext> sc = ParseTraceParent(parents[0]);
    if (!sc) return base;
    std::optional<std::string> ts = ParseTraceState(carrier.GetAll("tracestate"));
    if (ts && !ts->empty()) sc->trace_state = trace::TraceState::FromValidatedHeader(*ts);
    return base.WithSpanContext(std::move(*sc));
  }
  std::vector<std::string> Fields() const override { return {"traceparent", "tracestate"}; }
};

class W3CBaggage final : public TextMapPropagator {
 public:
  void Inject(const trace::Context& ctx, TextMapCarrier& carrier) noexcept override {
    if (ctx.baggage().empty()) return;
    try {
      std::string header = FormatBaggage(ctx.baggage());
      if (!header.empty()) carrier.Set("baggage", header);
    } catch (...) {
    }
  }
  trace::Context Extract(const TextMapCarrier& carrier,
                         const trace::Context& base) noexcept override {
    std::vector<std::string_view> headers = carrier.GetAll("baggage");
    if (headers.empty()) return base;
    trace::Baggage b = ParseBaggage(headers);
    if (b.empty()) return base;
    return base.WithBaggage(std::move(b));
  }
  std::vector<std::string> Fields() const override { return {"baggage"}; }
};

}  // namespace

std::unique_ptr<TextMapPropagator> MakeW3CTraceContextPropagator() {
  return std::make_unique<W3CTraceContext>();
}
std::unique_ptr<TextMapPropagator> MakeW3CBaggagePropagator() {
  return std::make_unique<W3CBaggage>();
}

}  // namespace ariadne::propagation
