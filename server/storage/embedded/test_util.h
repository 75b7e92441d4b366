// Test helpers for the embedded store: random but realistic span batches, and a canonical,
// order-independent form of a batch's spans for "identical content" checks.
// Thread-safety: functions of their arguments only. Used by the *_test.cc files here.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_TEST_UTIL_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/span_batch.h"

namespace ariadne::embedded_test {

struct RandomBatchOptions {
  int traces = 5;
  int max_spans_per_trace = 8;
  uint64_t base_time_ns = 1'700'000'000'000'000'000;
  uint64_t time_spread_ns = 3'600'000'000'000;  // one hour
  bool rich = true;                             // events, links, nested values, scopes
};

SpanBatch RandomBatch(std::mt19937_64* rng, const RandomBatchOptions& options);
// One DebugString per span (each span copied alone), sorted: equal iff same spans.
std::vector<std::string> CanonicalSpans(const SpanBatch& batch);
// Canonical spans of one trace within a batch.
std::vector<std::string> CanonicalTrace(const SpanBatch& batch, const TraceId& id);
std::vector<TraceId> TraceIds(const SpanBatch& batch);

// Block file surgery for corruption tests (layout: docs/formats/block.md). A test edits bytes,
// then makes the checksums agree again, so the edit reaches the validation behind them.
// Replaces the first occurrence of the 8 little-endian bytes of `from` inside the metadata with
// `to` (a bloom word, a page checksum); false if they are not there.
bool ReplaceMetaWord(std::string* block, uint64_t from, uint64_t to);
// Recomputes the metadata, body and header checksums (not the page checksums).
void FixBlockChecksums(std::string* block);
// A zstd frame of exactly `len` bytes (>= 16) declaring `declared` decompressed bytes but holding
// one raw block of len - 16 zero bytes.
std::string ZstdFrameDeclaring(uint64_t declared, size_t len);

}  // namespace ariadne::embedded_test

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_TEST_UTIL_H_
