// EmbeddedStore: the implementation behind OpenEmbeddedStore (embedded_store.h), exposed so
// tests and benchmarks can drive maintenance (cut, compaction, retention) deterministically.
//
// Locking order: maintenance_mu_ -> wal_mu_ -> mu_ -> cache_mu_ (and record_cache_'s own);
// queue_mu_ is never held while taking another lock. The head, frozen heads and block lists are
// guarded by mu_ (shared for reads); SpanBatches in them are immutable once published, so scans run
// without the lock on shared_ptr snapshots. Tested by embedded_store_test.cc and
// differential_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_EMBEDDED_STORE_IMPL_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_EMBEDDED_STORE_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "server/storage/embedded/block.h"
#include "server/storage/embedded/embedded_store.h"
#include "server/storage/embedded/head_index.h"
#include "server/storage/embedded/lazy_records.h"
#include "server/storage/embedded/wal.h"

namespace ariadne {

class EmbeddedStore final : public SpanStore {
 public:
  EmbeddedStore(const EmbeddedStoreOptions& options, Env* env, Clock* clock);
  ~EmbeddedStore() override;

  [[nodiscard]] Status Open();

  void Append(SpanBatch batch, std::function<void(Status)> done) override;
  StatusOr<SpanBatch> GetTrace(const TraceId& trace_id) override;
  StatusOr<std::vector<SpanBatch>> FindTraces(const TraceQuery& query) override;
  StatusOr<std::vector<std::string>> GetServices() override;
  StatusOr<std::vector<OperationInfo>> GetOperations(std::string_view service,
                                                     std::optional<SpanKind> kind) override;
  StatusOr<std::vector<DependencyLink>> GetDependencies(uint64_t end_ns,
                                                        uint64_t lookback_ns) override;
  StoreStats Stats() override;
  Status ArchiveTrace(const TraceId& trace_id) override;
  void Close() override;

  // Maintenance, run by the background thread or directly by tests.
  // Freezes the head and writes it as a block; deletes the WAL segments it covered.
  [[nodiscard]] Status CutHead();
  // Merges blocks smaller than compaction_small_block_spans into one.
  [[nodiscard]] Status Compact();
  // Deletes hot blocks past hot retention and archive blocks past archive retention.
  [[nodiscard]] Status EnforceRetention();
  // Cut if due (size or age), compact, enforce retention.
  [[nodiscard]] Status RunMaintenance();

  size_t BlockCount();
  // Heads waiting to be written as blocks (replay leaves one per ~block_max_spans of WAL).
  size_t FrozenHeadCount();
  size_t QuarantinedCount();
  // OK, or why writes are currently refused.
  Status WriteState();
  // Replayed WAL records that passed their checksum but did not decode (skipped, logged).
  uint64_t BadRecordCount() const { return bad_records_.load(); }

 private:
  struct Head {
    // Batch b is batches[b], or for b < lazy->size() (a head replayed from the WAL) record b of
    // lazy, not decoded (batches[b] is nullptr): read it with BatchOf.
    std::vector<std::shared_ptr<const SpanBatch>> batches;
    std::shared_ptr<const embedded::LazyRecords> lazy;
    embedded::HeadIndex index;
    // Traces of this head that, when they first arrived here, already had spans in a block or an
    // older head: a search decides them on their whole content.
    std::unordered_set<TraceId, IdHash> split;
    uint64_t spans = 0;
    uint64_t bytes = 0;
    int64_t first_mono_ns = 0;
  };
  struct Frozen {
    std::shared_ptr<const Head> head;
    uint64_t wal_seq_end = 0;
    bool replayed = false;  // rebuilt from the WAL at open (not part of the ingest backlog)
  };
  struct Pending {
    std::string record;
    std::shared_ptr<const SpanBatch> batch;
    std::function<void(Status)> done;
  };
  using MetaPtr = std::shared_ptr<const embedded::BlockMeta>;

  void WriterLoop();
  // OK, or why the writer refuses `batch`: the head is over head_backlog_factor times its limits.
  Status HeadBacklogStatus(const std::vector<Pending>& batch);
  void MaintenanceLoop();
  bool TryResumeWrites();
  void InsertIntoHeadLocked(std::shared_ptr<const SpanBatch> batch);
  [[nodiscard]] Status FlushFrozen();
  [[nodiscard]] Status LoadBlocks(const std::string& dir, bool archive,
                                  std::map<uint64_t, MetaPtr>* out);
  [[nodiscard]] Status ReplayWal(uint64_t wal_seq_end);
  // Record i of a replayed head, decoded through record_cache_; nullptr (counted and logged
  // once) if it does not decode.
  std::shared_ptr<const SpanBatch> LazyBatch(const embedded::LazyRecords& lazy, size_t i);
  // Reads the operations of every replayed head not read yet (LazyRecords::Operations).
  void ReadLazyOperations();
  // Every batch of the head, its replayed records decoded (those that do not decode left out).
  std::vector<std::shared_ptr<const SpanBatch>> DecodedBatches(const Head& head);
  // One decoded page of a block, through a small LRU cache; quarantines a corrupt block.
  StatusOr<std::shared_ptr<const SpanBatch>> LoadPage(const MetaPtr& meta, size_t page);
  StatusOr<SpanBatch> LoadBody(const MetaPtr& meta);
  void Quarantine(const MetaPtr& meta, const Status& why);
  std::string BlockDir(const embedded::BlockMeta& meta) const;
  [[nodiscard]] Status DeleteWalBelow(uint64_t seq);
  // Every span of the trace from the head, frozen heads and hot blocks (archive if none).
  SpanBatch CollectTrace(const TraceId& id, uint64_t* max_start);
  // The latest span start of the trace over heads and (if blocks) hot blocks (mu_ held, shared).
  // Exact without blocks; with them an upper bound (a format 6 block bounds a trace's latest
  // start by its page's), which is what a search's page bounds need.
  uint64_t LatestStartLocked(const TraceId& id, bool blocks = true);
  // Recomputes block_split_ from the blocks' trace indexes (a merge of their sorted ids).
  void ComputeBlockSplitLocked();

  const EmbeddedStoreOptions options_;
  Env* const env_;
  Clock* const clock_;
  const std::string wal_dir_, blocks_dir_, quarantine_dir_, archive_dir_;

  std::mutex maintenance_mu_;
  std::mutex wal_mu_;
  embedded::WalWriter wal_;
  int64_t last_sync_mono_ns_ = 0;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool closing_ = false;
  bool closed_ = false;
  Status write_error_;  // guarded by queue_mu_
  std::atomic<int64_t> last_retry_mono_ns_{0};

  std::shared_mutex mu_;
  Head head_;
  std::vector<Frozen> frozen_;
  std::map<uint64_t, MetaPtr> blocks_;
  std::map<uint64_t, MetaPtr> archive_blocks_;
  // Trace ids with spans in more than one hot block (a superset: entries may be stale). A search
  // decides these on their whole content; every other block trace lives in one block only.
  std::unordered_set<TraceId, IdHash> block_split_;
  uint64_t next_block_id_ = 1;
  uint64_t evicted_spans_ = 0;
  size_t quarantined_ = 0;

  // Decoded pages, least recently used last, bounded by kCacheBytes of decoded memory.
  struct CachedPage {
    std::pair<uint64_t, size_t> key;  // block id, page
    std::shared_ptr<const SpanBatch> batch;
    size_t bytes;
  };
  std::mutex cache_mu_;
  std::list<CachedPage> cache_;
  std::map<std::pair<uint64_t, size_t>, std::list<CachedPage>::iterator> cache_index_;
  size_t cache_bytes_ = 0;

  // Decoded records of replayed heads (lazy_records.h), and those that did not decode.
  embedded::RecordCache record_cache_;
  std::atomic<uint64_t> bad_records_{0};

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool cut_requested_ = false;  // guarded by stop_mu_: the writer saw a full head
  bool backlogged_ = false;     // writer thread only: refusing writes for the head backlog
  std::thread writer_;
  std::thread maintenance_;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_EMBEDDED_STORE_IMPL_H_
