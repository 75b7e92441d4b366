#include "server/storage/embedded/block.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <numeric>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include <xxhash.h>
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zstd.h>

#include "server/query/trace_query.h"
#include "server/storage/embedded/batch_codec.h"
#include "server/storage/embedded/varint.h"

namespace ariadne::embedded {
namespace {

constexpr char kMagic[8] = {'A', 'R', 'I', 'A', 'D', 'B', 'L', 'K'};
constexpr uint32_t kMinReadVersion = 1;
constexpr int kPageBloomHashes = 3;
constexpr size_t kPageBloomBitsPerToken = 10;
constexpr size_t kPageBloomMaxTokensPerRow = 2;  // beyond this a page gets no bloom filter
constexpr size_t kHeaderSize = 48;
constexpr uint64_t kMaxBodyBytes = 8ull << 30;
// Pages declaring up to this are decompressed in one call into a buffer of the declared size;
// larger ones in steps (DecompressPage).
constexpr uint64_t kOneShotPageBytes = 1ull << 20;
constexpr int kBloomHashes = 4;
// Version 6 stores the page dictionary zstd-compressed at this level (trained dictionaries are
// repetitive: 128 KiB take ~42 KB at 9, 40 at 19 for several times the CPU).
constexpr int kPageDictZstdLevel = 9;
// The fewest metadata bytes each listed item can take; a declared count is checked against the
// bytes left before anything is allocated, so a corrupt count cannot allocate more than a small
// multiple of the metadata's real size.
constexpr uint64_t kMinReplaceBytes = 1;    // varint
constexpr uint64_t kMinServiceBytes = 1;    // length varint
constexpr uint64_t kMinOperationBytes = 3;  // two length varints + kind
constexpr uint64_t kMinTraceBytes = 18;     // 16 id bytes + two varints
constexpr uint64_t kMinTraceBytesV6 = 17;   // 16 id bytes + the row count
constexpr uint64_t kMinPageBytesV1 = 10;    // two varints + 8-byte checksum
constexpr uint64_t kMinPageBytesV2 = 15;    // + four summary varints + bloom word count
constexpr uint64_t kMinPageBytesV5 = 14;    // + four summary varints (no page bloom)

Status Corrupt(const std::string& path, std::string_view what) {
  return Status::DataLoss("corrupt block " + path + ": " + std::string(what));
}

void BloomPositions(const TraceId& id, size_t bits, uint64_t* out) {
  uint64_t h1 = id.Low() ^ (id.High() * 0x9E3779B97F4A7C15ull);
  uint64_t h2 = (id.High() ^ (id.Low() >> 17)) | 1;
  for (int i = 0; i < kBloomHashes; ++i) out[i] = (h1 + static_cast<uint64_t>(i) * h2) % bits;
}

// About 10 bits per trace (at least one word), kBloomHashes probes.
void BuildTraceBloom(BlockMeta* m) {
  const size_t words = std::max<size_t>(1, (m->traces.size() * 10 + 63) / 64);
  m->bloom.assign(words, 0);
  for (const BlockTrace& t : m->traces) {
    uint64_t pos[kBloomHashes];
    BloomPositions(t.id, words * 64, pos);
    for (uint64_t p : pos) m->bloom[p / 64] |= 1ull << (p % 64);
  }
}

void PutString(std::string* out, std::string_view s) { PutBytes(out, s); }

// The page dictionary as version 6 stores it: "" (none) or one zstd frame of it.
std::string CompressPageDict(const std::string& dict) {
  if (dict.empty()) return "";
  std::string out(ZSTD_compressBound(dict.size()), '\0');
  const size_t n =
      ZSTD_compress(out.data(), out.size(), dict.data(), dict.size(), kPageDictZstdLevel);
  ARIADNE_CHECK(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

// The inverse; false unless stored is "" or exactly one frame declaring 1 to kMaxPageDictBytes
// bytes and holding them (checked before allocating).
bool DecompressPageDict(std::string_view stored, std::string* dict) {
  dict->clear();
  if (stored.empty()) return true;
  const unsigned long long n = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n == 0 ||
      n > kMaxPageDictBytes) {
    return false;
  }
  dict->resize(n);
  const size_t got = ZSTD_decompress(dict->data(), dict->size(), stored.data(), stored.size());
  return !ZSTD_isError(got) && got == n;
}

void PagePositions(uint64_t token, size_t bits, uint64_t* out) {
  const uint64_t h2 = ((token >> 32) | (token << 32)) | 1;
  for (int i = 0; i < kPageBloomHashes; ++i) {
    out[i] = (token + static_cast<uint64_t>(i) * h2) % bits;
  }
}

// stored_dict: the page dictionary as the version stores it (CompressPageDict from version 6).
std::string EncodeMeta(const BlockMeta& m, uint32_t version, std::string_view stored_dict) {
  std::string out;
  PutVarint(&out, m.id);
  PutVarint(&out, m.wal_seq_end);
  PutVarint(&out, ZigZag(m.created_ns));
  PutVarint(&out, m.level);
  PutVarint(&out, m.archive ? 1 : 0);
  PutVarint(&out, m.replaces.size());
  for (uint64_t r : m.replaces) PutVarint(&out, r);
  PutVarint(&out, m.min_start);
  PutVarint(&out, m.max_start);
  PutVarint(&out, m.span_count);
  PutVarint(&out, m.services.size());
  for (const std::string& s : m.services) PutString(&out, s);
  PutVarint(&out, m.operations.size());
  for (const BlockOperation& op : m.operations) {
    PutString(&out, op.service);
    PutString(&out, op.name);
    out.push_back(static_cast<char>(op.kind));
  }
  PutVarint(&out, m.traces.size());
  uint64_t prev_start = m.min_start;
  for (const BlockTrace& t : m.traces) {
    out.append(t.id.AsBytes());
    if (version >= kDerivedTraceStartVersion) {
      // The latest start is in the trace's page.
    } else if (version >= 3) {  // traces are in order of first start: latest starts are close
      PutVarint(&out, ZigZag(static_cast<int64_t>(t.max_start - prev_start)));
      prev_start = t.max_start;
    } else {
      PutVarint(&out, t.max_start - m.min_start);
    }
    PutVarint(&out, t.row_count);
  }
  if (version < kDerivedTraceStartVersion) {  // from version 6 rebuilt at open
    PutVarint(&out, m.bloom.size());
    for (uint64_t w : m.bloom) PutFixed64(&out, w);
  }
  PutVarint(&out, m.pages.size());
  for (const BlockPage& p : m.pages) {
    PutVarint(&out, p.len);
    PutVarint(&out, p.row_count);
    PutFixed64(&out, p.checksum);
    if (version >= 2) {
      PutVarint(&out, p.min_start - m.min_start);
      PutVarint(&out, p.max_start - p.min_start);
      PutVarint(&out, p.min_duration);
      PutVarint(&out, p.max_duration - p.min_duration);
      if (version < kPageTokenFilterVersion) {
        PutVarint(&out, p.bloom.size());
        for (uint64_t w : p.bloom) PutFixed64(&out, w);
      }
    }
  }
  if (version >= 3) PutBytes(&out, stored_dict);
  if (version >= kPageTokenFilterVersion) m.page_filter.Encode(&out);
  return out;
}

// Derives the in-memory fields: by_id, and each page's traces and latest trace start (version 6:
// also each trace's bound of its latest start, its page's latest start). False if the traces are
// not unique or a trace crosses a page boundary.
bool FinishMeta(BlockMeta* m, uint32_t version) {
  m->by_id.resize(m->traces.size());
  std::iota(m->by_id.begin(), m->by_id.end(), 0u);
  std::sort(m->by_id.begin(), m->by_id.end(),
            [&](uint32_t a, uint32_t b) { return m->traces[a].id < m->traces[b].id; });
  for (size_t i = 1; i < m->by_id.size(); ++i) {
    if (m->traces[m->by_id[i - 1]].id == m->traces[m->by_id[i]].id) return false;
  }
  size_t t = 0;
  for (BlockPage& p : m->pages) {
    p.trace_begin = static_cast<uint32_t>(t);
    p.max_trace_start = 0;
    while (t < m->traces.size() && m->traces[t].row_begin < p.first_row + p.row_count) {
      BlockTrace& tr = m->traces[t];
      if (tr.row_begin < p.first_row || tr.row_begin + tr.row_count > p.first_row + p.row_count) {
        return false;
      }
      if (version >= kDerivedTraceStartVersion) tr.max_start = p.max_start;
      p.max_trace_start = std::max(p.max_trace_start, tr.max_start);
      ++t;
    }
    p.trace_end = static_cast<uint32_t>(t);
  }
  return t == m->traces.size();
}

bool DecodeMeta(std::string_view data, uint32_t version, BlockMeta* m) {
  Reader r(data);
  uint64_t created, level, archive, n;
  if (!r.Varint(&m->id) || !r.Varint(&m->wal_seq_end) || !r.Varint(&created) || !r.Varint(&level) ||
      level > 1000 || !r.Varint(&archive) || archive > 1 || !r.Varint(&n) ||
      n > r.remaining() / kMinReplaceBytes) {
    return false;
  }
  m->created_ns = UnZigZag(created);
  m->level = static_cast<uint32_t>(level);
  m->archive = archive == 1;
  m->replaces.resize(n);
  for (uint64_t& x : m->replaces) {
    if (!r.Varint(&x)) return false;
  }
  if (!r.Varint(&m->min_start) || !r.Varint(&m->max_start) || m->min_start > m->max_start ||
      !r.Varint(&m->span_count) || m->span_count > 0xffffffffu || !r.Varint(&n) ||
      n > r.remaining() / kMinServiceBytes) {
    return false;
  }
  m->services.resize(n);
  for (std::string& s : m->services) {
    std::string_view v;
    if (!r.Bytes(&v)) return false;
    s = std::string(v);
  }
  if (!r.Varint(&n) || n > r.remaining() / kMinOperationBytes) return false;
  m->operations.resize(n);
  for (BlockOperation& op : m->operations) {
    std::string_view s, name;
    uint8_t kind;
    if (!r.Bytes(&s) || !r.Bytes(&name) || !r.Byte(&kind) ||
        kind > static_cast<uint8_t>(SpanKind::kConsumer)) {
      return false;
    }
    op.service = std::string(s);
    op.name = std::string(name);
    op.kind = static_cast<SpanKind>(kind);
  }
  const bool starts = version < kDerivedTraceStartVersion;
  if (!r.Varint(&n) || n > r.remaining() / (starts ? kMinTraceBytes : kMinTraceBytesV6)) {
    return false;
  }
  m->traces.resize(n);
  uint64_t rows = 0;
  uint64_t prev_start = m->min_start;
  for (size_t i = 0; i < n; ++i) {
    BlockTrace& t = m->traces[i];
    std::string_view id;
    uint64_t delta = 0, count;
    if (!r.Raw(16, &id) || (starts && !r.Varint(&delta)) || !r.Varint(&count) || count == 0 ||
        count > m->span_count - rows) {
      return false;
    }
    if (starts && version >= 3) {  // zigzag delta from the previous trace's latest start
      delta = prev_start + static_cast<uint64_t>(UnZigZag(delta)) - m->min_start;
    }
    if (delta > m->max_start - m->min_start) return false;
    TraceId::FromBytes(id, &t.id);
    if (version == 1 && i > 0 && !(m->traces[i - 1].id < t.id)) return false;
    t.max_start = m->min_start + delta;
    prev_start = t.max_start;
    t.row_begin = static_cast<uint32_t>(rows);
    t.row_count = static_cast<uint32_t>(count);
    rows += count;
  }
  if (rows != m->span_count) return false;
  if (starts) {
    if (!r.Varint(&n) || n > r.remaining() / 8) return false;
    m->bloom.resize(n);
    for (uint64_t& w : m->bloom) {
      if (!r.Fixed64(&w)) return false;
    }
    if (m->bloom.empty() && !m->traces.empty()) return false;
    // The filter must admit every indexed trace: lookups consult it first, so a filter that
    // disagrees with the index would hide traces the block holds (fuzz finding
    // block_bloom_misses_indexed_trace). O(traces), once at open.
    for (const BlockTrace& t : m->traces) {
      if (!m->MayContain(t.id)) return false;
    }
  } else {
    BuildTraceBloom(m);  // admits every indexed trace by construction
  }
  const uint64_t min_page_bytes = version >= kPageTokenFilterVersion ? kMinPageBytesV5
                                  : version >= 2                     ? kMinPageBytesV2
                                                                     : kMinPageBytesV1;
  if (!r.Varint(&n) || n > r.remaining() / min_page_bytes) return false;
  m->pages.resize(n);
  uint64_t offset = 0, first_row = 0;
  for (BlockPage& p : m->pages) {
    uint64_t count;
    if (!r.Varint(&p.len) || !r.Varint(&count) || count == 0 || count > m->span_count - first_row ||
        !r.Fixed64(&p.checksum)) {
      return false;
    }
    if (version >= 2) {
      uint64_t lo, span, dlo, dspan, words = 0;
      if (!r.Varint(&lo) || lo > m->max_start - m->min_start || !r.Varint(&span) ||
          span > m->max_start - m->min_start - lo || !r.Varint(&dlo) || !r.Varint(&dspan) ||
          dspan > UINT64_MAX - dlo) {
        return false;
      }
      if (version < kPageTokenFilterVersion && (!r.Varint(&words) || words > r.remaining() / 8)) {
        return false;
      }
      p.min_start = m->min_start + lo;
      p.max_start = p.min_start + span;
      p.min_duration = dlo;
      p.max_duration = dlo + dspan;
      p.bloom.resize(words);
      for (uint64_t& w : p.bloom) {
        if (!r.Fixed64(&w)) return false;
      }
    }
    p.offset = offset;
    p.first_row = static_cast<uint32_t>(first_row);
    p.row_count = static_cast<uint32_t>(count);
    offset += p.len;
    first_row += count;
  }
  if (first_row != m->span_count) return false;
  m->body_len = offset;
  if (version >= 3) {
    std::string_view dict;
    if (!r.Bytes(&dict) || dict.size() > kMaxPageDictBytes) return false;
    m->page_dict_stored_bytes = dict.size();
    if (version >= kDerivedTraceStartVersion) {
      if (!DecompressPageDict(dict, &m->page_dict)) return false;
    } else {
      m->page_dict = std::string(dict);
    }
  }
  if (version >= kPageTokenFilterVersion &&
      !PageTokenFilter::Decode(&r, static_cast<uint32_t>(m->pages.size()), &m->page_filter)) {
    return false;
  }
  // Unique traces, each within one page.
  if (!FinishMeta(m, version)) return false;
  return r.done();
}

}  // namespace

bool BlockMeta::MayContain(const TraceId& trace_id) const {
  if (bloom.empty()) return false;
  uint64_t pos[kBloomHashes];
  BloomPositions(trace_id, bloom.size() * 64, pos);
  for (uint64_t p : pos) {
    if ((bloom[p / 64] & (1ull << (p % 64))) == 0) return false;
  }
  return true;
}

const BlockTrace* BlockMeta::FindTrace(const TraceId& trace_id) const {
  if (!MayContain(trace_id)) return nullptr;
  auto it = std::lower_bound(by_id.begin(), by_id.end(), trace_id,
                             [&](uint32_t t, const TraceId& x) { return traces[t].id < x; });
  if (it == by_id.end() || traces[*it].id != trace_id) return nullptr;
  return &traces[*it];
}

uint64_t SummaryToken(char kind, std::string_view a, std::string_view b) {
  // The hash of a + '\0' + b. Built on the stack when short (almost always: names, attribute
  // keys and values); a std::string per token was a malloc per attribute in block building.
  constexpr size_t kStackBytes = 256;
  const size_t n = a.size() + 1 + b.size();
  char stack[kStackBytes];
  std::string heap;
  char* buf = stack;
  if (n > kStackBytes) {
    heap.resize(n);
    buf = heap.data();
  }
  if (!a.empty()) std::memcpy(buf, a.data(), a.size());
  buf[a.size()] = '\0';
  if (!b.empty()) std::memcpy(buf + a.size() + 1, b.data(), b.size());
  return XXH3_64bits_withSeed(buf, n, static_cast<uint64_t>(kind));
}

TokenProbe BlockMeta::ProbeToken(uint64_t token) const {
  TokenProbe probe;
  probe.token = token;
  if (version >= kPageTokenFilterVersion) probe.filter = page_filter.Prepare(token);
  return probe;
}

bool BlockMeta::PageMayHave(const TokenProbe& probe, size_t page) const {
  if (version >= kPageTokenFilterVersion) {
    return page_filter.MayHave(probe.filter, static_cast<uint32_t>(page));
  }
  const std::vector<uint64_t>& page_bloom = pages[page].bloom;
  if (page_bloom.empty()) return true;
  uint64_t pos[kPageBloomHashes];
  PagePositions(probe.token, page_bloom.size() * 64, pos);
  for (uint64_t p : pos) {
    if ((page_bloom[p / 64] & (1ull << (p % 64))) == 0) return false;
  }
  return true;
}

size_t BlockMeta::PageOf(uint32_t row) const {
  auto it = std::upper_bound(pages.begin(), pages.end(), row,
                             [](uint32_t r, const BlockPage& p) { return r < p.first_row; });
  return it == pages.begin() ? 0 : static_cast<size_t>(it - pages.begin()) - 1;
}

std::string BlockFileName(uint64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llx.blk", static_cast<unsigned long long>(id));
  return buf;
}

bool ParseBlockFileName(const std::string& name, uint64_t* id) {
  if (name.size() != 20 || name.substr(16) != ".blk") return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 16; ++i) {
    char c = name[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  *id = v;
  return true;
}

std::vector<RowRef> OrderForBlock(const std::vector<const SpanBatch*>& batches) {
  // A trace's spans mostly arrive together, as a run of rows of one request: a run looks its
  // trace up once (the hash lookups per row were most of this function's cost).
  std::unordered_map<TraceId, uint64_t, IdHash> first;
  size_t n = 0;
  for (const SpanBatch* b : batches) {
    n += b->size();
    uint64_t* earliest = nullptr;
    for (uint32_t i = 0; i < b->size(); ++i) {
      const uint64_t start = b->spans.start_time_unix_nano[i];
      if (i == 0 || b->spans.trace_id[i] != b->spans.trace_id[i - 1]) {
        auto [it, inserted] = first.try_emplace(b->spans.trace_id[i], start);
        earliest = &it->second;  // stable: unordered_map never moves its elements
      }
      *earliest = std::min(*earliest, start);
    }
  }
  struct Keyed {
    uint64_t trace_start;  // the trace's earliest start
    const TraceId* trace;
    uint64_t start;
    RowRef ref;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(n);
  for (const SpanBatch* b : batches) {
    uint64_t trace_start = 0;
    for (uint32_t i = 0; i < b->size(); ++i) {
      const TraceId& id = b->spans.trace_id[i];
      if (i == 0 || id != b->spans.trace_id[i - 1]) trace_start = first.find(id)->second;
      keyed.push_back({trace_start, &id, b->spans.start_time_unix_nano[i], RowRef{b, i}});
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.trace_start != b.trace_start) return a.trace_start < b.trace_start;
    if (*a.trace != *b.trace) return *a.trace < *b.trace;
    return a.start < b.start;
  });
  std::vector<RowRef> out;
  out.reserve(n);
  for (const Keyed& k : keyed) out.push_back(k.ref);
  return out;
}

SpanBatch SortForBlock(const std::vector<const SpanBatch*>& batches) {
  SpanBatch out;
  SpanAppender append(&out);
  for (const RowRef& r : OrderForBlock(batches)) append.Append(*r.batch, r.row);
  return out;
}

SpanBatch SortByTraceId(const std::vector<const SpanBatch*>& batches) {
  struct Row {
    const SpanBatch* batch;
    uint32_t row;
  };
  std::vector<Row> rows;
  for (const SpanBatch* b : batches) {
    for (uint32_t i = 0; i < b->size(); ++i) rows.push_back({b, i});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    const TraceId& ta = a.batch->spans.trace_id[a.row];
    const TraceId& tb = b.batch->spans.trace_id[b.row];
    if (ta != tb) return ta < tb;
    return a.batch->spans.start_time_unix_nano[a.row] < b.batch->spans.start_time_unix_nano[b.row];
  });
  SpanBatch out;
  SpanAppender append(&out);
  for (const Row& r : rows) append.Append(*r.batch, r.row);
  return out;
}

namespace {

// The token of an attribute (SummaryToken 't'). String values, the common case, are hashed
// where they are; ValueAsText (a std::string) only for the other types.
uint64_t AttributeToken(const SpanBatch& part, const KeyValue& kv) {
  const AnyValue& v = kv.value;
  char buf[32];
  switch (v.type) {
    case ValueType::kString:
      return SummaryToken('t', kv.key, v.str);
    case ValueType::kBool:  // the same text as ValueAsText, without a std::string
      return SummaryToken('t', kv.key, v.bool_value ? "true" : "false");
    case ValueType::kInt: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v.int_value);
      return SummaryToken('t', kv.key, std::string_view(buf, ec == std::errc() ? end - buf : 0));
    }
    case ValueType::kDouble: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v.double_value);
      return SummaryToken('t', kv.key, std::string_view(buf, ec == std::errc() ? end - buf : 0));
    }
    default:
      return SummaryToken('t', kv.key, ValueAsText(part, v));
  }
}

// Attribute tokens of a page, remembered by where their key and value are (a page's strings view
// the head's batches, whose decoded WAL records store each distinct string once, so repeats of a
// key=value pair mostly share both views) or by the value's bits: repeats skip the hashing.
class AttributeTokens {
 public:
  uint64_t Of(const SpanBatch& part, const KeyValue& kv) {
    const AnyValue& v = kv.value;
    uint64_t bits;
    switch (v.type) {
      case ValueType::kString:
        bits = reinterpret_cast<uintptr_t>(v.str.data()) ^ (uint64_t{v.str.size()} << 48);
        break;
      case ValueType::kBool:
        bits = v.bool_value ? 1 : 0;
        break;
      case ValueType::kInt:
        bits = static_cast<uint64_t>(v.int_value);
        break;
      case ValueType::kDouble:
        std::memcpy(&bits, &v.double_value, sizeof(bits));
        break;
      default:
        return AttributeToken(part, kv);
    }
    const uint64_t where = reinterpret_cast<uintptr_t>(kv.key.data());
    const uint64_t h = (where * 0x9E3779B97F4A7C15ull) ^ (bits * 0xC2B2AE3D27D4EB4Full) ^
                       static_cast<uint64_t>(v.type);
    Entry& e = entries_[(h ^ (h >> 31)) % kEntries];
    if (e.used && e.key == kv.key.data() && e.key_size == kv.key.size() && e.type == v.type &&
        e.bits == bits && (v.type != ValueType::kString || e.value == v.str.data())) {
      return e.token;
    }
    e = {true,
         kv.key.data(),
         kv.key.size(),
         v.type,
         bits,
         v.type == ValueType::kString ? v.str.data() : nullptr,
         AttributeToken(part, kv)};
    return e.token;
  }

 private:
  static constexpr size_t kEntries = 1024;
  struct Entry {
    bool used = false;
    const char* key = nullptr;
    size_t key_size = 0;
    ValueType type = ValueType::kEmpty;
    uint64_t bits = 0;
    const char* value = nullptr;
    uint64_t token = 0;
  };
  std::vector<Entry> entries_ = std::vector<Entry>(kEntries);
};

// The sorted distinct tokens of a page's spans.
std::vector<uint64_t> CollectTokens(const SpanBatch& part) {
  const SpanColumns& c = part.spans;
  // Collected, then sorted and deduplicated: cheaper than a hash set. Most tokens repeat from
  // span to span; a small direct-mapped cache of recent ones drops most repeats before the sort.
  std::vector<uint64_t> tokens;
  AttributeTokens attribute_tokens;
  constexpr size_t kRecentTokens = 256;
  uint64_t recent[kRecentTokens] = {};
  auto add = [&](uint64_t token) {
    uint64_t& slot = recent[(token ^ (token >> 29)) % kRecentTokens];
    if (slot == token && token != 0) return;
    slot = token;
    tokens.push_back(token);
  };
  auto add_range = [&](Range r) {
    for (uint32_t i = r.begin; i < r.end(); ++i) add(attribute_tokens.Of(part, part.attributes[i]));
  };
  for (uint32_t i = 0; i < c.size(); ++i) {
    add(SummaryToken('s', part.ServiceName(i)));
    add(SummaryToken('o', c.name[i]));
    add_range(c.attributes[i]);
    for (uint32_t e = c.events[i].begin; e < c.events[i].end(); ++e) {
      add_range(part.events.attributes[e]);
    }
  }
  for (const Resource& r : part.resources) add_range(r.attributes);
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  return tokens;
}

// Fills the summary of a page from its spans: its ranges, and (versions 2-4) its token bloom
// filter; from version 5 its tokens go to *tokens_out for the block's PageTokenFilter (none, and
// *unfiltered set, when there are more than kMaxTokensPerRow per span).
void SummarizePage(const SpanBatch& part, uint32_t version, BlockPage* page,
                   std::vector<uint64_t>* tokens_out, bool* unfiltered) {
  const SpanColumns& c = part.spans;
  page->min_start = UINT64_MAX;
  page->max_start = 0;
  page->min_duration = UINT64_MAX;
  page->max_duration = 0;
  for (uint32_t i = 0; i < c.size(); ++i) {
    const uint64_t start = c.start_time_unix_nano[i];
    const uint64_t end = c.end_time_unix_nano[i];
    const uint64_t duration = end > start ? end - start : 0;
    page->min_start = std::min(page->min_start, start);
    page->max_start = std::max(page->max_start, start);
    page->min_duration = std::min(page->min_duration, duration);
    page->max_duration = std::max(page->max_duration, duration);
  }
  std::vector<uint64_t> tokens = CollectTokens(part);
  page->bloom.clear();
  if (version >= kPageTokenFilterVersion) {
    static_assert(PageTokenFilter::kMaxTokensPerRow == kPageBloomMaxTokensPerRow);
    *unfiltered = tokens.size() > PageTokenFilter::kMaxTokensPerRow * c.size();
    if (*unfiltered) tokens.clear();
    *tokens_out = std::move(tokens);
    return;
  }
  if (tokens.size() > kPageBloomMaxTokensPerRow * c.size()) return;
  const size_t words = std::max<size_t>(1, (tokens.size() * kPageBloomBitsPerToken + 63) / 64);
  page->bloom.assign(words, 0);
  for (uint64_t token : tokens) {
    uint64_t pos[kPageBloomHashes];
    PagePositions(token, words * 64, pos);
    for (uint64_t p : pos) page->bloom[p / 64] |= 1ull << (p % 64);
  }
}

struct CDictFree {
  void operator()(ZSTD_CDict* d) const { ZSTD_freeCDict(d); }
};
struct CctxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

// Compresses the pages of one block, with its page dictionary if it has one. Each frame carries
// (version 3) zstd's checksum of its content (4 bytes): the page checksum covers the compressed
// bytes and the metadata checksum the dictionary, but a dictionary that was damaged and
// re-checksummed would otherwise decode into different spans without an error.
class PageCompressor {
 public:
  PageCompressor(const std::string& dict, int level, bool checksum) : cctx_(ZSTD_createCCtx()) {
    ARIADNE_CHECK(cctx_ != nullptr);
    ARIADNE_CHECK(
        !ZSTD_isError(ZSTD_CCtx_setParameter(cctx_.get(), ZSTD_c_compressionLevel, level)));
    ARIADNE_CHECK(
        !ZSTD_isError(ZSTD_CCtx_setParameter(cctx_.get(), ZSTD_c_checksumFlag, checksum ? 1 : 0)));
    if (!dict.empty()) {
      cdict_.reset(ZSTD_createCDict(dict.data(), dict.size(), level));
      ARIADNE_CHECK(cdict_ != nullptr);
      ARIADNE_CHECK(!ZSTD_isError(ZSTD_CCtx_refCDict(cctx_.get(), cdict_.get())));
    }
  }
  std::string Compress(std::string_view raw) {
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    const size_t n = ZSTD_compress2(cctx_.get(), out.data(), out.size(), raw.data(), raw.size());
    ARIADNE_CHECK(!ZSTD_isError(n));
    out.resize(n);
    return out;
  }

 private:
  std::unique_ptr<ZSTD_CCtx, CctxFree> cctx_;
  std::unique_ptr<ZSTD_CDict, CDictFree> cdict_;
};

// The strings in at least kCommonStringShare of the block's pages (and in two), most common
// first: every page's dictionary starts with them (EncodeBatchSplit's preset), so a string has
// one index throughout the block and the pages' columns and dictionaries repeat from page to
// page, which the block's zstd dictionary captures (docs/performance.md, "Common strings first").
// Counted on at most kCommonStringSamplePages pages spread over the block (each costs most of an
// encoding). The views point into the rows' batches. fill_page(p) loads page p into part.
constexpr double kCommonStringShare = 0.1;
constexpr size_t kCommonStringSamplePages = 64;

template <typename FillPage>
std::vector<std::string_view> CommonPageStrings(size_t pages, FillPage fill_page,
                                                const SpanBatch& part) {
  if (pages < 2) return {};
  const size_t step = std::max<size_t>(1, pages / kCommonStringSamplePages);
  std::unordered_map<std::string_view, uint32_t> pages_of;
  size_t sampled = 0;
  for (size_t p = 0; p < pages; p += step, ++sampled) {
    fill_page(p);
    for (std::string_view s : BatchStrings(part)) pages_of[s]++;
  }
  const double min_pages = std::max(2.0, kCommonStringShare * static_cast<double>(sampled));
  std::vector<std::pair<uint32_t, std::string_view>> common;
  for (const auto& [s, n] : pages_of) {
    if (n >= min_pages) common.emplace_back(n, s);
  }
  std::sort(common.begin(), common.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string_view> out;
  out.reserve(common.size());
  for (const auto& c : common) out.push_back(c.second);
  return out;
}

// A zstd dictionary trained (fastCover) on the block's pages (up to kDictSampleBytes of them,
// spread over the block), so what every page repeats (operation names, attribute keys and values,
// resources, column patterns) is stored once per block instead of once per page. At most
// kPageDictBytes and 1/kDictBlockFraction of the pages' raw bytes; "" for blocks of fewer
// than kMinDictPages pages, or if training fails (the pages are then compressed alone).
constexpr size_t kMinDictPages = 8;
constexpr size_t kDictBlockFraction = 64;
constexpr size_t kMinDictBytes = 1024;
constexpr size_t kDictSampleBytes = 8 << 20;
constexpr unsigned kDictSegmentBytes = 2048;

// raws: the pages' encodings back to back; sizes: each page's size.
std::string TrainPageDict(const std::string& raws, const std::vector<size_t>& sizes) {
  if (sizes.size() < kMinDictPages) return "";
  const size_t total = raws.size();
  const size_t capacity = std::min<size_t>(kPageDictBytes, total / kDictBlockFraction);
  if (capacity < kMinDictBytes) return "";
  const size_t step = std::max<size_t>(1, (total + kDictSampleBytes - 1) / kDictSampleBytes);
  // Every page when they fit in the sample budget (no copy), else every step-th.
  std::string picked;
  std::vector<size_t> picked_sizes;
  if (step > 1) {
    size_t offset = 0;
    for (size_t i = 0; i < sizes.size(); offset += sizes[i], ++i) {
      if (i % step != 0) continue;
      picked.append(raws, offset, sizes[i]);
      picked_sizes.push_back(sizes[i]);
    }
  }
  const std::string& samples = step > 1 ? picked : raws;
  const std::vector<size_t>& sample_sizes = step > 1 ? picked_sizes : sizes;
  std::string dict(capacity, '\0');
  // fastCover with fixed parameters: as small a result as ZDICT_trainFromBuffer's search over
  // segment sizes (measured on the demo workload), for a fraction of its CPU.
  ZDICT_fastCover_params_t params{};
  params.k = kDictSegmentBytes;
  params.d = 8;
  params.f = 20;
  params.accel = 1;
  const size_t n =
      ZDICT_trainFromBuffer_fastCover(dict.data(), dict.size(), samples.data(), sample_sizes.data(),
                                      static_cast<unsigned>(sample_sizes.size()), params);
  if (ZDICT_isError(n)) return "";
  dict.resize(n);
  return dict;
}

struct DDictFree {
  void operator()(const void* d) const {
    ZSTD_freeDDict(static_cast<ZSTD_DDict*>(const_cast<void*>(d)));
  }
};

std::shared_ptr<const void> MakeDDict(const std::string& dict) {
  ZSTD_DDict* d = ZSTD_createDDict(dict.data(), dict.size());
  if (d == nullptr) return nullptr;
  return std::shared_ptr<const void>(d, DDictFree());
}

}  // namespace

std::vector<uint64_t> PageTokens(const SpanBatch& page) { return CollectTokens(page); }

std::string BuildBlock(const SpanBatch& sorted, int zstd_level, BlockMeta* meta,
                       uint32_t page_spans, uint32_t version) {
  std::vector<RowRef> rows;
  rows.reserve(sorted.size());
  for (uint32_t i = 0; i < sorted.size(); ++i) rows.push_back({&sorted, i});
  return BuildBlock(rows, zstd_level, meta, page_spans, version);
}

std::string BuildBlock(const std::vector<RowRef>& rows, int zstd_level, BlockMeta* meta,
                       uint32_t page_spans, uint32_t version) {
  meta->version = version;
  meta->span_count = rows.size();
  meta->min_start = rows.empty() ? 0 : UINT64_MAX;
  meta->max_start = 0;
  // Distinct services and operations as views into the rows (a std::string pair and a tree
  // lookup per row cost more than the rest of this loop); sorted copies at the end.
  struct OpView {
    std::string_view service;
    std::string_view name;
    SpanKind kind;
    bool operator==(const OpView&) const = default;
  };
  struct OpViewHash {
    size_t operator()(const OpView& o) const {
      const std::hash<std::string_view> h;
      return h(o.service) * 31 + h(o.name) * 7 + static_cast<size_t>(o.kind);
    }
  };
  std::unordered_set<std::string_view> services;
  std::unordered_set<OpView, OpViewHash> ops;
  OpView last_op{};
  bool have_last = false;
  meta->traces.clear();
  for (uint32_t i = 0; i < rows.size(); ++i) {
    const SpanBatch& b = *rows[i].batch;
    const uint32_t row = rows[i].row;
    const uint64_t start = b.spans.start_time_unix_nano[row];
    const TraceId& id = b.spans.trace_id[row];
    meta->min_start = std::min(meta->min_start, start);
    meta->max_start = std::max(meta->max_start, start);
    const OpView op{b.ServiceName(row), b.spans.name[row], b.spans.kind[row]};
    if (!have_last || !(op == last_op)) {  // neighbours often repeat the operation
      services.insert(op.service);
      ops.insert(op);
      last_op = op;
      have_last = true;
    }
    if (meta->traces.empty() || meta->traces.back().id != id) {
      meta->traces.push_back(BlockTrace{id, start, i, 0});
    }
    BlockTrace& t = meta->traces.back();
    t.row_count++;
    t.max_start = std::max(t.max_start, start);
  }
  meta->services.assign(services.begin(), services.end());
  std::sort(meta->services.begin(), meta->services.end());
  meta->operations.clear();
  meta->operations.reserve(ops.size());
  for (const OpView& op : ops) {
    meta->operations.push_back({std::string(op.service), std::string(op.name), op.kind});
  }
  std::sort(meta->operations.begin(), meta->operations.end());
  BuildTraceBloom(meta);

  meta->pages.clear();
  meta->page_dict.clear();
  meta->page_ddict.reset();
  std::string raws;  // the pages' encodings, back to back
  std::vector<size_t> raw_sizes;
  std::vector<std::string> tails;  // version 4: stored after each page's zstd frame
  // One page buffer, refilled: its columns grow once per block, not once per page. The page's
  // spans view the head's strings (no copy: each page is encoded before the next is filled);
  // from version 2 spans with equal resources (or scopes) share one, else every request's copy
  // would cost bytes in every page. One appender for all pages: it compares each head resource
  // once per block.
  SpanBatch part;
  SpanAppender append(&part, {.borrow_strings = true, .share_equal_resources = version >= 2});
  std::vector<std::vector<uint64_t>> page_tokens;  // version 5: each page's tokens
  std::deque<bool> unfiltered;                     // version 5: pages with too many tokens
  // Pages: whole traces, about page_spans rows each (index of each page's first trace).
  std::vector<size_t> page_begin;
  for (size_t t = 0, rows_in_page = 0; t < meta->traces.size(); ++t) {
    if (page_begin.empty() || rows_in_page >= page_spans) {
      page_begin.push_back(t);
      rows_in_page = 0;
    }
    rows_in_page += meta->traces[t].row_count;
  }
  page_begin.push_back(meta->traces.size());
  auto fill_page = [&](size_t p) {
    part.Clear();
    append.Restart();
    uint32_t n = 0;
    for (size_t t = page_begin[p]; t < page_begin[p + 1]; ++t) {
      for (uint32_t r = 0; r < meta->traces[t].row_count; ++r) {
        const RowRef& ref = rows[meta->traces[t].row_begin + r];
        append.Append(*ref.batch, ref.row);
      }
      n += meta->traces[t].row_count;
    }
    return n;
  };
  const std::vector<std::string_view> preset =
      version >= 4 ? CommonPageStrings(page_begin.size() - 1, fill_page, part)
                   : std::vector<std::string_view>();
  for (size_t p = 0; p + 1 < page_begin.size(); ++p) {
    BlockPage page;
    page.first_row = meta->traces[page_begin[p]].row_begin;
    page.row_count = fill_page(p);
    if (version >= 2) {
      SummarizePage(part, version, &page, &page_tokens.emplace_back(), &unfiltered.emplace_back());
    }
    const size_t raw_begin = raws.size();
    if (version >= 4) {
      // The trace index holds the ids; from format 5 timings are range coded (codec 5).
      EncodeBatchSplit(part, &raws, &tails.emplace_back(),
                       version >= 5 ? kBatchCodecRange : kBatchCodecSplit, preset);
    } else if (version == 3) {
      EncodeBatchWithoutTraceIds(part, &raws);
    } else if (version == 2) {
      EncodeBatchWithoutTraceIds(part, &raws, kBatchCodecNoTraceIds);
    } else {
      EncodeBatch(part, &raws);
    }
    raw_sizes.push_back(raws.size() - raw_begin);
    meta->pages.push_back(page);
  }
  meta->page_filter = PageTokenFilter();
  if (version >= kPageTokenFilterVersion) {
    meta->page_filter = PageTokenFilter::Build(
        page_tokens, std::vector<bool>(unfiltered.begin(), unfiltered.end()));
    std::vector<std::vector<uint64_t>>().swap(page_tokens);
  }
  if (version >= 3) meta->page_dict = TrainPageDict(raws, raw_sizes);
  PageCompressor compressor(meta->page_dict, zstd_level, version >= 3);
  std::vector<std::string> compressed(raw_sizes.size());
  uint64_t body_len = 0;
  for (size_t i = 0, raw_offset = 0; i < raw_sizes.size(); raw_offset += raw_sizes[i], ++i) {
    compressed[i] = compressor.Compress(std::string_view(raws).substr(raw_offset, raw_sizes[i]));
    if (!tails.empty()) {
      compressed[i] += tails[i];
      std::string().swap(tails[i]);
    }
    BlockPage& page = meta->pages[i];
    page.offset = body_len;
    page.len = compressed[i].size();
    page.checksum = XXH3_64bits(compressed[i].data(), compressed[i].size());
    body_len += page.len;
  }
  std::string().swap(raws);
  if (!meta->page_dict.empty()) meta->page_ddict = MakeDDict(meta->page_dict);
  ARIADNE_CHECK(FinishMeta(meta, version));  // the caller grouped the rows by trace
  const std::string stored_dict =
      version >= kDerivedTraceStartVersion ? CompressPageDict(meta->page_dict) : meta->page_dict;
  meta->page_dict_stored_bytes = stored_dict.size();
  std::string meta_bytes = EncodeMeta(*meta, version, stored_dict);

  // The file in one buffer, each page copied once; the header (it checksums the body) last.
  std::string out;
  out.reserve(kHeaderSize + meta_bytes.size() + body_len);
  out.resize(kHeaderSize);
  out += meta_bytes;
  meta->body_offset = out.size();
  for (std::string& page : compressed) {
    out += page;
    std::string().swap(page);
  }
  meta->body_len = body_len;
  meta->body_checksum = XXH3_64bits(out.data() + meta->body_offset, body_len);
  std::string header(kMagic, sizeof(kMagic));
  PutFixed32(&header, version);
  PutFixed32(&header, static_cast<uint32_t>(meta_bytes.size()));
  PutFixed64(&header, body_len);
  PutFixed64(&header, XXH3_64bits(meta_bytes.data(), meta_bytes.size()));
  PutFixed64(&header, meta->body_checksum);
  PutFixed64(&header, XXH3_64bits(header.data(), header.size()));
  ARIADNE_CHECK(header.size() == kHeaderSize);
  std::memcpy(out.data(), header.data(), kHeaderSize);
  meta->file_bytes = out.size();
  return out;
}

std::vector<std::pair<std::string, uint64_t>> BlockColumnBytes(const std::vector<RowRef>& rows,
                                                               int zstd_level,
                                                               uint32_t page_spans) {
  BlockMeta meta;
  const std::string block = BuildBlock(rows, zstd_level, &meta, page_spans);
  std::vector<std::pair<std::string, uint64_t>> out = {
      {"header", kHeaderSize}, {"metadata", meta.body_offset - kHeaderSize}};
  for (const BlockPage& p : meta.pages) {
    SpanBatch part;
    SpanAppender append(&part, {.borrow_strings = true, .share_equal_resources = true});
    for (uint32_t r = p.first_row; r < p.first_row + p.row_count; ++r) {
      append.Append(*rows[r].batch, rows[r].row);
    }
    for (const auto& [name, bytes] : EncodedStreams(part)) {
      std::string compressed(ZSTD_compressBound(bytes.size()), '\0');
      size_t n = ZSTD_compress(compressed.data(), compressed.size(), bytes.data(), bytes.size(),
                               zstd_level);
      ARIADNE_CHECK(!ZSTD_isError(n));
      if (bytes.empty()) n = 0;          // an empty column costs a length byte, not a frame
      const std::string& column = name;  // clang 14 cannot capture a structured binding
      auto it =
          std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == column; });
      if (it == out.end()) {
        out.emplace_back(name, n);
      } else {
        it->second += n;
      }
    }
  }
  return out;
}

Status WriteBlockFile(Env* env, const std::string& dir, const std::string& name,
                      const std::string& bytes) {
  std::string tmp = JoinPath(dir, name + ".tmp");
  auto file = env->NewWritableFile(tmp, WriteMode::kTruncate);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(bytes);
  if (s.ok()) s = (*file)->Sync();
  Status closed = (*file)->Close();
  if (s.ok()) s = closed;
  if (s.ok()) s = env->RenameFile(tmp, JoinPath(dir, name));
  if (s.ok()) s = env->SyncDir(dir);
  if (!s.ok()) env->RemoveFile(tmp).IgnoreError();
  return s;
}

StatusOr<BlockMeta> ReadBlockMeta(Env* env, const std::string& path) {
  auto file = env->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  const uint64_t size = (*file)->Size();
  std::string header;
  if (Status s = (*file)->Read(0, kHeaderSize, &header); !s.ok()) return s;
  if (header.size() != kHeaderSize || header.compare(0, 8, kMagic, 8) != 0) {
    return Corrupt(path, "bad magic or short header");
  }
  if (XXH3_64bits(header.data(), 40) != GetFixed64(header.data() + 40)) {
    return Corrupt(path, "header checksum");
  }
  const uint32_t version = GetFixed32(header.data() + 8);
  if (version < kMinReadVersion || version > kBlockVersion) {
    return Corrupt(path, "block format version " + std::to_string(version) +
                             " is not supported (this build reads versions " +
                             std::to_string(kMinReadVersion) + " to " +
                             std::to_string(kBlockVersion) + ")");
  }
  const uint64_t meta_len = GetFixed32(header.data() + 12);
  const uint64_t body_len = GetFixed64(header.data() + 16);
  if (body_len > kMaxBodyBytes || kHeaderSize + meta_len + body_len != size) {
    return Corrupt(path, "size does not match the header");
  }
  std::string meta_bytes;
  if (Status s = (*file)->Read(kHeaderSize, meta_len, &meta_bytes); !s.ok()) return s;
  if (meta_bytes.size() != meta_len ||
      XXH3_64bits(meta_bytes.data(), meta_bytes.size()) != GetFixed64(header.data() + 24)) {
    return Corrupt(path, "metadata checksum");
  }
  BlockMeta meta;
  if (!DecodeMeta(meta_bytes, version, &meta) || meta.body_len != body_len) {
    return Corrupt(path, "metadata");
  }
  if (!meta.page_dict.empty()) {
    meta.page_ddict = MakeDDict(meta.page_dict);
    if (meta.page_ddict == nullptr) return Corrupt(path, "page dictionary");
  }
  meta.version = version;
  meta.body_offset = kHeaderSize + meta_len;
  meta.body_checksum = GetFixed64(header.data() + 32);
  meta.file_bytes = size;
  return meta;
}

namespace {

// Pruning trusts the metadata (block time range, service and operation sets, page summaries,
// each trace's latest start): a value there that disagrees with the spans would make a search
// skip spans it should find. A page read checks its spans against all of it except the page's
// token bloom filter (hashing every attribute on each read would cost as much as decoding).
Status CheckPageAgainstMeta(const std::string& path, const BlockMeta& meta, const BlockPage& p,
                            const SpanBatch& batch) {
  const SpanColumns& c = batch.spans;
  for (uint32_t i = 0; i < c.size(); ++i) {
    const uint64_t start = c.start_time_unix_nano[i];
    const uint64_t end = c.end_time_unix_nano[i];
    const uint64_t duration = end > start ? end - start : 0;
    if (start < meta.min_start || start > meta.max_start || start < p.min_start ||
        start > p.max_start || duration < p.min_duration || duration > p.max_duration) {
      return Corrupt(path, "span start or duration outside the page summary");
    }
    const std::string_view service = batch.ServiceName(i);
    if (!std::binary_search(meta.services.begin(), meta.services.end(), service, std::less<>())) {
      return Corrupt(path, "span service missing from the block's service set");
    }
    const std::string_view name = c.name[i];
    const SpanKind kind = c.kind[i];
    // The first operation not ordered before (service, name, kind); operator<=> of
    // BlockOperation orders by service, then name, then kind.
    auto op = std::partition_point(
        meta.operations.begin(), meta.operations.end(), [&](const BlockOperation& o) {
          if (int cmp = std::string_view(o.service).compare(service); cmp != 0) return cmp < 0;
          if (int cmp = std::string_view(o.name).compare(name); cmp != 0) return cmp < 0;
          return o.kind < kind;
        });
    if (op == meta.operations.end() || op->service != service || op->name != name ||
        op->kind != kind) {
      return Corrupt(path, "span operation missing from the block's operation set");
    }
  }
  for (uint32_t t = p.trace_begin; t < p.trace_end; ++t) {
    const BlockTrace& tr = meta.traces[t];
    uint64_t latest = 0;
    for (uint32_t r = tr.row_begin; r < tr.row_begin + tr.row_count; ++r) {
      latest = std::max(latest, c.start_time_unix_nano[r - p.first_row]);
    }
    // Version 6 bounds it by the page's latest start, checked above for every span.
    if (meta.version < kDerivedTraceStartVersion && latest != tr.max_start) {
      return Corrupt(path, "trace latest start differs from body");
    }
  }
  return Status::Ok();
}

struct DctxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// Decompresses one page's zstd frame. The size the frame declares is checked against what the
// page's rows can hold (PageRawLimit) before anything is allocated, and a frame declaring more
// than kOneShotPageBytes is decompressed in steps into a buffer that grows with the real
// output, so a frame that declares much more than it holds costs only what it holds.
StatusOr<std::string> DecompressPage(const std::string& path, const BlockMeta& meta,
                                     const BlockPage& p, std::string_view compressed) {
  const auto* ddict = static_cast<const ZSTD_DDict*>(meta.page_ddict.get());
  const unsigned long long declared =
      ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN) {
    return Corrupt(path, "compressed frame");
  }
  if (declared > PageRawLimit(p.row_count)) {
    return Corrupt(path, "page declares " + std::to_string(declared) +
                             " decompressed bytes, more than its " + std::to_string(p.row_count) +
                             " rows can hold");
  }
  std::string raw;
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  if (dctx == nullptr) return Status::ResourceExhausted("zstd: cannot create a context");
  if (declared <= kOneShotPageBytes) {
    raw.resize(declared);
    size_t n = ddict != nullptr
                   ? ZSTD_decompress_usingDDict(dctx.get(), raw.data(), raw.size(),
                                                compressed.data(), compressed.size(), ddict)
                   : ZSTD_decompressDCtx(dctx.get(), raw.data(), raw.size(), compressed.data(),
                                         compressed.size());
    if (ZSTD_isError(n) || n != declared) return Corrupt(path, "decompression");
    return raw;
  }
  if (ddict != nullptr && ZSTD_isError(ZSTD_DCtx_refDDict(dctx.get(), ddict))) {
    return Corrupt(path, "page dictionary");
  }
  raw.resize(kOneShotPageBytes);
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  ZSTD_outBuffer out{raw.data(), raw.size(), 0};
  while (true) {
    const size_t ret = ZSTD_decompressStream(dctx.get(), &out, &in);
    if (ZSTD_isError(ret)) return Corrupt(path, "decompression");
    if (ret == 0) break;  // the frame is complete
    if (out.pos == out.size) {
      if (raw.size() >= declared) return Corrupt(path, "page larger than its frame declares");
      raw.resize(std::min<uint64_t>(declared, raw.size() * 2));
      out.dst = raw.data();
      out.size = raw.size();
    } else if (in.pos == in.size) {
      return Corrupt(path, "truncated compressed frame");
    }
  }
  if (out.pos != declared || in.pos != in.size) return Corrupt(path, "decompression");
  return raw;
}

StatusOr<SpanBatch> DecodePage(const std::string& path, const BlockMeta& meta, size_t page,
                               std::string_view compressed) {
  const BlockPage& p = meta.pages[page];
  if (compressed.size() != p.len ||
      XXH3_64bits(compressed.data(), compressed.size()) != p.checksum) {
    return Corrupt(path, "page checksum");
  }
  // Version 4: the zstd frame, then the page's uncompressed tail.
  std::string_view tail;
  if (meta.version >= 4) {
    const size_t frame = ZSTD_findFrameCompressedSize(compressed.data(), compressed.size());
    if (ZSTD_isError(frame)) return Corrupt(path, "compressed frame");
    tail = compressed.substr(frame);
    compressed = compressed.substr(0, frame);
  }
  auto raw = DecompressPage(path, meta, p, compressed);
  if (!raw.ok()) return raw.status();
  std::vector<TraceId> run_ids;
  run_ids.reserve(p.trace_end - p.trace_begin);
  for (uint32_t t = p.trace_begin; t < p.trace_end; ++t) run_ids.push_back(meta.traces[t].id);
  auto batch =
      meta.version >= 4 ? DecodeBatchSplit(*raw, tail, run_ids) : DecodeBatch(*raw, run_ids);
  if (!batch.ok()) return batch.status().WithContext(path);
  if (batch->size() != p.row_count) return Corrupt(path, "page span count differs from metadata");
  auto it = std::lower_bound(meta.traces.begin(), meta.traces.end(), p.first_row,
                             [](const BlockTrace& t, uint32_t row) { return t.row_begin < row; });
  for (; it != meta.traces.end() && it->row_begin < p.first_row + p.row_count; ++it) {
    for (uint32_t i = it->row_begin; i < it->row_begin + it->row_count; ++i) {
      if (batch->spans.trace_id[i - p.first_row] != it->id) {
        return Corrupt(path, "trace index differs from body");
      }
    }
  }
  if (Status s = CheckPageAgainstMeta(path, meta, p, *batch); !s.ok()) return s;
  return batch;
}

}  // namespace

StatusOr<SpanBatch> ReadBlockPage(Env* env, const std::string& path, const BlockMeta& meta,
                                  size_t page) {
  if (page >= meta.pages.size()) return Status::OutOfRange("no such page");
  auto file = env->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::string compressed;
  const BlockPage& p = meta.pages[page];
  if (Status s = (*file)->Read(meta.body_offset + p.offset, p.len, &compressed); !s.ok()) {
    return s;
  }
  return DecodePage(path, meta, page, compressed);
}

StatusOr<SpanBatch> ReadBlockBody(Env* env, const std::string& path, const BlockMeta& meta) {
  auto file = env->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::string body;
  if (Status s = (*file)->Read(meta.body_offset, meta.body_len, &body); !s.ok()) return s;
  if (body.size() != meta.body_len || XXH3_64bits(body.data(), body.size()) != meta.body_checksum) {
    return Corrupt(path, "body checksum");
  }
  SpanBatch out;
  for (size_t i = 0; i < meta.pages.size(); ++i) {
    const BlockPage& p = meta.pages[i];
    auto page = DecodePage(path, meta, i, std::string_view(body).substr(p.offset, p.len));
    if (!page.ok()) return page.status();
    out.Append(*page);
  }
  return out;
}

}  // namespace ariadne::embedded
