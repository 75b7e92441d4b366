#include "server/storage/embedded/page_filter.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/status.h"
#include "server/storage/embedded/varint.h"

namespace ariadne::embedded {
namespace {

constexpr uint32_t kMaxSegmentLengthLog2 = 18;
// Estimated cost of one (token, page) pair in the fuse filter, in bits (8-bit fingerprints in an
// array ~1.125 times the pairs): a token goes to the common list when its posting costs less.
constexpr uint64_t kFuseBitsPerPair = 9;
constexpr uint8_t kMaxRiceK = 31;

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

// A posting: the sorted pages holding a token, or (complement) those not holding it, whichever
// list is shorter; stored as the gaps between its pages Rice-coded with parameter k.
struct RiceList {
  bool complement = false;
  uint8_t k = 0;
  std::vector<uint32_t> pages;  // the coded list
  uint64_t bits = 0;            // of the coded gaps
};

uint64_t Gap(const std::vector<uint32_t>& pages, size_t i) {
  return i == 0 ? pages[0] : pages[i] - pages[i - 1] - 1;
}

RiceList MakeRiceList(const std::vector<uint32_t>& holding, uint32_t pages) {
  RiceList list;
  list.complement = holding.size() * 2 > pages;
  if (list.complement) {
    for (uint32_t p = 0, i = 0; p < pages; ++p) {
      if (i < holding.size() && holding[i] == p) {
        ++i;
      } else {
        list.pages.push_back(p);
      }
    }
  } else {
    list.pages = holding;
  }
  // The best k is near log2 of the mean gap: try a few around it.
  uint64_t sum = 0;
  for (size_t i = 0; i < list.pages.size(); ++i) sum += Gap(list.pages, i);
  const uint64_t mean = list.pages.empty() ? 0 : sum / list.pages.size();
  const unsigned center = mean == 0 ? 0 : 63 - static_cast<unsigned>(__builtin_clzll(mean));
  list.bits = UINT64_MAX;
  for (uint8_t k = static_cast<uint8_t>(center > 2 ? center - 2 : 0);
       k <= std::min<unsigned>(kMaxRiceK, center + 2); ++k) {
    uint64_t bits = 0;
    for (size_t i = 0; i < list.pages.size(); ++i) bits += (Gap(list.pages, i) >> k) + 1 + k;
    if (bits < list.bits) {
      list.bits = bits;
      list.k = k;
    }
  }
  if (list.pages.empty()) list.bits = 0;
  return list;
}

// Encoded size of a posting: header varint, k, length varint, the bit stream.
uint64_t RiceListBytes(const RiceList& list, uint64_t count) {
  const uint64_t stream = (list.bits + 7) / 8;
  return VarintSize(count << 1) + 1 + VarintSize(stream) + stream;
}

// Reads Rice-coded gaps LSB first; unary quotients are ones ended by a zero.
class RiceReader {
 public:
  explicit RiceReader(std::string_view data) : data_(data) {}
  bool Next(uint8_t k, uint64_t max, uint64_t* out) {
    uint64_t q = 0;
    unsigned avail;
    for (;;) {  // the quotient: ones up to a zero
      if (bit_ >= data_.size() * 8) return false;
      const uint64_t window = Window(&avail);
      const uint64_t zeros = ~window & ((uint64_t{1} << avail) - 1);
      const unsigned ones = zeros == 0 ? avail : static_cast<unsigned>(__builtin_ctzll(zeros));
      q += ones;
      bit_ += ones;
      if (q > max) return false;
      if (ones < avail) {
        ++bit_;  // the terminating zero
        break;
      }
    }
    uint64_t low = 0;
    if (k > 0) {
      if (data_.size() * 8 - bit_ < k) return false;
      low = Window(&avail) & ((uint64_t{1} << k) - 1);  // avail >= k: k <= 31 bits are left
      bit_ += k;
    }
    *out = (q << k) | low;
    return *out <= max;
  }
  // Every byte used, the padding bits of the last one zero.
  bool done() const {
    if ((bit_ + 7) / 8 != data_.size()) return false;
    return bit_ % 8 == 0 || (static_cast<uint8_t>(data_.back()) >> (bit_ % 8)) == 0;
  }

 private:
  // The bits from bit_ on, lowest first: 57 of them, or fewer (*avail) at the end of the data.
  uint64_t Window(unsigned* avail) const {
    const size_t byte = bit_ / 8;
    const size_t n = std::min<size_t>(8, data_.size() - byte);
    uint64_t window = 0;
    if (n == 8) {
      window = GetFixed64(data_.data() + byte);
    } else {
      for (size_t i = 0; i < n; ++i) {
        window |= uint64_t{static_cast<uint8_t>(data_[byte + i])} << (8 * i);
      }
    }
    *avail = static_cast<unsigned>(std::min<uint64_t>(57, 8 * n - bit_ % 8));
    return window >> (bit_ % 8);
  }
  std::string_view data_;
  uint64_t bit_ = 0;
};

// The Rice-coded gaps of list.pages, appended to *out (its own bytes, zero-padded).
void AppendRice(const RiceList& list, std::string* out) {
  std::string stream;
  BitWriter bits(&stream);
  for (size_t j = 0; j < list.pages.size(); ++j) {
    const uint64_t gap = Gap(list.pages, j);
    for (uint64_t q = gap >> list.k; q > 0; q -= std::min<uint64_t>(q, 64)) {
      bits.Put(q >= 64 ? ~uint64_t{0} : (uint64_t{1} << q) - 1,
               static_cast<unsigned>(std::min<uint64_t>(q, 64)));
    }
    bits.Put(0, 1);
    bits.Put(gap & ((uint64_t{1} << list.k) - 1), list.k);
  }
  out->append(stream);
}

// Decodes `count` gaps into strictly increasing pages below `pages` (into *out unless null);
// false unless the stream holds exactly them.
bool DecodeRice(std::string_view stream, uint8_t k, uint64_t count, uint32_t pages,
                std::vector<uint32_t>* out) {
  if (out != nullptr) out->clear();
  RiceReader bits(stream);
  for (uint64_t j = 0, next = 0; j < count; ++j) {
    uint64_t gap;
    if (next >= pages || !bits.Next(k, pages - 1 - next, &gap)) return false;
    if (out != nullptr) out->push_back(static_cast<uint32_t>(next + gap));
    next += gap + 1;
  }
  return bits.done();
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
  std::vector<std::pair<uint64_t, uint32_t>> rare;
  std::vector<uint32_t> holding;
  // Tokens often share their pages (the static values of one trace template): each distinct
  // page list is stored once, later tokens refer to it.
  std::map<std::vector<uint32_t>, uint32_t> posting_of;
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    holding.clear();
    for (; j < pairs.size() && pairs[j].first == pairs[i].first; ++j) {
      holding.push_back(pairs[j].second);
    }
    const uint64_t c = j - i;
    // Cheap tests first: a token costs at least its 8 bytes and a reference.
    auto shared = 8 * 10 < kFuseBitsPerPair * c ? posting_of.find(holding) : posting_of.end();
    RiceList list;
    if (shared == posting_of.end() && 8 * 12 < kFuseBitsPerPair * c) {
      list = MakeRiceList(holding, f.pages_);
    }
    if (shared != posting_of.end()) {
      f.common_hashes_.push_back(pairs[i].first);
      f.common_posting_.push_back(shared->second);
    } else if (8 * 12 < kFuseBitsPerPair * c &&
               8 * (9 + RiceListBytes(list, c)) < kFuseBitsPerPair * c) {
      const auto index = static_cast<uint32_t>(f.postings_.size());
      f.common_hashes_.push_back(pairs[i].first);
      f.common_posting_.push_back(index);
      posting_of.emplace(holding, index);
      Posting posting{list.complement,
                      list.k,
                      static_cast<uint32_t>(list.pages.size()),
                      static_cast<uint32_t>(c),
                      f.streams_.size(),
                      0};
      AppendRice(list, &f.streams_);
      posting.stream_len = f.streams_.size() - posting.stream_begin;
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
  uint32_t written = 0;  // postings are numbered in the order they are first written
  for (size_t i = 0; i < common_hashes_.size(); ++i) {
    PutFixed64(out, common_hashes_[i]);
    if (common_posting_[i] < written) {
      PutVarint(out, uint64_t{common_posting_[i]} + 1);
      continue;
    }
    ARIADNE_CHECK(common_posting_[i] == written);
    ++written;
    PutVarint(out, 0);
    const Posting& posting = postings_[common_posting_[i]];
    PutVarint(out, (uint64_t{posting.holding} << 1) | (posting.complement ? 1 : 0));
    out->push_back(static_cast<char>(posting.k));
    PutBytes(out, std::string_view(streams_).substr(posting.stream_begin, posting.stream_len));
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
  // Each common token takes at least 9 bytes (token, reference).
  if (!r->Varint(&n) || n > r->remaining() / 9) return false;
  f.common_hashes_.reserve(n);
  f.common_posting_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t hash, ref, header;
    uint8_t k;
    std::string_view stream;
    if (!r->Fixed64(&hash) || (i > 0 && hash <= f.common_hashes_.back()) || !r->Varint(&ref)) {
      return false;
    }
    if (ref > 0) {  // the pages of an earlier posting
      if (ref > f.postings_.size()) return false;
      f.common_hashes_.push_back(hash);
      f.common_posting_.push_back(static_cast<uint32_t>(ref - 1));
      continue;
    }
    if (!r->Varint(&header) || !r->Byte(&k) || k > kMaxRiceK || !r->Bytes(&stream)) {
      return false;
    }
    const uint64_t holding = header >> 1;
    const bool complement = (header & 1) != 0;
    if (holding == 0 || holding > pages) return false;
    const uint64_t coded = complement ? pages - holding : holding;
    // Checked here, decoded again when a query asks for the token (kept as stored: a list in
    // memory would cost up to 32 bits per stored bit).
    if (coded > stream.size() * 8 || !DecodeRice(stream, k, coded, pages, nullptr)) return false;
    const Posting posting{complement,
                          k,
                          static_cast<uint32_t>(coded),
                          static_cast<uint32_t>(holding),
                          f.streams_.size(),
                          stream.size()};
    f.streams_.append(stream);
    f.common_hashes_.push_back(hash);
    f.common_posting_.push_back(static_cast<uint32_t>(f.postings_.size()));
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
  if (it != common_hashes_.end() && *it == token) {
    probe.common = it - common_hashes_.begin();
    const Posting& posting = postings_[common_posting_[static_cast<size_t>(probe.common)]];
    probe.complement = posting.complement;
    // Checked at Build or Decode: cannot fail.
    ARIADNE_CHECK(
        DecodeRice(std::string_view(streams_).substr(posting.stream_begin, posting.stream_len),
                   posting.k, posting.count, pages_, &probe.pages));
  }
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
    return std::binary_search(probe.pages.begin(), probe.pages.end(), page) != probe.complement;
  }
  return FuseHas(probe.pair_base, page);
}

}  // namespace ariadne::embedded
