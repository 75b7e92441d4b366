// libFuzzer target: the embedded store's block file reader on arbitrary file bytes (a disk may
// hand back anything): ReadBlockMeta, then every page (ReadBlockPage) and the whole body
// (ReadBlockBody). Each must return a Status, never crash; whatever they accept must hold the
// SpanBatch invariants and agree with the metadata (row counts, page table).
//
// Input: byte 0 is a mode, the rest is the file. Mode bit 0 set: the harness first makes the
// header consistent (meta_len clamped to the file, body_len = the rest) and rewrites the header,
// metadata and body checksums; once the metadata parses it also rewrites each page's checksum
// inside the metadata, so mutations reach the metadata, zstd and batch decoders instead of
// stopping at a checksum. Mode bit 1 set: the whole body is read as well (ReadBlockBody); it is
// also read for one input in four without the bit (chosen by a hash of the input, so an input
// always takes the same path, as libFuzzer needs). Reading the body decodes every page again and
// copies them into one batch, about three times the cost of the page reads on a valid block, for
// little code of its own; reading it for every input made this the slowest fuzzer by far.
// The file is served from memory (InputEnv below), not copied at each open. Corpus:
// corpus/block (from make_fuzz_seeds).
#include <algorithm>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <xxhash.h>
#include <zstd.h>

#include "base/env.h"
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
// refused before anything is allocated. 4 MiB (64 MiB until 2026-12-04) still reaches the
// reader's stepwise path (frames declaring more than kOneShotPageBytes, 1 MiB) with a few
// doublings; more only made an execution slower without reaching other code.
constexpr uint64_t kMaxDeclaredPage = 4ull << 20;

// The harness's own bookkeeping (fixing checksums) is left out of coverage and comparison
// tracing: libFuzzer should spend its features and its compare hints on the reader, not on
// how the harness finds checksums to rewrite.
#if defined(__clang__)
#define HARNESS_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define HARNESS_NO_COVERAGE
#endif

HARNESS_NO_COVERAGE void Put64(std::string* f, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) (*f)[at + i] = static_cast<char>(v >> (8 * i));
}

HARNESS_NO_COVERAGE void FixHeader(std::string* f) {
  if (f->size() < kHeader) return;
  uint64_t meta_len = std::min<uint64_t>(GetFixed32(f->data() + 12), f->size() - kHeader);
  uint64_t body_len = f->size() - kHeader - meta_len;
  for (int i = 0; i < 4; ++i) (*f)[12 + i] = static_cast<char>(meta_len >> (8 * i));
  Put64(f, 16, body_len);
  Put64(f, 24, XXH3_64bits(f->data() + kHeader, meta_len));
  Put64(f, 32, XXH3_64bits(f->data() + kHeader + meta_len, body_len));
  Put64(f, 40, XXH3_64bits(f->data(), 40));
}

// An Env that serves one file straight from the harness's bytes: opening and reading it copies
// nothing but the range asked for (MemEnv copies the whole file at every open, and the reader
// opens it once per page). Everything else is refused; the readers only open and read.
class InputEnv final : public ariadne::Env {
 public:
  InputEnv(std::string path, const std::string* bytes) : path_(std::move(path)), bytes_(bytes) {}

  ariadne::StatusOr<std::unique_ptr<ariadne::RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    if (path != path_) return ariadne::Status::NotFound(path);
    return std::unique_ptr<ariadne::RandomAccessFile>(new View(bytes_));
  }
  ariadne::StatusOr<std::unique_ptr<ariadne::WritableFile>> NewWritableFile(
      const std::string& path, ariadne::WriteMode) override {
    return Refused(path);
  }
  bool FileExists(const std::string& path) override { return path == path_; }
  ariadne::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    return Refused(dir);
  }
  ariadne::Status CreateDirs(const std::string& dir) override { return Refused(dir); }
  ariadne::Status RemoveFile(const std::string& path) override { return Refused(path); }
  ariadne::Status RemoveDir(const std::string& dir) override { return Refused(dir); }
  ariadne::Status RenameFile(const std::string& from, const std::string&) override {
    return Refused(from);
  }
  ariadne::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    if (path != path_) return ariadne::Status::NotFound(path);
    return static_cast<uint64_t>(bytes_->size());
  }
  ariadne::Status TruncateFile(const std::string& path, uint64_t) override { return Refused(path); }
  ariadne::Status SyncDir(const std::string& dir) override { return Refused(dir); }
  ariadne::StatusOr<uint64_t> GetFreeSpace(const std::string& path) override {
    return Refused(path);
  }

 private:
  class View final : public ariadne::RandomAccessFile {
   public:
    explicit View(const std::string* bytes) : bytes_(bytes) {}
    ariadne::Status Read(uint64_t offset, size_t n, std::string* out) const override {
      out->clear();
      if (offset < bytes_->size()) out->assign(*bytes_, static_cast<size_t>(offset), n);
      return ariadne::Status::Ok();
    }
    uint64_t Size() const override { return bytes_->size(); }

   private:
    const std::string* bytes_;
  };
  static ariadne::Status Refused(const std::string& what) {
    return ariadne::Status::Unimplemented("block_fuzzer's Env only reads: " + what);
  }
  std::string path_;
  const std::string* bytes_;
};

// Replaces each page's stored checksum (8 little-endian bytes inside the metadata) with the
// checksum of the bytes the page table points at. False if nothing could be fixed. One pass
// over the metadata (looking each 8-byte window up among the stale checksums), not one pass
// per page: with hundreds of pages that scan was most of an execution.
HARNESS_NO_COVERAGE bool FixPageChecksums(const ariadne::embedded::BlockMeta& meta,
                                          std::string* f) {
  // Stale stored checksum -> the right ones, in page order (equal stale values are replaced at
  // their successive occurrences, as a per-page scan from the start would).
  std::unordered_map<uint64_t, std::vector<uint64_t>> stale;
  for (const auto& p : meta.pages) {
    if (p.offset > meta.body_len || p.len > meta.body_len - p.offset) continue;
    uint64_t actual = XXH3_64bits(f->data() + meta.body_offset + p.offset, p.len);
    if (actual != p.checksum) stale[p.checksum].push_back(actual);
  }
  if (stale.empty()) return false;
  // Most windows match no stale checksum: a 4096-bit filter on 12 of their bits skips them
  // without a hash lookup.
  std::bitset<4096> maybe;
  for (const auto& [value, fixes] : stale) maybe.set(value & 4095);
  std::unordered_map<uint64_t, size_t> used;
  bool changed = false;
  const size_t meta_end = std::min<size_t>(meta.body_offset, f->size());
  for (size_t at = kHeader; at + 8 <= meta_end; ++at) {
    const uint64_t window = GetFixed64(f->data() + at);
    if (!maybe.test(window & 4095)) continue;
    auto it = stale.find(window);
    if (it == stale.end()) continue;
    size_t& n = used[it->first];
    if (n == it->second.size()) continue;
    Put64(f, at, it->second[n++]);
    changed = true;
    at += 7;  // the next checksum starts after this one
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

  const std::string path = "/blocks/" + embedded::BlockFileName(1);
  InputEnv env(path, &file);
  auto meta = embedded::ReadBlockMeta(&env, path);
  if (meta.ok() && fix && FixPageChecksums(*meta, &file)) {
    FixHeader(&file);
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
  bool every_page_read = true;
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
    if (!page.ok()) {
      every_page_read = false;
      continue;
    }
    fuzz::CheckBatch(*page);
    FUZZ_CHECK(page->size() == p.row_count);
  }
  const bool read_body = (data[0] & 2) != 0 || XXH3_64bits(data, size) % 4 == 0;
  if (read_body && all_small && meta->pages.size() <= 64) {
    auto body = embedded::ReadBlockBody(&env, path, *meta);
    if (body.ok()) {
      fuzz::CheckBatch(*body);
      FUZZ_CHECK(body->size() == meta->span_count);
      FUZZ_CHECK(every_page_read);  // the body is its pages: it cannot read if one does not
    }
  }
  return 0;
}
