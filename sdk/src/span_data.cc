#include "ariadne/sdk/span_data.h"

#include <algorithm>

#include "ariadne/sdk/span_processor.h"
#include "ariadne/sdk/tracer_provider.h"
#include "sdk/src/span_clock.h"
#include "sdk/src/span_pool.h"

namespace ariadne::sdk {

using trace::AttributeValue;

uint64_t NowUnixNano() noexcept { return SpanClockNow(); }

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
  const SpanLimits& l = state_->limits;
  if (!attributes.Set(key, value, l.attribute_count, l.attribute_value_length)) {
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
  // cache, so the export thread's ReleaseSpan reads one flag. The pool must not pin large
  // buffers: the attribute buffer, name and status message together stay under kMaxKeptBytes
  // (a span with 4 short attributes keeps about 200 bytes).
  constexpr size_t kMaxKeptBytes = 8192;
  size_t kept = attributes.capacity_bytes() + name.capacity();
  if (touched_ & kTouchedStatus) kept += status_message.capacity();
  recyclable_ = kept <= kMaxKeptBytes;
  std::unique_ptr<SpanData> self(this);
  if (state_->processor && !state_->shut_down.load(std::memory_order_relaxed)) {
    state_->processor->OnEnd(std::move(self));
  }
}

}  // namespace ariadne::sdk
