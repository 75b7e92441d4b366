#include "server/storage/memory/memory_store.h"

#include <algorithm>
#include <mutex>
#include <tuple>

namespace ariadne {

MemoryStore::MemoryStore(MemoryStoreOptions options) : options_(options) {}

MemoryStore::~MemoryStore() = default;

void MemoryStore::Append(SpanBatch batch, std::function<void(Status)> done) {
  if (batch.empty()) {
    done(Status::Ok());
    return;
  }
  auto shared = std::make_shared<SpanBatch>(std::move(batch));
  const SpanBatch& b = *shared;
  Chunk chunk;
  chunk.bytes = b.MemoryBytes();
  chunk.min_start = UINT64_MAX;
  chunk.live_rows = static_cast<uint32_t>(b.size());
  for (uint64_t start : b.spans.start_time_unix_nano) {
    chunk.min_start = std::min(chunk.min_start, start);
    chunk.max_start = std::max(chunk.max_start, start);
  }
  chunk.batch = std::move(shared);
  {
    std::unique_lock lock(mu_);
    if (closed_) {
      lock.unlock();
      done(Status::Unavailable("memory store: closed, not accepting spans"));
      return;
    }
    uint64_t seq = first_seq_ + chunks_.size();
    std::vector<std::tuple<std::string_view, std::string_view, SpanKind>> seen;
    for (uint32_t row = 0; row < b.size(); ++row) {
      auto [it, inserted] = traces_.try_emplace(b.spans.trace_id[row]);
      TraceEntry& entry = it->second;
      if (inserted) {
        entry.fifo_seq = next_fifo_seq_++;
        fifo_.emplace_back(entry.fifo_seq, it->first);
      }
      entry.spans.push_back(SpanRef{seq, row});
      entry.max_start = std::max(entry.max_start, b.spans.start_time_unix_nano[row]);
      // Services and operations: a batch repeats a handful of (service, name, kind) triples,
      // so the map (and its string allocations) is consulted once per distinct triple.
      std::string_view service = b.ServiceName(row);
      std::string_view name = b.spans.name[row];
      SpanKind kind = b.spans.kind[row];
      bool known = false;
      for (const auto& [sv, nv, kv] : seen) {
        if (kv == kind && nv == name && sv == service) {
          known = true;
          break;
        }
      }
      if (known) continue;
      if (seen.size() < 64) seen.emplace_back(service, name, kind);
      auto sit = services_.find(service);
      if (sit == services_.end()) sit = services_.try_emplace(std::string(service)).first;
      std::pair<std::string, SpanKind> op(std::string(name), kind);
      if (sit->second.find(op) == sit->second.end()) sit->second.insert(std::move(op));
    }
    live_spans_ += b.size();
    live_bytes_ += chunk.bytes;
    chunks_.push_back(std::move(chunk));
    EvictLocked();
  }
  done(Status::Ok());
}

void MemoryStore::ReleaseRefLocked(const SpanRef& ref) {
  Chunk& c = chunks_[ref.chunk_seq - first_seq_];
  if (--c.live_rows == 0) {
    live_bytes_ -= c.bytes;
    c.batch.reset();
    c.bytes = 0;
  }
}

void MemoryStore::EvictLocked() {
  // Never evict the only trace left: a single oversized trace is still kept whole.
  while ((live_spans_ > options_.max_spans || live_bytes_ > options_.max_bytes) &&
         fifo_.size() > 1) {
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

SpanBatch MemoryStore::AssembleLocked(const TraceEntry& entry) const {
  SpanBatch out;
  for (const SpanRef& ref : entry.spans) {
    out.AppendSpan(*chunks_[ref.chunk_seq - first_seq_].batch, ref.row);
  }
  return out;
}

StatusOr<SpanBatch> MemoryStore::GetTrace(const TraceId& trace_id) {
  std::shared_lock lock(mu_);
  auto it = traces_.find(trace_id);
  if (it == traces_.end()) return Status::NotFound("trace not found");
  return AssembleLocked(it->second);
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
  result.reserve(n);
  for (size_t i = 0; i < n; ++i) result.push_back(AssembleLocked(*order[i].second));
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
  for (const auto& [name, k] : it->second) {
    if (kind && *kind != k) continue;
    out.push_back(OperationInfo{name, k});
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
  return s;
}

void MemoryStore::Close() {
  std::unique_lock lock(mu_);
  closed_ = true;
}

}  // namespace ariadne
