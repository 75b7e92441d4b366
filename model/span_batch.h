// SpanBatch: the columnar form every span takes inside Ariadne, from decoder to store.
//
// Layout (documented in docs/formats/span_batch.md):
//   - Spans are columns: one std::vector per field (ids, name, kind, times, status, ...). Span i
//     is row i of every span column.
//   - Strings are std::string_views into memory the batch owns: its arena (copied bytes) or
//     buffers it adopted whole (AdoptBuffer), so a decoder can point into the request it was given
//     without copying. Moving a batch keeps every view valid; copying is deleted (use Clone()).
//     Exception: a batch filled by a SpanAppender with borrow_strings views its sources' memory.
//   - Attributes of spans, events, links, resources and scopes live in one KeyValue pool;
//     each owner holds a Range into it. Nested values (arrays, key/value lists) keep their
//     children contiguous in two child pools (array_values, kvlist_values).
//   - Resources and instrumentation scopes are interned per batch: spans refer to them by index.
//   - Events and links are column groups of their own; each span holds a Range into them.
//
// Thread-safety: a batch is built by one thread and may then be read by many.
// Tested by span_batch_test.cc.
#ifndef ARIADNE_MODEL_SPAN_BATCH_H_
#define ARIADNE_MODEL_SPAN_BATCH_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/ids.h"

namespace ariadne {

// Numbering follows OTLP (trace.proto Span.SpanKind, Status.StatusCode).
enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5
};
enum class SpanStatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

std::string_view SpanKindName(SpanKind kind);  // "server", "client", ... ("unspecified")
bool ParseSpanKind(std::string_view name, SpanKind* kind);  // accepts the names above, any case,
                                                            // and OTLP's SPAN_KIND_SERVER form

enum class ValueType : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvList };

struct Range {
  uint32_t begin = 0;
  uint32_t count = 0;
  uint32_t end() const { return begin + count; }
};

// A typed attribute value. Strings and bytes are views; arrays and key/value lists are a Range
// into SpanBatch::array_values or SpanBatch::kvlist_values.
struct AnyValue {
  ValueType type = ValueType::kEmpty;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view str;  // kString and kBytes
  Range children;        // kArray and kKvList

  static AnyValue String(std::string_view s) {
    AnyValue v;
    v.type = ValueType::kString;
    v.str = s;
    return v;
  }
  static AnyValue Bytes(std::string_view s) {
    AnyValue v;
    v.type = ValueType::kBytes;
    v.str = s;
    return v;
  }
  static AnyValue Bool(bool b) {
    AnyValue v;
    v.type = ValueType::kBool;
    v.bool_value = b;
    return v;
  }
  static AnyValue Int(int64_t i) {
    AnyValue v;
    v.type = ValueType::kInt;
    v.int_value = i;
    return v;
  }
  static AnyValue Double(double d) {
    AnyValue v;
    v.type = ValueType::kDouble;
    v.double_value = d;
    return v;
  }
};

struct KeyValue {
  std::string_view key;
  AnyValue value;
};

struct Resource {
  Range attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;
  std::string_view service_name;  // the service.name attribute, or "" (cached for speed)
};

struct Scope {
  std::string_view name;
  std::string_view version;
  Range attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;
};

struct EventColumns {
  std::vector<uint64_t> time_unix_nano;
  std::vector<std::string_view> name;
  std::vector<Range> attributes;
  std::vector<uint32_t> dropped_attributes_count;
  size_t size() const { return name.size(); }
};

struct LinkColumns {
  std::vector<TraceId> trace_id;
  std::vector<SpanId> span_id;
  std::vector<std::string_view> trace_state;
  std::vector<Range> attributes;
  std::vector<uint32_t> dropped_attributes_count;
  std::vector<uint32_t> flags;
  size_t size() const { return span_id.size(); }
};

struct SpanColumns {
  std::vector<TraceId> trace_id;
  std::vector<SpanId> span_id;
  std::vector<SpanId> parent_span_id;  // all-zero for a root span
  std::vector<std::string_view> trace_state;
  std::vector<uint32_t> flags;  // W3C trace flags in the low byte, OTLP span flags above
  std::vector<std::string_view> name;
  std::vector<SpanKind> kind;
  std::vector<uint64_t> start_time_unix_nano;
  std::vector<uint64_t> end_time_unix_nano;
  std::vector<SpanStatusCode> status_code;
  std::vector<std::string_view> status_message;
  std::vector<uint32_t> resource_index;
  std::vector<uint32_t> scope_index;
  std::vector<Range> attributes;
  std::vector<Range> events;
  std::vector<Range> links;
  std::vector<uint32_t> dropped_attributes_count;
  std::vector<uint32_t> dropped_events_count;
  std::vector<uint32_t> dropped_links_count;
  size_t size() const { return span_id.size(); }
};

class SpanBatch {
 public:
  SpanBatch() = default;
  SpanBatch(SpanBatch&&) noexcept = default;
  SpanBatch& operator=(SpanBatch&&) noexcept = default;
  SpanBatch(const SpanBatch&) = delete;
  SpanBatch& operator=(const SpanBatch&) = delete;

  size_t size() const { return spans.size(); }
  bool empty() const { return spans.size() == 0; }

  // Copies s into the arena; the view stays valid for the batch's lifetime.
  std::string_view Intern(std::string_view s);
  // Takes ownership of a buffer so views into it stay valid (zero-copy decoding).
  std::string_view AdoptBuffer(std::string buffer);

  // Appends a span with default values in every column and returns its row.
  uint32_t AddSpan();
  uint32_t AddEvent();
  uint32_t AddLink();
  uint32_t AddResource();
  uint32_t AddScope();
  // Appends attributes to the shared pool; the caller records the Range.
  uint32_t AddAttribute(std::string_view key, const AnyValue& value);

  // Removes every span, event, link, resource, scope, attribute and string, keeping the columns'
  // and pools' capacity: a batch refilled many times (block building's page) then grows its
  // vectors once instead of once per fill. Views into the batch become invalid.
  void Clear();

  // Removes span rows for which keep[i] is false (events, links, attributes stay in their pools,
  // unreferenced). Used to drop malformed spans and keep their neighbours.
  void FilterSpans(const std::vector<bool>& keep);

  // Appends every span of other (with its resources, scopes, attributes, events and links),
  // re-interning strings. Returns the row of the first appended span.
  uint32_t Append(const SpanBatch& other);
  // Appends one span of other.
  uint32_t AppendSpan(const SpanBatch& other, uint32_t row);
  SpanBatch Clone() const;

  // Span i's service name (from its resource), or "" if none.
  std::string_view ServiceName(uint32_t span) const {
    return resources[spans.resource_index[span]].service_name;
  }
  // Finds an attribute among span i's own attributes.
  const AnyValue* FindSpanAttribute(uint32_t span, std::string_view key) const;
  // Recomputes Resource::service_name from the attributes.
  void RefreshServiceName(uint32_t resource);

  // Approximate bytes held (columns, pools, arena), for memory limits.
  size_t MemoryBytes() const;

  SpanColumns spans;
  EventColumns events;
  LinkColumns links;
  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  std::vector<KeyValue> attributes;     // the shared pool
  std::vector<AnyValue> array_values;   // children of kArray values
  std::vector<KeyValue> kvlist_values;  // children of kKvList values

 private:
  friend class BatchCopier;
  // Copies of from's values and attributes into this batch. borrow: strings keep viewing from's
  // memory instead of being interned (SpanAppender's borrow_strings).
  std::string_view CopyString(std::string_view s, bool borrow) { return borrow ? s : Intern(s); }
  AnyValue CopyValue(const SpanBatch& from, const AnyValue& v, bool borrow = false);
  Range CopyAttributes(const SpanBatch& from, Range r, bool borrow = false);

  static constexpr size_t kArenaBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> arena_blocks_;
  std::vector<std::unique_ptr<std::string>> adopted_;
  char* arena_ptr_ = nullptr;
  size_t arena_left_ = 0;
  size_t arena_bytes_ = 0;
};

class BatchCopier;

struct SpanAppenderOptions {
  // dst's strings view the sources' memory instead of copies of it, so dst must not outlive any
  // source. For a short-lived batch that is only read (a block page being encoded): it saves
  // copying every string.
  bool borrow_strings = false;
  // Spans whose resources (or scopes) are equal in content share one in dst, whichever source
  // they come from (each request carries its own copy of the same resource; copied span by span
  // a page would hold it once per request).
  bool share_equal_resources = false;
};

// Appends spans picked one at a time from several source batches into `dst`, copying each
// source's resources and scopes once (AppendSpan copies them again with every span). The sources
// must outlive the appender.
class SpanAppender {
 public:
  explicit SpanAppender(SpanBatch* dst, SpanAppenderOptions options = {});
  ~SpanAppender();
  SpanAppender(const SpanAppender&) = delete;
  SpanAppender& operator=(const SpanAppender&) = delete;

  // Appends span `row` of `src`; returns its row in dst.
  uint32_t Append(const SpanBatch& src, uint32_t row);
  // Starts filling dst again after the caller cleared it (SpanBatch::Clear), keeping what the
  // appender learnt about the sources: with share_equal_resources, which of their resources and
  // scopes are equal, so a caller filling many batches from the same sources (block building's
  // pages) compares each source resource once, not once per batch.
  void Restart();

 private:
  friend class BatchCopier;
  // share_equal_resources: the class of resources (scopes) equal to one with this content key.
  uint32_t ClassOf(std::string key);

  SpanBatch* dst_;
  SpanAppenderOptions options_;
  uint32_t epoch_ = 1;  // incremented by Restart: what was copied into dst before is gone
  const SpanBatch* last_src_ = nullptr;
  BatchCopier* last_ = nullptr;
  std::unordered_map<const SpanBatch*, std::unique_ptr<BatchCopier>> copiers_;
  // share_equal_resources: content key -> class; class -> its index in dst (kNone: not there yet).
  std::unordered_map<std::string, uint32_t> classes_;
  std::vector<uint32_t> class_dst_;
};

// True if two values are equal (children compared deeply; doubles bitwise).
bool ValuesEqual(const SpanBatch& a, const AnyValue& va, const SpanBatch& b, const AnyValue& vb);
// A readable, deterministic dump of a batch (for tests and the console exporter's debug mode).
std::string DebugString(const SpanBatch& batch);

}  // namespace ariadne

#endif  // ARIADNE_MODEL_SPAN_BATCH_H_
