#include "ariadne/sdk/span_data.h"

#include <algorithm>
#include <cstring>

#include "ariadne/sdk/span_processor.h"
#include "ariadne/sdk/tracer_provider.h"
#include "base/utf8.h"
#include "sdk/src/span_clock.h"
#include "sdk/src/span_pool.h"

namespace ariadne::sdk {

using trace::AttributeValue;

uint64_t NowUnixNano() noexcept { return SpanClockNow(); }

namespace {
// The length limit is in bytes; a cut never splits a UTF-8 code point (it may then keep up to 3
// bytes fewer). Strings within the limit (the common case) pay one comparison.
std::string_view TruncateView(std::string_view s, uint32_t max_length) {
  if (max_length != 0) s = TruncateUtf8(s, max_length);
  return s;
}

std::string Truncate(std::string_view s, uint32_t max_length) {
  return std::string(TruncateView(s, max_length));
}
}  // namespace

OwnedValue ToOwned(const AttributeValue& v, uint32_t max_length) {
  switch (v.type()) {
    case AttributeValue::Type::kBool:
      return v.bool_value();
    case AttributeValue::Type::kInt:
      return v.int_value();
    case AttributeValue::Type::kDouble:
      return v.double_value();
    case AttributeValue::Type::kString:
      return Truncate(v.string_value(), max_length);
    case AttributeValue::Type::kBoolArray: {
      auto a = v.bool_array();
      return std::vector<bool>(a.begin(), a.end());
    }
    case AttributeValue::Type::kIntArray: {
      auto a = v.int_array();
      return std::vector<int64_t>(a.begin(), a.end());
    }
    case AttributeValue::Type::kDoubleArray: {
      auto a = v.double_array();
      return std::vector<double>(a.begin(), a.end());
    }
    case AttributeValue::Type::kStringArray: {
      std::vector<std::string> out;
      out.reserve(v.array_size());
      for (std::string_view s : v.string_array()) out.push_back(Truncate(s, max_length));
      return out;
    }
    case AttributeValue::Type::kStdStringArray: {
      std::vector<std::string> out;
      out.reserve(v.array_size());
      for (const std::string& s : v.std_string_array()) out.push_back(Truncate(s, max_length));
      return out;
    }
  }
  return false;
}

namespace {
// Equality of short byte strings without a call to memcmp (keys are mostly 10-40 bytes).
inline bool EqualBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + n - 8, 8);  // the tail, overlapping
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x, y, z, w;
    std::memcpy(&x, a, 4);
    std::memcpy(&y, b, 4);
    std::memcpy(&z, a + n - 4, 4);
    std::memcpy(&w, b + n - 4, 4);
    return x == y && z == w;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Copies v into s without calling into std::string when s already holds v (the same key in the
// same slot of a recycled span: the common case) or has the capacity for it. Returns the bytes
// of capacity newly allocated.
size_t AssignString(std::string* s, std::string_view v) {
  if (s->size() == v.size() && EqualBytes(s->data(), v.data(), v.size())) return 0;
  size_t before = s->capacity();
  if (v.size() <= before) {
    s->resize(v.size());
    std::memcpy(s->data(), v.data(), v.size());
    return 0;
  }
  s->assign(v);
  return s->capacity() - before;
}

size_t AssignOwnedTracked(OwnedValue* dst, const AttributeValue& v, uint32_t max_length) {
  // A recycled slot mostly holds a value of the same type (same call site): scalars are then
  // one store, without the variant's converting assignment.
  switch (v.type()) {
    case AttributeValue::Type::kBool:
      if (auto* held = std::get_if<bool>(dst)) {
        *held = v.bool_value();
        return 0;
      }
      break;
    case AttributeValue::Type::kInt:
      if (auto* held = std::get_if<int64_t>(dst)) {
        *held = v.int_value();
        return 0;
      }
      break;
    case AttributeValue::Type::kDouble:
      if (auto* held = std::get_if<double>(dst)) {
        *held = v.double_value();
        return 0;
      }
      break;
    default:
      break;
  }
  if (v.type() == AttributeValue::Type::kString) {
    std::string_view str = v.string_value();
    str = TruncateView(str, max_length);
    if (auto* held = std::get_if<std::string>(dst)) return AssignString(held, str);
    dst->emplace<std::string>(str);
    return std::get<std::string>(*dst).capacity();
  }
  AssignOwned(dst, v, max_length);
  return 0;
}

// SetOwnedAttribute for a span's own list; adds newly allocated string bytes to *kept.
bool SetSpanAttribute(AttributeList* attributes, std::string_view key, const AttributeValue& value,
                      uint32_t count_limit, uint32_t length_limit, size_t* kept) {
  for (OwnedAttribute& a : *attributes) {
    if (a.key.size() == key.size() && EqualBytes(a.key.data(), key.data(), key.size())) {
      *kept += AssignOwnedTracked(&a.value, value, length_limit);
      return true;
    }
  }
  if (attributes->size() >= count_limit) return false;
  if (attributes->capacity() == 0) attributes->reserve(std::min<uint32_t>(count_limit, 4));
  OwnedAttribute& slot = attributes->AppendSlot();
  *kept += AssignString(&slot.key, key);
  *kept += AssignOwnedTracked(&slot.value, value, length_limit);
  return true;
}
}  // namespace

void AssignOwned(OwnedValue* dst, const AttributeValue& v, uint32_t max_length) {
  switch (v.type()) {
    case AttributeValue::Type::kBool:
      *dst = v.bool_value();
      return;
    case AttributeValue::Type::kInt:
      *dst = v.int_value();
      return;
    case AttributeValue::Type::kDouble:
      *dst = v.double_value();
      return;
    case AttributeValue::Type::kString: {
      std::string_view str = v.string_value();
      str = TruncateView(str, max_length);
      if (auto* held = std::get_if<std::string>(dst)) {
        held->assign(str);  // reuses the capacity a recycled span kept
      } else {
        dst->emplace<std::string>(str);
      }
      return;
    }
    default:
      *dst = ToOwned(v, max_length);
      return;
  }
}

bool SetOwnedAttribute(AttributeList* attributes, std::string_view key, const AttributeValue& value,
                       uint32_t count_limit, uint32_t length_limit) {
  size_t kept = 0;
  return SetSpanAttribute(attributes, key, value, count_limit, length_limit, &kept);
}

bool SetOwnedAttribute(std::vector<OwnedAttribute>* attributes, std::string_view key,
                       const AttributeValue& value, uint32_t count_limit, uint32_t length_limit) {
  for (OwnedAttribute& a : *attributes) {
    if (a.key == key) {
      a.value = ToOwned(value, length_limit);
      return true;
    }
  }
  if (attributes->size() >= count_limit) return false;
  if (attributes->capacity() == 0) attributes->reserve(std::min<uint32_t>(count_limit, 4));
  attributes->push_back(OwnedAttribute{std::string(key), ToOwned(value, length_limit)});
  return true;
}

void SpanData::SetAttribute(std::string_view key, const AttributeValue& value) noexcept {
  try {
    const SpanLimits& l = state_->limits;
    if (!SetSpanAttribute(&attributes, key, value, l.attribute_count, l.attribute_value_length,
                          &kept_bytes_)) {
      ++dropped_attributes_count;
    }
  } catch (...) {
    ++dropped_attributes_count;
  }
}

void SpanData::AddEvent(std::string_view event_name, uint64_t time_unix_nano,
                        std::span<const trace::KeyValue> attrs) noexcept {
  const SpanLimits& l = state_->limits;
  touched_ |= kTouchedEvents;
  if (events.size() >= l.event_count) {
    ++dropped_events_count;
    return;
  }
  try {
    SpanEvent e;
    e.name = std::string(event_name);
    e.time_unix_nano = time_unix_nano ? time_unix_nano : NowUnixNano();
    for (const trace::KeyValue& kv : attrs) {
      if (!SetOwnedAttribute(&e.attributes, kv.key, kv.value, l.event_attribute_count,
                             l.attribute_value_length)) {
        ++e.dropped_attributes_count;
      }
    }
    events.push_back(std::move(e));
  } catch (...) {
    ++dropped_events_count;
  }
}

void SpanData::AddLink(const trace::SpanContext& ctx,
                       std::span<const trace::KeyValue> attrs) noexcept {
  const SpanLimits& l = state_->limits;
  if (!ctx.IsValid()) return;
  touched_ |= kTouchedLinks;
  if (links.size() >= l.link_count) {
    ++dropped_links_count;
    return;
  }
  try {
    SpanLink link;
    link.context = ctx;
    for (const trace::KeyValue& kv : attrs) {
      if (!SetOwnedAttribute(&link.attributes, kv.key, kv.value, l.link_attribute_count,
                             l.attribute_value_length)) {
        ++link.dropped_attributes_count;
      }
    }
    links.push_back(std::move(link));
  } catch (...) {
    ++dropped_links_count;
  }
}

void SpanData::SetStatus(trace::StatusCode code, std::string_view description) noexcept {
  // Ok is final; Unset never overrides; the description only accompanies Error.
  if (status_code == trace::StatusCode::kOk) return;
  if (code == trace::StatusCode::kUnset) return;
  status_code = code;
  touched_ |= kTouchedStatus;
  try {
    status_message = code == trace::StatusCode::kError ? std::string(description) : std::string();
  } catch (...) {
  }
}

void SpanData::UpdateName(std::string_view new_name) noexcept {
  try {
    name = std::string(new_name);
  } catch (...) {
  }
}

void SpanData::ResetForReuse(const InstrumentationScope* scope) noexcept {
  scope_ = scope;
  context = trace::SpanContext();
  parent_span_id = trace::SpanId();
  parent_remote = false;
  kind = trace::SpanKind::kInternal;
  status_code = trace::StatusCode::kUnset;
  dropped_attributes_count = 0;
  start_time_unix_nano = end_time_unix_nano = 0;
  start_ticks_ = 0;
  name.clear();
  attributes.clear();
  if (touched_ != 0) [[unlikely]] {
    if (touched_ & kTouchedStatus) status_message.clear();
    if (touched_ & kTouchedEvents) {
      events.clear();
      dropped_events_count = 0;
    }
    if (touched_ & kTouchedLinks) {
      links.clear();
      dropped_links_count = 0;
    }
    touched_ = 0;
  }
}

void SpanData::SetStartTime(uint64_t start_time) noexcept {
  start_time_unix_nano = start_time;
  start_ticks_ = 0;
}

void SpanData::StartNow() noexcept {
  ClockReading r = SpanClockStart();
  start_time_unix_nano = r.unix_nano;
  start_ticks_ = r.ticks;
}

void ReleaseSpan(std::unique_ptr<SpanData> span) noexcept {
  if (!span) return;
  SpanPool* pool = span->state()->pool.get();
  if (pool == nullptr) return;
  if (span->recyclable_ && pool->Push(span.get())) {  // recyclable_: see End()
    span.release();
  }
}

void SpanData::End(uint64_t end_time) noexcept {
  if (end_time != 0) {
    end_time_unix_nano = end_time;
  } else if (start_ticks_ != 0) {
    end_time_unix_nano = SpanClockEnd(ClockReading{start_time_unix_nano, start_ticks_});
  } else {
    // Never before the start (the clock may switch to the TSC between the two readings).
    end_time_unix_nano = std::max(SpanClockNow(), start_time_unix_nano);
  }
  // Whether the pool may keep this span: decided here, where the span is hot in this core's
  // cache, so the export thread's ReleaseSpan reads one flag. kept_bytes_ counts what attribute
  // strings ever allocated (kept across reuse); the pool must not pin large strings.
  constexpr size_t kMaxKeptBytes = 4096;
  size_t kept = kept_bytes_ + name.capacity();
  if (touched_ & kTouchedStatus) kept += status_message.capacity();
  recyclable_ = attributes.capacity() <= 64 && kept <= kMaxKeptBytes;
  std::unique_ptr<SpanData> self(this);
  if (state_->processor && !state_->shut_down.load(std::memory_order_relaxed)) {
    state_->processor->OnEnd(std::move(self));
  }
}

}  // namespace ariadne::sdk
