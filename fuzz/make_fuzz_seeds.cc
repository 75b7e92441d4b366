// Writes the seed inputs of the storage fuzzers (wal_fuzzer, block_fuzzer), which are binary
// files produced by the store's own encoders: a WAL segment of batch_codec records and a block
// file, from SpanFactory traces plus the rich OTLP/JSON fixture (nested values, events, links).
// Each seed starts with the harness's mode byte (1: the harness fixes checksums; 0: raw).
//
// Usage (from the repository root, any build directory):
//   cmake --build build/<dir> --target make_fuzz_seeds
//   build/<dir>/fuzz/make_fuzz_seeds wire/otlp/corpus/otlp_json/rich_span.json fuzz/corpus
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "server/pipeline/span_factory.h"
#include "server/storage/embedded/batch_codec.h"
#include "server/storage/embedded/block.h"
#include "server/storage/embedded/varint.h"
#include "server/storage/embedded/wal.h"
#include "wire/otlp/otlp_json.h"

namespace {

using namespace ariadne;  // NOLINT

bool Write(const std::string& path, char mode, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.put(mode);
  out << bytes;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <rich_span.json> <corpus dir>\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream json;
  json << in.rdbuf();
  DecodeResult rich;
  if (!DecodeOtlpJson(json.str(), DecodeLimits(), &rich).ok()) {
    std::fprintf(stderr, "cannot decode %s\n", argv[1]);
    return 1;
  }
  SpanFactory factory(11);
  SpanBatch traces = factory.MakeBatch(16, 1'700'000'000'000'000'000ull);

  const std::string dir = argv[2];
  bool ok = true;
  // WAL: two records; the same segment with its last record torn.
  std::string rich_payload, traces_payload, segment;
  EncodeBatch(rich.batch, &rich_payload);
  EncodeBatch(traces, &traces_payload);
  embedded::AppendWalRecord(rich_payload, &segment);
  embedded::AppendWalRecord(traces_payload, &segment);
  ok &= Write(dir + "/wal/two_records.bin", 1, segment);
  ok &= Write(dir + "/wal/torn_tail.bin", 0, segment.substr(0, segment.size() - 7));

  // Blocks: the two batches in block order, compressed at level 1; one with a page per 8 spans.
  SpanBatch sorted = embedded::SortForBlock({&rich.batch, &traces});
  embedded::BlockMeta meta;
  meta.id = 1;
  meta.wal_seq_end = 2;
  ok &= Write(dir + "/block/block.bin", 1, embedded::BuildBlock(sorted, 1, &meta));
  embedded::BlockMeta paged_meta;
  paged_meta.id = 2;
  ok &= Write(dir + "/block/small_pages.bin", 1,
              embedded::BuildBlock(sorted, 1, &paged_meta, /*page_spans=*/8));
  // The previous format (version 2: no page dictionary, varint starts), still read.
  embedded::BlockMeta v2_meta;
  v2_meta.id = 3;
  ok &= Write(dir + "/block/version2.bin", 1,
              embedded::BuildBlock(sorted, 1, &v2_meta, /*page_spans=*/8, /*version=*/2));
  // Enough pages for a page dictionary (version 3 and later).
  SpanBatch many = factory.MakeBatch(1200, 1'700'000'000'000'000'000ull);
  SpanBatch many_sorted = embedded::SortForBlock({&many});
  embedded::BlockMeta dict_meta;
  dict_meta.id = 4;
  const std::string dict_block = embedded::BuildBlock(many_sorted, 1, &dict_meta, 64);
  if (dict_meta.page_dict.empty()) {
    std::fprintf(stderr, "expected a page dictionary\n");
    ok = false;
  }
  ok &= Write(dir + "/block/page_dictionary.bin", 1, dict_block);
  // The previous format (version 3: pages without a tail, byte planes), still read.
  embedded::BlockMeta v3_meta;
  v3_meta.id = 5;
  ok &= Write(dir + "/block/version3.bin", 1,
              embedded::BuildBlock(many_sorted, 1, &v3_meta, 64, /*version=*/3));
  // The previous format (version 4: codec version 4, timing bits raw in the tail, a bloom filter
  // per page), still read.
  embedded::BlockMeta v4_meta;
  v4_meta.id = 6;
  ok &= Write(dir + "/block/version4.bin", 1,
              embedded::BuildBlock(many_sorted, 1, &v4_meta, 64, /*version=*/4));
  // The previous format (version 5: each trace's latest start and the trace bloom filter
  // stored), still read.
  embedded::BlockMeta v5_meta;
  v5_meta.id = 8;
  ok &= Write(dir + "/block/version5.bin", 1,
              embedded::BuildBlock(many_sorted, 1, &v5_meta, 64, /*version=*/5));
  // The current version with both kinds of pages: unfiltered (more than 2 tokens per span) and
  // filtered, with tokens common enough for page lists (the smallest page size that gives both).
  SpanBatch plain = many.Clone();  // without span attributes: few tokens per span, pages filtered
  for (Range& r : plain.spans.attributes) r = Range{0, 0};
  const SpanBatch mixed = embedded::SortForBlock({&rich.batch, &plain});
  bool mixed_written = false;
  for (uint32_t page_spans : {8u, 16u, 24u, 32u, 48u, 64u}) {
    embedded::BlockMeta unfiltered_meta;
    unfiltered_meta.id = 7;
    const std::string block = embedded::BuildBlock(mixed, 1, &unfiltered_meta, page_spans);
    if (unfiltered_meta.page_filter.unfiltered_pages() == 0 ||
        unfiltered_meta.page_filter.unfiltered_pages() == unfiltered_meta.pages.size() ||
        unfiltered_meta.page_filter.common_tokens() == 0) {
      continue;
    }
    ok &= Write(dir + "/block/unfiltered_pages.bin", 1, block);
    mixed_written = true;
    break;
  }
  if (!mixed_written) {
    std::fprintf(stderr, "no page size gives unfiltered pages and common tokens\n");
    ok = false;
  }
  // A page encoding (codec version 5, and the previous version 4) as page_codec_fuzzer takes
  // it: run count, encoding, tail (the directory must exist, like the others).
  std::vector<TraceId> runs;
  for (const TraceId& id : sorted.spans.trace_id) {
    if (runs.empty() || runs.back() != id) runs.push_back(id);
  }
  for (uint8_t version : {kBatchCodecRange, kBatchCodecSplit}) {
    std::string encoding, tail, page;
    EncodeBatchSplit(sorted, &encoding, &tail, version);
    embedded::PutBytes(&page, encoding);
    page += tail;
    const std::string name = version == kBatchCodecRange ? "page.bin" : "page_version4.bin";
    ok &= runs.size() <= 255 &&
          Write(dir + "/page_codec/" + name, static_cast<char>(runs.size()), page);
  }
  std::printf("%s\n", ok ? "seeds written" : "write failed");
  return ok ? 0 : 1;
}
