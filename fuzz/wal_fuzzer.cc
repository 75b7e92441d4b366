// libFuzzer target: the embedded store's WAL segment replay and the batch codec behind it, on
// arbitrary segment bytes (a disk may hand back anything). Replay must stop at the first invalid
// record, truncate the segment to the valid prefix, and a second replay must then see exactly
// the same records and nothing to truncate; every record payload is decoded as the store does at
// open, and a decoded batch must hold the SpanBatch invariants and survive encode/decode.
//
// Input: byte 0 is a mode, the rest is the segment. Mode bit 0 set: the harness rewrites every
// record's checksum to the correct value first, so mutations reach the payload decoder instead of
// dying at the checksum. Corpus: corpus/wal (from make_fuzz_seeds).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <xxhash.h>

#include "base/mem_env.h"
#include "fuzz/fuzz_checks.h"
#include "server/storage/embedded/batch_codec.h"
#include "server/storage/embedded/varint.h"
#include "server/storage/embedded/wal.h"

namespace {

using ariadne::embedded::GetFixed32;
using ariadne::embedded::kWalHeaderSize;

// Rewrites each record's checksum (docs/formats/wal.md: low 32 bits of XXH3-64 of the payload
// seeded with the length); stops at the first length that does not fit.
void FixChecksums(std::string* seg) {
  size_t pos = 0;
  while (seg->size() - pos >= kWalHeaderSize) {
    uint32_t len = GetFixed32(seg->data() + pos);
    if (len == 0 || len > seg->size() - pos - kWalHeaderSize) break;
    auto sum =
        static_cast<uint32_t>(XXH3_64bits_withSeed(seg->data() + pos + kWalHeaderSize, len, len));
    for (int i = 0; i < 4; ++i) (*seg)[pos + 4 + i] = static_cast<char>(sum >> (8 * i));
    pos += kWalHeaderSize + len;
  }
}

void DecodePayload(std::string_view payload) {
  auto batch = ariadne::DecodeBatch(payload);
  if (!batch.ok()) return;
  ariadne::fuzz::CheckBatch(*batch);
  std::string again;
  ariadne::EncodeBatch(*batch, &again);
  auto round = ariadne::DecodeBatch(again);
  FUZZ_CHECK(round.ok());
  FUZZ_CHECK(round->size() == batch->size());
  FUZZ_CHECK(ariadne::DebugString(*round) == ariadne::DebugString(*batch));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;  // NOLINT
  if (size == 0) return 0;
  std::string seg(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) FixChecksums(&seg);

  MemEnv env;
  const std::string path = "/wal/" + embedded::WalSegmentName(1);
  FUZZ_CHECK(env.CreateDirs("/wal").ok());
  {
    auto file = env.NewWritableFile(path, WriteMode::kTruncate);
    FUZZ_CHECK(file.ok());
    FUZZ_CHECK((*file)->Append(seg).ok());
    FUZZ_CHECK((*file)->Close().ok());
  }
  std::vector<std::string> first;
  embedded::WalReplayStats stats;
  Status s = embedded::ReplayWalSegment(
      &env, path, /*truncate=*/true,
      [&](std::string_view payload) {
        first.emplace_back(payload);
        DecodePayload(payload);
      },
      &stats);
  FUZZ_CHECK(s.ok());
  FUZZ_CHECK(stats.records == first.size());
  FUZZ_CHECK(stats.bytes + stats.truncated_bytes == seg.size());
  auto left = env.GetFileSize(path);
  FUZZ_CHECK(left.ok() && *left == stats.bytes);

  // The truncated segment replays to the same records, with nothing more to cut.
  std::vector<std::string> second;
  embedded::WalReplayStats again;
  s = embedded::ReplayWalSegment(
      &env, path, /*truncate=*/true,
      [&](std::string_view payload) { second.emplace_back(payload); }, &again);
  FUZZ_CHECK(s.ok());
  FUZZ_CHECK(second == first);
  FUZZ_CHECK(again.truncated_bytes == 0);
  return 0;
}
