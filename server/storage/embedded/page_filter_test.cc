#include "server/storage/embedded/page_filter.h"

#include <algorithm>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "server/storage/embedded/varint.h"

namespace ariadne::embedded {
namespace {

// A block-like population: a few tokens in every page, some in about a third of the pages, and
// per-request tokens in one page each.
struct Population {
  std::vector<std::vector<uint64_t>> tokens;
  std::vector<bool> unfiltered;
};

Population MakePopulation(uint32_t pages, uint32_t rare_per_page, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Population pop;
  pop.tokens.resize(pages);
  pop.unfiltered.assign(pages, false);
  std::vector<uint64_t> everywhere(10), often(200);
  for (uint64_t& t : everywhere) t = rng();
  for (uint64_t& t : often) t = rng();
  for (uint32_t p = 0; p < pages; ++p) {
    std::vector<uint64_t>& page = pop.tokens[p];
    page = everywhere;
    for (uint64_t t : often) {
      if (rng() % 3 == 0) page.push_back(t);
    }
    for (uint32_t i = 0; i < rare_per_page; ++i) page.push_back(rng());
    std::sort(page.begin(), page.end());
    page.erase(std::unique(page.begin(), page.end()), page.end());
  }
  return pop;
}

PageTokenFilter RoundTrip(const PageTokenFilter& f, uint32_t pages) {
  std::string bytes;
  f.Encode(&bytes);
  Reader r(bytes);
  PageTokenFilter out;
  EXPECT_TRUE(PageTokenFilter::Decode(&r, pages, &out));
  EXPECT_TRUE(r.done());
  return out;
}

TEST(PageTokenFilter, EveryTokenOfEveryPageIsFoundAfterARoundTrip) {
  const Population pop = MakePopulation(300, 400, 1);
  const PageTokenFilter built = PageTokenFilter::Build(pop.tokens, pop.unfiltered);
  EXPECT_EQ(built.common_tokens(), 210u);      // the everywhere / often tokens are posting lists
  EXPECT_EQ(built.distinct_postings(), 201u);  // the 10 everywhere tokens share one
  EXPECT_GT(built.fuse_pairs(), 300u * 390);
  const PageTokenFilter read = RoundTrip(built, 300);
  for (const PageTokenFilter* f : {&built, &read}) {
    for (uint32_t p = 0; p < 300; ++p) {
      for (uint64_t t : pop.tokens[p]) ASSERT_TRUE(f->MayHave(f->Prepare(t), p)) << p;
    }
  }
}

TEST(PageTokenFilter, AbsentTokensAreRejectedAndCommonTokensExactly) {
  const Population pop = MakePopulation(300, 400, 2);
  const PageTokenFilter f = RoundTrip(PageTokenFilter::Build(pop.tokens, pop.unfiltered), 300);
  // Absent tokens: 8-bit fingerprints give about 1/256 false positives per page.
  std::mt19937_64 rng(99);
  size_t yes = 0, asked = 0;
  for (int i = 0; i < 200; ++i) {
    const PageTokenFilter::Probe probe = f.Prepare(rng());
    for (uint32_t p = 0; p < 300; ++p, ++asked) yes += f.MayHave(probe, p) ? 1 : 0;
  }
  EXPECT_LT(static_cast<double>(yes) / static_cast<double>(asked), 0.008);
  EXPECT_GT(yes, 0u);  // not an empty filter saying no to everything
  // A token present in some pages is never reported for a page without it when it is common.
  size_t exact_checked = 0;
  std::set<uint64_t> all;
  for (const auto& page : pop.tokens) all.insert(page.begin(), page.end());
  for (uint64_t t : all) {
    const PageTokenFilter::Probe probe = f.Prepare(t);
    if (probe.common < 0) continue;
    for (uint32_t p = 0; p < 300; ++p) {
      const bool has = std::binary_search(pop.tokens[p].begin(), pop.tokens[p].end(), t);
      EXPECT_EQ(f.MayHave(probe, p), has);
      ++exact_checked;
    }
  }
  EXPECT_GT(exact_checked, 300u * 10);
}

TEST(PageTokenFilter, IsSmallerThanPageBloomFilters) {
  const Population pop = MakePopulation(300, 400, 3);
  const PageTokenFilter f = PageTokenFilter::Build(pop.tokens, pop.unfiltered);
  std::string bytes;
  f.Encode(&bytes);
  size_t pairs = 0;
  for (const auto& page : pop.tokens) pairs += page.size();
  // Bloom filters at 10 bits per (token, page): the fuse part costs ~9 bits per rare pair and
  // the common tokens' postings far less than 10 bits per page they are in.
  EXPECT_LT(bytes.size() * 8, pairs * 10 * 85 / 100);
  EXPECT_LT(static_cast<double>(f.fuse_bytes()) * 8 / static_cast<double>(f.fuse_pairs()), 9.5);
}

TEST(PageTokenFilter, UnfilteredPagesMayHoldAnythingAndEmptyFiltersNothing) {
  Population pop = MakePopulation(20, 5, 4);
  pop.unfiltered[3] = pop.unfiltered[17] = true;
  const PageTokenFilter f = RoundTrip(PageTokenFilter::Build(pop.tokens, pop.unfiltered), 20);
  EXPECT_EQ(f.unfiltered_pages(), 2u);
  for (uint64_t t : {uint64_t{1}, uint64_t{2}, pop.tokens[0][0]}) {
    EXPECT_TRUE(f.MayHave(f.Prepare(t), 3));
    EXPECT_TRUE(f.MayHave(f.Prepare(t), 17));
  }
  // No tokens at all: every filtered page is certainly without any token.
  const std::vector<std::vector<uint64_t>> none(5);
  const PageTokenFilter empty = RoundTrip(PageTokenFilter::Build(none, std::vector<bool>(5)), 5);
  for (uint32_t p = 0; p < 5; ++p) EXPECT_FALSE(empty.MayHave(empty.Prepare(42), p));
}

TEST(PageTokenFilter, SmallFiltersBuildForEverySize) {
  // The fuse filter peels for any number of pairs (retrying seeds and growing), 1 upwards.
  for (uint32_t rare = 1; rare < 60; rare += 3) {
    std::vector<std::vector<uint64_t>> tokens(1);
    for (uint32_t i = 0; i < rare; ++i) tokens[0].push_back(i * 7919 + 1);
    const PageTokenFilter f = RoundTrip(PageTokenFilter::Build(tokens, {false}), 1);
    for (uint64_t t : tokens[0]) EXPECT_TRUE(f.MayHave(f.Prepare(t), 0)) << rare;
  }
}

// Every prefix of an encoding is refused, and so are the inconsistencies a reader checks.
TEST(PageTokenFilter, InconsistentBytesAreRefused) {
  Population pop = MakePopulation(40, 20, 5);
  pop.unfiltered[7] = true;
  std::string bytes;
  PageTokenFilter::Build(pop.tokens, pop.unfiltered).Encode(&bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Reader r(std::string_view(bytes).substr(0, n));
    PageTokenFilter f;
    EXPECT_FALSE(PageTokenFilter::Decode(&r, 40, &f)) << n;
  }
  auto refused = [](const std::string& b, uint32_t pages) {
    Reader r(b);
    PageTokenFilter f;
    return !PageTokenFilter::Decode(&r, pages, &f);
  };
  EXPECT_TRUE(refused(bytes, 7));  // fewer pages than the lists name
  std::string b;
  PutVarint(&b, 1);  // one unfiltered page: 5 of 5
  PutVarint(&b, 5);
  EXPECT_TRUE(refused(b, 5));
  // Common tokens (token, reference 0: a new posting, header, k, Rice stream), then an empty
  // fuse part.
  auto common = [](std::vector<uint64_t> tokens, uint64_t header, uint8_t k, std::string stream) {
    std::string out;
    PutVarint(&out, 0);
    PutVarint(&out, tokens.size());
    for (uint64_t t : tokens) {
      PutFixed64(&out, t);
      PutVarint(&out, 0);
      PutVarint(&out, header);
      out.push_back(static_cast<char>(k));
      PutBytes(&out, stream);
    }
    PutFixed64(&out, 0);
    out.push_back(0);
    PutVarint(&out, 0);
    return out;
  };
  const std::string page0(1, '\0');                            // one gap of 0 (k = 0): page 0
  EXPECT_FALSE(refused(common({3, 9}, 1 << 1, 0, page0), 5));  // the well-formed case
  EXPECT_TRUE(refused(common({9, 3}, 1 << 1, 0, page0), 5));   // tokens out of order
  EXPECT_TRUE(refused(common({9, 9}, 1 << 1, 0, page0), 5));   // a token twice
  EXPECT_TRUE(refused(common({9}, 0, 0, ""), 5));              // held by no page
  EXPECT_TRUE(refused(common({9}, 6 << 1, 0, page0), 5));      // by more pages than there are
  EXPECT_TRUE(refused(common({9}, 9 << 1, 0, page0), 20));     // more gaps than bits
  EXPECT_TRUE(refused(common({9}, 1 << 1, 0, std::string(1, '\x1f')), 5));  // page 5 of 5
  EXPECT_TRUE(refused(common({9}, 1 << 1, 0, std::string(1, '\x02')), 5));  // padding bit set
  EXPECT_TRUE(refused(common({9}, 1 << 1, 0, std::string(2, '\0')), 5));    // a byte too many
  EXPECT_TRUE(refused(common({9}, 1 << 1, 32, std::string(5, '\0')), 5));   // k over 31
  EXPECT_FALSE(refused(common({9}, (5 << 1) | 1, 0, ""), 5));  // in every page: empty complement
  // A token sharing the pages of an earlier posting (reference 1), or of one not yet stored.
  for (uint64_t ref : {1, 2}) {
    std::string shared;
    PutVarint(&shared, 0);
    PutVarint(&shared, 2);
    PutFixed64(&shared, 3);
    PutVarint(&shared, 0);
    PutVarint(&shared, 1 << 1);
    shared.push_back(0);
    PutBytes(&shared, page0);
    PutFixed64(&shared, 9);
    PutVarint(&shared, ref);
    PutFixed64(&shared, 0);
    shared.push_back(0);
    PutVarint(&shared, 0);
    EXPECT_EQ(refused(shared, 5), ref == 2) << ref;
  }
  // A segment length over 2^18, or more segments than bytes.
  for (auto [log2, segments] : {std::pair{19, 0}, std::pair{4, 1000}}) {
    b.clear();
    PutVarint(&b, 0);
    PutVarint(&b, 0);
    PutFixed64(&b, 0);
    b.push_back(static_cast<char>(log2));
    PutVarint(&b, static_cast<uint64_t>(segments));
    b.append(64, '\0');
    EXPECT_TRUE(refused(b, 5)) << log2;
  }
  // The same layout with consistent values is accepted (so the refusals above are the checks).
  b.clear();
  PutVarint(&b, 0);
  PutVarint(&b, 0);
  PutFixed64(&b, 0);
  b.push_back(static_cast<char>(4));
  PutVarint(&b, 2);
  b.append((2 + 2) << 4, '\0');
  EXPECT_FALSE(refused(b, 5));
}

}  // namespace
}  // namespace ariadne::embedded
