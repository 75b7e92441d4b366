// PageTokenFilter: which pages of a block may hold a search token (block format 5).
//
// Until format 4 every page carried its own Bloom filter of its distinct tokens (service,
// operation, attribute key=value; SummaryToken in block.h): 10 bits per token and page, ~1.7 %
// false positives. Two things made that wasteful. A token present in many pages of the block
// (services, operations, static attribute values) paid 10 bits in each of them, where the set of
// pages holding it costs less stored once, exactly. And a Bloom filter needs ~44 % more bits
// than a fingerprint filter at the same false-positive rate.
//
// So one filter per block, in two parts:
//  - common tokens (those for which it is cheaper): the token's 64-bit hash and the exact list of
//    the pages holding it (or of those without it, whichever is shorter), its gaps Rice-coded,
//    each distinct list stored once (the static values of one trace template share theirs);
//  - every other (token, page) pair: one binary fuse filter (3-wise, 8-bit fingerprints, about
//    9 bits per pair and 1/256 false positives) over a hash of the pair.
// Pages with more than kMaxTokensPerRow tokens per span are "unfiltered" (may hold anything),
// which bounds the filter at about 2.3 bytes per span.
// The byte layout is docs/formats/block.md ("Page token filter"). Decode validates every count,
// bound and list against the bytes and the page count; a query never reads outside the arrays.
// Thread-safety: immutable once built or decoded; all const methods are thread-safe.
// Tested by page_filter_test.cc (and block_test.cc through whole blocks).
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_PAGE_FILTER_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_PAGE_FILTER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ariadne::embedded {

class Reader;

class PageTokenFilter {
 public:
  // A page with more distinct tokens than this per span gets no filtering (may hold anything).
  static constexpr size_t kMaxTokensPerRow = 2;

  // page_tokens[p]: page p's distinct tokens, sorted; unfiltered[p]: the page may hold anything
  // (its tokens are ignored). Both have one entry per page.
  static PageTokenFilter Build(const std::vector<std::vector<uint64_t>>& page_tokens,
                               const std::vector<bool>& unfiltered);
  void Encode(std::string* out) const;
  // Reads what Encode wrote for a block of `pages` pages; false if anything is inconsistent.
  [[nodiscard]] static bool Decode(Reader* r, uint32_t pages, PageTokenFilter* out);

  // A token looked up once per block; then MayHave per page.
  struct Probe {
    uint64_t pair_base = 0;  // the token mixed with the fuse filter's seed
    int64_t common = -1;     // index of the token among the common ones, or -1
    // A common token's listed pages: those holding it, or (complement) those without it.
    std::vector<uint32_t> pages;
    bool complement = false;
  };
  Probe Prepare(uint64_t token) const;
  // False only if page certainly holds no span with the probe's token.
  bool MayHave(const Probe& probe, uint32_t page) const;

  uint32_t pages() const { return pages_; }
  size_t common_tokens() const { return common_hashes_.size(); }
  uint64_t common_token(size_t i) const { return common_hashes_[i]; }
  size_t distinct_postings() const { return postings_.size(); }
  uint64_t fuse_pairs() const { return fuse_pairs_; }  // after Build only (not stored)
  size_t fuse_bytes() const { return fingerprints_.size(); }
  size_t unfiltered_pages() const { return unfiltered_count_; }

 private:
  bool Unfiltered(uint32_t page) const {
    return !unfiltered_.empty() && ((unfiltered_[page / 64] >> (page % 64)) & 1) != 0;
  }
  bool FuseHas(uint64_t pair_base, uint32_t page) const;

  uint32_t pages_ = 0;
  std::vector<uint64_t> unfiltered_;  // bitmap over pages; empty: none
  size_t unfiltered_count_ = 0;
  // Common tokens, ascending; token i's pages (or, complement, the pages without it) are a
  // Rice-coded list, kept as stored in streams_ and decoded by Prepare.
  std::vector<uint64_t> common_hashes_;
  struct Posting {
    bool complement;
    uint8_t k;         // Rice parameter of the stored gaps
    uint32_t count;    // pages listed
    uint32_t holding;  // pages holding the token
    size_t stream_begin;
    size_t stream_len;
  };
  std::vector<Posting> postings_;
  std::vector<uint32_t> common_posting_;  // per common token: its posting
  std::string streams_;
  // Binary fuse filter over (token, page) pairs of the other tokens.
  uint64_t seed_ = 0;
  uint32_t segment_length_log2_ = 0;
  uint32_t segment_count_ = 0;  // 0: no pairs
  std::vector<uint8_t> fingerprints_;
  uint64_t fuse_pairs_ = 0;
};

}  // namespace ariadne::embedded

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_PAGE_FILTER_H_
