// Block: an immutable file of spans cut from the head (or merged by compaction), with the
// metadata that lets a query skip it.
//
// A block file (docs/formats/block.md) is a 48-byte checksummed header, a metadata section
// (time range, span count, the WAL sequence it covers, the blocks it replaces, service and
// operation sets, a trace index with each trace's id and row count, a page table with a summary
// per page, a zstd dictionary for the pages) and a body: the spans grouped by trace, traces in
// order of their first start (version 1: by trace id), cut at trace boundaries into pages of
// about kPageSpans spans, each batch_codec-encoded and zstd-compressed alone with the block's
// dictionary (trained on its pages, so what every page repeats is stored once per block), so a
// trace lookup decompresses one small page.
// A page summary (span start and duration ranges) and the block's page token filter (which pages
// may hold a service, operation or attribute key=value token; page_filter.h; versions 2-4: a bloom
// filter per page) let a search skip pages that cannot match without reading them.
// Version 4 pages keep their random bytes (span ids, timing bits) in an uncompressed tail after
// the zstd frame. Version 6 stores nothing the pages or the index already determine: a trace's
// latest start is in its page (the metadata bounds it by the page's latest start), and the bloom
// filter of trace ids is rebuilt from the index at open; its page dictionary is stored
// compressed. Version 1 (no page summaries), 2 (no page dictionary), 3 (no page tail), 4 (page
// blooms) and 5 (trace starts and the trace bloom filter stored) blocks are still read.
// Files are written to a temp name, synced, renamed and the directory synced (WriteBlockFile).
// Readers validate everything: checksums, sizes, the metadata's internal consistency, and the
// body against the metadata; any mismatch is DataLoss (the store then quarantines the file).
// Thread-safety: BlockMeta is immutable once built; functions are thread-safe.
// Tested by block_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_BLOCK_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_BLOCK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "model/span_batch.h"
#include "server/storage/embedded/page_filter.h"

namespace ariadne::embedded {

// Block format versions: 1 (rows by trace id, no page summaries; read only), 2 (page summaries;
// read only), 3 (read only: a zstd dictionary shared by the pages, start and duration byte
// planes in the pages, trace index starts delta-coded), 4 (read only: each page is a zstd frame
// of codec version 4 followed by its uncompressed tail of span ids and timing bits), 5 (read
// only: as 4 with codec version 5, whose tail range codes the timings, and one PageTokenFilter
// per block instead of a bloom filter per page) and 6 (written: as 5 without each trace's latest
// start and without the trace bloom filter, both derived at open, and with the page dictionary
// stored zstd-compressed; 0.6 B/span less).
constexpr uint32_t kBlockVersion = 6;
// The first version whose page tokens are in the block's PageTokenFilter (page_filter.h).
constexpr uint32_t kPageTokenFilterVersion = 5;
// The first version whose trace index holds only ids and row counts (no latest start, no
// stored trace bloom filter).
constexpr uint32_t kDerivedTraceStartVersion = 6;
// The page dictionary BuildBlock trains (at most), and the largest a reader accepts (a block
// declaring more is DataLoss; docs/formats/limits.md). Each open block keeps its dictionary in
// memory (twice: the bytes and zstd's prepared form). 128 KiB: 0.37 B/span less than 64 KiB
// on the demo workload, no slower page reads; 256 KiB saves only 0.02 more, as the dictionary
// is stored raw (docs/performance.md, "Page size and page dictionary").
constexpr uint64_t kPageDictBytes = 128 << 10;
constexpr uint64_t kMaxPageDictBytes = 1 << 20;

struct BlockTrace {
  TraceId id;
  // The latest span start of the trace in this block, or a bound of it: exact in versions 1-5
  // (stored); from version 6 the latest start of its page (the exact value is in the page).
  uint64_t max_start = 0;
  uint32_t row_begin = 0;
  uint32_t row_count = 0;
};

struct BlockOperation {
  std::string service;
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  friend auto operator<=>(const BlockOperation&, const BlockOperation&) = default;
};

constexpr uint32_t kPageSpans = 1024;
// The decompressed size a page may declare: kMaxPageBytesPerRow for each of its rows, at most
// kMaxPageBytes. A span is never larger than the request that carried it (max_request_bytes,
// 64 MiB by default), so a page declaring more is corrupt; the reader refuses it before
// allocating anything (docs/formats/limits.md).
constexpr uint64_t kMaxPageBytesPerRow = 256ull << 20;
constexpr uint64_t kMaxPageBytes = 8ull << 30;
constexpr uint64_t PageRawLimit(uint64_t row_count) {
  return row_count >= kMaxPageBytes / kMaxPageBytesPerRow ? kMaxPageBytes
                                                          : row_count * kMaxPageBytesPerRow;
}

struct BlockPage {
  uint64_t offset = 0;  // within the body
  uint64_t len = 0;
  uint32_t first_row = 0;
  uint32_t row_count = 0;
  uint64_t checksum = 0;  // XXH3-64 of the compressed page
  // Summary (stored from version 2; version 1 pages get a summary that excludes nothing).
  uint64_t min_start = 0;  // span start times in the page
  uint64_t max_start = UINT64_MAX;
  uint64_t min_duration = 0;  // span durations (end > start ? end - start : 0)
  uint64_t max_duration = UINT64_MAX;
  // Versions 2-4: SummaryToken bits; empty: no filter (may contain anything). From version 5
  // always empty: the tokens are in BlockMeta::page_filter.
  std::vector<uint64_t> bloom;
  // In memory only, derived at build/read time.
  uint32_t trace_begin = 0;  // traces[trace_begin, trace_end) are the page's traces
  uint32_t trace_end = 0;
  uint64_t max_trace_start = 0;  // the latest BlockTrace::max_start among them
};

// Tokens of the page filters: kind 's' service, 'o' operation (span name), 't' attribute
// (a = key, b = value as ValueAsText) of the span, its resource or its events.
uint64_t SummaryToken(char kind, std::string_view a, std::string_view b = {});
// The distinct tokens of a page's spans, sorted.
std::vector<uint64_t> PageTokens(const SpanBatch& page);

// A search token prepared for one block (BlockMeta::ProbeToken), then asked of its pages.
struct TokenProbe {
  uint64_t token = 0;
  PageTokenFilter::Probe filter;
};

struct BlockMeta {
  // Set by the caller before building.
  uint64_t id = 0;
  uint64_t wal_seq_end = 0;  // WAL segments below this are covered by blocks
  int64_t created_ns = 0;
  uint32_t level = 0;  // 0: cut from the head; n: compacted
  bool archive = false;
  std::vector<uint64_t> replaces;  // blocks this one supersedes (compaction)
  // Computed from the spans.
  uint64_t min_start = 0;
  uint64_t max_start = 0;
  uint64_t span_count = 0;
  std::vector<std::string> services;       // sorted, unique
  std::vector<BlockOperation> operations;  // sorted, unique
  std::vector<BlockTrace> traces;          // in row order (version 1: also by id)
  std::vector<uint32_t> by_id;             // indices of traces, sorted by trace id
  std::vector<uint64_t> bloom;             // bits over trace ids (version 6: built at open)
  std::vector<BlockPage> pages;            // contiguous, cover every row; whole traces each
  std::string page_dict;                   // version 3: zstd dictionary of the pages ("" none)
  uint64_t page_dict_stored_bytes = 0;     // what it takes in the file (version 6: compressed)
  PageTokenFilter page_filter;             // version 5: which pages may hold which tokens
  std::shared_ptr<const void> page_ddict;  // in memory: page_dict prepared for decompression
  uint64_t file_bytes = 0;
  uint64_t body_offset = 0;  // where the compressed body starts in the file
  uint64_t body_len = 0;
  uint64_t body_checksum = 0;
  uint32_t version = kBlockVersion;  // the file's format version (how its pages are encoded)

  bool MayContain(const TraceId& trace_id) const;
  const BlockTrace* FindTrace(const TraceId& trace_id) const;
  // The page holding row (rows of one trace are always in one page).
  size_t PageOf(uint32_t row) const;
  // False only if page certainly has no span with the probe's token (a SummaryToken).
  TokenProbe ProbeToken(uint64_t token) const;
  bool PageMayHave(const TokenProbe& probe, size_t page) const;
};

std::string BlockFileName(uint64_t id);
// Parses "<16 hex>.blk"; false for any other name.
bool ParseBlockFileName(const std::string& name, uint64_t* id);

// Returns a copy of the spans of the given batches in block order: grouped by trace, traces by
// their earliest start (then id), spans of a trace by start time. Rows close in time end up in
// the same pages, so start deltas are small and a search for recent traces reads few pages.
SpanBatch SortForBlock(const std::vector<const SpanBatch*>& batches);
// The same order as references to the rows (no copy: how the store builds blocks).
struct RowRef {
  const SpanBatch* batch;
  uint32_t row;
};
std::vector<RowRef> OrderForBlock(const std::vector<const SpanBatch*>& batches);
// The version 1 order (by trace id, then start); only for tests of version 1 compatibility.
SpanBatch SortByTraceId(const std::vector<const SpanBatch*>& batches);

// Builds the bytes of a block from spans grouped by trace (SortForBlock); fills meta's computed
// fields. version 1 (tests only) needs SortByTraceId order and writes no page summaries.
std::string BuildBlock(const SpanBatch& sorted, int zstd_level, BlockMeta* meta,
                       uint32_t page_spans = kPageSpans, uint32_t version = kBlockVersion);
std::string BuildBlock(const std::vector<RowRef>& rows, int zstd_level, BlockMeta* meta,
                       uint32_t page_spans = kPageSpans, uint32_t version = kBlockVersion);
// For analysis (benchmarks): where the bytes of the block BuildBlock would write go. Per column
// of the page encoding (EncodedStreams), summed over the pages, the bytes it takes compressed
// alone at zstd_level; "metadata" and "header" as written.
std::vector<std::pair<std::string, uint64_t>> BlockColumnBytes(const std::vector<RowRef>& rows,
                                                               int zstd_level,
                                                               uint32_t page_spans = kPageSpans);
// Writes a block durably: <dir>/<name>.tmp, sync, rename to <dir>/<name>, sync dir.
[[nodiscard]] Status WriteBlockFile(Env* env, const std::string& dir, const std::string& name,
                                    const std::string& bytes);
// Reads and validates the header and metadata.
[[nodiscard]] StatusOr<BlockMeta> ReadBlockMeta(Env* env, const std::string& path);
// Reads, validates, decompresses and decodes one page; its rows are meta.pages[page].first_row
// onwards. Checked against the metadata's trace index.
[[nodiscard]] StatusOr<SpanBatch> ReadBlockPage(Env* env, const std::string& path,
                                                const BlockMeta& meta, size_t page);
// Every page, as one batch (for compaction and verification); also checks the body checksum.
[[nodiscard]] StatusOr<SpanBatch> ReadBlockBody(Env* env, const std::string& path,
                                                const BlockMeta& meta);

}  // namespace ariadne::embedded

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_BLOCK_H_
