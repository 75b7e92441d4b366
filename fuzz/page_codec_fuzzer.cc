// libFuzzer target: batch codec versions 4 and 5 (block format 4 and 5 pages) decoded directly. The
// block fuzzer reaches it only through a zstd frame whose content checksum refuses almost every
// mutation, so this target feeds the decoder its two parts as they are after decompression.
// Whatever decodes must hold the SpanBatch invariants and survive encode/decode unchanged.
//
// Input: byte 0 is the number of trace runs the page claims (the run ids are made up), then a
// varint length and that many bytes of the encoding, then the rest is the tail. Corpus:
// corpus/page_codec (from make_fuzz_seeds).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_checks.h"
#include "server/storage/embedded/batch_codec.h"
#include "server/storage/embedded/varint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;  // NOLINT
  if (size == 0) return 0;
  std::vector<TraceId> runs(data[0]);
  for (size_t i = 0; i < runs.size(); ++i) runs[i] = TraceId::FromHighLow(1, i + 1);
  embedded::Reader r(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  std::string_view encoding;
  if (!r.Bytes(&encoding)) return 0;
  std::string_view tail;
  if (!r.Raw(r.remaining(), &tail)) return 0;
  auto batch = DecodeBatchSplit(encoding, tail, runs);
  if (!batch.ok()) {
    FUZZ_CHECK(batch.status().code() == StatusCode::kDataLoss);
    return 0;
  }
  fuzz::CheckBatch(*batch);
  std::string again, again_tail;  // re-encoded in the version it was decoded from
  EncodeBatchSplit(*batch, &again, &again_tail, static_cast<uint8_t>(encoding[0]));
  auto round = DecodeBatchSplit(again, again_tail, runs);
  FUZZ_CHECK(round.ok());
  FUZZ_CHECK(DebugString(*round) == DebugString(*batch));
  return 0;
}
