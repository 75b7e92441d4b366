#include "server/storage/embedded/lazy_records.h"

#include <atomic>
#include <functional>
#include <unordered_set>

namespace ariadne::embedded {
namespace {

uint64_t NextId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

LazyRecords::LazyRecords() : id_(NextId()) {}

uint32_t LazyRecords::AddSegment(std::unique_ptr<const FileContents> contents) {
  segments_.push_back(std::move(contents));
  return static_cast<uint32_t>(segments_.size() - 1);
}

uint32_t LazyRecords::Add(uint32_t segment, size_t offset, uint32_t size, uint64_t min_start,
                          uint64_t max_start) {
  records_.push_back(Record{segment, size, offset, min_start, max_start});
  return static_cast<uint32_t>(records_.size() - 1);
}

uint64_t LazyRecords::MemoryBytes() const {
  uint64_t bytes = records_.capacity() * sizeof(Record);
  for (const auto& s : segments_) bytes += s->data().size();
  return bytes;
}

StatusOr<SpanBatch> LazyRecords::Decode(size_t i) const { return DecodeBatch(record(i)); }

bool LazyRecords::MarkBad(size_t i) const {
  std::lock_guard lock(mu_);
  return bad_.insert(i).second;
}

const std::vector<EncodedOperation>& LazyRecords::Operations() const {
  std::call_once(operations_once_, [this] {
    struct Hash {
      size_t operator()(const EncodedOperation& op) const {
        const std::hash<std::string_view> h;
        return h(op.service) * 31 + h(op.name) * 7 + static_cast<size_t>(op.kind);
      }
    };
    std::unordered_set<EncodedOperation, Hash> seen;
    std::vector<EncodedOperation> ops;
    for (size_t i = 0; i < records_.size(); ++i) {
      if (!ReadOperations(record(i), &ops).ok()) continue;
      for (const EncodedOperation& op : ops) {
        if (seen.insert(op).second) operations_.push_back(op);
      }
    }
  });
  return operations_;
}

std::shared_ptr<const SpanBatch> RecordCache::Get(const LazyRecords& records, size_t i) {
  std::lock_guard lock(mu_);
  auto it = index_.find(Key(records.id(), i));
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->batch;
}

void RecordCache::Put(const LazyRecords& records, size_t i,
                      std::shared_ptr<const SpanBatch> batch) {
  const size_t bytes = batch->MemoryBytes();
  const Key key(records.id(), i);
  std::lock_guard lock(mu_);
  if (index_.count(key) != 0 || bytes > max_bytes_ / 4) return;
  lru_.push_front(Entry{key, std::move(batch), bytes});
  index_[key] = lru_.begin();
  bytes_ += bytes;
  while (bytes_ > max_bytes_) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

}  // namespace ariadne::embedded
