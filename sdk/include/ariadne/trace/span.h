// Span: the handle an application holds while an operation runs.
//
// A Span is a move-only value: {SpanRecorder*, SpanContext}. The recorder is the SDK's span
// implementation; it is null when the span is not recording (no SDK installed, SDK disabled,
// or sampled out), so every method on a non-recording span is one branch. End() hands the
// recorder back to the SDK, which owns it; the destructor ends a span that was not ended.
// SpanRef is a non-owning view (the current span), with the same methods except End.
// Not thread-safe: one thread uses a span at a time (hand the Context, not the Span, to other
// threads). Header-only, noexcept. Tested by api_test.cc and sdk tracer_test.cc.
#ifndef ARIADNE_TRACE_SPAN_H_
#define ARIADNE_TRACE_SPAN_H_

#include <cstdint>
#include <exception>
#include <initializer_list>
#include <span>
#include <string_view>
#include <typeinfo>
#include <utility>

#include "ariadne/trace/attribute_value.h"
#include "ariadne/trace/span_context.h"

namespace ariadne::trace {

// Numbering follows OTLP (trace.proto).
enum class SpanKind : uint8_t {
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5
};
enum class StatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct Link {
  SpanContext context;
  std::span<const KeyValue> attributes;
};

// Implemented by the SDK. Every method is called by one thread at a time.
class SpanRecorder {
 public:
  virtual void SetAttribute(std::string_view key, const AttributeValue& value) noexcept = 0;
  // time_unix_nano 0 means now.
  virtual void AddEvent(std::string_view name, uint64_t time_unix_nano,
                        std::span<const KeyValue> attributes) noexcept = 0;
  virtual void AddLink(const SpanContext& context,
                       std::span<const KeyValue> attributes) noexcept = 0;
  virtual void SetStatus(StatusCode code, std::string_view description) noexcept = 0;
  virtual void UpdateName(std::string_view name) noexcept = 0;
  // Ends the span (end_time_unix_nano 0 means now). The recorder must not be used afterwards.
  virtual void End(uint64_t end_time_unix_nano) noexcept = 0;

 protected:
  ~SpanRecorder() = default;
};

// The operations shared by Span and SpanRef (CRTP: Derived has recorder()).
template <typename Derived>
class SpanOps {
 public:
  Derived& SetAttribute(std::string_view key, const AttributeValue& value) noexcept {
    if (SpanRecorder* r = rec()) r->SetAttribute(key, value);
    return self();
  }
  Derived& SetAttributes(std::initializer_list<KeyValue> attributes) noexcept {
    if (SpanRecorder* r = rec()) {
      for (const KeyValue& kv : attributes) r->SetAttribute(kv.key, kv.value);
    }
    return self();
  }
  Derived& AddEvent(std::string_view name,
                    std::initializer_list<KeyValue> attributes = {}) noexcept {
    if (SpanRecorder* r = rec()) r->AddEvent(name, 0, {attributes.begin(), attributes.size()});
    return self();
  }
  Derived& AddEvent(std::string_view name, uint64_t time_unix_nano,
                    std::span<const KeyValue> attributes) noexcept {
    if (SpanRecorder* r = rec()) r->AddEvent(name, time_unix_nano, attributes);
    return self();
  }
  Derived& AddLink(const SpanContext& context,
                   std::initializer_list<KeyValue> attributes = {}) noexcept {
    if (SpanRecorder* r = rec()) r->AddLink(context, {attributes.begin(), attributes.size()});
    return self();
  }
  Derived& SetStatus(StatusCode code, std::string_view description = {}) noexcept {
    if (SpanRecorder* r = rec()) r->SetStatus(code, description);
    return self();
  }
  Derived& UpdateName(std::string_view name) noexcept {
    if (SpanRecorder* r = rec()) r->UpdateName(name);
    return self();
  }
  // Adds an "exception" event (exception.type, exception.message[, exception.stacktrace]) and
  // sets the status to Error.
  Derived& RecordException(std::string_view type, std::string_view message,
                           std::string_view stacktrace = {}) noexcept {
    if (SpanRecorder* r = rec()) {
      KeyValue attrs[3] = {{"exception.type", type},
                           {"exception.message", message},
                           {"exception.stacktrace", stacktrace}};
      r->AddEvent("exception", 0, {attrs, stacktrace.empty() ? 2u : 3u});
      r->SetStatus(StatusCode::kError, message);
    }
    return self();
  }
  Derived& RecordException(const std::exception& e) noexcept {
    return RecordException(typeid(e).name(), e.what());
  }
  bool IsRecording() const noexcept { return rec() != nullptr; }

 private:
  SpanRecorder* rec() const noexcept { return static_cast<const Derived*>(this)->recorder(); }
  Derived& self() noexcept { return *static_cast<Derived*>(this); }
};

class Span : public SpanOps<Span> {
 public:
  Span() noexcept = default;
  Span(SpanRecorder* recorder, SpanContext context) noexcept
      : recorder_(recorder), context_(std::move(context)) {}
  // A non-recording span that carries a context (propagation without an SDK, or sampled out).
  static Span NonRecording(SpanContext context) noexcept {
    return Span(nullptr, std::move(context));
  }
  Span(Span&& other) noexcept
      : recorder_(std::exchange(other.recorder_, nullptr)), context_(std::move(other.context_)) {}
  Span& operator=(Span&& other) noexcept {
    if (this != &other) {
      End();
      recorder_ = std::exchange(other.recorder_, nullptr);
      context_ = std::move(other.context_);
    }
    return *this;
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span() { End(); }

  const SpanContext& GetContext() const noexcept { return context_; }
  void End(uint64_t end_time_unix_nano = 0) noexcept {
    if (recorder_ != nullptr) std::exchange(recorder_, nullptr)->End(end_time_unix_nano);
  }
  SpanRecorder* recorder() const noexcept { return recorder_; }

 private:
  SpanRecorder* recorder_ = nullptr;
  SpanContext context_;
};

// A non-owning view of a span that someone else ends (see CurrentSpan() in context.h).
class SpanRef : public SpanOps<SpanRef> {
 public:
  SpanRef() noexcept = default;
  SpanRef(SpanRecorder* recorder, const SpanContext* context) noexcept
      : recorder_(recorder), context_(context) {}
  const SpanContext& GetContext() const noexcept {
    static const SpanContext kInvalid;
    return context_ ? *context_ : kInvalid;
  }
  SpanRecorder* recorder() const noexcept { return recorder_; }

 private:
  SpanRecorder* recorder_ = nullptr;
  const SpanContext* context_ = nullptr;
};

}  // namespace ariadne::trace

#endif  // ARIADNE_TRACE_SPAN_H_
