#include "server/storage/embedded/page_filter.h"

#include <algorithm>
#include <cmath>

#include "server/storage/embedded/varint.h"

namespace ariadne::embedded {
namespace {

constexpr uint32_t kMaxSegmentLengthLog2 = 18;
// Estimated cost of one (token, page) pair in the fuse filter, in bits (8-bit fingerprints in an
// array ~1.125 times the pairs): a token goes to the common list when its posting costs less.
constexpr uint64_t kFuseBitsPerPair = 9;

uint64_t Mix(uint64_t x) {  // a 64-bit finalizer (xor-shift-multiply)
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

uint64_t PairHash(uint64_t pair_base, uint32_t page) { return Mix(pair_base + page); }

uint8_t Fingerprint(uint64_t h) { return static_cast<uint8_t>(h ^ (h >> 32)); }

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// The high 64 bits of a * b (maps a hash uniformly onto [0, b)).
uint64_t MulHigh(uint64_t a, uint64_t b) {
  __extension__ using U128 = unsigned __int128;
  return static_cast<uint64_t>((static_cast<U128>(a) * b) >> 64);
}

struct Positions {
  uint32_t p[3];
};

Positions FusePositions(uint64_t h, uint32_t log2, uint32_t segment_count) {
  const uint64_t length = uint64_t{1} << log2;
  const uint64_t mask = length - 1;
  const uint64_t h0 = MulHigh(h, uint64_t{segment_count} << log2);
  const uint64_t h1 = (h0 + length) ^ ((h >> 18) & mask);
  const uint64_t h2 = (h0 + 2 * length) ^ (h & mask);
  return {{static_cast<uint32_t>(h0), static_cast<uint32_t>(h1), static_cast<uint32_t>(h2)}};
}

// Peels the keys (distinct hashes) into an array of (segment_count + 2) << log2 fingerprints;
// false if the hypergraph does not peel (try another seed or a larger array).
bool BuildFuse(const std::vector<uint64_t>& keys, uint32_t log2, uint32_t segment_count,
               std::vector<uint8_t>* out) {
  const size_t length = (size_t{segment_count} + 2) << log2;
  std::vector<uint32_t> count(length, 0);
  std::vector<uint64_t> xors(length, 0);
  for (uint64_t h : keys) {
    const Positions pos = FusePositions(h, log2, segment_count);
    for (uint32_t p : pos.p) {
      count[p]++;
      xors[p] ^= h;
    }
  }
  std::vector<uint32_t> queue;
  for (uint32_t i = 0; i < length; ++i) {
    if (count[i] == 1) queue.push_back(i);
  }
  struct Peeled {
    uint64_t h;
    uint32_t slot;
  };
  std::vector<Peeled> stack;
  stack.reserve(keys.size());
  while (!queue.empty()) {
    const uint32_t slot = queue.back();
    queue.pop_back();
    if (count[slot] != 1) continue;
    const uint64_t h = xors[slot];
    stack.push_back({h, slot});
    const Positions pos = FusePositions(h, log2, segment_count);
    for (uint32_t p : pos.p) {
      count[p]--;
      xors[p] ^= h;
      if (count[p] == 1) queue.push_back(p);
    }
  }
  if (stack.size() != keys.size()) return false;
  out->assign(length, 0);
  for (size_t i = stack.size(); i-- > 0;) {
    const Positions pos = FusePositions(stack[i].h, log2, segment_count);
    uint8_t f = Fingerprint(stack[i].h);
    for (uint32_t p : pos.p) {
      if (p != stack[i].slot) f ^= (*out)[p];
    }
    (*out)[stack[i].slot] = f;
  }
  return true;
}

}  // namespace

PageTokenFilter PageTokenFilter::Build(const std::vector<std::vector<uint64_t>>& page_tokens,
                                       const std::vector<bool>& unfiltered) {
  PageTokenFilter f;
  f.pages_ = static_cast<uint32_t>(page_tokens.size());
  const size_t words = (f.pages_ + 63) / 64;
  for (uint32_t p = 0; p < f.pages_; ++p) {
    if (!unfiltered[p]) continue;
    if (f.unfiltered_.empty()) f.unfiltered_.assign(words, 0);
    f.unfiltered_[p / 64] |= uint64_t{1} << (p % 64);
    f.unfiltered_count_++;
  }
  // (token, page) pairs of the filtered pages, by token.
  std::vector<std::pair<uint64_t, uint32_t>> pairs;
  size_t total = 0;
  for (const auto& t : page_tokens) total += t.size();
  pairs.reserve(total);
  for (uint32_t p = 0; p < f.pages_; ++p) {
    if (f.Unfiltered(p)) continue;
    for (uint64_t token : page_tokens[p]) pairs.emplace_back(token, p);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  const uint64_t bitmap_bytes = (f.pages_ + 7) / 8;
  std::vector<std::pair<uint64_t, uint32_t>> rare;
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    uint64_t list_bytes = 0;
    for (uint32_t prev = 0; j < pairs.size() && pairs[j].first == pairs[i].first; ++j) {
      list_bytes += VarintSize(j == i ? pairs[j].second : pairs[j].second - prev - 1);
      prev = pairs[j].second;
    }
    const uint64_t c = j - i;
    const uint64_t posting_bits = 8 * (8 + VarintSize(c << 1) + std::min(list_bytes, bitmap_bytes));
    if (posting_bits < kFuseBitsPerPair * c) {
      f.common_hashes_.push_back(pairs[i].first);
      Posting posting{bitmap_bytes <= list_bytes, 0, static_cast<uint32_t>(c)};
      if (posting.bitmap) {
        posting.begin = static_cast<uint32_t>(f.bitmaps_.size());
        f.bitmaps_.resize(f.bitmaps_.size() + words, 0);
        for (size_t k = i; k < j; ++k) {
          f.bitmaps_[posting.begin + pairs[k].second / 64] |= uint64_t{1} << (pairs[k].second % 64);
        }
      } else {
        posting.begin = static_cast<uint32_t>(f.lists_.size());
        for (size_t k = i; k < j; ++k) f.lists_.push_back(pairs[k].second);
      }
      f.postings_.push_back(posting);
    } else {
      rare.insert(rare.end(), pairs.begin() + static_cast<std::ptrdiff_t>(i),
                  pairs.begin() + static_cast<std::ptrdiff_t>(j));
    }
    i = j;
  }
  f.fuse_pairs_ = rare.size();
  if (rare.empty()) return f;
  // Binary fuse parameters for n keys (segment length and size factor as in the binary fuse
  // paper, Graf & Lemire 2022); on a failed peel, another seed, then a larger array.
  const double n = static_cast<double>(rare.size());
  uint32_t log2 =
      rare.size() <= 1 ? 2 : static_cast<uint32_t>(std::floor(std::log(n) / std::log(3.33) + 2.25));
  log2 = std::min(log2, kMaxSegmentLengthLog2);
  const double factor =
      rare.size() <= 1 ? 2.0 : std::max(1.125, 0.875 + 0.25 * std::log(1e6) / std::log(n));
  const uint64_t capacity = static_cast<uint64_t>(std::ceil(n * factor));
  const uint64_t length = uint64_t{1} << log2;
  uint64_t segments = (capacity + length - 1) / length;
  segments = segments > 2 ? segments - 2 : 1;
  std::vector<uint64_t> keys;
  for (uint32_t attempt = 0;; ++attempt) {
    if (attempt > 0 && attempt % 8 == 0) segments += std::max<uint64_t>(1, segments / 10);
    f.seed_ = Mix(0x9E3779B97F4A7C15ull * (attempt + 1));
    keys.clear();
    keys.reserve(rare.size());
    for (const auto& [token, page] : rare) keys.push_back(PairHash(Mix(token + f.seed_), page));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (BuildFuse(keys, log2, static_cast<uint32_t>(segments), &f.fingerprints_)) break;
  }
  f.segment_length_log2_ = log2;
  f.segment_count_ = static_cast<uint32_t>(segments);
  return f;
}

void PageTokenFilter::Encode(std::string* out) const {
  PutVarint(out, unfiltered_count_);
  for (uint32_t p = 0, prev = 0, k = 0; p < pages_; ++p) {
    if (!Unfiltered(p)) continue;
    PutVarint(out, k++ == 0 ? p : p - prev - 1);
    prev = p;
  }
  PutVarint(out, common_hashes_.size());
  const size_t bitmap_bytes = (pages_ + 7) / 8;
  for (size_t i = 0; i < common_hashes_.size(); ++i) {
    const Posting& posting = postings_[i];
    PutFixed64(out, common_hashes_[i]);
    PutVarint(out, (uint64_t{posting.count} << 1) | (posting.bitmap ? 1 : 0));
    if (posting.bitmap) {
      for (size_t b = 0; b < bitmap_bytes; ++b) {
        out->push_back(static_cast<char>(bitmaps_[posting.begin + b / 8] >> (8 * (b % 8))));
      }
    } else {
      for (uint32_t k = 0; k < posting.count; ++k) {
        const uint32_t page = lists_[posting.begin + k];
        PutVarint(out, k == 0 ? page : page - lists_[posting.begin + k - 1] - 1);
      }
    }
  }
  PutFixed64(out, seed_);
  out->push_back(static_cast<char>(segment_length_log2_));
  PutVarint(out, segment_count_);
  out->append(reinterpret_cast<const char*>(fingerprints_.data()), fingerprints_.size());
}

bool PageTokenFilter::Decode(Reader* r, uint32_t pages, PageTokenFilter* out) {
  PageTokenFilter f;
  f.pages_ = pages;
  const size_t words = (size_t{pages} + 63) / 64;
  uint64_t n;
  if (!r->Varint(&n) || n > pages) return false;
  f.unfiltered_count_ = n;
  if (n > 0) f.unfiltered_.assign(words, 0);
  for (uint64_t k = 0, next = 0; k < n; ++k) {
    uint64_t gap;
    if (!r->Varint(&gap) || gap >= pages - next) return false;
    const uint64_t p = next + gap;
    f.unfiltered_[p / 64] |= uint64_t{1} << (p % 64);
    next = p + 1;
  }
  // Each common token takes at least 10 bytes (hash, header, one page).
  if (!r->Varint(&n) || n > r->remaining() / 10) return false;
  const size_t bitmap_bytes = (size_t{pages} + 7) / 8;
  f.common_hashes_.reserve(n);
  f.postings_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t hash, header;
    if (!r->Fixed64(&hash) || (i > 0 && hash <= f.common_hashes_.back()) || !r->Varint(&header)) {
      return false;
    }
    const uint64_t count = header >> 1;
    if (count == 0 || count > pages) return false;
    Posting posting{(header & 1) != 0, 0, static_cast<uint32_t>(count)};
    if (posting.bitmap) {
      std::string_view bytes;
      if (!r->Raw(bitmap_bytes, &bytes)) return false;
      posting.begin = static_cast<uint32_t>(f.bitmaps_.size());
      f.bitmaps_.resize(f.bitmaps_.size() + words, 0);
      uint64_t set = 0;
      for (size_t b = 0; b < bitmap_bytes; ++b) {
        const uint64_t byte = static_cast<uint8_t>(bytes[b]);
        f.bitmaps_[posting.begin + b / 8] |= byte << (8 * (b % 8));
        set += static_cast<uint64_t>(__builtin_popcountll(byte));
      }
      // Bits past the last page must be clear (they would not be covered by the count).
      if (pages % 8 != 0 && (static_cast<uint8_t>(bytes[bitmap_bytes - 1]) >> (pages % 8)) != 0) {
        return false;
      }
      if (set != count) return false;
    } else {
      if (count > r->remaining()) return false;  // a page takes at least one byte
      posting.begin = static_cast<uint32_t>(f.lists_.size());
      for (uint64_t k = 0, next = 0; k < count; ++k) {
        uint64_t gap;
        if (!r->Varint(&gap) || gap >= pages - next) return false;
        f.lists_.push_back(static_cast<uint32_t>(next + gap));
        next = next + gap + 1;
      }
    }
    f.common_hashes_.push_back(hash);
    f.postings_.push_back(posting);
  }
  uint8_t log2;
  uint64_t segments;
  if (!r->Fixed64(&f.seed_) || !r->Byte(&log2) || log2 > kMaxSegmentLengthLog2 ||
      !r->Varint(&segments) || segments > (r->remaining() >> log2)) {
    return false;
  }
  f.segment_length_log2_ = log2;
  f.segment_count_ = static_cast<uint32_t>(segments);
  if (segments > 0) {
    std::string_view bytes;
    if (!r->Raw(static_cast<size_t>((segments + 2) << log2), &bytes)) return false;
    f.fingerprints_.assign(bytes.begin(), bytes.end());
  }
  *out = std::move(f);
  return true;
}

PageTokenFilter::Probe PageTokenFilter::Prepare(uint64_t token) const {
  Probe probe;
  probe.pair_base = Mix(token + seed_);
  auto it = std::lower_bound(common_hashes_.begin(), common_hashes_.end(), token);
  if (it != common_hashes_.end() && *it == token) probe.common = it - common_hashes_.begin();
  return probe;
}

bool PageTokenFilter::FuseHas(uint64_t pair_base, uint32_t page) const {
  if (segment_count_ == 0) return false;
  const uint64_t h = PairHash(pair_base, page);
  const Positions pos = FusePositions(h, segment_length_log2_, segment_count_);
  return Fingerprint(h) ==
         (fingerprints_[pos.p[0]] ^ fingerprints_[pos.p[1]] ^ fingerprints_[pos.p[2]]);
}

bool PageTokenFilter::MayHave(const Probe& probe, uint32_t page) const {
  if (page >= pages_ || Unfiltered(page)) return true;
  if (probe.common >= 0) {
    const Posting& posting = postings_[static_cast<size_t>(probe.common)];
    if (posting.bitmap) return ((bitmaps_[posting.begin + page / 64] >> (page % 64)) & 1) != 0;
    const auto begin = lists_.begin() + posting.begin;
    return std::binary_search(begin, begin + posting.count, page);
  }
  return FuseHas(probe.pair_base, page);
}

}  // namespace ariadne::embedded
