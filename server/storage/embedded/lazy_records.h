// LazyRecords: WAL records replayed at open and kept encoded, decoded only when a read needs them.
//
// Decoding every record at open cost ~0.8 us and ~300 bytes of memory per span (a 1 GiB WAL took
// a minute and 6.75 GiB to reopen). Instead the replay keeps each segment's bytes (~48 bytes per
// span, read into owned memory: not a mapping of the file, which would turn a disk read error
// on a dropped and re-read page into SIGBUS during a later decode), indexes the records by
// trace id with a read-only pass (ReadTraceRuns), and a head built that way refers to its records
// by number: a trace lookup decodes only the records holding the trace, a search decodes the
// records it cannot rule out (by start-time range, service and operation), and the maintenance
// thread decodes a head's records once to write its block. RecordCache keeps recently decoded
// records within a byte budget.
//
// A record that passed its checksum but does not decode is corruption after the checksum was
// computed: Decode returns DataLoss and the store serves the other records (MarkBad reports each
// bad record once, for the log and the count).
// Thread-safety: a LazyRecords is filled by one thread, then shared read-only (Decode, Operations
// and MarkBad are safe to call concurrently); RecordCache is thread-safe.
// Tested by embedded_store_test.cc (lazy replay) and batch_codec_test.cc (the read-only passes).
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_LAZY_RECORDS_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_LAZY_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "model/span_batch.h"
#include "server/storage/embedded/batch_codec.h"

namespace ariadne::embedded {

// Estimated decoded memory (SpanBatch::MemoryBytes) per encoded record byte, for the head size
// limits of heads whose records are not decoded (measured ~6.6 on the benchmark workload).
constexpr uint64_t kDecodedBytesPerRecordByte = 6;

class LazyRecords {
 public:
  LazyRecords();
  LazyRecords(const LazyRecords&) = delete;
  LazyRecords& operator=(const LazyRecords&) = delete;

  // Keeps a segment's bytes (WalSegmentRecords::contents); returns its number for Add.
  uint32_t AddSegment(std::unique_ptr<const FileContents> contents);
  // Adds the record at data[offset, offset + size) of segment `segment`, whose spans start within
  // [min_start, max_start]; returns its record number.
  uint32_t Add(uint32_t segment, size_t offset, uint32_t size, uint64_t min_start,
               uint64_t max_start);

  std::string_view segment(uint32_t i) const { return segments_[i]->data(); }
  size_t size() const { return records_.size(); }
  std::string_view record(size_t i) const {
    const Record& r = records_[i];
    return segments_[r.segment]->data().substr(r.offset, r.size);
  }
  uint64_t min_start(size_t i) const { return records_[i].min_start; }
  uint64_t max_start(size_t i) const { return records_[i].max_start; }
  // Bytes held (segment bytes and the record table).
  uint64_t MemoryBytes() const;
  // Unique per object (a cache key that a later object at the same address cannot reuse).
  uint64_t id() const { return id_; }

  // DataLoss if the record does not decode.
  [[nodiscard]] StatusOr<SpanBatch> Decode(size_t i) const;
  // True the first time record i is reported bad.
  bool MarkBad(size_t i) const;
  // The distinct (service, operation, kind) of every record's spans, read once without decoding
  // (records that do not read are left out); views into the records.
  const std::vector<EncodedOperation>& Operations() const;

 private:
  struct Record {
    uint32_t segment;
    uint32_t size;
    size_t offset;
    uint64_t min_start;
    uint64_t max_start;
  };
  const uint64_t id_;
  std::vector<std::unique_ptr<const FileContents>> segments_;
  std::vector<Record> records_;
  mutable std::mutex mu_;
  mutable std::unordered_set<size_t> bad_;  // guarded by mu_
  mutable std::once_flag operations_once_;
  mutable std::vector<EncodedOperation> operations_;
};

// Decoded records, least recently used evicted first, within max_bytes of decoded memory.
class RecordCache {
 public:
  explicit RecordCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  std::shared_ptr<const SpanBatch> Get(const LazyRecords& records, size_t i);
  void Put(const LazyRecords& records, size_t i, std::shared_ptr<const SpanBatch> batch);

 private:
  using Key = std::pair<uint64_t, size_t>;
  struct Entry {
    Key key;
    std::shared_ptr<const SpanBatch> batch;
    size_t bytes;
  };
  const size_t max_bytes_;
  std::mutex mu_;
  std::list<Entry> lru_;
  std::map<Key, std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace ariadne::embedded

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_LAZY_RECORDS_H_
