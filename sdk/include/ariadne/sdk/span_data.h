// SpanData: the SDK's span — the SpanRecorder the API calls, and the record processors and
// exporters receive once the span ends.
//
// Ownership: created by SdkTracer::StartSpan, owned by the application's Span handle while
// running (through the raw recorder pointer), then handed as unique_ptr to the span processor
// by End(). The shared state (resource, scope, limits, processor) belongs to the
// SdkTracerProvider, which must outlive every span it created.
// Storage is recycled: finished spans go back to the provider's pool and keep their attribute
// buffer (attribute_list.h: key and value bytes of all attributes in one buffer), so steady
// traffic stores attributes without allocating; End() lets the pool keep a span only if its
// buffers are bounded (kMaxKeptBytes). Events and links keep vector<OwnedAttribute>. Timestamps
// come from span_clock.h (one clock reading at start, a tick delta at end). Limits (count, value
// length) are applied on entry and drops are counted. Thread-safety: one thread at a time, as for
// the Span handle. Tested by tracer_test.cc.
#ifndef ARIADNE_SDK_SPAN_DATA_H_
#define ARIADNE_SDK_SPAN_DATA_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ariadne/sdk/attribute_list.h"
#include "ariadne/sdk/span_limits.h"
#include "ariadne/trace/span.h"
#include "ariadne/trace/span_context.h"

namespace ariadne::sdk {

struct SpanEvent {
  std::string name;
  uint64_t time_unix_nano = 0;
  std::vector<OwnedAttribute> attributes;
  uint32_t dropped_attributes_count = 0;
};

struct SpanLink {
  trace::SpanContext context;
  std::vector<OwnedAttribute> attributes;
  uint32_t dropped_attributes_count = 0;
};

struct InstrumentationScope {
  std::string name;
  std::string version;
  std::string schema_url;
};

class SpanProcessor;
struct TracerSharedState;

// Sets or replaces key in an event's or link's attributes, honouring the count limit and
// truncating strings to length_limit; returns false if dropped. May throw std::bad_alloc.
bool SetOwnedAttribute(std::vector<OwnedAttribute>* attributes, std::string_view key,
                       const trace::AttributeValue& value, uint32_t count_limit,
                       uint32_t length_limit);

class SpanData final : public trace::SpanRecorder {
  // Declared first, so that they share the span's first cache lines with the fields every span
  // writes (context, times, name, the attributes' size): a recycled span's reset, start,
  // attributes and end touch as few lines as possible.
  const TracerSharedState* state_;
  const InstrumentationScope* scope_;
  uint64_t start_ticks_ = 0;  // fast-clock ticks at start; 0 = end time from the wall clock
  // Decided by End() on the ending thread (where the span is in cache), read by ReleaseSpan on
  // the export thread next to state_: the pool may keep this span's storage.
  bool recyclable_ = false;
  // Which rarely used fields were set (kTouched*), so that ResetForReuse clears only those and
  // does not read their lines otherwise.
  uint8_t touched_ = 0;

 public:
  SpanData(const TracerSharedState* state, const InstrumentationScope* scope) noexcept
      : state_(state), scope_(scope) {}
  SpanData(const SpanData&) = default;
  SpanData& operator=(const SpanData&) = default;
  ~SpanData() = default;

  // SpanRecorder.
  void SetAttribute(std::string_view key, const trace::AttributeValue& value) noexcept override;
  void AddEvent(std::string_view name, uint64_t time_unix_nano,
                std::span<const trace::KeyValue> attributes) noexcept override;
  void AddLink(const trace::SpanContext& context,
               std::span<const trace::KeyValue> attributes) noexcept override;
  void SetStatus(trace::StatusCode code, std::string_view description) noexcept override;
  void UpdateName(std::string_view name) noexcept override;
  void End(uint64_t end_time_unix_nano) noexcept override;

  // Clears every field (keeping allocated capacity) for reuse by the provider's pool. The cold
  // fields (events, links, status message) are cleared only if a recorder method set them.
  void ResetForReuse(const InstrumentationScope* scope) noexcept;
  // Start time (and the fast clock's tick count, so End only reads a cheap delta).
  void SetStartTime(uint64_t start_time_unix_nano) noexcept;
  void StartNow() noexcept;

  const InstrumentationScope& scope() const noexcept { return *scope_; }
  const TracerSharedState* state() const noexcept { return state_; }
  // Whether a pool may keep this span's storage (decided by End()).
  bool recyclable() const noexcept { return recyclable_; }
  // A cache-line prefetch with intent to write (g++ emits a read prefetch for
  // __builtin_prefetch(p, 1) unless built with -mprfchw); a no-op on CPUs without it.
  static void PrefetchForWrite(const void* p) noexcept {
#if defined(__x86_64__)
    asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
    __builtin_prefetch(p, 1);
#endif
  }
  // Hints for a span about to be reused: its own cache lines; the attributes' buffer (reads
  // this object, so call it after PrefetchObject had time to land).
  void PrefetchObject() const noexcept {
    for (size_t i = 0; i < sizeof(SpanData); i += 64) {
      PrefetchForWrite(reinterpret_cast<const char*>(this) + i);
    }
  }
  void PrefetchAttributes() const noexcept {
    const char* p = attributes.data();
    for (size_t i = 0; i < attributes.prefetch_bytes(); i += 64) PrefetchForWrite(p + i);
  }

  // Hot: written for every span.
  trace::SpanContext context;
  trace::SpanId parent_span_id;  // invalid for a root span
  bool parent_remote = false;
  trace::SpanKind kind = trace::SpanKind::kInternal;
  trace::StatusCode status_code = trace::StatusCode::kUnset;
  uint32_t dropped_attributes_count = 0;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  std::string name;
  AttributeList attributes;
  // Cold: set by few spans (see touched_).
  uint32_t dropped_events_count = 0;
  uint32_t dropped_links_count = 0;
  std::string status_message;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;

 private:
  static constexpr uint8_t kTouchedEvents = 1;  // events, dropped_events_count
  static constexpr uint8_t kTouchedLinks = 2;   // links, dropped_links_count
  static constexpr uint8_t kTouchedStatus = 4;  // status_message

  friend void ReleaseSpan(std::unique_ptr<SpanData> span) noexcept;
};

// Hands a finished span back to its provider for reuse (or deletes it). Processors call this
// instead of letting the unique_ptr delete the span.
void ReleaseSpan(std::unique_ptr<SpanData> span) noexcept;

// Wall-clock now in nanoseconds since the Unix epoch.
uint64_t NowUnixNano() noexcept;

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SPAN_DATA_H_
