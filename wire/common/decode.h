// What every decoder of untrusted bytes shares: its limits and the shape of its result.
//
// A decoder turns a request body into a SpanBatch. It returns a non-OK Status only when the
// request as a whole is unusable (not the format, truncated framing, a limit on the whole
// request): the receiver answers 400 with the message. A span that is malformed on its own
// (an id of the wrong length, say) is dropped alone: the decoder counts it in rejected_spans,
// says why in error_message (OTLP partial success), and keeps every valid neighbour.
// Limits that only trim a span (attribute count, value length) trim it and add to its dropped
// counts instead of rejecting it. docs/formats/limits.md lists every limit and its default.
#ifndef ARIADNE_WIRE_COMMON_DECODE_H_
#define ARIADNE_WIRE_COMMON_DECODE_H_

#include <cstdint>
#include <string>

#include "model/span_batch.h"

namespace ariadne {

struct DecodeLimits {
  // Attributes kept per span, event, link, resource or scope; the rest are dropped and counted.
  uint32_t max_attributes = 128;
  // Longer string and bytes values are truncated to this many bytes (at a UTF-8 boundary); so
  // are the other free-text fields: status messages, trace states, schema URLs.
  uint32_t max_value_bytes = 16 * 1024;
  // Longer names and keys are truncated to this many bytes (at a UTF-8 boundary): span and event
  // names, scope names and versions, attribute keys (also inside key/value lists).
  uint32_t max_name_bytes = 1024;
  // Events and links kept per span; the rest are dropped and counted.
  uint32_t max_events = 128;
  uint32_t max_links = 128;
  // Nesting of arrays and key/value lists inside one attribute value; deeper requests are
  // rejected as malformed (they are never produced by real SDKs).
  uint32_t max_value_depth = 8;
  // Spans in one request; a request declaring or holding more is refused whole.
  uint32_t max_spans = 1'000'000;
};

struct DecodeResult {
  SpanBatch batch;
  uint64_t rejected_spans = 0;  // dropped alone because they were malformed
  std::string error_message;    // why, for the first few rejections ("" if none)
  // Records a rejected span; keeps error_message short.
  void Reject(std::string_view why);
};

// Removes the link SpanBatch::AddLink appended last (a link found malformed after it was
// added; its attributes stay in the pool, unreferenced, as FilterSpans leaves them).
void DropLastLink(SpanBatch* b);

}  // namespace ariadne

#endif  // ARIADNE_WIRE_COMMON_DECODE_H_
