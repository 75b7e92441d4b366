// Context: what flows with a request — the parent SpanContext and the Baggage — and the
// thread-local "current context".
//
// The current context is an intrusive stack of frames that live on the caller's stack (inside
// ContextScope and ScopedSpan), so making a span current allocates nothing. To hand work to
// another thread, callback or coroutine: capture `Context::Current()` (a value), and on the other
// side open a `ContextScope scope(ctx);` around the work. Scopes must close in reverse order on
// the thread that opened them. CurrentSpan() gives a non-owning view of the innermost span made
// current by a ScopedSpan on this thread. Header-only, noexcept. Tested by api_test.cc.
#ifndef ARIADNE_TRACE_CONTEXT_H_
#define ARIADNE_TRACE_CONTEXT_H_

#include <utility>

#include "ariadne/trace/baggage.h"
#include "ariadne/trace/span.h"
#include "ariadne/trace/span_context.h"

namespace ariadne::trace {

class Context {
 public:
  Context() noexcept = default;
  Context(SpanContext span_context, Baggage baggage = {}) noexcept  // NOLINT: implicit by design
      : span_context_(std::move(span_context)), baggage_(std::move(baggage)) {}

  // The current context of this thread (empty when nothing is current).
  static Context Current() noexcept;

  const SpanContext& span_context() const noexcept { return span_context_; }
  const Baggage& baggage() const noexcept { return baggage_; }
  Context WithSpanContext(SpanContext sc) const noexcept {
    return Context(std::move(sc), baggage_);
  }
  Context WithBaggage(Baggage b) const noexcept { return Context(span_context_, std::move(b)); }

 private:
  SpanContext span_context_;
  Baggage baggage_;
};

namespace detail {
struct ContextFrame {
  SpanContext span_context;
  Baggage baggage;
  SpanRecorder* recorder = nullptr;  // set by ScopedSpan, null for ContextScope
  const ContextFrame* prev = nullptr;
};
inline thread_local const ContextFrame* tls_current_frame = nullptr;
inline const ContextFrame* CurrentFrame() noexcept { return tls_current_frame; }
}  // namespace detail

inline Context Context::Current() noexcept {
  const detail::ContextFrame* f = detail::tls_current_frame;
  return f ? Context(f->span_context, f->baggage) : Context();
}

// Makes a context current for its lifetime.
class ContextScope {
 public:
  explicit ContextScope(const Context& ctx) noexcept
      : frame_{ctx.span_context(), ctx.baggage(), nullptr, detail::tls_current_frame} {
    detail::tls_current_frame = &frame_;
  }
  ~ContextScope() { detail::tls_current_frame = frame_.prev; }
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

 private:
  detail::ContextFrame frame_;
};

// The innermost span made current by a ScopedSpan on this thread (non-recording if none).
inline SpanRef CurrentSpan() noexcept {
  const detail::ContextFrame* f = detail::tls_current_frame;
  return f ? SpanRef(f->recorder, &f->span_context) : SpanRef();
}
inline Baggage CurrentBaggage() noexcept {
  const detail::ContextFrame* f = detail::tls_current_frame;
  return f ? f->baggage : Baggage();
}

}  // namespace ariadne::trace

#endif  // ARIADNE_TRACE_CONTEXT_H_
