// One-line instrumentation helpers.
//
//   ARIADNE_TRACE_SCOPE(tracer, "load_config");            // a scoped span for this block
//   auto n = TraceCall(tracer, "parse", [&] { return Parse(text); });
//   auto r = TraceCallWithArgs(tracer, "add", Add, 2, 3);  // records code.arg.0/1 and the result
//   SlowSpanGuard guard(span, std::chrono::milliseconds(200));  // marks + warns when slow
//
// TraceCall runs the callable inside a ScopedSpan; an exception thrown by the callable is recorded
// on the span (status Error) and rethrown unchanged — the SDK itself never throws. Arguments and
// results are recorded only when they convert to an AttributeValue. SlowSpanGuard sets
// `ariadne.slow=true`, adds a "slow" event and calls the warning handler (stderr by default,
// replaceable with SetSlowSpanHandler) when it lives longer than its threshold.
// Header-only. Tested by api_test.cc.
#ifndef ARIADNE_TRACE_HELPERS_H_
#define ARIADNE_TRACE_HELPERS_H_

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ariadne/trace/tracer.h"

namespace ariadne::trace {

#define ARIADNE_TRACE_CONCAT_INNER(a, b) a##b
#define ARIADNE_TRACE_CONCAT(a, b) ARIADNE_TRACE_CONCAT_INNER(a, b)
// A scoped span named `name` for the rest of the enclosing block.
#define ARIADNE_TRACE_SCOPE(tracer, name) \
  ::ariadne::trace::ScopedSpan ARIADNE_TRACE_CONCAT(ariadne_scoped_span_, __LINE__)(tracer, name)

namespace detail {
template <typename T>
void RecordIfAttribute(SpanRef span, std::string_view key, const T& value) noexcept {
  using D = std::decay_t<T>;
  if constexpr (std::is_constructible_v<AttributeValue, const D&> && !std::is_pointer_v<D>) {
    span.SetAttribute(key, AttributeValue(value));
  } else if constexpr (std::is_same_v<D, const char*> || std::is_same_v<D, char*>) {
    span.SetAttribute(key, AttributeValue(static_cast<const char*>(value)));
  }
}
inline constexpr std::string_view kArgKeys[] = {"code.arg.0", "code.arg.1", "code.arg.2",
                                                "code.arg.3", "code.arg.4", "code.arg.5",
                                                "code.arg.6", "code.arg.7"};
}  // namespace detail

template <typename F, typename... Args>
decltype(auto) TraceCall(Tracer& tracer, std::string_view name, F&& f, Args&&... args) {
  ScopedSpan span(tracer, name);
  try {
    return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    span.RecordException(e);
    throw;
  } catch (...) {
    span.RecordException("unknown", "non-standard exception");
    throw;
  }
}

template <typename F, typename... Args>
auto TraceCallWithArgs(Tracer& tracer, std::string_view name, F&& f, Args&&... args)
    -> std::invoke_result_t<F, Args...> {
  ScopedSpan span(tracer, name);
  if (span.IsRecording()) {
    size_t i = 0;
    auto record = [&i](const auto& arg) {
      if (i < 8) detail::RecordIfAttribute(CurrentSpan(), detail::kArgKeys[i], arg);
      ++i;
    };
    (record(args), ...);
  }
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F, Args...>>) {
      std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
    } else {
      auto result = std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
      detail::RecordIfAttribute(CurrentSpan(), "code.result", result);
      return result;
    }
  } catch (const std::exception& e) {
    span.RecordException(e);
    throw;
  } catch (...) {
    span.RecordException("unknown", "non-standard exception");
    throw;
  }
}

using SlowSpanHandler = void (*)(std::string_view span_name_hint, double elapsed_ms,
                                 double threshold_ms);
namespace detail {
inline void DefaultSlowSpanHandler(std::string_view name, double elapsed, double threshold) {
  std::fprintf(stderr, "ariadne: WARN slow span %.*s took %.1f ms (threshold %.1f ms)\n",
               static_cast<int>(name.size()), name.data(), elapsed, threshold);
}
inline std::atomic<SlowSpanHandler> slow_span_handler{&DefaultSlowSpanHandler};
}  // namespace detail
inline void SetSlowSpanHandler(SlowSpanHandler h) noexcept {
  detail::slow_span_handler.store(h ? h : &detail::DefaultSlowSpanHandler);
}

// Marks the span and warns when the guard lives longer than `threshold`.
class SlowSpanGuard {
 public:
  template <typename SpanLike>
  SlowSpanGuard(SpanLike& span, std::chrono::nanoseconds threshold,
                std::string_view name_hint = {}) noexcept
      : recorder_(span.recorder()),
        threshold_(threshold),
        name_(name_hint),
        start_(std::chrono::steady_clock::now()) {}
  ~SlowSpanGuard() {
    auto elapsed = std::chrono::steady_clock::now() - start_;
    if (elapsed <= threshold_) return;
    double ms = std::chrono::duration<double, std::milli>(elapsed).count();
    double limit = std::chrono::duration<double, std::milli>(threshold_).count();
    if (recorder_ != nullptr) {
      recorder_->SetAttribute("ariadne.slow", AttributeValue(true));
      KeyValue attrs[2] = {{"elapsed_ms", ms}, {"threshold_ms", limit}};
      recorder_->AddEvent("slow", 0, attrs);
    }
    try {
      detail::slow_span_handler.load()(name_, ms, limit);
    } catch (...) {
    }
  }
  SlowSpanGuard(const SlowSpanGuard&) = delete;
  SlowSpanGuard& operator=(const SlowSpanGuard&) = delete;

 private:
  SpanRecorder* recorder_;
  std::chrono::nanoseconds threshold_;
  std::string_view name_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace ariadne::trace

#endif  // ARIADNE_TRACE_HELPERS_H_
