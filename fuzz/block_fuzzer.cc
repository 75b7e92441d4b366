// libFuzzer target: the embedded store's block file reader on arbitrary file bytes (a disk may
// hand back anything): ReadBlockMeta, then every page (ReadBlockPage) and the whole body
// (ReadBlockBody). Each must return a Status, never crash; whatever they accept must hold the
// SpanBatch invariants and agree with the metadata (row counts, page table).
//
// Input: byte 0 is a mode, the rest is the file. Mode bit 0 set: the harness first makes the
// header consistent (meta_len clamped to the file, body_len = the rest) and rewrites the header,
// metadata and body checksums; once the metadata parses it also rewrites each page's checksum
// inside the metadata, so mutations reach the metadata, zstd and batch decoders instead of
// stopping at a checksum. Corpus: corpus/block (from make_fuzz_seeds).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <xxhash.h>
#include <zstd.h>

#include "base/mem_env.h"
#include "fuzz/fuzz_checks.h"
#include "server/storage/embedded/block.h"
#include "server/storage/embedded/varint.h"

namespace {

using ariadne::embedded::GetFixed32;
using ariadne::embedded::GetFixed64;

constexpr size_t kHeader = 48;  // docs/formats/block.md
// Pages whose zstd frame declares more than this, but no more than the reader's own limit
// (PageRawLimit: 256 MiB per row), are not read: the reader would really decompress them, which
// is slow under the sanitizers. Pages declaring more than the limit are read, and must be
// refused before anything is allocated.
constexpr uint64_t kMaxDeclaredPage = 64ull << 20;

void Put64(std::string* f, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) (*f)[at + i] = static_cast<char>(v >> (8 * i));
}

void FixHeader(std::string* f) {
  if (f->size() < kHeader) return;
  uint64_t meta_len = std::min<uint64_t>(GetFixed32(f->data() + 12), f->size() - kHeader);
  uint64_t body_len = f->size() - kHeader - meta_len;
  for (int i = 0; i < 4; ++i) (*f)[12 + i] = static_cast<char>(meta_len >> (8 * i));
  Put64(f, 16, body_len);
  Put64(f, 24, XXH3_64bits(f->data() + kHeader, meta_len));
  Put64(f, 32, XXH3_64bits(f->data() + kHeader + meta_len, body_len));
  Put64(f, 40, XXH3_64bits(f->data(), 40));
}

void WriteFile(ariadne::MemEnv* env, const std::string& path, const std::string& bytes) {
  auto file = env->NewWritableFile(path, ariadne::WriteMode::kTruncate);
  FUZZ_CHECK(file.ok());
  FUZZ_CHECK((*file)->Append(bytes).ok());
  FUZZ_CHECK((*file)->Close().ok());
}

// Replaces each page's stored checksum (8 little-endian bytes inside the metadata) with the
// checksum of the bytes the page table points at. False if nothing could be fixed.
bool FixPageChecksums(const ariadne::embedded::BlockMeta& meta, std::string* f) {
  bool changed = false;
  const size_t meta_end = meta.body_offset;
  for (const auto& p : meta.pages) {
    if (p.offset > meta.body_len || p.len > meta.body_len - p.offset) continue;
    uint64_t actual = XXH3_64bits(f->data() + meta.body_offset + p.offset, p.len);
    if (actual == p.checksum) continue;
    char old[8];
    for (int i = 0; i < 8; ++i) old[i] = static_cast<char>(p.checksum >> (8 * i));
    for (size_t at = kHeader; at + 8 <= meta_end; ++at) {
      if (std::memcmp(f->data() + at, old, 8) == 0) {
        Put64(f, at, actual);
        changed = true;
        break;
      }
    }
  }
  return changed;
}

// The size a page's frame declares (0 if it declares none).
uint64_t DeclaredSize(const std::string& f, const ariadne::embedded::BlockMeta& meta,
                      const ariadne::embedded::BlockPage& p) {
  if (p.offset > meta.body_len || p.len > meta.body_len - p.offset) return 0;  // rejected
  unsigned long long n = ZSTD_getFrameContentSize(f.data() + meta.body_offset + p.offset, p.len);
  return n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN ? 0 : n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;  // NOLINT
  if (size == 0) return 0;
  const bool fix = (data[0] & 1) != 0;
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (fix) FixHeader(&file);

  MemEnv env;
  FUZZ_CHECK(env.CreateDirs("/blocks").ok());
  const std::string path = "/blocks/" + embedded::BlockFileName(1);
  WriteFile(&env, path, file);
  auto meta = embedded::ReadBlockMeta(&env, path);
  if (meta.ok() && fix && FixPageChecksums(*meta, &file)) {
    FixHeader(&file);
    WriteFile(&env, path, file);
    meta = embedded::ReadBlockMeta(&env, path);
  }
  if (!meta.ok()) return 0;

  // What the reader accepted is consistent with the file.
  FUZZ_CHECK(meta->file_bytes == file.size());
  FUZZ_CHECK(meta->body_offset + meta->body_len == file.size());
  uint64_t rows = 0;
  for (const auto& p : meta->pages) rows += p.row_count;
  FUZZ_CHECK(rows == meta->span_count);
  for (const auto& t : meta->traces) {
    // Every indexed trace is findable (the bloom filter is checked against the index at open;
    // fuzz/findings/block_bloom_misses_indexed_trace.bin, now also in the seed corpus).
    FUZZ_CHECK(meta->FindTrace(t.id) == &t);
  }

  // The page token filter (version 5) answers for every page without reading outside itself:
  // absent tokens (the fuse part) and its common tokens (their postings).
  std::vector<uint64_t> tokens = {0, 0x9E3779B97F4A7C15ull, embedded::SummaryToken('s', "svc")};
  for (size_t i = 0; i < meta->page_filter.common_tokens() && i < 16; ++i) {
    tokens.push_back(meta->page_filter.common_token(i));
  }
  for (uint64_t token : tokens) {
    const embedded::TokenProbe probe = meta->ProbeToken(token);
    for (size_t i = 0; i < meta->pages.size(); ++i) (void)meta->PageMayHave(probe, i);
  }

  bool all_small = true;
  for (size_t i = 0; i < meta->pages.size() && i < 64; ++i) {
    const auto& p = meta->pages[i];
    const uint64_t declared = DeclaredSize(file, *meta, p);
    const bool over_limit = declared > embedded::PageRawLimit(p.row_count);
    if (declared > kMaxDeclaredPage && !over_limit) {
      all_small = false;
      continue;
    }
    auto page = embedded::ReadBlockPage(&env, path, *meta, i);
    FUZZ_CHECK(!over_limit || !page.ok());
    if (!page.ok()) continue;
    fuzz::CheckBatch(*page);
    FUZZ_CHECK(page->size() == p.row_count);
  }
  if (all_small && meta->pages.size() <= 64) {
    auto body = embedded::ReadBlockBody(&env, path, *meta);
    if (body.ok()) {
      fuzz::CheckBatch(*body);
      FUZZ_CHECK(body->size() == meta->span_count);
    }
  }
  return 0;
}
