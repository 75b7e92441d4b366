// Batch codec: a SpanBatch as compact columnar bytes, shared by WAL records and block bodies.
//
// Every string of the batch goes once into a dictionary (services, operations, attribute keys and
// values, ...) and is referenced by a varint index. Each field is its own column (stream), so a
// general compressor (zstd in blocks) sees similar bytes together. Start times are delta-coded
// against the previous span, end times as durations (version 3: both in byte planes), ranges as
// deltas from the previous range's end. Version 4 (block pages) predicts most span columns and
// span attributes from the previous span of the same name, codes timings as a bit length plus
// the bits below the leading one, and puts span ids and those bits in a separate raw tail;
// version 5 range codes the timings there instead (range_coder.h, timing_coder.h).
// Consecutive spans of one trace share a trace-id run; a parent found among the preceding spans of
// the same run is stored as a back-reference (an index within the trace). Layout:
// docs/formats/block.md#body. Decoding validates every count, index and range and returns DataLoss
// instead of trusting the bytes; the decoded batch adopts one buffer holding the dictionary, so its
// string views stay valid. Thread-safety: pure functions. Tested by batch_codec_test.cc (round
// trips, corruption).
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_BATCH_CODEC_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_BATCH_CODEC_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/span_batch.h"

namespace ariadne {

// Appends the encoding of batch to *out (codec version 1: self-contained, used by the WAL).
void EncodeBatch(const SpanBatch& batch, std::string* out);
// Codec versions 2 and 3: the trace runs keep only their lengths; the container stores the ids (a
// block page: its traces in the block's trace index). Decode them with the run ids. Version 3
// also stores start deltas and durations in byte planes (block format 3; 2 is for tests of
// older blocks).
constexpr uint8_t kBatchCodecNoTraceIds = 2;
constexpr uint8_t kBatchCodecPlanes = 3;
void EncodeBatchWithoutTraceIds(const SpanBatch& batch, std::string* out,
                                uint8_t version = kBatchCodecPlanes);
// Codec version 4 (block format 4): as version 3 without span ids, with each start and duration
// as a bit-length byte in its column; the span ids (8 bytes each) and the bits of every timing
// below its leading one (start: predicted from a preceding parent's start) go to *tail, which the
// container stores uncompressed (random bits would only flatten zstd's literal statistics).
constexpr uint8_t kBatchCodecSplit = 4;
// Codec version 5 (block format 5): version 4 with every start and duration range coded in the
// tail (timing_coder.h: an adaptively modelled quarter-octave bucket relative to a prediction
// from the context of the span's name and its parent's name, then the raw bits below the
// bucket); streams 8 and 9 are empty.
constexpr uint8_t kBatchCodecRange = 5;
// preset: strings the dictionary starts with, in this order, whether the batch uses them or not
// (a block gives each page the strings common to its pages, so that they have the same index in
// every page and the pages' bytes repeat, which the block's zstd dictionary then captures).
void EncodeBatchSplit(const SpanBatch& batch, std::string* out, std::string* tail,
                      uint8_t version = kBatchCodecRange,
                      std::span<const std::string_view> preset = {});
// The strings of batch's dictionary in a version 4 or 5 encoding without preset (views into
// batch), in order of first use.
std::vector<std::string_view> BatchStrings(const SpanBatch& batch,
                                           uint8_t version = kBatchCodecRange);
// For analysis (benchmarks): the dictionary, the tail's parts and each column of the version
// 4 or 5 encoding, by name, before they are framed.
std::vector<std::pair<std::string, std::string>> EncodedStreams(const SpanBatch& batch,
                                                                uint8_t version = kBatchCodecRange);
[[nodiscard]] StatusOr<SpanBatch> DecodeBatch(std::string_view data);
// run_ids: the trace id of each run, in order (needed by version 2; version 1 ignores it).
[[nodiscard]] StatusOr<SpanBatch> DecodeBatch(std::string_view data,
                                              const std::vector<TraceId>& run_ids);
// Versions 4 and 5: data and the tail EncodeBatchSplit wrote beside it.
[[nodiscard]] StatusOr<SpanBatch> DecodeBatchSplit(std::string_view data, std::string_view tail,
                                                   const std::vector<TraceId>& run_ids);

// Read-only passes over a version 1 encoding (EncodeBatch, a WAL record) that build no SpanBatch
// and copy no string: the WAL replay indexes records with them and decodes a record only when a
// read needs its spans. They check only the columns they read (DataLoss if those are malformed);
// DecodeBatch may still refuse a record they accept.

// A trace run: `spans` consecutive rows of one trace (runs cover rows 0..n-1 in order, the rows
// DecodeBatch gives), with the earliest and latest start among them.
struct EncodedTraceRun {
  TraceId id;
  uint32_t spans = 0;
  uint64_t min_start = 0;
  uint64_t max_start = 0;
};
[[nodiscard]] Status ReadTraceRuns(std::string_view data, std::vector<EncodedTraceRun>* runs);

// The distinct (service, operation name, kind) of the record's spans (a corrupt record may repeat
// one); the views point into data.
struct EncodedOperation {
  std::string_view service;
  std::string_view name;
  SpanKind kind = SpanKind::kUnspecified;
  bool operator==(const EncodedOperation&) const = default;
};
[[nodiscard]] Status ReadOperations(std::string_view data, std::vector<EncodedOperation>* out);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_BATCH_CODEC_H_
