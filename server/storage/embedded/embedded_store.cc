#include "server/storage/embedded/embedded_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <queue>
#include <set>
#include <thread>
#include <unordered_set>
#include <utility>

#include "base/logging.h"
#include "server/storage/embedded/batch_codec.h"
#include "server/storage/embedded/embedded_store_impl.h"

namespace ariadne {

using embedded::BlockMeta;
using embedded::BlockTrace;

namespace {

constexpr size_t kCacheBytes = 64ull << 20;
constexpr size_t kTightenSlackBytes = 16
                                      << 10;  // decoded pages kept for trace lookups and searches

// Query tag keys that TraceQuery also answers from the status or kind (never in a page filter).
bool IsSyntheticTagKey(std::string_view key) {
  return key == "error" || key == "span.kind" || key == "otel.status_code" ||
         key == "otel.status_description";
}

std::string ArchiveDirOf(const EmbeddedStoreOptions& o) {
  return o.archive_dir.empty() ? JoinPath(o.data_dir, "archive") : o.archive_dir;
}

// Runs fn(i) for i in [0, n) on up to one thread per core (this one included), each taking the
// next index; inline when n is below 2 * min_per_thread.
template <typename Fn>
void ParallelFor(size_t n, size_t min_per_thread, Fn&& fn) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t threads = std::min(cores, n / std::max<size_t>(1, min_per_thread));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
}

}  // namespace

EmbeddedStoreOptions EmbeddedStoreOptionsFromConfig(const Config& config) {
  EmbeddedStoreOptions o;
  o.data_dir = config.GetString("data_dir");
  const std::string& fsync = config.GetString("fsync");
  o.fsync = fsync == "never"      ? FsyncMode::kNever
            : fsync == "interval" ? FsyncMode::kInterval
                                  : FsyncMode::kAlways;
  o.fsync_interval_ns = config.GetDurationNanos("fsync_interval");
  o.hot_retention_ns = config.GetDurationNanos("retention_hot");
  o.archive_retention_ns = config.GetDurationNanos("retention_archive");
  o.archive_dir = config.GetString("archive_dir");
  o.wal_segment_bytes = config.GetBytes("wal_segment_size");
  o.block_max_spans = static_cast<uint64_t>(std::max<int64_t>(1, config.GetInt("block_max_spans")));
  o.block_max_bytes = config.GetBytes("block_max_size");
  o.block_max_age_ns = config.GetDurationNanos("block_max_age");
  // Clamped into int / uint32 range only; ValidateEmbeddedStoreOptions (at open) refuses values
  // outside the documented ranges with a message naming the option.
  auto level = [&](const char* key) {
    return static_cast<int>(std::clamp<int64_t>(config.GetInt(key), INT32_MIN, INT32_MAX));
  };
  o.zstd_level = level("block_zstd_level");
  o.compaction_zstd_level = level("compaction_zstd_level");
  o.archive_zstd_level = level("archive_zstd_level");
  o.block_page_spans =
      static_cast<uint32_t>(std::clamp<int64_t>(config.GetInt("block_page_spans"), 0, UINT32_MAX));
  return o;
}

Status ValidateEmbeddedStoreOptions(const EmbeddedStoreOptions& o) {
  const std::pair<const char*, int> levels[] = {{"block_zstd_level", o.zstd_level},
                                                {"compaction_zstd_level", o.compaction_zstd_level},
                                                {"archive_zstd_level", o.archive_zstd_level}};
  for (auto [key, value] : levels) {
    if (value < kMinZstdLevel || value > kMaxZstdLevel) {
      return Status::InvalidArgument(
          std::string(key) + " must be between " + std::to_string(kMinZstdLevel) + " and " +
          std::to_string(kMaxZstdLevel) + ", not " + std::to_string(value));
    }
  }
  if (o.block_page_spans < 1 || o.block_page_spans > kMaxBlockPageSpans) {
    return Status::InvalidArgument("block_page_spans must be between 1 and " +
                                   std::to_string(kMaxBlockPageSpans) + ", not " +
                                   std::to_string(o.block_page_spans));
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<SpanStore>> OpenEmbeddedStore(const EmbeddedStoreOptions& options,
                                                       Env* env, Clock* clock) {
  if (Status s = ValidateEmbeddedStoreOptions(options); !s.ok()) return s;
  auto store = std::make_unique<EmbeddedStore>(options, env, clock);
  if (Status s = store->Open(); !s.ok()) return s;
  return std::unique_ptr<SpanStore>(std::move(store));
}

EmbeddedStore::EmbeddedStore(const EmbeddedStoreOptions& options, Env* env, Clock* clock)
    : options_(options),
      env_(env),
      clock_(clock),
      wal_dir_(JoinPath(options.data_dir, "wal")),
      blocks_dir_(JoinPath(options.data_dir, "blocks")),
      quarantine_dir_(JoinPath(options.data_dir, "quarantine")),
      archive_dir_(ArchiveDirOf(options)),
      wal_(env, JoinPath(options.data_dir, "wal")),
      record_cache_(kCacheBytes) {}

EmbeddedStore::~EmbeddedStore() { Close(); }

Status EmbeddedStore::Open() {
  for (const std::string& dir : {options_.data_dir, wal_dir_, blocks_dir_, archive_dir_}) {
    if (Status s = env_->CreateDirs(dir); !s.ok()) {
      return s.WithContext("embedded store: cannot create " + dir);
    }
  }
  if (Status s = LoadBlocks(blocks_dir_, false, &blocks_); !s.ok()) return s;
  if (Status s = LoadBlocks(archive_dir_, true, &archive_blocks_); !s.ok()) return s;
  {
    std::unique_lock lock(mu_);
    ComputeBlockSplitLocked();
  }
  uint64_t wal_end = 0;
  for (const auto& [id, meta] : blocks_) wal_end = std::max(wal_end, meta->wal_seq_end);
  if (Status s = ReplayWal(wal_end); !s.ok()) return s;

  writer_ = std::thread([this] { WriterLoop(); });
  if (options_.background_threads) maintenance_ = std::thread([this] { MaintenanceLoop(); });
  return Status::Ok();
}

Status EmbeddedStore::LoadBlocks(const std::string& dir, bool archive,
                                 std::map<uint64_t, MetaPtr>* out) {
  auto children = env_->GetChildren(dir);
  if (!children.ok()) return children.status().WithContext("embedded store: cannot list " + dir);
  for (const std::string& name : *children) {
    uint64_t id;
    if (name.size() > 4 && name.substr(name.size() - 4) == ".tmp") {
      env_->RemoveFile(JoinPath(dir, name)).IgnoreError();  // an interrupted block write
      continue;
    }
    if (!embedded::ParseBlockFileName(name, &id)) continue;
    next_block_id_ = std::max(next_block_id_, id + 1);
    auto meta = embedded::ReadBlockMeta(env_, JoinPath(dir, name));
    if (!meta.ok() || meta->id != id || meta->archive != archive) {
      Status why =
          meta.ok() ? Status::DataLoss("block id or tier differs from its name") : meta.status();
      auto m = std::make_shared<BlockMeta>();
      m->id = id;
      m->archive = archive;
      Quarantine(m, why);
      continue;
    }
    (*out)[id] = std::make_shared<const BlockMeta>(std::move(meta).value());
  }
  // A compaction that crashed before deleting its inputs leaves them beside its output.
  std::set<uint64_t> superseded;
  for (const auto& [id, meta] : *out)
    superseded.insert(meta->replaces.begin(), meta->replaces.end());
  bool removed = false;
  for (uint64_t id : superseded) {
    auto it = out->find(id);
    if (it == out->end()) continue;
    env_->RemoveFile(JoinPath(dir, embedded::BlockFileName(id))).IgnoreError();
    out->erase(it);
    removed = true;
  }
  if (removed) env_->SyncDir(dir).IgnoreError();
  return Status::Ok();
}

// Replay, without decoding a record (lazy_records.h), over the segments not covered by blocks:
//  1. read each segment with one sequential read (the next one on a helper thread while this one
//     is indexed), keep its bytes, and index its records by trace id with a read-only pass over
//     their trace runs and start times (ReadTraceRuns);
//  2. the records go into heads of about block_max_spans / block_max_size, whole segments at a
//     time (a head never ends inside a segment, so a block written from it covers exactly the
//     segments below its wal_seq_end and deleting them loses nothing); all but the last become
//     frozen heads, which the maintenance thread decodes and writes as blocks as after normal
//     ingest; the last is the live head, new batches going in after its records;
//  3. decide the split traces once: those in a block or in an earlier head.
Status EmbeddedStore::ReplayWal(uint64_t wal_seq_end) {
  auto seqs = embedded::ListWalSegments(env_, wal_dir_);
  if (!seqs.ok()) return seqs.status().WithContext("embedded store: cannot list the WAL");
  uint64_t next_seq = std::max<uint64_t>(wal_seq_end, 1);
  std::vector<uint64_t> todo;
  for (uint64_t seq : *seqs) {
    next_seq = std::max(next_seq, seq + 1);
    if (seq < wal_seq_end) {  // covered by a block; its deletion was interrupted
      env_->RemoveFile(JoinPath(wal_dir_, embedded::WalSegmentName(seq))).IgnoreError();
      continue;
    }
    todo.push_back(seq);
  }

  // 1 and 2. Read, index, group.
  struct Group {
    Head head;
    std::shared_ptr<embedded::LazyRecords> lazy = std::make_shared<embedded::LazyRecords>();
    uint64_t wal_seq_end = 0;
  };
  std::vector<Group> groups(1);
  embedded::WalReplayStats stats;
  uint64_t bad_records = 0;
  auto read = [&](size_t k, embedded::WalSegmentRecords* out) {
    const std::string path = JoinPath(wal_dir_, embedded::WalSegmentName(todo[k]));
    // A read error is not a torn tail: the segment may hold acknowledged spans, so it is neither
    // truncated nor skipped, and Open fails (docs/formats/wal.md#unreadable-segments).
    return embedded::ReadWalSegment(env_, path, true, out, &stats)
        .WithContext("embedded store: cannot replay WAL segment " + path +
                     " (not starting rather than dropping acknowledged spans; to start without "
                     "it, move it out of " +
                     wal_dir_ + ")");
  };
  const int64_t now = clock_->MonotonicNanos();
  embedded::WalSegmentRecords current, next;
  std::vector<EncodedTraceRun> runs;
  Status next_status = todo.empty() ? Status::Ok() : read(0, &next);
  for (size_t k = 0; k < todo.size(); ++k) {
    if (!next_status.ok()) return next_status;
    std::swap(current, next);
    std::thread prefetch;
    if (k + 1 < todo.size()) prefetch = std::thread([&, k] { next_status = read(k + 1, &next); });
    Group& g = groups.back();
    Head& h = g.head;
    const uint32_t segment = g.lazy->AddSegment(std::move(current.contents));
    const std::string_view bytes = g.lazy->segment(segment);
    for (const auto& [offset, size] : current.records) {
      if (!ReadTraceRuns(bytes.substr(offset, size), &runs).ok()) {
        ++bad_records;  // passed its checksum: corrupted after the checksum was computed
        continue;
      }
      if (runs.empty()) continue;
      uint64_t min_start = UINT64_MAX, max_start = 0;
      for (const EncodedTraceRun& run : runs) {
        min_start = std::min(min_start, run.min_start);
        max_start = std::max(max_start, run.max_start);
      }
      const uint32_t b = g.lazy->Add(segment, offset, size, min_start, max_start);
      uint32_t row = 0;
      for (const EncodedTraceRun& run : runs) {
        h.index.AddRun(run.id, b, row, run.spans, run.max_start);
        row += run.spans;
      }
      h.spans += row;
      h.bytes += size * embedded::kDecodedBytesPerRecordByte;
    }
    h.first_mono_ns = now;
    g.wal_seq_end = todo[k] + 1;
    if (h.spans >= options_.block_max_spans || h.bytes >= options_.block_max_bytes) {
      groups.emplace_back();
    }
    if (prefetch.joinable()) prefetch.join();
  }
  current = embedded::WalSegmentRecords();
  for (Group& g : groups) {
    if (g.lazy->size() == 0) continue;
    g.head.batches.resize(g.lazy->size());
    g.head.lazy = std::move(g.lazy);
  }
  bad_records_ += bad_records;

  // 3. Split traces: in an earlier head (a first-seen map over the heads in order), or in a
  // block (each block's trace index probed against that map).
  embedded::HeadIndex first_head;
  for (uint32_t g = 0; g < groups.size(); ++g) {
    groups[g].head.index.ForEachTrace([&](const TraceId& id) {
      if (!first_head.Add(id, g, 0)) groups[g].head.split.insert(id);
    });
  }
  if (first_head.traces() > 0 && !blocks_.empty()) {
    std::vector<MetaPtr> metas;
    for (const auto& [id, meta] : blocks_) metas.push_back(meta);
    std::vector<std::vector<TraceId>> in_blocks(metas.size());
    ParallelFor(metas.size(), 1, [&](size_t m) {
      for (const BlockTrace& t : metas[m]->traces) {
        if (first_head.Contains(t.id)) in_blocks[m].push_back(t.id);
      }
    });
    for (const auto& ids : in_blocks) {
      for (const TraceId& id : ids) {
        for (Group& g : groups) {
          if (g.head.index.Contains(id)) g.head.split.insert(id);
        }
      }
    }
  }

  {
    std::unique_lock lock(mu_);
    for (size_t g = 0; g + 1 < groups.size(); ++g) {
      frozen_.push_back(Frozen{std::make_shared<const Head>(std::move(groups[g].head)),
                               groups[g].wal_seq_end, true});
    }
    head_ = std::move(groups.back().head);
    if (head_.spans == 0) head_ = Head();
  }
  ARIADNE_LOG(kInfo, "embedded store opened")
      .Field("dir", options_.data_dir)
      .Field("blocks", blocks_.size())
      .Field("wal_records", stats.records)
      .Field("wal_truncated_bytes", stats.truncated_bytes)
      .Field("frozen_heads", frozen_.size())
      .Field("undecodable_records", bad_records);
  std::lock_guard wal_lock(wal_mu_);
  if (Status s = wal_.OpenSegment(next_seq); !s.ok()) {
    // The store still starts and serves reads; the writer retries.
    std::lock_guard q(queue_mu_);
    write_error_ = s;
    ARIADNE_LOG(kError, "embedded store: cannot open a WAL segment, writes refused")
        .Field("error", s.ToString());
  }
  return Status::Ok();
}

void EmbeddedStore::InsertIntoHeadLocked(std::shared_ptr<const SpanBatch> batch) {
  if (batch->empty()) return;
  if (head_.batches.empty()) head_.first_mono_ns = clock_->MonotonicNanos();
  uint32_t b = static_cast<uint32_t>(head_.batches.size());
  for (uint32_t row = 0; row < batch->size(); ++row) {
    const TraceId& id = batch->spans.trace_id[row];
    if (!head_.index.Add(id, b, row)) continue;
    // A trace that already has spans elsewhere: searches must judge it as a whole.
    bool elsewhere = false;
    for (const Frozen& f : frozen_) elsewhere = elsewhere || f.head->index.Contains(id);
    for (auto m = blocks_.begin(); !elsewhere && m != blocks_.end(); ++m) {
      elsewhere = m->second->FindTrace(id) != nullptr;
    }
    if (elsewhere) head_.split.insert(id);
  }
  head_.spans += batch->size();
  head_.bytes += batch->MemoryBytes();
  head_.batches.push_back(std::move(batch));
}

std::shared_ptr<const SpanBatch> EmbeddedStore::LazyBatch(const embedded::LazyRecords& lazy,
                                                          size_t i) {
  if (auto cached = record_cache_.Get(lazy, i)) return cached;
  auto batch = lazy.Decode(i);
  if (!batch.ok()) {
    if (lazy.MarkBad(i)) {
      const uint64_t total = bad_records_.fetch_add(1) + 1;
      ARIADNE_LOG(kError, "embedded store: a replayed WAL record does not decode, skipped")
          .Field("record", i)
          .Field("error", batch.status().ToString())
          .Field("undecodable_records", total);
    }
    return nullptr;
  }
  auto ptr = std::make_shared<const SpanBatch>(std::move(batch).value());
  record_cache_.Put(lazy, i, ptr);
  return ptr;
}

std::vector<std::shared_ptr<const SpanBatch>> EmbeddedStore::DecodedBatches(const Head& head) {
  std::vector<std::shared_ptr<const SpanBatch>> out;
  out.reserve(head.batches.size());
  for (uint32_t b = 0; b < head.batches.size(); ++b) {
    if (head.batches[b] != nullptr) {
      out.push_back(head.batches[b]);
    } else if (auto cached = record_cache_.Get(*head.lazy, b)) {
      out.push_back(std::move(cached));
    } else if (auto batch = head.lazy->Decode(b); batch.ok()) {  // not cached: read once
      out.push_back(std::make_shared<const SpanBatch>(std::move(batch).value()));
    } else {
      LazyBatch(*head.lazy, b);  // counts and logs it
    }
  }
  return out;
}

// ---- write path ----

void EmbeddedStore::Append(SpanBatch batch, std::function<void(Status)> done) {
  Pending p;
  EncodeBatch(batch, &p.record);  // on the caller's thread: encoding runs in parallel
  // The head keeps batches until the next cut. A small request usually holds far more memory
  // than its spans need (a whole arena block, the request buffer); its decoded WAL record is the
  // same content in tight buffers, so keep that instead.
  if (batch.MemoryBytes() > 2 * p.record.size() + kTightenSlackBytes) {
    if (auto tight = DecodeBatch(p.record); tight.ok()) batch = std::move(tight).value();
  }
  std::string framed;
  framed.reserve(p.record.size() + embedded::kWalHeaderSize);
  embedded::AppendWalRecord(p.record, &framed);
  p.record = std::move(framed);
  p.batch = std::make_shared<const SpanBatch>(std::move(batch));
  p.done = std::move(done);
  {
    std::lock_guard lock(queue_mu_);
    if (closing_) {
      p.done(Status::Unavailable("embedded store is closed"));
      return;
    }
    queue_.push_back(std::move(p));
  }
  queue_cv_.notify_one();
}

bool EmbeddedStore::TryResumeWrites() {
  auto free = env_->GetFreeSpace(options_.data_dir);
  if (free.ok() && *free < options_.min_free_bytes) return false;
  std::lock_guard wal_lock(wal_mu_);
  // Never trust a segment that failed: start a fresh one (synced directory entry included).
  Status s = wal_.OpenSegment(wal_.seq() + 1);
  if (s.ok()) s = wal_.Sync();
  return s.ok();
}

void EmbeddedStore::WriterLoop() {
  std::vector<Pending> batch;
  std::string buffer;
  for (;;) {
    Status error;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait_for(lock, std::chrono::milliseconds(50),
                         [&] { return !queue_.empty() || closing_; });
      if (queue_.empty() && closing_) return;
      batch.clear();
      while (!queue_.empty()) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      error = write_error_;
    }
    const int64_t now = clock_->MonotonicNanos();
    if (!error.ok() && now - last_retry_mono_ns_ >= options_.write_retry_interval_ns) {
      last_retry_mono_ns_ = now;
      if (TryResumeWrites()) {
        ARIADNE_LOG(kInfo, "embedded store: writes resumed");
        std::lock_guard lock(queue_mu_);
        write_error_ = Status::Ok();
        error = Status::Ok();
      }
    }
    if (batch.empty()) {
      if (error.ok() && options_.fsync == FsyncMode::kInterval) {
        std::lock_guard wal_lock(wal_mu_);
        if (wal_.is_open() && now - last_sync_mono_ns_ >= options_.fsync_interval_ns) {
          last_sync_mono_ns_ = now;
          wal_.Sync().IgnoreError();
        }
      }
      continue;
    }
    Status s = error;
    if (s.ok() && options_.background_threads) s = HeadBacklogStatus(batch);
    if (s.ok()) {
      buffer.clear();
      for (const Pending& p : batch) buffer += p.record;
      std::lock_guard wal_lock(wal_mu_);
      s = wal_.Append(buffer);
      if (s.ok() && (options_.fsync == FsyncMode::kAlways ||
                     (options_.fsync == FsyncMode::kInterval &&
                      now - last_sync_mono_ns_ >= options_.fsync_interval_ns))) {
        last_sync_mono_ns_ = now;
        s = wal_.Sync();
      }
      if (s.ok()) {
        std::unique_lock lock(mu_);
        for (Pending& p : batch) InsertIntoHeadLocked(p.batch);
      }
      if (s.ok() && wal_.segment_bytes() >= options_.wal_segment_bytes) {
        if (Status r = wal_.Rotate(); !r.ok()) {
          // The data above is durable; only later writes are refused until a segment opens.
          ARIADNE_LOG(kError, "embedded store: WAL rotation failed").Field("error", r.ToString());
          std::lock_guard lock(queue_mu_);
          write_error_ = r;
          last_retry_mono_ns_ = now;
        }
      }
      if (!s.ok()) {
        wal_.CloseSegment();
        ARIADNE_LOG(kError, "embedded store: WAL write failed, refusing writes until it recovers")
            .Field("error", s.ToString());
        std::lock_guard lock(queue_mu_);
        write_error_ = s;
        last_retry_mono_ns_ = now;
      }
    }
    Status result = s.ok() ? Status::Ok()
                           : Status::Unavailable("embedded store refuses writes: " + s.ToString());
    for (Pending& p : batch) p.done(result);
  }
}

// Writing blocks costs 2.5-3.3 us of CPU per span on the maintenance thread, more than ingest
// does (docs/performance.md, "100 M spans, the lazy search walk, sustained ingest"): under a
// sustained load above its rate, or while block writes fail, the head and the heads frozen for
// blocks would grow without bound, and with them memory and the WAL (and so the next restart). At
// the head's limits the maintenance thread is woken to cut at once; when the head and the frozen
// heads not yet written hold head_backlog_factor times the limits, new writes are refused
// (retryable) until block writing catches up. Heads replayed at open do not count: a restart
// with a long WAL must not refuse writes until it is written out.
Status EmbeddedStore::HeadBacklogStatus(const std::vector<Pending>& batch) {
  uint64_t spans, bytes;
  bool cut_due;
  {
    std::shared_lock lock(mu_);
    spans = head_.spans;
    bytes = head_.bytes;
    cut_due = spans >= options_.block_max_spans || bytes >= options_.block_max_bytes;
    // Heads frozen by cuts whose blocks are not written yet (a failing block write keeps them).
    for (const Frozen& f : frozen_) {
      if (f.replayed) continue;
      spans += f.head->spans;
      bytes += f.head->bytes;
    }
  }
  if (cut_due) {
    {
      std::lock_guard lock(stop_mu_);
      cut_requested_ = true;
    }
    stop_cv_.notify_all();
  }
  const uint64_t factor = std::max<uint64_t>(1, options_.head_backlog_factor);
  if (spans < factor * options_.block_max_spans && bytes < factor * options_.block_max_bytes) {
    if (backlogged_) {
      ARIADNE_LOG(kInfo, "embedded store: block writing caught up, writes resumed");
    }
    backlogged_ = false;
    return Status::Ok();
  }
  if (!backlogged_) {
    uint64_t refused = 0;
    for (const Pending& p : batch) refused += p.batch->size();
    ARIADNE_LOG(kWarn, "embedded store: block writing is behind ingest, refusing writes")
        .Field("head_spans", spans)
        .Field("head_bytes", bytes)
        .Field("refused_spans", refused);
  }
  backlogged_ = true;
  return Status::ResourceExhausted("the head holds " + std::to_string(spans) +
                                   " spans waiting to be written as blocks; retry later");
}

Status EmbeddedStore::WriteState() {
  std::lock_guard lock(queue_mu_);
  return write_error_;
}

void EmbeddedStore::Close() {
  {
    std::lock_guard lock(queue_mu_);
    if (closed_) return;
    closed_ = true;
    closing_ = true;
  }
  queue_cv_.notify_all();
  stop_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (maintenance_.joinable()) maintenance_.join();
  std::lock_guard wal_lock(wal_mu_);
  if (wal_.is_open()) wal_.Sync().IgnoreError();
  wal_.CloseSegment();
}

// ---- maintenance ----

void EmbeddedStore::MaintenanceLoop() {
  for (;;) {
    {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_for(lock, std::chrono::nanoseconds(options_.maintenance_interval_ns), [&] {
        std::lock_guard q(queue_mu_);
        return closing_ || cut_requested_;
      });
      cut_requested_ = false;
    }
    {
      std::lock_guard q(queue_mu_);
      if (closing_) return;
    }
    if (Status s = RunMaintenance(); !s.ok()) {
      ARIADNE_LOG(kWarn, "embedded store maintenance failed").Field("error", s.ToString());
    }
  }
}

Status EmbeddedStore::RunMaintenance() {
  bool due;
  {
    std::shared_lock lock(mu_);
    due = head_.spans >= options_.block_max_spans || head_.bytes >= options_.block_max_bytes ||
          (head_.spans > 0 &&
           clock_->MonotonicNanos() - head_.first_mono_ns >= options_.block_max_age_ns) ||
          !frozen_.empty();
  }
  Status result;
  if (due) result = CutHead();
  if (Status s = Compact(); !s.ok() && result.ok()) result = s;
  if (Status s = EnforceRetention(); !s.ok() && result.ok()) result = s;
  return result;
}

Status EmbeddedStore::CutHead() {
  std::lock_guard maintenance(maintenance_mu_);
  {
    std::lock_guard wal_lock(wal_mu_);
    std::unique_lock lock(mu_);
    if (head_.spans > 0) {
      // A new segment first: the frozen head is then exactly the segments below it.
      Status s = wal_.Rotate();
      lock.unlock();
      if (!s.ok()) {
        std::lock_guard q(queue_mu_);
        if (write_error_.ok()) {
          write_error_ = s;
          last_retry_mono_ns_ = clock_->MonotonicNanos();
        }
        return s.WithContext("cutting a block");
      }
      lock.lock();
      frozen_.push_back(Frozen{std::make_shared<const Head>(std::move(head_)), wal_.seq()});
      head_ = Head();
    }
  }
  return FlushFrozen();
}

Status EmbeddedStore::FlushFrozen() {
  for (;;) {
    Frozen f;
    uint64_t id;
    {
      std::shared_lock lock(mu_);
      if (frozen_.empty()) return Status::Ok();
      f = frozen_.front();
      id = next_block_id_;
    }
    const std::vector<std::shared_ptr<const SpanBatch>> batches = DecodedBatches(*f.head);
    std::vector<const SpanBatch*> parts;
    for (const auto& b : batches) parts.push_back(b.get());
    std::vector<embedded::RowRef> sorted = embedded::OrderForBlock(parts);
    auto meta = std::make_shared<BlockMeta>();
    meta->id = id;
    meta->wal_seq_end = f.wal_seq_end;
    meta->created_ns = clock_->NowUnixNanos();
    std::string bytes = embedded::BuildBlock(sorted, options_.zstd_level, meta.get(),
                                             std::max<uint32_t>(1, options_.block_page_spans));
    if (Status s = embedded::WriteBlockFile(env_, blocks_dir_, embedded::BlockFileName(id), bytes);
        !s.ok()) {
      return s.WithContext("writing block " + embedded::BlockFileName(id));
    }
    {
      std::unique_lock lock(mu_);
      next_block_id_ = id + 1;
      blocks_[id] = meta;
      // Traces that were elsewhere when they reached this head are now in two places.
      block_split_.insert(f.head->split.begin(), f.head->split.end());
      frozen_.erase(frozen_.begin());
    }
    if (Status s = DeleteWalBelow(f.wal_seq_end); !s.ok()) return s;
  }
}

Status EmbeddedStore::DeleteWalBelow(uint64_t seq) {
  auto seqs = embedded::ListWalSegments(env_, wal_dir_);
  if (!seqs.ok()) return seqs.status();
  bool removed = false;
  for (uint64_t s : *seqs) {
    if (s >= seq) break;
    if (Status r = env_->RemoveFile(JoinPath(wal_dir_, embedded::WalSegmentName(s))); !r.ok()) {
      return r;
    }
    removed = true;
  }
  return removed ? env_->SyncDir(wal_dir_) : Status::Ok();
}

std::string EmbeddedStore::BlockDir(const BlockMeta& meta) const {
  return meta.archive ? archive_dir_ : blocks_dir_;
}

Status EmbeddedStore::Compact() {
  std::lock_guard maintenance(maintenance_mu_);
  std::vector<MetaPtr> inputs;
  uint64_t spans = 0;
  uint64_t id;
  {
    std::shared_lock lock(mu_);
    for (const auto& [bid, meta] : blocks_) {
      if (meta->span_count >= options_.compaction_small_block_spans) continue;
      if (spans + meta->span_count > options_.block_max_spans && inputs.size() >= 2) break;
      inputs.push_back(meta);
      spans += meta->span_count;
    }
    id = next_block_id_;
  }
  if (inputs.size() < 2) return Status::Ok();
  std::vector<SpanBatch> bodies;
  auto merged = std::make_shared<BlockMeta>();
  for (const MetaPtr& m : inputs) {
    auto body = LoadBody(m);
    if (!body.ok()) return body.status().WithContext("compaction");
    bodies.push_back(std::move(body).value());
    merged->replaces.push_back(m->id);
    merged->wal_seq_end = std::max(merged->wal_seq_end, m->wal_seq_end);
    merged->level = std::max(merged->level, m->level + 1);
  }
  std::vector<const SpanBatch*> parts;
  for (const auto& b : bodies) parts.push_back(&b);
  std::vector<embedded::RowRef> sorted = embedded::OrderForBlock(parts);
  merged->id = id;
  merged->created_ns = clock_->NowUnixNanos();
  std::string bytes = embedded::BuildBlock(sorted, options_.compaction_zstd_level, merged.get(),
                                           std::max<uint32_t>(1, options_.block_page_spans));
  if (Status s = embedded::WriteBlockFile(env_, blocks_dir_, embedded::BlockFileName(id), bytes);
      !s.ok()) {
    return s.WithContext("compaction");
  }
  {
    std::unique_lock lock(mu_);
    next_block_id_ = id + 1;
    blocks_[id] = merged;
    for (const MetaPtr& m : inputs) blocks_.erase(m->id);
  }
  for (const MetaPtr& m : inputs) {
    if (Status s = env_->RemoveFile(JoinPath(blocks_dir_, embedded::BlockFileName(m->id)));
        !s.ok()) {
      return s.WithContext("compaction: removing an input");  // reopening removes it
    }
  }
  return env_->SyncDir(blocks_dir_);
}

Status EmbeddedStore::EnforceRetention() {
  std::lock_guard maintenance(maintenance_mu_);
  const int64_t now = clock_->NowUnixNanos();
  std::vector<MetaPtr> expired;
  {
    std::unique_lock lock(mu_);
    for (auto it = blocks_.begin(); it != blocks_.end();) {
      if (static_cast<int64_t>(it->second->max_start) + options_.hot_retention_ns < now) {
        expired.push_back(it->second);
        evicted_spans_ += it->second->span_count;
        it = blocks_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = archive_blocks_.begin(); it != archive_blocks_.end();) {
      if (it->second->created_ns + options_.archive_retention_ns < now) {
        expired.push_back(it->second);
        it = archive_blocks_.erase(it);
      } else {
        ++it;
      }
    }
  }
  Status result;
  std::set<std::string> dirs;
  for (const MetaPtr& m : expired) {
    Status s = env_->RemoveFile(JoinPath(BlockDir(*m), embedded::BlockFileName(m->id)));
    if (!s.ok() && result.ok()) result = s;
    dirs.insert(BlockDir(*m));
  }
  for (const std::string& d : dirs) {
    if (Status s = env_->SyncDir(d); !s.ok() && result.ok()) result = s;
  }
  return result;
}

Status EmbeddedStore::ArchiveTrace(const TraceId& trace_id) {
  auto trace = GetTrace(trace_id);
  if (!trace.ok()) return trace.status();
  std::lock_guard maintenance(maintenance_mu_);
  uint64_t id;
  {
    std::shared_lock lock(mu_);
    id = next_block_id_;
  }
  auto meta = std::make_shared<BlockMeta>();
  meta->id = id;
  meta->archive = true;
  meta->created_ns = clock_->NowUnixNanos();
  std::vector<embedded::RowRef> sorted = embedded::OrderForBlock({&*trace});
  std::string bytes = embedded::BuildBlock(sorted, options_.archive_zstd_level, meta.get(),
                                           std::max<uint32_t>(1, options_.block_page_spans));
  if (Status s = embedded::WriteBlockFile(env_, archive_dir_, embedded::BlockFileName(id), bytes);
      !s.ok()) {
    return Status::Unavailable("archiving trace: " + s.ToString());
  }
  std::unique_lock lock(mu_);
  next_block_id_ = id + 1;
  archive_blocks_[id] = meta;
  return Status::Ok();
}

// ---- reads ----

StatusOr<std::shared_ptr<const SpanBatch>> EmbeddedStore::LoadPage(const MetaPtr& meta,
                                                                   size_t page) {
  const std::pair<uint64_t, size_t> key(meta->id, page);
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = cache_index_.find(key); it != cache_index_.end()) {
      cache_.splice(cache_.begin(), cache_, it->second);
      return it->second->batch;
    }
  }
  std::string path = JoinPath(BlockDir(*meta), embedded::BlockFileName(meta->id));
  auto body = embedded::ReadBlockPage(env_, path, *meta, page);
  if (!body.ok()) {
    if (body.status().code() == StatusCode::kDataLoss) Quarantine(meta, body.status());
    return body.status();
  }
  auto ptr = std::make_shared<const SpanBatch>(std::move(body).value());
  const size_t bytes = ptr->MemoryBytes();
  std::lock_guard lock(cache_mu_);
  if (cache_index_.count(key) != 0 || bytes > kCacheBytes / 4) return ptr;
  cache_.push_front(CachedPage{key, ptr, bytes});
  cache_index_[key] = cache_.begin();
  cache_bytes_ += bytes;
  while (cache_bytes_ > kCacheBytes) {
    cache_bytes_ -= cache_.back().bytes;
    cache_index_.erase(cache_.back().key);
    cache_.pop_back();
  }
  return ptr;
}

StatusOr<SpanBatch> EmbeddedStore::LoadBody(const MetaPtr& meta) {
  std::string path = JoinPath(BlockDir(*meta), embedded::BlockFileName(meta->id));
  auto body = embedded::ReadBlockBody(env_, path, *meta);
  if (!body.ok() && body.status().code() == StatusCode::kDataLoss) {
    Quarantine(meta, body.status());
  }
  return body;
}

void EmbeddedStore::Quarantine(const MetaPtr& meta, const Status& why) {
  {
    std::unique_lock lock(mu_);
    (meta->archive ? archive_blocks_ : blocks_).erase(meta->id);
    ++quarantined_;
  }
  std::string name = embedded::BlockFileName(meta->id);
  std::string from = JoinPath(BlockDir(*meta), name);
  std::string to = JoinPath(quarantine_dir_, name + "." + std::to_string(clock_->NowUnixNanos()));
  Status s = env_->CreateDirs(quarantine_dir_);
  if (s.ok()) s = env_->RenameFile(from, to);
  if (s.ok()) s = env_->SyncDir(BlockDir(*meta));
  ARIADNE_LOG(kError, "embedded store: corrupt block quarantined; other blocks keep serving")
      .Field("block", from)
      .Field("moved_to", to)
      .Field("error", why.ToString())
      .Field("move", s.ToString());
}

size_t EmbeddedStore::BlockCount() {
  std::shared_lock lock(mu_);
  return blocks_.size();
}

size_t EmbeddedStore::FrozenHeadCount() {
  std::shared_lock lock(mu_);
  return frozen_.size();
}

size_t EmbeddedStore::QuarantinedCount() {
  std::shared_lock lock(mu_);
  return quarantined_;
}

SpanBatch EmbeddedStore::CollectTrace(const TraceId& id, uint64_t* max_start) {
  std::vector<MetaPtr> metas;
  // A head row: its batch, or (a replayed record, decoded below) its record.
  struct HeadRow {
    std::shared_ptr<const SpanBatch> batch;
    std::shared_ptr<const embedded::LazyRecords> lazy;
    uint32_t record;
    uint32_t row;
  };
  std::vector<HeadRow> rows;
  {
    std::shared_lock lock(mu_);
    for (const auto& [bid, meta] : blocks_) {
      if (meta->FindTrace(id) != nullptr) metas.push_back(meta);
    }
    auto add_head = [&](const Head& h) {
      h.index.ForEachRow(id, [&](embedded::HeadIndex::Row r) {
        if (h.batches[r.batch] != nullptr) {
          rows.push_back(HeadRow{h.batches[r.batch], nullptr, 0, r.row});
        } else {
          rows.push_back(HeadRow{nullptr, h.lazy, r.batch, r.row});
        }
      });
    };
    for (const Frozen& f : frozen_) add_head(*f.head);
    add_head(head_);
    if (metas.empty() && rows.empty()) {
      for (const auto& [bid, meta] : archive_blocks_) {
        if (meta->FindTrace(id) != nullptr) metas.push_back(meta);
      }
    }
  }
  SpanBatch out;
  SpanAppender append(&out);
  std::vector<std::shared_ptr<const SpanBatch>> pages;  // kept alive while `append` copies
  *max_start = 0;
  for (const MetaPtr& meta : metas) {
    const BlockTrace* t = meta->FindTrace(id);
    const size_t page = meta->PageOf(t->row_begin);
    auto body = LoadPage(meta, page);
    if (!body.ok()) continue;  // quarantined or unreadable: serve the rest
    pages.push_back(*body);
    const uint32_t first = meta->pages[page].first_row;
    const SpanBatch& body_rows = *pages.back();
    for (uint32_t r = t->row_begin; r < t->row_begin + t->row_count; ++r) {
      append.Append(body_rows, r - first);
      *max_start = std::max(*max_start, body_rows.spans.start_time_unix_nano[r - first]);
    }
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    HeadRow& r = rows[i];
    if (r.batch == nullptr) {  // a trace's rows in one record are consecutive: decode it once
      const bool same = i > 0 && rows[i - 1].lazy == r.lazy && rows[i - 1].record == r.record;
      r.batch = same ? rows[i - 1].batch : LazyBatch(*r.lazy, r.record);
      if (r.batch == nullptr || r.row >= r.batch->size()) continue;  // corrupt: counted
    }
    append.Append(*r.batch, r.row);
    *max_start = std::max(*max_start, r.batch->spans.start_time_unix_nano[r.row]);
  }
  return out;
}

StatusOr<SpanBatch> EmbeddedStore::GetTrace(const TraceId& trace_id) {
  uint64_t max_start;
  SpanBatch out = CollectTrace(trace_id, &max_start);
  if (out.empty()) return Status::NotFound("trace " + trace_id.ToHex() + " not found");
  return out;
}

uint64_t EmbeddedStore::LatestStartLocked(const TraceId& id, bool blocks) {
  uint64_t latest = 0;
  for (auto it = blocks_.begin(); blocks && it != blocks_.end(); ++it) {
    if (const BlockTrace* t = it->second->FindTrace(id)) latest = std::max(latest, t->max_start);
  }
  auto add_head = [&](const Head& h) {
    latest = std::max(latest, h.index.MaxStartOf(id));  // its replayed records' rows
    h.index.ForEachRow(id, [&](embedded::HeadIndex::Row r) {
      if (const SpanBatch* b = h.batches[r.batch].get()) {
        latest = std::max(latest, b->spans.start_time_unix_nano[r.row]);
      }
    });
  };
  for (const Frozen& f : frozen_) add_head(*f.head);
  add_head(head_);
  return latest;
}

void EmbeddedStore::ComputeBlockSplitLocked() {
  // A k-way merge of the blocks' id-sorted indexes: equal neighbours are split traces.
  block_split_.clear();
  struct Cursor {
    const BlockMeta* meta;
    size_t pos;
    const TraceId& id() const { return meta->traces[meta->by_id[pos]].id; }
  };
  auto greater = [](const Cursor& a, const Cursor& b) { return b.id() < a.id(); };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(greater)> heap(greater);
  for (const auto& [id, meta] : blocks_) {
    if (!meta->by_id.empty()) heap.push(Cursor{meta.get(), 0});
  }
  const TraceId* previous = nullptr;
  while (!heap.empty()) {
    Cursor c = heap.top();
    heap.pop();
    if (previous != nullptr && *previous == c.id()) block_split_.insert(c.id());
    previous = &c.id();
    if (++c.pos < c.meta->by_id.size()) heap.push(c);
  }
}

// Search. Pages are candidates unless their summary (span start and duration ranges) or the
// block's page token filter (service, operation and attribute tokens) proves that no span matches.
// Pages are visited best first by an upper bound on the latest start of the traces that can match
// in them, and the visit stops once `limit` traces are found that are all newer than every
// unvisited page's bound. Each block is walked lazily from its last page (the newest traces)
// backwards, keyed by the largest bound of its unwalked pages, so a block whose pages cannot beat
// the results is not even summarised. A trace with spans in several places (block_split_,
// Head::split) is judged on its whole content when first met, and its global latest start raises
// the bound of every page holding a part of it.
StatusOr<std::vector<SpanBatch>> EmbeddedStore::FindTraces(const TraceQuery& query) {
  std::vector<SpanBatch> result;
  if (query.limit == 0) return result;
  // A block being walked: bounds[p] is page p's bound; prefix[p] the largest of bounds[0..p].
  struct Walk {
    MetaPtr meta;
    std::vector<uint64_t> bounds;
    std::vector<uint64_t> prefix;
    size_t unwalked;                           // pages [0, unwalked) are not summarised yet
    std::vector<embedded::TokenProbe> probes;  // the query's tokens, prepared for this block
  };
  // A head batch, or (a replayed record, not decoded) its record.
  struct HeadPart {
    std::shared_ptr<const SpanBatch> batch;
    const embedded::LazyRecords* lazy;  // kept alive by `lazies`
    uint32_t record;
  };
  std::vector<HeadPart> head_parts;
  std::vector<std::shared_ptr<const embedded::LazyRecords>> lazies;
  std::vector<TraceId> head_split;
  std::vector<Walk> walks;
  std::unordered_set<TraceId, IdHash> split;
  std::vector<uint64_t> tokens;
  if (!query.service.empty()) tokens.push_back(embedded::SummaryToken('s', query.service));
  if (!query.operation.empty()) tokens.push_back(embedded::SummaryToken('o', query.operation));
  for (const auto& [key, value] : query.tags) {
    if (!IsSyntheticTagKey(key)) tokens.push_back(embedded::SummaryToken('t', key, value));
  }
  {
    std::shared_lock lock(mu_);
    auto add_head = [&](const Head& h) {
      if (h.lazy != nullptr) lazies.push_back(h.lazy);
      for (uint32_t b = 0; b < h.batches.size(); ++b) {
        head_parts.push_back(HeadPart{h.batches[b], h.lazy.get(), b});
      }
      head_split.insert(head_split.end(), h.split.begin(), h.split.end());
    };
    for (const Frozen& f : frozen_) add_head(*f.head);
    add_head(head_);
    for (const auto& [bid, meta] : blocks_) {
      if (meta->max_start < query.start_min_ns || meta->min_start > query.start_max_ns) continue;
      if (meta->pages.empty()) continue;
      if (!query.service.empty() &&
          !std::binary_search(meta->services.begin(), meta->services.end(), query.service)) {
        continue;
      }
      if (!query.operation.empty() && std::none_of(meta->operations.begin(), meta->operations.end(),
                                                   [&](const embedded::BlockOperation& op) {
                                                     return op.name == query.operation &&
                                                            (query.service.empty() ||
                                                             op.service == query.service);
                                                   })) {
        continue;
      }
      Walk w{meta, {}, {}, meta->pages.size(), {}};
      for (uint64_t t : tokens) w.probes.push_back(meta->ProbeToken(t));
      w.bounds.reserve(meta->pages.size());
      for (const embedded::BlockPage& page : meta->pages) w.bounds.push_back(page.max_trace_start);
      // A split trace may be newer elsewhere: raise the bound of the page holding its part.
      for (const TraceId& id : block_split_) {
        const BlockTrace* t = meta->FindTrace(id);
        if (t == nullptr) continue;
        uint64_t& bound = w.bounds[meta->PageOf(t->row_begin)];
        bound = std::max(bound, LatestStartLocked(id));
      }
      w.prefix.resize(w.bounds.size());
      uint64_t running = 0;
      for (size_t p = 0; p < w.bounds.size(); ++p)
        w.prefix[p] = running = std::max(running, w.bounds[p]);
      walks.push_back(std::move(w));
    }
    split = block_split_;
    // A split trace with no part in a block lives in heads only, whose every row the scan below
    // sees: it matches there or not at all, and needs no whole-trace judgement (after a restart
    // replayed heads share many traces, and judging one decodes every record holding it).
    std::erase_if(head_split, [&](const TraceId& id) {
      return std::none_of(blocks_.begin(), blocks_.end(),
                          [&](const auto& b) { return b.second->FindTrace(id) != nullptr; });
    });
  }

  // Found traces with their latest start; `newest` keeps the best `limit` keys (a min-heap).
  std::unordered_map<TraceId, uint64_t, IdHash> found;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<>> newest;
  std::unordered_set<TraceId, IdHash> decided;
  auto add_found = [&](const TraceId& id, uint64_t latest) {
    if (!found.emplace(id, latest).second) return;
    newest.push(latest);
    if (newest.size() > query.limit) newest.pop();
  };
  // True once `limit` traces are found that are all newer than `bound`.
  auto beaten = [&](uint64_t bound) {
    return newest.size() >= query.limit && newest.top() > bound;
  };
  // Whole-trace judgement for traces with spans in several places.
  auto judge_whole = [&](const TraceId& id) {
    if (!decided.insert(id).second) return;
    uint64_t latest;
    SpanBatch all = CollectTrace(id, &latest);
    for (uint32_t row = 0; row < all.size(); ++row) {
      if (SpanMatches(all, row, query)) {
        add_found(id, latest);
        return;
      }
    }
  };

  // Heads: scanned in full, but a batch without a resource of the wanted service (a request
  // comes from one service's SDK) holds no matching span. A replayed record not decoded yet is
  // first ruled out by its start range and its operations (read without decoding it); the rest
  // are decoded on every core (slow: until the replayed heads are blocks, docs/performance.md).
  std::vector<std::vector<TraceId>> matched(head_parts.size());
  auto scan = [&](size_t i) {
    const HeadPart& part = head_parts[i];
    std::shared_ptr<const SpanBatch> batch = part.batch;
    if (batch == nullptr) {
      const embedded::LazyRecords& lazy = *part.lazy;
      if (lazy.max_start(part.record) < query.start_min_ns ||
          lazy.min_start(part.record) > query.start_max_ns) {
        return;
      }
      if (!query.service.empty() || !query.operation.empty() || query.span_kind) {
        std::vector<EncodedOperation> ops;
        if (ReadOperations(lazy.record(part.record), &ops).ok() &&
            std::none_of(ops.begin(), ops.end(), [&](const EncodedOperation& op) {
              return (query.service.empty() || op.service == query.service) &&
                     (query.operation.empty() || op.name == query.operation) &&
                     (!query.span_kind || op.kind == *query.span_kind);
            })) {
          return;
        }
      }
      batch = LazyBatch(lazy, part.record);
      if (batch == nullptr) return;  // corrupt: counted
    }
    if (!query.service.empty() &&
        std::none_of(batch->resources.begin(), batch->resources.end(),
                     [&](const Resource& r) { return r.service_name == query.service; })) {
      return;
    }
    for (uint32_t row = 0; row < batch->size(); ++row) {
      if (SpanMatches(*batch, row, query)) matched[i].push_back(batch->spans.trace_id[row]);
    }
  };
  ParallelFor(head_parts.size(), lazies.empty() ? SIZE_MAX : 16, scan);
  std::unordered_set<TraceId, IdHash> head_matched;
  for (const auto& ids : matched) head_matched.insert(ids.begin(), ids.end());
  matched.clear();
  {
    // A head trace with spans in a block is in a head's split set; the others live in heads only.
    std::unordered_set<TraceId, IdHash> in_blocks(head_split.begin(), head_split.end());
    std::shared_lock lock(mu_);
    for (const TraceId& id : head_matched) {
      // With spans in a block it is judged whole below: block metadata only bounds its latest
      // start, the pages hold it.
      if (in_blocks.count(id) != 0) continue;
      decided.insert(id);
      add_found(id, LatestStartLocked(id, false));
    }
  }
  for (const TraceId& id : head_split) judge_whole(id);

  // Blocks, best first. An entry is a page to read (page >= 0) or a block's walk (page < 0),
  // keyed by the page's bound or by the largest bound of the walk's unwalked pages.
  struct Next {
    uint64_t key;
    uint32_t walk;
    int64_t page;
    bool operator<(const Next& o) const { return key < o.key; }
  };
  std::priority_queue<Next> next;
  for (uint32_t w = 0; w < walks.size(); ++w) next.push(Next{walks[w].prefix.back(), w, -1});
  while (!next.empty() && !beaten(next.top().key)) {
    const Next n = next.top();
    next.pop();
    Walk& w = walks[n.walk];
    if (n.page < 0) {
      const size_t p = --w.unwalked;
      if (w.unwalked > 0) next.push(Next{w.prefix[w.unwalked - 1], n.walk, -1});
      const embedded::BlockPage& page = w.meta->pages[p];
      if (page.max_trace_start < query.start_min_ns || page.max_start < query.start_min_ns ||
          page.min_start > query.start_max_ns || page.max_duration < query.duration_min_ns ||
          page.min_duration > query.duration_max_ns) {
        continue;
      }
      if (std::any_of(w.probes.begin(), w.probes.end(),
                      [&](const embedded::TokenProbe& t) { return !w.meta->PageMayHave(t, p); })) {
        continue;
      }
      next.push(Next{w.bounds[p], n.walk, static_cast<int64_t>(p)});
      continue;
    }
    auto loaded = LoadPage(w.meta, static_cast<size_t>(n.page));
    if (!loaded.ok()) continue;  // quarantined or unreadable: serve the rest
    const SpanBatch& page = **loaded;
    const embedded::BlockPage& info = w.meta->pages[static_cast<size_t>(n.page)];
    for (uint32_t i = info.trace_begin; i < info.trace_end; ++i) {
      const BlockTrace& t = w.meta->traces[i];
      if (split.count(t.id) != 0) {
        judge_whole(t.id);
        continue;
      }
      // Older than every result kept so far: it could not enter them.
      if (t.max_start < query.start_min_ns || beaten(t.max_start) || decided.count(t.id) != 0) {
        continue;
      }
      // t.max_start may only bound the trace's latest start (block format 6): take it from
      // the rows.
      bool matches = false;
      uint64_t latest = 0;
      for (uint32_t row = t.row_begin; row < t.row_begin + t.row_count; ++row) {
        latest = std::max(latest, page.spans.start_time_unix_nano[row - info.first_row]);
        matches = matches || SpanMatches(page, row - info.first_row, query);
      }
      if (matches) add_found(t.id, latest);
    }
  }

  std::vector<std::pair<uint64_t, TraceId>> order;
  order.reserve(found.size());
  for (const auto& [id, latest] : found) order.emplace_back(latest, id);
  const size_t n = std::min(order.size(), query.limit);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                    [](const auto& a, const auto& b) {
                      if (a.first != b.first) return a.first > b.first;
                      return a.second < b.second;
                    });
  for (size_t i = 0; i < n; ++i) {
    uint64_t max_start;
    SpanBatch t = CollectTrace(order[i].second, &max_start);
    if (!t.empty()) result.push_back(std::move(t));
  }
  return result;
}

void EmbeddedStore::ReadLazyOperations() {
  std::vector<std::shared_ptr<const embedded::LazyRecords>> lazies;
  {
    std::shared_lock lock(mu_);
    for (const Frozen& f : frozen_) {
      if (f.head->lazy != nullptr) lazies.push_back(f.head->lazy);
    }
    if (head_.lazy != nullptr) lazies.push_back(head_.lazy);
  }
  // Once per head, on every core, without holding mu_ (the writer needs it).
  ParallelFor(lazies.size(), 1, [&](size_t i) { (void)lazies[i]->Operations(); });
}

StatusOr<std::vector<std::string>> EmbeddedStore::GetServices() {
  ReadLazyOperations();
  std::set<std::string, std::less<>> services;
  std::shared_lock lock(mu_);
  auto add_head = [&](const Head& h) {
    if (h.lazy != nullptr) {  // read once per head without decoding (lazy_records.h)
      for (const EncodedOperation& op : h.lazy->Operations()) {
        if (services.find(op.service) == services.end()) services.emplace(op.service);
      }
    }
    for (const auto& b : h.batches) {
      if (b == nullptr) continue;
      for (uint32_t row = 0; row < b->size(); ++row) {
        std::string_view s = b->ServiceName(row);
        if (services.find(s) == services.end()) services.emplace(s);
      }
    }
  };
  for (const Frozen& f : frozen_) add_head(*f.head);
  add_head(head_);
  for (const auto& [id, meta] : blocks_)
    services.insert(meta->services.begin(), meta->services.end());
  return std::vector<std::string>(services.begin(), services.end());
}

StatusOr<std::vector<OperationInfo>> EmbeddedStore::GetOperations(std::string_view service,
                                                                  std::optional<SpanKind> kind) {
  ReadLazyOperations();
  std::set<std::pair<std::string, SpanKind>, std::less<>> ops;
  std::shared_lock lock(mu_);
  auto add_head = [&](const Head& h) {
    if (h.lazy != nullptr) {  // read once per head without decoding (lazy_records.h)
      for (const EncodedOperation& op : h.lazy->Operations()) {
        if (op.service != service || (kind && op.kind != *kind)) continue;
        ops.emplace(std::string(op.name), op.kind);
      }
    }
    for (const auto& b : h.batches) {
      if (b == nullptr) continue;
      for (uint32_t row = 0; row < b->size(); ++row) {
        if (b->ServiceName(row) != service) continue;
        if (kind && b->spans.kind[row] != *kind) continue;
        ops.emplace(std::string(b->spans.name[row]), b->spans.kind[row]);
      }
    }
  };
  for (const Frozen& f : frozen_) add_head(*f.head);
  add_head(head_);
  for (const auto& [id, meta] : blocks_) {
    for (const embedded::BlockOperation& op : meta->operations) {
      if (op.service == service && (!kind || op.kind == *kind)) ops.emplace(op.name, op.kind);
    }
  }
  std::vector<OperationInfo> out;
  for (const auto& [name, k] : ops) out.push_back(OperationInfo{name, k});
  return out;
}

StatusOr<std::vector<DependencyLink>> EmbeddedStore::GetDependencies(uint64_t end_ns,
                                                                     uint64_t lookback_ns) {
  const uint64_t begin_ns = end_ns > lookback_ns ? end_ns - lookback_ns : 0;
  TraceQuery q;
  q.start_min_ns = begin_ns;
  q.start_max_ns = end_ns;
  q.limit = std::numeric_limits<size_t>::max();
  auto traces = FindTraces(q);
  if (!traces.ok()) return traces.status();
  std::map<std::pair<std::string, std::string>, DependencyLink> links;
  std::unordered_map<SpanId, std::string_view, IdHash> service_of;
  for (const SpanBatch& b : *traces) {
    service_of.clear();
    for (uint32_t row = 0; row < b.size(); ++row) {
      service_of.emplace(b.spans.span_id[row], b.ServiceName(row));
    }
    for (uint32_t row = 0; row < b.size(); ++row) {
      uint64_t start = b.spans.start_time_unix_nano[row];
      if (start < begin_ns || start > end_ns) continue;
      const SpanId& parent = b.spans.parent_span_id[row];
      if (!parent.IsValid()) continue;
      auto pit = service_of.find(parent);
      if (pit == service_of.end()) continue;
      std::string_view child = b.ServiceName(row);
      if (pit->second == child) continue;
      std::pair<std::string, std::string> key(std::string(pit->second), std::string(child));
      DependencyLink& link = links[key];
      link.parent = key.first;
      link.child = key.second;
      ++link.call_count;
      if (b.spans.status_code[row] == SpanStatusCode::kError) ++link.error_count;
    }
  }
  std::vector<DependencyLink> out;
  for (auto& [key, link] : links) out.push_back(std::move(link));
  return out;
}

StoreStats EmbeddedStore::Stats() {
  StoreStats s;
  std::shared_lock lock(mu_);
  s.spans = head_.spans;
  s.traces = head_.index.traces();
  for (const Frozen& f : frozen_) {
    s.spans += f.head->spans;
    s.traces += f.head->index.traces();
  }
  for (const auto& [id, meta] : blocks_) {
    s.spans += meta->span_count;
    s.traces += meta->traces.size();
    s.bytes += meta->file_bytes;
  }
  s.evicted_spans = evicted_spans_;
  return s;
}

}  // namespace ariadne
