// Tracer, TracerProvider, ScopedSpan and the global provider.
//
// Tracer is a copyable handle {TracerImpl*}; a null impl is the no-op tracer, whose StartSpan is
// a branch and returns a non-recording span that still carries the parent context (so a library
// instrumented with the API propagates context even when the app installs no SDK). The impl is
// owned by its TracerProvider, which must outlive the Tracer handles it gave out; the global
// provider is kept alive for the whole process.
// ScopedSpan starts a span and makes it current until it goes out of scope (RAII), then ends it.
// Thread-safety: Tracer and TracerProvider are thread-safe; spans are used by one thread at a
// time. Header-only, noexcept. Tested by api_test.cc and sdk tracer_test.cc.
#ifndef ARIADNE_TRACE_TRACER_H_
#define ARIADNE_TRACE_TRACER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "ariadne/trace/context.h"
#include "ariadne/trace/span.h"

namespace ariadne::trace {

struct StartSpanOptions {
  SpanKind kind = SpanKind::kInternal;
  // The parent: nullptr means the current context of this thread. A Context with an invalid
  // span context makes a root span (see kRoot below).
  const Context* parent = nullptr;
  uint64_t start_time_unix_nano = 0;  // 0 = now
  std::span<const KeyValue> attributes;
  std::span<const Link> links;
};

// An explicit "no parent" for StartSpanOptions::parent.
inline const Context kRoot{};

class TracerImpl {
 public:
  virtual Span StartSpan(std::string_view name, const StartSpanOptions& options) noexcept = 0;
  virtual bool Enabled() const noexcept = 0;

 protected:
  ~TracerImpl() = default;
};

class Tracer {
 public:
  Tracer() noexcept = default;
  explicit Tracer(TracerImpl* impl) noexcept : impl_(impl) {}

  Span StartSpan(std::string_view name, const StartSpanOptions& options = {}) noexcept {
    if (impl_ != nullptr) [[likely]] {
      return impl_->StartSpan(name, options);
    }
    return NoopStart(options);
  }
  Span StartSpan(std::string_view name, SpanKind kind,
                 std::initializer_list<KeyValue> attributes = {}) noexcept {
    StartSpanOptions o;
    o.kind = kind;
    o.attributes = {attributes.begin(), attributes.size()};
    return StartSpan(name, o);
  }
  bool Enabled() const noexcept { return impl_ != nullptr && impl_->Enabled(); }
  TracerImpl* impl() const noexcept { return impl_; }

 private:
  static Span NoopStart(const StartSpanOptions& options) noexcept {
    if (options.parent != nullptr) return Span::NonRecording(options.parent->span_context());
    const detail::ContextFrame* f = detail::CurrentFrame();
    return f ? Span::NonRecording(f->span_context) : Span();
  }
  TracerImpl* impl_ = nullptr;
};

// Starts a span and makes it current for this scope; ends it at scope exit.
class ScopedSpan : public SpanOps<ScopedSpan> {
 public:
  ScopedSpan(Tracer& tracer, std::string_view name, const StartSpanOptions& options = {}) noexcept
      : span_(tracer.StartSpan(name, options)),
        frame_{span_.GetContext(), CurrentBaggage(), span_.recorder(), detail::CurrentFrame()} {
    detail::tls_current_frame = &frame_;
  }
  ScopedSpan(Tracer& tracer, std::string_view name, SpanKind kind) noexcept
      : ScopedSpan(tracer, name, KindOptions(kind)) {}
  ~ScopedSpan() {
    detail::tls_current_frame = frame_.prev;
    span_.End();
  }
  ScopedSpan(const ScopedSpan&) = delete;
  ScopedSpan& operator=(const ScopedSpan&) = delete;

  const SpanContext& GetContext() const noexcept { return span_.GetContext(); }
  SpanRecorder* recorder() const noexcept { return span_.recorder(); }
  Span& span() noexcept { return span_; }

 private:
  static StartSpanOptions KindOptions(SpanKind kind) noexcept {
    StartSpanOptions o;
    o.kind = kind;
    return o;
  }
  Span span_;
  detail::ContextFrame frame_;
};

class TracerProvider {
 public:
  virtual ~TracerProvider() = default;
  // name: the instrumentation scope (library) name.
  virtual Tracer GetTracer(std::string_view name, std::string_view version = {},
                           std::string_view schema_url = {}) noexcept = 0;
};

class NoopTracerProvider final : public TracerProvider {
 public:
  Tracer GetTracer(std::string_view, std::string_view, std::string_view) noexcept override {
    return Tracer();
  }
};

// The process-wide provider (no-op until SetGlobalTracerProvider). Providers installed here are
// never destroyed before exit, so Tracer handles taken from them stay valid.
namespace detail {
struct GlobalProvider {
  std::atomic<TracerProvider*> current{nullptr};
  std::mutex mu;
  std::vector<std::shared_ptr<TracerProvider>> keep_alive;
};
inline GlobalProvider& Global() noexcept {
  static GlobalProvider* g = new GlobalProvider();  // never destroyed: safe during exit
  return *g;
}
}  // namespace detail

inline void SetGlobalTracerProvider(std::shared_ptr<TracerProvider> provider) noexcept {
  detail::GlobalProvider& g = detail::Global();
  std::lock_guard<std::mutex> lock(g.mu);
  try {
    g.keep_alive.push_back(provider);
  } catch (...) {
    return;
  }
  g.current.store(provider.get(), std::memory_order_release);
}
inline TracerProvider& GetGlobalTracerProvider() noexcept {
  static NoopTracerProvider noop;
  TracerProvider* p = detail::Global().current.load(std::memory_order_acquire);
  return p ? *p : noop;
}
inline Tracer GetTracer(std::string_view name, std::string_view version = {}) noexcept {
  return GetGlobalTracerProvider().GetTracer(name, version);
}

}  // namespace ariadne::trace

#endif  // ARIADNE_TRACE_TRACER_H_
