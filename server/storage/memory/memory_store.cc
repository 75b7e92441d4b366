#include "server/storage/memory/memory_store.h"

#include <algorithm>
#include <mutex>
#include <tuple>

namespace ariadne {

namespace {

// What one entry of the services and operations index costs beyond its name: the map node, the
// string header, the slot in ops_ and the allocator's rounding, approximately.
constexpr uint64_t kIndexEntryBytes = 128;

}  // namespace

MemoryStore::MemoryStore(MemoryStoreOptions options) : options_(options) {}

MemoryStore::~MemoryStore() = default;

MemoryStore::Chunk MemoryStore::MakeChunk(std::shared_ptr<const SpanBatch> batch) {
  Chunk chunk;
  chunk.bytes = batch->MemoryBytes();
  chunk.min_start = UINT64_MAX;
  chunk.live_rows = static_cast<uint32_t>(batch->size());
  for (uint64_t start : batch->spans.start_time_unix_nano) {
    chunk.min_start = std::min(chunk.min_start, start);
    chunk.max_start = std::max(chunk.max_start, start);
  }
  chunk.batch = std::move(batch);
  return chunk;
}

void MemoryStore::Append(SpanBatch batch, std::function<void(Status)> done) {
  if (batch.empty()) {
    done(Status::Ok());
    return;
  }
  Chunk chunk = MakeChunk(std::make_shared<SpanBatch>(std::move(batch)));
  {
    std::unique_lock lock(mu_);
    if (closed_) {
      lock.unlock();
      done(Status::Unavailable("memory store: closed, not accepting spans"));
      return;
    }
    const SpanBatch& b = *chunk.batch;
    const uint64_t seq = first_seq_ + chunks_.size();
    // A batch repeats a handful of (service, name, kind) triples, so the index (and its string
    // allocations) is consulted once per distinct triple.
    struct Seen {
      std::string_view service;
      std::string_view name;
      SpanKind kind;
      uint32_t op;
    };
    std::vector<Seen> seen;
    uint32_t kept = 0;
    bool filtering = false;           // a span was dropped: the chunk keeps only kept_rows
    std::vector<uint32_t> kept_rows;  // rows of b kept, once filtering
    for (uint32_t row = 0; row < b.size(); ++row) {
      auto [it, inserted] = traces_.try_emplace(b.spans.trace_id[row]);
      TraceEntry& entry = it->second;
      if (options_.max_spans_per_trace != 0 && entry.spans.size() >= options_.max_spans_per_trace) {
        if (!filtering) {
          filtering = true;
          kept_rows.resize(kept);  // every earlier row was kept
          for (uint32_t r = 0; r < kept; ++r) kept_rows[r] = r;
        }
        continue;
      }
      if (inserted) {
        entry.fifo_seq = next_fifo_seq_++;
        fifo_.emplace_back(entry.fifo_seq, it->first);
      }
      std::string_view service = b.ServiceName(row);
      std::string_view name = b.spans.name[row];
      SpanKind kind = b.spans.kind[row];
      uint32_t op = UINT32_MAX;
      for (const Seen& s : seen) {
        if (s.kind == kind && s.name == name && s.service == service) {
          op = s.op;
          break;
        }
      }
      if (op == UINT32_MAX) {
        op = AcquireOpLocked(service, name, kind);
        if (seen.size() < 64) seen.push_back(Seen{service, name, kind, op});
      }
      ++ops_[op].refs;
      entry.spans.push_back(SpanRef{seq, kept, op});
      entry.max_start = std::max(entry.max_start, b.spans.start_time_unix_nano[row]);
      if (filtering) kept_rows.push_back(row);
      ++kept;
    }
    dropped_spans_ += b.size() - kept;
    if (filtering && kept > 0) {
      // Only spans of traces at their limit were dropped (rare: a runaway or hostile trace), so
      // copying the kept rows under the lock is the exception; it keeps searches and
      // dependencies from seeing spans the trace index does not hold.
      auto filtered = std::make_shared<SpanBatch>();
      SpanAppender append(filtered.get());
      for (uint32_t row : kept_rows) append.Append(b, row);
      chunk = MakeChunk(std::move(filtered));
    }
    if (kept > 0) {
      live_spans_ += kept;
      live_bytes_ += chunk.bytes;
      chunks_.push_back(std::move(chunk));
    }
    EvictLocked();
  }
  done(Status::Ok());
}

uint32_t MemoryStore::AcquireOpLocked(std::string_view service, std::string_view name,
                                      SpanKind kind) {
  auto sit = services_.find(service);
  if (sit == services_.end()) {
    sit = services_.try_emplace(std::string(service)).first;
    live_bytes_ += kIndexEntryBytes + service.size();
  }
  auto oit = sit->second.find(std::pair<std::string_view, SpanKind>(name, kind));
  if (oit != sit->second.end()) return oit->second;
  uint32_t index;
  if (!free_ops_.empty()) {
    index = free_ops_.back();
    free_ops_.pop_back();
  } else {
    index = static_cast<uint32_t>(ops_.size());
    ops_.emplace_back();
  }
  oit = sit->second.emplace(std::pair<std::string, SpanKind>(std::string(name), kind), index).first;
  ops_[index] = OpSlot{sit, oit, 0};
  live_bytes_ += kIndexEntryBytes + name.size();
  return index;
}

void MemoryStore::ReleaseOpLocked(uint32_t op) {
  OpSlot& slot = ops_[op];
  if (--slot.refs != 0) return;
  ServiceMap::iterator service = slot.service;
  live_bytes_ -= kIndexEntryBytes + slot.op->first.first.size();
  service->second.erase(slot.op);
  if (service->second.empty()) {
    live_bytes_ -= kIndexEntryBytes + service->first.size();
    services_.erase(service);
  }
  free_ops_.push_back(op);
}

void MemoryStore::ReleaseRefLocked(const SpanRef& ref) {
  ReleaseOpLocked(ref.op);
  Chunk& c = chunks_[ref.chunk_seq - first_seq_];
  if (--c.live_rows == 0) {
    live_bytes_ -= c.bytes;
    c.batch.reset();
    c.bytes = 0;
  }
}

void MemoryStore::EvictLocked() {
  // The budgets are hard: even the newest trace goes if it alone exceeds them.
  while ((live_spans_ > options_.max_spans || live_bytes_ > options_.max_bytes) && !fifo_.empty()) {
    auto [fifo_seq, id] = fifo_.front();
    fifo_.pop_front();
    auto it = traces_.find(id);
    if (it == traces_.end() || it->second.fifo_seq != fifo_seq) continue;
    for (const SpanRef& ref : it->second.spans) ReleaseRefLocked(ref);
    live_spans_ -= it->second.spans.size();
    evicted_spans_ += it->second.spans.size();
    traces_.erase(it);
    while (!chunks_.empty() && chunks_.front().batch == nullptr) {
      chunks_.pop_front();
      ++first_seq_;
    }
  }
}

MemoryStore::TraceRows MemoryStore::CopyRowsLocked(const TraceEntry& entry) const {
  TraceRows out;
  out.rows.reserve(entry.spans.size());
  uint64_t last_seq = UINT64_MAX;
  for (const SpanRef& ref : entry.spans) {
    if (ref.chunk_seq != last_seq) {  // refs are in append order: one copy per chunk
      out.chunks.push_back(chunks_[ref.chunk_seq - first_seq_].batch);
      last_seq = ref.chunk_seq;
    }
    out.rows.emplace_back(static_cast<uint32_t>(out.chunks.size() - 1), ref.row);
  }
  return out;
}

SpanBatch MemoryStore::Assemble(const TraceRows& rows) {
  SpanBatch out;
  SpanAppender append(&out);
  for (const auto& [chunk, row] : rows.rows) append.Append(*rows.chunks[chunk], row);
  return out;
}

StatusOr<SpanBatch> MemoryStore::GetTrace(const TraceId& trace_id) {
  TraceRows rows;
  {
    std::shared_lock lock(mu_);
    auto it = traces_.find(trace_id);
    if (it == traces_.end()) return Status::NotFound("trace not found");
    rows = CopyRowsLocked(it->second);
  }
  return Assemble(rows);
}

StatusOr<std::vector<SpanBatch>> MemoryStore::FindTraces(const TraceQuery& query) {
  std::vector<std::shared_ptr<const SpanBatch>> snapshot;
  {
    std::shared_lock lock(mu_);
    snapshot.reserve(chunks_.size());
    for (const Chunk& c : chunks_) {
      if (c.batch == nullptr) continue;
      if (c.max_start < query.start_min_ns || c.min_start > query.start_max_ns) continue;
      snapshot.push_back(c.batch);
    }
  }
  // Scan without the lock: chunks are immutable.
  std::unordered_map<TraceId, bool, IdHash> matched;
  for (const auto& batch : snapshot) {
    for (uint32_t row = 0; row < batch->size(); ++row) {
      const TraceId& id = batch->spans.trace_id[row];
      if (matched.count(id) != 0) continue;
      if (SpanMatches(*batch, row, query)) matched.emplace(id, true);
    }
  }
  std::vector<SpanBatch> result;
  if (matched.empty() || query.limit == 0) return result;
  std::vector<TraceRows> picked;
  {
    std::shared_lock lock(mu_);
    std::vector<std::pair<uint64_t, const TraceEntry*>> order;
    order.reserve(matched.size());
    for (const auto& [id, unused] : matched) {
      auto it = traces_.find(id);
      if (it != traces_.end()) order.emplace_back(it->second.max_start, &it->second);
    }
    size_t n = std::min(order.size(), query.limit);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    picked.reserve(n);
    for (size_t i = 0; i < n; ++i) picked.push_back(CopyRowsLocked(*order[i].second));
  }
  result.reserve(picked.size());
  for (const TraceRows& rows : picked) result.push_back(Assemble(rows));
  return result;
}

StatusOr<std::vector<std::string>> MemoryStore::GetServices() {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(services_.size());
  for (const auto& [name, ops] : services_) {
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

StatusOr<std::vector<OperationInfo>> MemoryStore::GetOperations(std::string_view service,
                                                                std::optional<SpanKind> kind) {
  std::shared_lock lock(mu_);
  std::vector<OperationInfo> out;
  auto it = services_.find(service);
  if (it == services_.end()) return out;
  for (const auto& [key, op] : it->second) {
    if (kind && *kind != key.second) continue;
    out.push_back(OperationInfo{key.first, key.second});
  }
  return out;
}

StatusOr<std::vector<DependencyLink>> MemoryStore::GetDependencies(uint64_t end_ns,
                                                                   uint64_t lookback_ns) {
  uint64_t begin_ns = end_ns > lookback_ns ? end_ns - lookback_ns : 0;
  // Like FindTraces: copy the chunk list under the lock, then scan the immutable chunks without
  // it, so a dependency query over a full store never stalls ingest.
  std::vector<std::shared_ptr<const SpanBatch>> snapshot;
  {
    std::shared_lock lock(mu_);
    snapshot.reserve(chunks_.size());
    for (const Chunk& c : chunks_) {
      if (c.batch != nullptr) snapshot.push_back(c.batch);
    }
  }
  struct SpanKey {
    TraceId trace;
    SpanId span;
    bool operator==(const SpanKey&) const = default;
  };
  struct SpanKeyHash {
    size_t operator()(const SpanKey& k) const { return IdHash()(k.trace) ^ IdHash()(k.span); }
  };
  struct Child {
    SpanKey parent;
    std::string_view service;
    bool error;
  };
  // Pass 1: spans that started in the window and have a parent.
  std::vector<Child> children;
  std::unordered_map<SpanKey, std::string_view, SpanKeyHash> parents;
  for (const auto& b : snapshot) {
    for (uint32_t row = 0; row < b->size(); ++row) {
      uint64_t start = b->spans.start_time_unix_nano[row];
      if (start < begin_ns || start > end_ns || !b->spans.parent_span_id[row].IsValid()) continue;
      SpanKey key{b->spans.trace_id[row], b->spans.parent_span_id[row]};
      children.push_back(
          Child{key, b->ServiceName(row), b->spans.status_code[row] == SpanStatusCode::kError});
      parents.emplace(key, std::string_view());
    }
  }
  // Pass 2: the services of those parents, wherever they are.
  for (const auto& b : snapshot) {
    for (uint32_t row = 0; row < b->size(); ++row) {
      auto it = parents.find(SpanKey{b->spans.trace_id[row], b->spans.span_id[row]});
      if (it != parents.end()) it->second = b->ServiceName(row);
    }
  }
  std::map<std::pair<std::string_view, std::string_view>, DependencyLink> links;
  for (const Child& c : children) {
    std::string_view parent = parents[c.parent];
    if (parent.empty() || parent == c.service) continue;  // unknown parent, or a call inside one
    DependencyLink& link = links[{parent, c.service}];    // service is not an edge
    ++link.call_count;
    if (c.error) ++link.error_count;
  }
  std::vector<DependencyLink> out;
  out.reserve(links.size());
  for (auto& [key, link] : links) {
    link.parent = std::string(key.first);
    link.child = std::string(key.second);
    out.push_back(std::move(link));
  }
  return out;
}

StoreStats MemoryStore::Stats() {
  std::shared_lock lock(mu_);
  StoreStats s;
  s.spans = live_spans_;
  s.traces = traces_.size();
  s.bytes = live_bytes_;
  s.evicted_spans = evicted_spans_;
  s.dropped_spans = dropped_spans_;
  return s;
}

void MemoryStore::Close() {
  std::unique_lock lock(mu_);
  closed_ = true;
}

}  // namespace ariadne
