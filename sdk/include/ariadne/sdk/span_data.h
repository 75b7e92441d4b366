// SpanData: the SDK's span — the SpanRecorder the API calls, and the record processors and
// exporters receive once the span ends.
//
// Ownership: created by SdkTracer::StartSpan, owned by the application's Span handle while
// running (through the raw recorder pointer), then handed as unique_ptr to the span processor
// by End(). The shared state (resource, scope, limits, processor) belongs to the
// SdkTracerProvider, which must outlive every span it created.
// Storage is recycled: finished spans go back to the provider's pool and their AttributeList
// keeps its elements, so steady traffic stores attributes without allocating. Timestamps come
// from span_clock.h (one clock reading at start, a tick delta at end). Limits (count, value
// length) are applied on entry and drops are counted. Thread-safety: one thread at a time, as for
// the Span handle. Tested by tracer_test.cc.
#ifndef ARIADNE_SDK_SPAN_DATA_H_
#define ARIADNE_SDK_SPAN_DATA_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ariadne/sdk/span_limits.h"
#include "ariadne/trace/span.h"
#include "ariadne/trace/span_context.h"

namespace ariadne::sdk {

using OwnedValue =
    std::variant<bool, int64_t, double, std::string, std::vector<bool>, std::vector<int64_t>,
                 std::vector<double>, std::vector<std::string>>;

struct OwnedAttribute {
  std::string key;
  OwnedValue value;
};

// The span's attributes: a vector of OwnedAttribute whose clear() keeps the elements (and so the
// capacity of their key and value strings), so that a recycled span stores the next span's
// attributes without allocating (issue 6). Only [begin(), end()) is live. Copies copy the live
// elements only. Behaves like a std::vector for reading (range-for, size, operator[]).
class AttributeList {
 public:
  using value_type = OwnedAttribute;
  using iterator = OwnedAttribute*;
  using const_iterator = const OwnedAttribute*;

  AttributeList() = default;
  AttributeList(const AttributeList& other) : slots_(other.begin(), other.end()) {
    size_ = slots_.size();
  }
  AttributeList& operator=(const AttributeList& other) {
    if (this != &other) {
      slots_.assign(other.begin(), other.end());
      size_ = slots_.size();
    }
    return *this;
  }
  AttributeList(AttributeList&& other) noexcept
      : slots_(std::move(other.slots_)), size_(std::exchange(other.size_, 0)) {}
  AttributeList& operator=(AttributeList&& other) noexcept {
    slots_ = std::move(other.slots_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  OwnedAttribute* begin() noexcept { return slots_.data(); }
  OwnedAttribute* end() noexcept { return slots_.data() + size_; }
  const OwnedAttribute* begin() const noexcept { return slots_.data(); }
  const OwnedAttribute* end() const noexcept { return slots_.data() + size_; }
  OwnedAttribute& operator[](size_t i) noexcept { return slots_[i]; }
  const OwnedAttribute& operator[](size_t i) const noexcept { return slots_[i]; }
  const OwnedAttribute& front() const noexcept { return slots_[0]; }
  const OwnedAttribute& back() const noexcept { return slots_[size_ - 1]; }
  // Elements kept for reuse (live or cleared).
  size_t capacity() const noexcept { return slots_.size(); }
  void reserve(size_t n) { slots_.reserve(n); }
  void clear() noexcept { size_ = 0; }
  // Appends an element, reusing a cleared one (its strings keep their capacity) when there is
  // one; the caller assigns key and value. May throw std::bad_alloc.
  OwnedAttribute& AppendSlot() {
    if (size_ == slots_.size()) slots_.emplace_back();
    return slots_[size_++];
  }
  void push_back(OwnedAttribute a) { AppendSlot() = std::move(a); }
  // Frees the cleared elements too.
  void ReleaseMemory() noexcept {
    slots_.resize(size_);
    slots_.shrink_to_fit();
  }

 private:
  std::vector<OwnedAttribute> slots_;
  size_t size_ = 0;
};

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

// Converts a view to an owned value, truncating strings to max_length (0 = unlimited).
OwnedValue ToOwned(const trace::AttributeValue& value, uint32_t max_length);
// Sets or replaces key in attributes, honouring the count limit; returns false if dropped.
bool SetOwnedAttribute(std::vector<OwnedAttribute>* attributes, std::string_view key,
                       const trace::AttributeValue& value, uint32_t count_limit,
                       uint32_t length_limit);
bool SetOwnedAttribute(AttributeList* attributes, std::string_view key,
                       const trace::AttributeValue& value, uint32_t count_limit,
                       uint32_t length_limit);
// Assigns value into *dst, reusing the string *dst already holds when value is a string.
void AssignOwned(OwnedValue* dst, const trace::AttributeValue& value, uint32_t max_length);

class SpanData final : public trace::SpanRecorder {
  // Declared first, so that they share the span's first cache lines with the fields every span
  // writes (context, times, name, the attributes' size): a recycled span's reset, start,
  // attributes and end touch as few lines as possible.
  const TracerSharedState* state_;
  const InstrumentationScope* scope_;
  uint64_t start_ticks_ = 0;  // fast-clock ticks at start; 0 = end time from the wall clock
  size_t kept_bytes_ = 0;     // string capacity the attributes allocated (kept across reuse)
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
  // Hints for a span about to be reused: its own cache lines; the attributes' storage (reads
  // this object, so call it after PrefetchObject had time to land).
  void PrefetchObject() const noexcept {
    for (size_t i = 0; i < sizeof(SpanData); i += 64) {
      PrefetchForWrite(reinterpret_cast<const char*>(this) + i);
    }
  }
  void PrefetchKeys() const noexcept {
    for (const OwnedAttribute& a : std::span(attributes.begin(), attributes.capacity())) {
      PrefetchForWrite(a.key.data());
    }
  }
  void PrefetchAttributes() const noexcept {
    const OwnedAttribute* a = attributes.begin();
    for (size_t i = 0; i < attributes.capacity() * sizeof(OwnedAttribute); i += 64) {
      PrefetchForWrite(reinterpret_cast<const char*>(a) + i);
    }
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
