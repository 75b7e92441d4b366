// B3 (single and multi header), Jaeger, composite and the OTEL_PROPAGATORS list.
#include <algorithm>
#include <cstdio>

#include "ariadne/propagation/propagators.h"

namespace ariadne::propagation {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// 16 or 32 hex digits (either case); 16 are widened with zeros on the left.
bool ParseB3TraceId(std::string_view hex, trace::TraceId* out) {
  if (hex.size() == 16) {
    trace::SpanId low;
    if (!trace::SpanId::FromHex(hex, &low, true)) return false;
    *out = trace::TraceId();
    std::copy(low.bytes.begin(), low.bytes.end(), out->bytes.begin() + 8);
    return out->IsValid();
  }
  return hex.size() == 32 && trace::TraceId::FromHex(hex, out, true) && out->IsValid();
}

// Up to 2N hex digits, left-padded (Jaeger drops leading zeros).
template <size_t N>
bool ParseShortHex(std::string_view hex, trace::Id<N>* out) {
  if (hex.empty() || hex.size() > 2 * N) return false;
  std::string padded(2 * N - hex.size(), '0');
  padded.append(hex);
  return trace::Id<N>::FromHex(padded, out, true) && out->IsValid();
}

class B3Single final : public TextMapPropagator {
 public:
  void Inject(const trace::Context& ctx, TextMapCarrier& carrier) noexcept override {
    const trace::SpanContext& sc = ctx.span_context();
    if (!sc.IsValid()) return;
    try {
      std::string v =
          sc.trace_id.ToHex() + "-" + sc.span_id.ToHex() + (sc.IsSampled() ? "-1" : "-0");
      carrier.Set("b3", v);
    } catch (...) {
    }
  }
  trace::Context Extract(const TextMapCarrier& carrier,
                         const trace::Context& base) noexcept override {
    std::string_view v = Trim(carrier.Get("b3"));
    if (v.empty()) return base;
    size_t d1 = v.find('-');
    if (d1 == std::string_view::npos) return base;  // "0"/"1"/"d" alone: no ids to continue
    trace::SpanContext sc;
    if (!ParseB3TraceId(v.substr(0, d1), &sc.trace_id)) return base;
    std::string_view rest = v.substr(d1 + 1);
    size_t d2 = rest.find('-');
    if (!trace::SpanId::FromHex(rest.substr(0, d2), &sc.span_id, true) || !sc.span_id.IsValid()) {
      return base;
    }
    bool sampled = false;
    if (d2 != std::string_view::npos) {
      std::string_view s = rest.substr(d2 + 1);
      s = s.substr(0, s.find('-'));
      if (s == "1" || s == "d") {
        sampled = true;
      } else if (s != "0") {
        return base;
      }
    }
    sc.flags = sampled ? trace::kFlagSampled : 0;
    sc.remote = true;
    return base.WithSpanContext(std::move(sc));
  }
  std::vector<std::string> Fields() const override { return {"b3"}; }
};

class B3Multi final : public TextMapPropagator {
 public:
  void Inject(const trace::Context& ctx, TextMapCarrier& carrier) noexcept override {
    const trace::SpanContext& sc = ctx.span_context();
    if (!sc.IsValid()) return;
    try {
      carrier.Set("X-B3-TraceId", sc.trace_id.ToHex());
      carrier.Set("X-B3-SpanId", sc.span_id.ToHex());
      carrier.Set("X-B3-Sampled", sc.IsSampled() ? "1" : "0");
    } catch (...) {
    }
  }
  trace::Context Extract(const TextMapCarrier& carrier,
                         const trace::Context& base) noexcept override {
    trace::SpanContext sc;
    if (!ParseB3TraceId(Trim(carrier.Get("X-B3-TraceId")), &sc.trace_id)) return base;
    if (!trace::SpanId::FromHex(Trim(carrier.Get("X-B3-SpanId")), &sc.span_id, true) ||
        !sc.span_id.IsValid()) {
      return base;
    }
    std::string_view s = Trim(carrier.Get("X-B3-Sampled"));
    bool sampled =
        s == "1" || EqualsIgnoreCase(s, "true") || Trim(carrier.Get("X-B3-Flags")) == "1";
    sc.flags = sampled ? trace::kFlagSampled : 0;
    sc.remote = true;
    return base.WithSpanContext(std::move(sc));
  }
  std::vector<std::string> Fields() const override {
    return {"X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled", "X-B3-Flags"};
  }
};

std::string UrlDecodeColons(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && v[i + 1] == '3' &&
        (v[i + 2] == 'A' || v[i + 2] == 'a')) {
      out.push_back(':');
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

class Jaeger final : public TextMapPropagator {
 public:
  void Inject(const trace::Context& ctx, TextMapCarrier& carrier) noexcept override {
    const trace::SpanContext& sc = ctx.span_context();
    try {
      if (sc.IsValid()) {
        carrier.Set("uber-trace-id", sc.trace_id.ToHex() + ":" + sc.span_id.ToHex() +
                                         ":0:" + (sc.IsSampled() ? "1" : "0"));
      }
      for (const trace::BaggageEntry& e : ctx.baggage().entries()) {
        carrier.Set("uberctx-" + e.key, e.value);
      }
    } catch (...) {
    }
  }
  trace::Context Extract(const TextMapCarrier& carrier,
                         const trace::Context& base) noexcept override {
    trace::Context out = base;
    try {
      std::string v = UrlDecodeColons(Trim(carrier.Get("uber-trace-id")));
      std::vector<std::string_view> parts;
      std::string_view rest = v;
      while (true) {
        size_t c = rest.find(':');
        parts.push_back(rest.substr(0, c));
        if (c == std::string_view::npos) break;
        rest.remove_prefix(c + 1);
      }
      trace::SpanContext sc;
      if (parts.size() == 4 && ParseShortHex(parts[0], &sc.trace_id) &&
          ParseShortHex(parts[1], &sc.span_id) && !parts[3].empty() && parts[3].size() <= 2) {
        unsigned flags = 0;
        bool ok = true;
        for (char ch : parts[3]) {
          int h = trace::SpanId::HexValue(ch, true);
          if (h < 0) ok = false;
          flags = flags * 16 + static_cast<unsigned>(h < 0 ? 0 : h);
        }
        if (ok) {
          sc.flags = (flags & 1) ? trace::kFlagSampled : 0;
          sc.remote = true;
          out = out.WithSpanContext(std::move(sc));
        }
      }
    } catch (...) {
    }
    return out;
  }
  std::vector<std::string> Fields() const override { return {"uber-trace-id"}; }
};

class Composite final : public TextMapPropagator {
 public:
  explicit Composite(std::vector<std::unique_ptr<TextMapPropagator>> parts)
      : parts_(std::move(parts)) {}
  void Inject(const trace::Context& ctx, TextMapCarrier& carrier) noexcept override {
    for (auto& p : parts_) p->Inject(ctx, carrier);
  }
  trace::Context Extract(const TextMapCarrier& carrier,
                         const trace::Context& base) noexcept override {
    trace::Context ctx = base;
    for (auto& p : parts_) ctx = p->Extract(carrier, ctx);
    return ctx;
  }
  std::vector<std::string> Fields() const override {
    std::vector<std::string> out;
    for (auto& p : parts_) {
      for (auto& f : p->Fields()) out.push_back(f);
    }
    return out;
  }

 private:
  std::vector<std::unique_ptr<TextMapPropagator>> parts_;
};

}  // namespace

std::unique_ptr<TextMapPropagator> MakeB3Propagator() { return std::make_unique<B3Single>(); }
std::unique_ptr<TextMapPropagator> MakeB3MultiPropagator() { return std::make_unique<B3Multi>(); }
std::unique_ptr<TextMapPropagator> MakeJaegerPropagator() { return std::make_unique<Jaeger>(); }
std::unique_ptr<TextMapPropagator> MakeCompositePropagator(
    std::vector<std::unique_ptr<TextMapPropagator>> parts) {
  return std::make_unique<Composite>(std::move(parts));
}

std::unique_ptr<TextMapPropagator> MakePropagatorsFromList(std::string_view list,
                                                           std::vector<std::string>* warnings) {
  if (Trim(list).empty()) list = "tracecontext,baggage";
  std::vector<std::string> seen;
  std::vector<std::unique_ptr<TextMapPropagator>> parts;
  bool none = false;
  while (true) {
    size_t comma = list.find(',');
    std::string name(Trim(list.substr(0, comma)));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; });
    if (!name.empty() && std::find(seen.begin(), seen.end(), name) == seen.end()) {
      seen.push_back(name);
      if (name == "tracecontext") {
        parts.push_back(MakeW3CTraceContextPropagator());
      } else if (name == "baggage") {
        parts.push_back(MakeW3CBaggagePropagator());
      } else if (name == "b3") {
        parts.push_back(MakeB3Propagator());
      } else if (name == "b3multi") {
        parts.push_back(MakeB3MultiPropagator());
      } else if (name == "jaeger") {
        parts.push_back(MakeJaegerPropagator());
      } else if (name == "none") {
        none = true;
      } else if (warnings) {
        warnings->push_back("OTEL_PROPAGATORS: unsupported propagator '" + name + "' ignored");
      }
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (none) parts.clear();
  return MakeCompositePropagator(std::move(parts));
}

}  // namespace ariadne::propagation
