#include "server/storage/embedded/batch_codec.h"

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <xxhash.h>

#include "server/storage/embedded/range_coder.h"
#include "server/storage/embedded/timing_coder.h"
#include "server/storage/embedded/varint.h"

namespace ariadne {
namespace {

// The encoder's string dictionary: each distinct string gets the next id. Open addressing over
// ids with their hashes kept beside them, so a look-up is one hash and usually one compare, and
// nothing is allocated per string (a std::unordered_map cost a node allocation per distinct
// string and ~30 % of a server's CPU under ingest, where every WAL record and every block page
// builds one). The strings are views: they must outlive the interner.
class StringIds {
 public:
  // The id of s, adding it if new.
  uint32_t Intern(std::string_view s) {
    if ((strings_.size() + 1) * 2 > slots_.size()) Grow();
    const uint64_t h = XXH3_64bits(s.data(), s.size());
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const uint32_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = static_cast<uint32_t>(strings_.size()) + 1;
        strings_.push_back(s);
        hashes_.push_back(h);
        return slots_[i] - 1;
      }
      if (hashes_[slot - 1] == h && strings_[slot - 1] == s) return slot - 1;
    }
  }
  const std::vector<std::string_view>& strings() const { return strings_; }

 private:
  void Grow() {
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), 0);
    const size_t mask = slots_.size() - 1;
    for (uint32_t id = 0; id < strings_.size(); ++id) {
      size_t i = hashes_[id] & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = id + 1;
    }
  }

  std::vector<uint32_t> slots_;  // 0: empty; else id + 1
  std::vector<std::string_view> strings_;
  std::vector<uint64_t> hashes_;
};

using embedded::BitLength;
using embedded::BitReader;
using embedded::BitWriter;
using embedded::PutBytes;
using embedded::PutFixed64;
using embedded::PutPlanes;
using embedded::PutVarint;
using embedded::RangeDecoder;
using embedded::RangeEncoder;
using embedded::Reader;
using embedded::TimingModel;
using embedded::UnZigZag;
using embedded::ZigZag;

constexpr uint8_t kCodecVersion = 1;  // trace runs carry their trace ids
// 2: run lengths only, the container has the ids; 3: also starts and durations in byte planes;
// 4: span ids and timing mantissas in a separate, uncompressed tail.
static_assert(kBatchCodecPlanes == kBatchCodecNoTraceIds + 1);
static_assert(kBatchCodecSplit == kBatchCodecPlanes + 1);
static_assert(kBatchCodecRange == kBatchCodecSplit + 1);

// One stream per column; the order is part of the format (docs/formats/block.md#body).
enum Stream : uint8_t {
  kTraceRuns,    // per run: 16 id bytes, varint length
  kSpanIds,      // 8 bytes per span
  kParents,      // varint: 0 root, 1 explicit (8 bytes in kParentIds), 2+j span j of the run
  kParentIds,    // 8 bytes per explicit parent
  kTraceStates,  // dict id
  kFlags,        // varint
  kNames,        // dict id
  kKinds,        // byte
  kStarts,       // zigzag delta from the previous span's start (version 3: byte planes;
                 // version 4: a timing symbol of the offset from the predicted start, PutTiming)
  kDurations,    // zigzag(end - start) (version 3: byte planes; version 4: a timing symbol)
  kStatus,       // byte code, then dict id of the message in kStatusMessages
  kStatusMessages,
  kResourceRefs,  // varint
  kScopeRefs,     // varint
  kSpanAttrs,     // range: zigzag(begin - previous end), count
  kSpanEvents,
  kSpanLinks,
  kDropped,       // three varints per span
  kEvents,        // per event: zigzag time delta, name dict id, range, dropped
  kLinks,         // per link: 16 + 8 id bytes, trace state dict id, range, dropped, flags
  kResources,     // per resource: range, dropped, schema url id, service name id
  kScopes,        // per scope: name id, version id, range, dropped, schema url id
  kKeys,          // dict id of each key of the attribute and kvlist pools
  kValueTypes,    // byte per value
  kValueStrings,  // dict id
  kValueInts,     // zigzag (ints and bools)
  kValueDoubles,  // 8 bytes
  kValueRanges,   // begin, count (absolute) of arrays and kvlists
  kStreamCount
};

constexpr const char* kStreamNames[kStreamCount] = {
    "trace_runs",  "span_ids",        "parents",       "parent_ids",  "trace_states",
    "flags",       "names",           "kinds",         "starts",      "durations",
    "status",      "status_messages", "resource_refs", "scope_refs",  "span_attrs",
    "span_events", "span_links",      "dropped",       "events",      "links",
    "resources",   "scopes",          "keys",          "value_types", "value_strings",
    "value_ints",  "value_doubles",   "value_ranges"};

// Version 4: a start offset or duration's context: the previous value and its coded bit length.
struct TimingContext {
  uint64_t value = 0;           // two's complement
  int64_t len = 0;              // 0..64
  embedded::TimingState coded;  // version 5
};
// Version 4: what the previous span attribute at the same position of a span of the same name
// had as key, value type and string value. Only the first kAttrContexts positions have one
// (bounds the memory a page can make the decoder spend on contexts).
struct AttrContext {
  uint64_t key = 0, type = 0, str = 0;
};
constexpr uint32_t kAttrContexts = 16;
// Version 4: what the previous span of the same name (dict id) had; several span columns store
// 0 for "the same" and the value + 1 otherwise (SameOrNext).
// Version 5: the timing contexts of the spans of one name whose parent (a preceding row) has
// name context `parent` (+1; 0: no such parent). At most kParentTimings per name (bounds the
// search); spans beyond use the name's own.
struct ParentTimings {
  uint32_t parent = 0;
  TimingContext start, duration;
};
constexpr size_t kParentTimings = 8;
struct NameContext {
  uint64_t trace_state = 0, flags = 0, kind = 0, status = 0, status_message = 0;
  uint64_t resource = 0, scope = 0, attr_count = 0;
  TimingContext start, duration;
  std::vector<AttrContext> attrs;        // empty, or kAttrContexts once one is used
  std::vector<ParentTimings> by_parent;  // version 5
  // Version 5: the start and duration contexts of a span with this parent (context number + 1).
  std::pair<TimingContext*, TimingContext*> Timings(uint32_t parent) {
    for (ParentTimings& t : by_parent) {
      if (t.parent == parent) return {&t.start, &t.duration};
    }
    if (by_parent.size() == kParentTimings) return {&start, &duration};
    by_parent.push_back(ParentTimings{.parent = parent});
    return {&by_parent.back().start, &by_parent.back().duration};
  }
};
// The name contexts of a page, numbered in order of first use.
class NameContexts {
 public:
  // The number of the context of name dict id `name` (tables grow to name + 1 entries: the
  // decoder checks name against its dictionary first).
  uint32_t Of(uint32_t name) {
    if (name >= number_.size()) number_.resize(name + 1, UINT32_MAX);
    if (number_[name] == UINT32_MAX) {
      number_[name] = static_cast<uint32_t>(contexts_.size());
      contexts_.emplace_back();
    }
    return number_[name];
  }
  NameContext& operator[](uint32_t number) { return contexts_[number]; }
  AttrContext& Attr(uint32_t number, uint32_t position) {
    std::vector<AttrContext>& attrs = contexts_[number].attrs;
    if (attrs.empty()) attrs.resize(kAttrContexts);
    return attrs[position];
  }

 private:
  std::vector<uint32_t> number_;
  std::vector<NameContext> contexts_;
};
// Version 4: for each attribute of the pool, the context number and position of the first span
// whose range holds it, if that position is below kAttrContexts (UINT32_MAX: none, e.g. a
// resource's attribute).
inline std::vector<std::pair<uint32_t, uint32_t>> AttributeOwners(
    const SpanColumns& c, const std::vector<uint32_t>& span_contexts, size_t pool) {
  std::vector<std::pair<uint32_t, uint32_t>> owners(pool, {UINT32_MAX, 0});
  for (size_t i = 0; i < c.size(); ++i) {
    const uint32_t n = std::min(c.attributes[i].count, kAttrContexts);
    for (uint32_t j = 0; j < n; ++j) {
      auto& o = owners[c.attributes[i].begin + j];
      if (o.first == UINT32_MAX) o = {span_contexts[i], j};
    }
  }
  return owners;
}

// 0 if v equals *last, else v + 1; *last becomes v.
inline uint64_t SameOrNext(uint64_t v, uint64_t* last) {
  const uint64_t coded = v == *last ? 0 : v + 1;
  *last = v;
  return coded;
}

class Encoder {
 public:
  Encoder(const SpanBatch& b, uint8_t version) : b_(b), version_(version) {}
  // Strings to put first in the dictionary, in this order, used or not.
  void Preset(std::span<const std::string_view> strings) {
    for (std::string_view s : strings) ids_.Intern(s);
  }
  // The dictionary after encoding: the preset, then the batch's other strings in order of use.
  std::vector<std::string_view> Strings() {
    std::string tail;
    tail_ = &tail;
    EncodeStreams();
    return ids_.strings();
  }

  // tail: version 4's uncompressed part (span ids, then the timing mantissas); null otherwise.
  void Encode(std::string* out, std::string* tail = nullptr) {
    tail_ = tail;
    if (tail_ != nullptr) tail_->clear();
    EncodeStreams();
    out->push_back(static_cast<char>(version_));
    const SpanColumns& c = b_.spans;
    PutVarint(out, c.size());
    PutVarint(out, b_.events.size());
    PutVarint(out, b_.links.size());
    PutVarint(out, b_.resources.size());
    PutVarint(out, b_.scopes.size());
    PutVarint(out, b_.attributes.size());
    PutVarint(out, b_.array_values.size());
    PutVarint(out, b_.kvlist_values.size());
    PutVarint(out, ids_.strings().size());
    AppendDictionary(out);
    for (const std::string& s : streams_) PutBytes(out, s);
  }

  std::vector<std::pair<std::string, std::string>> Streams() {
    std::string tail;
    tail_ = &tail;
    EncodeStreams();
    std::vector<std::pair<std::string, std::string>> out;
    out.emplace_back("tail_span_ids", tail.substr(0, 8 * b_.spans.size()));
    out.emplace_back("tail_timing_bits", tail.substr(8 * b_.spans.size()));
    if (version_ >= kBatchCodecRange) {  // the range-coded buckets and the raw bits apart
      out.emplace_back("tail_timing_buckets", timing_rc_);
      out.emplace_back("tail_timing_raw", timing_raw_);
    }
    out.emplace_back("dictionary", "");
    AppendDictionary(&out.back().second);
    for (size_t i = 0; i < kStreamCount; ++i) out.emplace_back(kStreamNames[i], streams_[i]);
    return out;
  }

 private:
  void AppendDictionary(std::string* out) const {
    std::string lengths;
    size_t total = 0;
    for (std::string_view s : ids_.strings()) {
      PutVarint(&lengths, s.size());
      total += s.size();
    }
    PutBytes(out, lengths);
    PutVarint(out, total);
    for (std::string_view s : ids_.strings()) out->append(s);
  }

  void EncodeStreams() {
    EncodeSpans();
    EncodeEvents();
    EncodeLinks();
    for (const Resource& r : b_.resources) {
      std::string& s = streams_[kResources];
      PutVarint(&s, r.attributes.begin);
      PutVarint(&s, r.attributes.count);
      PutVarint(&s, r.dropped_attributes_count);
      PutVarint(&s, Str(r.schema_url));
      PutVarint(&s, Str(r.service_name));
    }
    for (const Scope& sc : b_.scopes) {
      std::string& s = streams_[kScopes];
      PutVarint(&s, Str(sc.name));
      PutVarint(&s, Str(sc.version));
      PutVarint(&s, sc.attributes.begin);
      PutVarint(&s, sc.attributes.count);
      PutVarint(&s, sc.dropped_attributes_count);
      PutVarint(&s, Str(sc.schema_url));
    }
    std::vector<std::pair<uint32_t, uint32_t>> owners;
    if (version_ >= kBatchCodecSplit) {
      owners = AttributeOwners(b_.spans, span_contexts_, b_.attributes.size());
    }
    for (size_t k = 0; k < b_.attributes.size(); ++k) {
      const KeyValue& kv = b_.attributes[k];
      if (owners.empty() || owners[k].first == UINT32_MAX) {
        PutVarint(&streams_[kKeys], Str(kv.key));
        Value(kv.value);
        continue;
      }
      AttrContext& ctx = contexts_.Attr(owners[k].first, owners[k].second);
      PutVarint(&streams_[kKeys], SameOrNext(Str(kv.key), &ctx.key));
      ContextValue(kv.value, &ctx);
    }
    for (const AnyValue& v : b_.array_values) Value(v);
    for (const KeyValue& kv : b_.kvlist_values) {
      PutVarint(&streams_[kKeys], Str(kv.key));
      Value(kv.value);
    }
  }

  uint32_t Str(std::string_view s) { return ids_.Intern(s); }
  void PutRange(Stream stream, Range r, uint64_t* prev_end) {
    PutVarint(&streams_[stream],
              ZigZag(static_cast<int64_t>(r.begin) - static_cast<int64_t>(*prev_end)));
    PutVarint(&streams_[stream], r.count);
    *prev_end = r.end();
  }
  void Value(const AnyValue& v, bool type = true) {
    if (type) streams_[kValueTypes].push_back(static_cast<char>(v.type));
    switch (v.type) {
      case ValueType::kString:
      case ValueType::kBytes:
        PutVarint(&streams_[kValueStrings], Str(v.str));
        break;
      case ValueType::kBool:
        PutVarint(&streams_[kValueInts], v.bool_value ? 1 : 0);
        break;
      case ValueType::kInt:
        PutVarint(&streams_[kValueInts], ZigZag(v.int_value));
        break;
      case ValueType::kDouble: {
        uint64_t bits;
        std::memcpy(&bits, &v.double_value, 8);
        PutFixed64(&streams_[kValueDoubles], bits);
        break;
      }
      case ValueType::kArray:
      case ValueType::kKvList:
        PutVarint(&streams_[kValueRanges], v.children.begin);
        PutVarint(&streams_[kValueRanges], v.children.count);
        break;
      case ValueType::kEmpty:
        break;
    }
  }
  // Version 4 timings: a signed value x (two's complement) is coded as v = zigzag(x) (mode 0)
  // or v = zigzag(x - the context's previous value) (mode 1), whichever has fewer bits; the
  // column gets the varint zigzag(L - the context's previous L) * 2 + mode, L the bit length of
  // v (0..64), and the tail v's L - 1 bits below its leading one (for L >= 2).
  void PutTiming(Stream stream, uint64_t x, TimingContext* ctx,
                 std::vector<std::pair<uint64_t, unsigned>>* mantissas) {
    const uint64_t plain = ZigZag(static_cast<int64_t>(x));
    const uint64_t delta = ZigZag(static_cast<int64_t>(x - ctx->value));
    const bool mode = BitLength(delta) < BitLength(plain);
    const uint64_t v = mode ? delta : plain;
    const int64_t len = BitLength(v);
    PutVarint(&streams_[stream], ZigZag(len - ctx->len) * 2 + (mode ? 1 : 0));
    ctx->len = len;
    ctx->value = x;
    if (len >= 2) {
      mantissas->emplace_back(v & ~(uint64_t{1} << (len - 1)), static_cast<unsigned>(len - 1));
    }
  }
  // Version 4: a span attribute's value, predicted from the previous one of its context.
  void ContextValue(const AnyValue& v, AttrContext* ctx) {
    streams_[kValueTypes].push_back(
        static_cast<char>(SameOrNext(static_cast<uint64_t>(v.type), &ctx->type)));
    switch (v.type) {
      case ValueType::kString:
      case ValueType::kBytes:
        PutVarint(&streams_[kValueStrings], SameOrNext(Str(v.str), &ctx->str));
        break;
      default:
        Value(v, /*type=*/false);
    }
  }
  void EncodeSpans() {
    const SpanColumns& c = b_.spans;
    const size_t n = c.size();
    uint64_t prev_start = 0, attr_end = 0, event_end = 0, link_end = 0;
    size_t run_begin = 0;
    std::vector<uint64_t> starts, durations;
    const bool split = version_ >= kBatchCodecSplit;
    // Version 4: a span whose parent precedes it in its run is predicted to start at the
    // parent's start; any other span at the start of the previous such span.
    uint64_t orphan_start = 0;
    std::vector<std::pair<uint64_t, unsigned>> mantissas;
    if (split) tail_->reserve(n * 8 + n * 6);
    for (size_t i = 0; i < n; ++i) {
      if (i == run_begin) {
        size_t j = i + 1;
        while (j < n && c.trace_id[j] == c.trace_id[i]) ++j;
        if (version_ == kCodecVersion) streams_[kTraceRuns].append(c.trace_id[i].AsBytes());
        PutVarint(&streams_[kTraceRuns], j - i);
        run_begin_ = i;
        run_end_ = j;
        run_index_.clear();
        if (j - i > kLinearRun) {
          for (size_t k = i; k < j; ++k) run_index_.try_emplace(c.span_id[k].AsBytes(), k - i);
        }
      }
      (split ? *tail_ : streams_[kSpanIds]).append(c.span_id[i].AsBytes());
      const SpanId& parent = c.parent_span_id[i];
      size_t parent_row = SIZE_MAX;  // the parent's row, if it precedes this span in the run
      if (!parent.IsValid()) {
        PutVarint(&streams_[kParents], 0);
      } else if (size_t j = FindInRun(parent); j != SIZE_MAX) {
        PutVarint(&streams_[kParents], 2 + j);
        if (run_begin_ + j < i) parent_row = run_begin_ + j;
      } else {
        PutVarint(&streams_[kParents], 1);
        streams_[kParentIds].append(parent.AsBytes());
      }
      if (i + 1 == run_end_) run_begin = i + 1;
      if (split) {
        EncodeSplitFields(i, parent_row, &orphan_start, &attr_end, &event_end, &link_end,
                          &mantissas);
        continue;
      }
      PutVarint(&streams_[kTraceStates], Str(c.trace_state[i]));
      PutVarint(&streams_[kFlags], c.flags[i]);
      PutVarint(&streams_[kNames], Str(c.name[i]));
      streams_[kKinds].push_back(static_cast<char>(c.kind[i]));
      const uint64_t start_delta =
          ZigZag(static_cast<int64_t>(c.start_time_unix_nano[i] - prev_start));
      prev_start = c.start_time_unix_nano[i];
      const uint64_t duration =
          ZigZag(static_cast<int64_t>(c.end_time_unix_nano[i] - c.start_time_unix_nano[i]));
      if (version_ >= kBatchCodecPlanes) {
        starts.push_back(start_delta);
        durations.push_back(duration);
      } else {
        PutVarint(&streams_[kStarts], start_delta);
        PutVarint(&streams_[kDurations], duration);
      }
      streams_[kStatus].push_back(static_cast<char>(c.status_code[i]));
      PutVarint(&streams_[kStatusMessages], Str(c.status_message[i]));
      PutVarint(&streams_[kResourceRefs], c.resource_index[i]);
      PutVarint(&streams_[kScopeRefs], c.scope_index[i]);
      PutRange(kSpanAttrs, c.attributes[i], &attr_end);
      PutRange(kSpanEvents, c.events[i], &event_end);
      PutRange(kSpanLinks, c.links[i], &link_end);
      PutVarint(&streams_[kDropped], c.dropped_attributes_count[i]);
      PutVarint(&streams_[kDropped], c.dropped_events_count[i]);
      PutVarint(&streams_[kDropped], c.dropped_links_count[i]);
    }
    if (version_ >= kBatchCodecRange) {
      range_encoder_.Finish();
      PutBytes(tail_, timing_rc_);
      tail_->append(timing_raw_);
    } else if (split) {
      BitWriter bits(tail_);
      for (auto [v, len] : mantissas) bits.Put(v, len);
    } else if (version_ >= kBatchCodecPlanes) {
      PutPlanes(&streams_[kStarts], starts);
      PutPlanes(&streams_[kDurations], durations);
    }
  }
  // Version 4: the span columns of row i, each predicted from the previous span of its name.
  void EncodeSplitFields(size_t i, size_t parent_row, uint64_t* orphan_start, uint64_t* attr_end,
                         uint64_t* event_end, uint64_t* link_end,
                         std::vector<std::pair<uint64_t, unsigned>>* mantissas) {
    const SpanColumns& c = b_.spans;
    const uint32_t name = Str(c.name[i]);
    PutVarint(&streams_[kNames], name);
    span_contexts_.push_back(contexts_.Of(name));
    NameContext& ctx = contexts_[span_contexts_.back()];
    PutVarint(&streams_[kTraceStates], SameOrNext(Str(c.trace_state[i]), &ctx.trace_state));
    PutVarint(&streams_[kFlags], SameOrNext(c.flags[i], &ctx.flags));
    streams_[kKinds].push_back(
        static_cast<char>(SameOrNext(static_cast<uint64_t>(c.kind[i]), &ctx.kind)));
    const uint64_t start = c.start_time_unix_nano[i];
    const uint64_t base =
        parent_row != SIZE_MAX ? c.start_time_unix_nano[parent_row] : *orphan_start;
    if (parent_row == SIZE_MAX) *orphan_start = start;
    if (version_ >= kBatchCodecRange) {
      auto [ts, td] = ctx.Timings(parent_row == SIZE_MAX ? 0 : span_contexts_[parent_row] + 1);
      embedded::EncodeTiming(start - base, &ts->coded, &timing_models_[0], &range_encoder_,
                             &timing_bits_);
      embedded::EncodeTiming(c.end_time_unix_nano[i] - start, &td->coded, &timing_models_[1],
                             &range_encoder_, &timing_bits_);
    } else {
      PutTiming(kStarts, start - base, &ctx.start, mantissas);
      PutTiming(kDurations, c.end_time_unix_nano[i] - start, &ctx.duration, mantissas);
    }
    streams_[kStatus].push_back(
        static_cast<char>(SameOrNext(static_cast<uint64_t>(c.status_code[i]), &ctx.status)));
    PutVarint(&streams_[kStatusMessages],
              SameOrNext(Str(c.status_message[i]), &ctx.status_message));
    PutVarint(&streams_[kResourceRefs], SameOrNext(c.resource_index[i], &ctx.resource));
    PutVarint(&streams_[kScopeRefs], SameOrNext(c.scope_index[i], &ctx.scope));
    const Range a = c.attributes[i];
    PutVarint(&streams_[kSpanAttrs],
              ZigZag(static_cast<int64_t>(a.begin) - static_cast<int64_t>(*attr_end)));
    PutVarint(&streams_[kSpanAttrs], SameOrNext(a.count, &ctx.attr_count));
    *attr_end = a.end();
    PutRange(kSpanEvents, c.events[i], event_end);
    PutRange(kSpanLinks, c.links[i], link_end);
    PutVarint(&streams_[kDropped], c.dropped_attributes_count[i]);
    PutVarint(&streams_[kDropped], c.dropped_events_count[i]);
    PutVarint(&streams_[kDropped], c.dropped_links_count[i]);
  }
  void EncodeEvents() {
    const EventColumns& e = b_.events;
    uint64_t prev_time = 0, attr_end = 0;
    for (size_t i = 0; i < e.size(); ++i) {
      std::string& s = streams_[kEvents];
      PutVarint(&s, ZigZag(static_cast<int64_t>(e.time_unix_nano[i] - prev_time)));
      prev_time = e.time_unix_nano[i];
      PutVarint(&s, Str(e.name[i]));
      PutRange(kEvents, e.attributes[i], &attr_end);
      PutVarint(&s, e.dropped_attributes_count[i]);
    }
  }
  void EncodeLinks() {
    const LinkColumns& l = b_.links;
    uint64_t attr_end = 0;
    for (size_t i = 0; i < l.size(); ++i) {
      std::string& s = streams_[kLinks];
      s.append(l.trace_id[i].AsBytes());
      s.append(l.span_id[i].AsBytes());
      PutVarint(&s, Str(l.trace_state[i]));
      PutRange(kLinks, l.attributes[i], &attr_end);
      PutVarint(&s, l.dropped_attributes_count[i]);
      PutVarint(&s, l.flags[i]);
    }
  }

  const SpanBatch& b_;
  const uint8_t version_;
  std::string* tail_ = nullptr;
  NameContexts contexts_;                // version 4
  std::vector<uint32_t> span_contexts_;  // version 4: each span's context number
  // Version 5: the timings' range coder output and raw bits (the tail after the span ids).
  std::string timing_rc_, timing_raw_;
  RangeEncoder range_encoder_{&timing_rc_};
  BitWriter timing_bits_{&timing_raw_};
  std::array<TimingModel, 2> timing_models_;  // start, duration
  std::array<std::string, kStreamCount> streams_;
  StringIds ids_;
  // Index within the current run of the span with this id, or SIZE_MAX. Short runs (most
  // traces in a request) are searched linearly; long ones through run_index_.
  size_t FindInRun(const SpanId& id) const {
    if (run_end_ - run_begin_ <= kLinearRun) {
      for (size_t k = run_begin_; k < run_end_; ++k) {
        if (b_.spans.span_id[k] == id) return k - run_begin_;
      }
      return SIZE_MAX;
    }
    auto it = run_index_.find(id.AsBytes());
    return it == run_index_.end() ? SIZE_MAX : it->second;
  }

  static constexpr size_t kLinearRun = 32;
  std::unordered_map<std::string_view, size_t> run_index_;
  size_t run_begin_ = 0;
  size_t run_end_ = 0;
};

Status Corrupt(std::string_view what) {
  return Status::DataLoss(std::string("corrupt span batch encoding: ") + std::string(what));
}

// The fewest input bytes each counted item takes, in the order of the counts (spans, events,
// links, resources, scopes, attributes, array values, kvlist values, dictionary strings): one
// per varint, index or byte, 8 per span id, 16 + 8 per link id pair, 2 per range.
constexpr uint64_t kMinItemBytes[9] = {
    28,  // span: 8 id + parent + trace state, flags, name, kind, start, duration, status,
         // message, resource, scope + 3 ranges of 2 + 3 dropped counts
    5,   // event: time, name, range of 2, dropped
    29,  // link: 16 + 8 ids, trace state, range of 2, dropped, flags
    5,   // resource: range of 2, dropped, schema url, service name
    6,   // scope: name, version, range of 2, dropped, schema url
    2,   // attribute: key, value type
    1,   // array value: type
    2,   // kvlist value: key, type
    1,   // dictionary string: its length
};

class Decoder {
 public:
  Decoder(const std::vector<TraceId>* run_ids, const std::string_view* tail)
      : run_ids_(run_ids), tail_(tail) {}

  StatusOr<SpanBatch> Decode(std::string_view data) {
    Reader r(data);
    uint8_t version;
    if (!r.Byte(&version) || version < kCodecVersion || version > kBatchCodecRange) {
      return Corrupt("unknown version");
    }
    if (version != kCodecVersion && run_ids_ == nullptr) {
      return Corrupt("trace ids are not stored and none were given");
    }
    split_ = version >= kBatchCodecSplit;
    if (split_ != (tail_ != nullptr)) {
      return Corrupt(split_ ? "versions 4 and 5 need their tail"
                            : "a tail is only used by versions 4 and 5");
    }
    range_ = version >= kBatchCodecRange;
    with_ids_ = version == kCodecVersion;
    planes_ = version == kBatchCodecPlanes;
    uint64_t counts[9];
    for (uint64_t& c : counts) {
      if (!r.Varint(&c) || c > r.remaining() * 8 + 16) return Corrupt("bad count");
    }
    const uint64_t n_spans = counts[0], n_events = counts[1], n_links = counts[2],
                   n_resources = counts[3], n_scopes = counts[4], n_attrs = counts[5],
                   n_array = counts[6], n_kvlist = counts[7], n_dict = counts[8];
    // Every item needs at least kMinItemBytes of the input (the bytes the loops below read for
    // it), so counts the input cannot hold are refused here, before the columns are sized: a
    // small corrupt record cannot make the decoder allocate gigabytes.
    // (Version 4 keeps the 8 id bytes of a span in the tail.)
    uint64_t needed = 0;
    for (size_t i = 0; i < 9; ++i) needed += counts[i] * kMinItemBytes[i];
    if (split_) {
      if (n_spans > tail_->size() / 8) return Corrupt("tail shorter than the span ids");
      needed -= n_spans * 8;
      // Version 5 range codes the start and duration in the tail too (they may take under a
      // byte there; the 8 id bytes bound the span count).
      if (range_) needed -= n_spans * 2;
    }
    if (needed > r.remaining()) return Corrupt("counts larger than the input can hold");
    std::string_view lengths, dict_bytes;
    uint64_t total;
    if (!r.Bytes(&lengths) || !r.Varint(&total) || !r.Raw(total, &dict_bytes)) {
      return Corrupt("dictionary");
    }
    std::string_view owned = batch_.AdoptBuffer(std::string(dict_bytes));
    Reader lr(lengths);
    size_t pos = 0;
    dict_.reserve(n_dict);
    for (uint64_t i = 0; i < n_dict; ++i) {
      uint64_t len;
      if (!lr.Varint(&len) || len > owned.size() - pos) return Corrupt("dictionary length");
      dict_.push_back(owned.substr(pos, len));
      pos += len;
    }
    if (!lr.done() || pos != owned.size()) return Corrupt("dictionary size");
    for (auto& s : streams_) {
      std::string_view v;
      if (!r.Bytes(&v)) return Corrupt("stream");
      s = Reader(v);
    }
    if (!r.done()) return Corrupt("trailing bytes");

    // Pools first (sizes known), then owners, validating every range against the pools.
    // (Version 4 decodes the pools after the spans, whose names predict their attributes.)
    batch_.attributes.resize(n_attrs);
    batch_.array_values.resize(n_array);
    batch_.kvlist_values.resize(n_kvlist);
    if (!split_) {
      if (Status st = DecodePools(); !st.ok()) return st;
    }
    batch_.resources.resize(n_resources);
    for (Resource& res : batch_.resources) {
      Reader& s = streams_[kResources];
      if (!AbsRange(&s, &res.attributes) || !s.Varint32(&res.dropped_attributes_count) ||
          !Str(kResources, &res.schema_url) || !Str(kResources, &res.service_name)) {
        return Corrupt("resource");
      }
    }
    batch_.scopes.resize(n_scopes);
    for (Scope& sc : batch_.scopes) {
      Reader& s = streams_[kScopes];
      if (!Str(kScopes, &sc.name) || !Str(kScopes, &sc.version) || !AbsRange(&s, &sc.attributes) ||
          !s.Varint32(&sc.dropped_attributes_count) || !Str(kScopes, &sc.schema_url)) {
        return Corrupt("scope");
      }
    }
    if (Status st = DecodeEvents(n_events); !st.ok()) return st;
    if (Status st = DecodeLinks(n_links); !st.ok()) return st;
    if (Status st = DecodeSpans(n_spans); !st.ok()) return st;
    if (split_) {
      if (Status st = DecodePools(); !st.ok()) return st;
    }
    for (const Reader& s : streams_) {
      if (!s.done()) return Corrupt("stream longer than its column");
    }
    return std::move(batch_);
  }

 private:
  Status DecodePools() {
    std::vector<std::pair<uint32_t, uint32_t>> owners;
    if (split_) owners = AttributeOwners(batch_.spans, span_contexts_, batch_.attributes.size());
    for (size_t k = 0; k < batch_.attributes.size(); ++k) {
      KeyValue& kv = batch_.attributes[k];
      if (owners.empty() || owners[k].first == UINT32_MAX) {
        if (!Str(kKeys, &kv.key) || !Value(&kv.value)) return Corrupt("attribute");
        continue;
      }
      AttrContext& ctx = contexts_.Attr(owners[k].first, owners[k].second);
      if (!Same(kKeys, dict_.size() - 1, &ctx.key) || ctx.key >= dict_.size()) {
        return Corrupt("attribute key");
      }
      kv.key = dict_[ctx.key];
      if (!ContextValue(&kv.value, &ctx)) return Corrupt("attribute");
    }
    for (AnyValue& v : batch_.array_values) {
      if (!Value(&v)) return Corrupt("array value");
    }
    for (KeyValue& kv : batch_.kvlist_values) {
      if (!Str(kKeys, &kv.key) || !Value(&kv.value)) return Corrupt("kvlist value");
    }
    if (!CheckNesting()) return Corrupt("nested values");
    return Status::Ok();
  }
  bool ContextValue(AnyValue* v, AttrContext* ctx) {
    if (!SameByte(kValueTypes, static_cast<uint8_t>(ValueType::kKvList), &ctx->type)) return false;
    v->type = static_cast<ValueType>(ctx->type);
    switch (v->type) {
      case ValueType::kString:
      case ValueType::kBytes:
        if (!Same(kValueStrings, dict_.size() - 1, &ctx->str) || ctx->str >= dict_.size()) {
          return false;
        }
        v->str = dict_[ctx->str];
        return true;
      default:
        return Value(v, /*type=*/false);
    }
  }
  // An index into a table; 0 is accepted for an empty table (spans without a scope; a span
  // always has a resource, checked apart).
  static bool IndexOk(uint32_t index, size_t size) { return index < size || index == 0; }
  bool Str(Stream stream, std::string_view* out) {
    uint64_t id;
    if (!streams_[stream].Varint(&id) || id >= dict_.size()) return false;
    *out = dict_[id];
    return true;
  }
  bool AbsRange(Reader* s, Range* r) {
    return s->Varint32(&r->begin) && s->Varint32(&r->count) &&
           static_cast<uint64_t>(r->begin) + r->count <= batch_.attributes.size();
  }
  bool DeltaRange(Stream stream, uint64_t* prev_end, uint64_t pool, Range* r) {
    int64_t delta;
    uint32_t count;
    if (!streams_[stream].Signed(&delta) || !streams_[stream].Varint32(&count)) return false;
    int64_t begin = static_cast<int64_t>(*prev_end) + delta;
    if (begin < 0 || static_cast<uint64_t>(begin) + count > pool) return false;
    r->begin = static_cast<uint32_t>(begin);
    r->count = count;
    *prev_end = r->end();
    return true;
  }
  // read_type false: the type is already in *v (version 4 context values).
  bool Value(AnyValue* v, bool read_type = true) {
    if (read_type) {
      uint8_t type;
      if (!streams_[kValueTypes].Byte(&type) || type > static_cast<uint8_t>(ValueType::kKvList)) {
        return false;
      }
      v->type = static_cast<ValueType>(type);
    }
    switch (v->type) {
      case ValueType::kString:
      case ValueType::kBytes:
        return Str(kValueStrings, &v->str);
      case ValueType::kBool: {
        uint64_t b;
        if (!streams_[kValueInts].Varint(&b) || b > 1) return false;
        v->bool_value = b == 1;
        return true;
      }
      case ValueType::kInt:
        return streams_[kValueInts].Signed(&v->int_value);
      case ValueType::kDouble: {
        uint64_t bits;
        if (!streams_[kValueDoubles].Fixed64(&bits)) return false;
        std::memcpy(&v->double_value, &bits, 8);
        return true;
      }
      case ValueType::kArray:
      case ValueType::kKvList: {
        Reader& s = streams_[kValueRanges];
        if (!s.Varint32(&v->children.begin) || !s.Varint32(&v->children.count)) return false;
        uint64_t pool =
            v->type == ValueType::kArray ? batch_.array_values.size() : batch_.kvlist_values.size();
        return static_cast<uint64_t>(v->children.begin) + v->children.count <= pool;
      }
      case ValueType::kEmpty:
        return true;
    }
    return false;
  }
  // Nested values must form trees of bounded depth (a corrupt range could make a cycle).
  bool CheckNesting() {
    budget_ = 64 + 4 * (batch_.attributes.size() + batch_.array_values.size() +
                        batch_.kvlist_values.size());
    for (const KeyValue& kv : batch_.attributes) {
      if (!Walk(kv.value, 0)) return false;
    }
    return true;
  }
  bool Walk(const AnyValue& v, int depth) {
    if (v.type != ValueType::kArray && v.type != ValueType::kKvList) return true;
    if (depth > 64 || budget_ < v.children.count) return false;
    budget_ -= v.children.count;
    for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
      const AnyValue& child =
          v.type == ValueType::kArray ? batch_.array_values[i] : batch_.kvlist_values[i].value;
      if (!Walk(child, depth + 1)) return false;
    }
    return true;
  }
  Status DecodeEvents(uint64_t n) {
    EventColumns& e = batch_.events;
    e.time_unix_nano.resize(n);
    e.name.resize(n);
    e.attributes.resize(n);
    e.dropped_attributes_count.resize(n);
    uint64_t prev_time = 0, attr_end = 0;
    Reader& s = streams_[kEvents];
    for (uint64_t i = 0; i < n; ++i) {
      int64_t delta;
      if (!s.Signed(&delta) || !Str(kEvents, &e.name[i]) ||
          !DeltaRange(kEvents, &attr_end, batch_.attributes.size(), &e.attributes[i]) ||
          !s.Varint32(&e.dropped_attributes_count[i])) {
        return Corrupt("event");
      }
      prev_time += static_cast<uint64_t>(delta);
      e.time_unix_nano[i] = prev_time;
    }
    return Status::Ok();
  }
  Status DecodeLinks(uint64_t n) {
    LinkColumns& l = batch_.links;
    l.trace_id.resize(n);
    l.span_id.resize(n);
    l.trace_state.resize(n);
    l.attributes.resize(n);
    l.dropped_attributes_count.resize(n);
    l.flags.resize(n);
    uint64_t attr_end = 0;
    Reader& s = streams_[kLinks];
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view tid, sid;
      if (!s.Raw(16, &tid) || !s.Raw(8, &sid) || !Str(kLinks, &l.trace_state[i]) ||
          !DeltaRange(kLinks, &attr_end, batch_.attributes.size(), &l.attributes[i]) ||
          !s.Varint32(&l.dropped_attributes_count[i]) || !s.Varint32(&l.flags[i])) {
        return Corrupt("link");
      }
      TraceId::FromBytes(tid, &l.trace_id[i]);
      SpanId::FromBytes(sid, &l.span_id[i]);
    }
    return Status::Ok();
  }
  Status DecodeSpans(uint64_t n) {
    SpanColumns& c = batch_.spans;
    c.trace_id.resize(n);
    c.span_id.resize(n);
    c.parent_span_id.resize(n);
    c.trace_state.resize(n);
    c.flags.resize(n);
    c.name.resize(n);
    c.kind.resize(n);
    c.start_time_unix_nano.resize(n);
    c.end_time_unix_nano.resize(n);
    c.status_code.resize(n);
    c.status_message.resize(n);
    c.resource_index.resize(n);
    c.scope_index.resize(n);
    c.attributes.resize(n);
    c.events.resize(n);
    c.links.resize(n);
    c.dropped_attributes_count.resize(n);
    c.dropped_events_count.resize(n);
    c.dropped_links_count.resize(n);
    // Trace runs and span ids first: parents refer to spans of their run.
    std::vector<std::pair<size_t, size_t>> runs;
    for (size_t i = 0; i < n;) {
      std::string_view tid;
      uint64_t len;
      if ((with_ids_ && !streams_[kTraceRuns].Raw(16, &tid)) ||
          !streams_[kTraceRuns].Varint(&len) || len == 0 || len > n - i ||
          (!with_ids_ && runs.size() >= run_ids_->size())) {
        return Corrupt("trace runs");
      }
      TraceId id;
      if (with_ids_) {
        TraceId::FromBytes(tid, &id);
      } else {
        id = (*run_ids_)[runs.size()];
      }
      for (size_t k = i; k < i + len; ++k) c.trace_id[k] = id;
      runs.emplace_back(i, i + len);
      i += len;
    }
    if (!with_ids_ && runs.size() != run_ids_->size()) return Corrupt("trace run count");
    Reader id_reader(split_ ? tail_->substr(0, n * 8) : std::string_view());
    Reader& ids = split_ ? id_reader : streams_[kSpanIds];
    for (size_t i = 0; i < n; ++i) {
      std::string_view sid;
      if (!ids.Raw(8, &sid)) return Corrupt("span ids");
      SpanId::FromBytes(sid, &c.span_id[i]);
    }
    // Version 4: the row of each span's parent if it precedes the span in its run.
    std::vector<uint32_t> parent_rows;
    if (split_) parent_rows.assign(n, UINT32_MAX);
    for (auto [begin, end] : runs) {
      for (size_t i = begin; i < end; ++i) {
        uint64_t p;
        if (!streams_[kParents].Varint(&p)) return Corrupt("parents");
        if (p == 1) {
          std::string_view pid;
          if (!streams_[kParentIds].Raw(8, &pid)) return Corrupt("parent ids");
          SpanId::FromBytes(pid, &c.parent_span_id[i]);
        } else if (p >= 2) {
          if (p - 2 >= end - begin) return Corrupt("parent index");
          c.parent_span_id[i] = c.span_id[begin + (p - 2)];
          if (split_ && begin + (p - 2) < i) parent_rows[i] = static_cast<uint32_t>(begin + p - 2);
        }
      }
    }
    std::string_view timing_tail = split_ ? tail_->substr(n * 8) : std::string_view();
    if (range_) {  // version 5: the range coder's bytes, then the raw bits
      std::string_view timing_rc;
      Reader tr(timing_tail);
      if (!tr.Bytes(&timing_rc)) return Corrupt("timing range coder length");
      timing_tail = timing_tail.substr(timing_tail.size() - tr.remaining());
      range_decoder_.emplace(timing_rc);
    }
    BitReader mantissas(timing_tail);
    uint64_t orphan_start = 0;
    std::vector<uint64_t> start_planes, duration_planes;
    if (planes_ && (!streams_[kStarts].Planes(n, &start_planes) ||
                    !streams_[kDurations].Planes(n, &duration_planes))) {
      return Corrupt("start or duration planes");
    }
    if (n > 0 && batch_.resources.empty()) return Corrupt("spans without a resource");
    uint64_t prev_start = 0, attr_end = 0, event_end = 0, link_end = 0;
    if (split_) {
      for (size_t i = 0; i < n; ++i) {
        if (!DecodeSplitFields(i, parent_rows[i], &mantissas, &orphan_start, &attr_end, &event_end,
                               &link_end)) {
          return Corrupt("span columns");
        }
      }
      if (!mantissas.done()) return Corrupt("tail longer than its bits");
      if (range_ && !range_decoder_->Finish()) return Corrupt("timing range coder");
      return Status::Ok();
    }
    for (size_t i = 0; i < n; ++i) {
      uint8_t kind, status;
      int64_t start_delta = 0, duration = 0;
      if (planes_) {
        start_delta = UnZigZag(start_planes[i]);
        duration = UnZigZag(duration_planes[i]);
      }
      if (!Str(kTraceStates, &c.trace_state[i]) || !streams_[kFlags].Varint32(&c.flags[i]) ||
          !Str(kNames, &c.name[i]) || !streams_[kKinds].Byte(&kind) ||
          kind > static_cast<uint8_t>(SpanKind::kConsumer) ||
          (!planes_ &&
           (!streams_[kStarts].Signed(&start_delta) || !streams_[kDurations].Signed(&duration))) ||
          !streams_[kStatus].Byte(&status) ||
          status > static_cast<uint8_t>(SpanStatusCode::kError) ||
          !Str(kStatusMessages, &c.status_message[i]) ||
          !streams_[kResourceRefs].Varint32(&c.resource_index[i]) ||
          c.resource_index[i] >= batch_.resources.size() ||  // every span has a resource
          !streams_[kScopeRefs].Varint32(&c.scope_index[i]) ||
          !IndexOk(c.scope_index[i], batch_.scopes.size()) ||
          !DeltaRange(kSpanAttrs, &attr_end, batch_.attributes.size(), &c.attributes[i]) ||
          !DeltaRange(kSpanEvents, &event_end, batch_.events.size(), &c.events[i]) ||
          !DeltaRange(kSpanLinks, &link_end, batch_.links.size(), &c.links[i]) ||
          !streams_[kDropped].Varint32(&c.dropped_attributes_count[i]) ||
          !streams_[kDropped].Varint32(&c.dropped_events_count[i]) ||
          !streams_[kDropped].Varint32(&c.dropped_links_count[i])) {
        return Corrupt("span columns");
      }
      c.kind[i] = static_cast<SpanKind>(kind);
      c.status_code[i] = static_cast<SpanStatusCode>(status);
      prev_start += static_cast<uint64_t>(start_delta);
      c.start_time_unix_nano[i] = prev_start;
      c.end_time_unix_nano[i] = prev_start + static_cast<uint64_t>(duration);
    }
    return Status::Ok();
  }
  // Version 4: the inverse of SameOrNext (max: the largest valid value).
  bool Same(Stream stream, uint64_t max, uint64_t* last) {
    uint64_t coded;
    if (!streams_[stream].Varint(&coded) || (coded != 0 && coded - 1 > max)) return false;
    if (coded != 0) *last = coded - 1;
    return true;
  }
  bool SameByte(Stream stream, uint64_t max, uint64_t* last) {
    uint8_t coded;
    if (!streams_[stream].Byte(&coded) || (coded != 0 && coded - 1u > max)) return false;
    if (coded != 0) *last = coded - 1u;
    return true;
  }
  bool DecodeSplitFields(size_t i, uint32_t parent_row, BitReader* mantissas,
                         uint64_t* orphan_start, uint64_t* attr_end, uint64_t* event_end,
                         uint64_t* link_end) {
    SpanColumns& c = batch_.spans;
    uint64_t name;
    if (!streams_[kNames].Varint(&name) || name >= dict_.size()) return false;
    c.name[i] = dict_[name];
    span_contexts_.push_back(contexts_.Of(static_cast<uint32_t>(name)));
    NameContext& ctx = contexts_[span_contexts_.back()];
    uint64_t start_offset, duration;
    TimingContext *ts = &ctx.start, *td = &ctx.duration;
    if (range_) {
      std::tie(ts, td) = ctx.Timings(parent_row == UINT32_MAX ? 0 : span_contexts_[parent_row] + 1);
    }
    if (!Same(kTraceStates, dict_.size() - 1, &ctx.trace_state) ||
        !Same(kFlags, UINT32_MAX, &ctx.flags) ||
        !SameByte(kKinds, static_cast<uint8_t>(SpanKind::kConsumer), &ctx.kind) ||
        !Timing(kStarts, mantissas, ts, &start_offset) ||
        !Timing(kDurations, mantissas, td, &duration) ||
        !SameByte(kStatus, static_cast<uint8_t>(SpanStatusCode::kError), &ctx.status) ||
        !Same(kStatusMessages, dict_.size() - 1, &ctx.status_message) ||
        !Same(kResourceRefs, UINT32_MAX, &ctx.resource) ||
        ctx.resource >= batch_.resources.size() ||  // every span has a resource
        !Same(kScopeRefs, UINT32_MAX, &ctx.scope) ||
        !IndexOk(static_cast<uint32_t>(ctx.scope), batch_.scopes.size())) {
      return false;
    }
    // A context never read is all zeros: its dictionary ids must exist (an empty dictionary).
    if (ctx.trace_state >= dict_.size() || ctx.status_message >= dict_.size()) return false;
    c.trace_state[i] = dict_[ctx.trace_state];
    c.flags[i] = static_cast<uint32_t>(ctx.flags);
    c.kind[i] = static_cast<SpanKind>(ctx.kind);
    c.status_code[i] = static_cast<SpanStatusCode>(ctx.status);
    c.status_message[i] = dict_[ctx.status_message];
    c.resource_index[i] = static_cast<uint32_t>(ctx.resource);
    c.scope_index[i] = static_cast<uint32_t>(ctx.scope);
    const uint64_t base =
        parent_row != UINT32_MAX ? c.start_time_unix_nano[parent_row] : *orphan_start;
    const uint64_t start = base + start_offset;
    if (parent_row == UINT32_MAX) *orphan_start = start;
    c.start_time_unix_nano[i] = start;
    c.end_time_unix_nano[i] = start + duration;
    int64_t delta;
    if (!streams_[kSpanAttrs].Signed(&delta) || !Same(kSpanAttrs, UINT32_MAX, &ctx.attr_count)) {
      return false;
    }
    const int64_t begin = static_cast<int64_t>(*attr_end) + delta;
    if (begin < 0 || static_cast<uint64_t>(begin) + ctx.attr_count > batch_.attributes.size()) {
      return false;
    }
    c.attributes[i] = Range{static_cast<uint32_t>(begin), static_cast<uint32_t>(ctx.attr_count)};
    *attr_end = c.attributes[i].end();
    return DeltaRange(kSpanEvents, event_end, batch_.events.size(), &c.events[i]) &&
           DeltaRange(kSpanLinks, link_end, batch_.links.size(), &c.links[i]) &&
           streams_[kDropped].Varint32(&c.dropped_attributes_count[i]) &&
           streams_[kDropped].Varint32(&c.dropped_events_count[i]) &&
           streams_[kDropped].Varint32(&c.dropped_links_count[i]);
  }
  // A version 4 timing (Encoder::PutTiming): *x, the signed value (two's complement).
  bool Timing(Stream stream, BitReader* bits, TimingContext* ctx, uint64_t* x) {
    if (range_) {
      return embedded::DecodeTiming(&ctx->coded, &timing_models_[stream == kStarts ? 0 : 1],
                                    &*range_decoder_, bits, x);
    }
    uint64_t coded;
    if (!streams_[stream].Varint(&coded)) return false;
    const int64_t len = ctx->len + UnZigZag(coded >> 1);  // |UnZigZag| < 2^62: no overflow
    if (len < 0 || len > 64) return false;
    uint64_t v = static_cast<uint64_t>(len);  // 0 or 1
    if (len >= 2) {
      uint64_t low;
      if (!bits->Get(static_cast<unsigned>(len - 1), &low)) return false;
      v = (uint64_t{1} << (len - 1)) | low;
    }
    const uint64_t value = static_cast<uint64_t>(UnZigZag(v));
    *x = (coded & 1) != 0 ? ctx->value + value : value;
    ctx->len = len;
    ctx->value = *x;
    return true;
  }

  const std::vector<TraceId>* run_ids_;
  const std::string_view* tail_;
  bool with_ids_ = true;
  bool planes_ = false;
  bool split_ = false;
  bool range_ = false;  // version 5: timings range coded
  std::optional<RangeDecoder> range_decoder_;
  std::array<TimingModel, 2> timing_models_;  // version 5: start, duration
  NameContexts contexts_;                     // version 4
  std::vector<uint32_t> span_contexts_;       // version 4: each span's context number
  SpanBatch batch_;
  std::vector<std::string_view> dict_;
  std::array<Reader, kStreamCount> streams_{};
  uint64_t budget_ = 0;
};

// The framing of a version 1 encoding, for the read-only passes: the counts, the dictionary and
// the streams, located but not decoded.
struct Frame {
  uint64_t spans = 0;
  uint64_t resources = 0;
  std::string_view dict_lengths;
  std::string_view dict_bytes;
  uint64_t dict_size = 0;
  std::array<std::string_view, kStreamCount> streams;

  Status Parse(std::string_view data) {
    Reader r(data);
    uint8_t version;
    if (!r.Byte(&version) || version != kCodecVersion) return Corrupt("not a version 1 record");
    uint64_t counts[9];
    for (uint64_t& c : counts) {
      if (!r.Varint(&c) || c > r.remaining() * 8 + 16) return Corrupt("bad count");
    }
    spans = counts[0];
    resources = counts[3];
    dict_size = counts[8];
    if (spans * kMinItemBytes[0] > r.remaining()) return Corrupt("counts larger than the input");
    uint64_t total;
    if (!r.Bytes(&dict_lengths) || !r.Varint(&total) || !r.Raw(total, &dict_bytes)) {
      return Corrupt("dictionary");
    }
    for (std::string_view& s : streams) {
      if (!r.Bytes(&s)) return Corrupt("stream");
    }
    if (!r.done()) return Corrupt("trailing bytes");
    return Status::Ok();
  }

  // The dictionary as views into the record.
  Status Dictionary(std::vector<std::string_view>* dict) const {
    dict->clear();
    Reader lr(dict_lengths);
    size_t pos = 0;
    for (uint64_t i = 0; i < dict_size; ++i) {
      uint64_t len;
      if (!lr.Varint(&len) || len > dict_bytes.size() - pos) return Corrupt("dictionary length");
      dict->push_back(dict_bytes.substr(pos, len));
      pos += len;
    }
    if (!lr.done() || pos != dict_bytes.size()) return Corrupt("dictionary size");
    return Status::Ok();
  }
};

}  // namespace

Status ReadTraceRuns(std::string_view data, std::vector<EncodedTraceRun>* runs) {
  runs->clear();
  Frame f;
  if (Status s = f.Parse(data); !s.ok()) return s;
  Reader tr(f.streams[kTraceRuns]);
  Reader starts(f.streams[kStarts]);
  uint64_t start = 0;
  for (uint64_t i = 0; i < f.spans;) {
    std::string_view tid;
    uint64_t len;
    if (!tr.Raw(16, &tid) || !tr.Varint(&len) || len == 0 || len > f.spans - i) {
      return Corrupt("trace runs");
    }
    EncodedTraceRun& run = runs->emplace_back();
    TraceId::FromBytes(tid, &run.id);
    run.spans = static_cast<uint32_t>(len);
    for (uint64_t k = 0; k < len; ++k) {
      int64_t delta;
      if (!starts.Signed(&delta)) return Corrupt("starts");
      start += static_cast<uint64_t>(delta);
      if (k == 0 || start < run.min_start) run.min_start = start;
      if (k == 0 || start > run.max_start) run.max_start = start;
    }
    i += len;
  }
  if (!tr.done() || !starts.done()) return Corrupt("trace runs or starts longer than the spans");
  return Status::Ok();
}

Status ReadOperations(std::string_view data, std::vector<EncodedOperation>* out) {
  out->clear();
  Frame f;
  if (Status s = f.Parse(data); !s.ok()) return s;
  thread_local std::vector<std::string_view> dict;  // scratch, reused: called per record
  if (Status s = f.Dictionary(&dict); !s.ok()) return s;
  // Resources: range (2 varints), dropped count, schema url id, service name id.
  thread_local std::vector<std::string_view> services;
  services.clear();
  Reader res(f.streams[kResources]);
  for (uint64_t i = 0; i < f.resources; ++i) {
    uint64_t skip, service;
    if (!res.Varint(&skip) || !res.Varint(&skip) || !res.Varint(&skip) || !res.Varint(&skip) ||
        !res.Varint(&service) || service >= dict.size()) {
      return Corrupt("resource");
    }
    services.push_back(dict[service]);
  }
  Reader names(f.streams[kNames]);
  Reader kinds(f.streams[kKinds]);
  Reader refs(f.streams[kResourceRefs]);
  // Distinct by dictionary ids first (integers), then resolved to strings.
  thread_local std::vector<std::tuple<uint32_t, uint32_t, uint8_t>> keys;
  keys.clear();
  for (uint64_t i = 0; i < f.spans; ++i) {
    uint64_t name, ref;
    uint8_t kind;
    if (!names.Varint(&name) || name >= dict.size() || !kinds.Byte(&kind) ||
        kind > static_cast<uint8_t>(SpanKind::kConsumer) || !refs.Varint(&ref) ||
        (ref >= services.size() && ref != 0)) {
      return Corrupt("span operations");
    }
    keys.emplace_back(static_cast<uint32_t>(ref), static_cast<uint32_t>(name), kind);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // The encoder puts a string in the dictionary once, so distinct ids are distinct operations (a
  // corrupt record could repeat one: callers treat the list as a set).
  for (const auto& [ref, name, kind] : keys) {
    out->push_back(EncodedOperation{ref < services.size() ? services[ref] : std::string_view(),
                                    dict[name], static_cast<SpanKind>(kind)});
  }
  return Status::Ok();
}

void EncodeBatch(const SpanBatch& batch, std::string* out) {
  Encoder(batch, kCodecVersion).Encode(out);
}

void EncodeBatchWithoutTraceIds(const SpanBatch& batch, std::string* out, uint8_t version) {
  ARIADNE_CHECK(version == kBatchCodecNoTraceIds || version == kBatchCodecPlanes);
  Encoder(batch, version).Encode(out);
}

void EncodeBatchSplit(const SpanBatch& batch, std::string* out, std::string* tail, uint8_t version,
                      std::span<const std::string_view> preset) {
  ARIADNE_CHECK(version == kBatchCodecSplit || version == kBatchCodecRange);
  Encoder e(batch, version);
  e.Preset(preset);
  e.Encode(out, tail);
}

std::vector<std::string_view> BatchStrings(const SpanBatch& batch, uint8_t version) {
  ARIADNE_CHECK(version == kBatchCodecSplit || version == kBatchCodecRange);
  return Encoder(batch, version).Strings();
}

std::vector<std::pair<std::string, std::string>> EncodedStreams(const SpanBatch& batch,
                                                                uint8_t version) {
  ARIADNE_CHECK(version == kBatchCodecSplit || version == kBatchCodecRange);
  return Encoder(batch, version).Streams();
}

StatusOr<SpanBatch> DecodeBatch(std::string_view data) {
  return Decoder(nullptr, nullptr).Decode(data);
}

StatusOr<SpanBatch> DecodeBatch(std::string_view data, const std::vector<TraceId>& run_ids) {
  return Decoder(&run_ids, nullptr).Decode(data);
}

StatusOr<SpanBatch> DecodeBatchSplit(std::string_view data, std::string_view tail,
                                     const std::vector<TraceId>& run_ids) {
  return Decoder(&run_ids, &tail).Decode(data);
}

}  // namespace ariadne
