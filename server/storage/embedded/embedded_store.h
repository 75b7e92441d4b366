// EmbeddedStore: the durable, compact SpanStore of `ariadne serve --storage embedded`.
//
// Layout of data_dir (formats in docs/formats/wal.md and docs/formats/block.md):
//   wal/<seq>.wal         write-ahead log segments (records of encoded span batches, checksummed)
//   blocks/<id>.blk       immutable, compressed, columnar blocks cut from the head
//   quarantine/           blocks that failed validation, moved aside
//   <archive_dir>/        blocks of archived traces, kept archive_retention_ns
// Write path: Append -> WAL (one writer thread, group commit: one write + one fdatasync for every
// pending append) -> head (in-memory, searchable) -> done(OK). The head is cut into a block by
// size or age; the WAL segments it covers are deleted only once the block is durable.
// Reads: head + blocks (pruned by time range, service/operation sets and trace-id filters).
// Faults: a failed write or sync puts the store in a refusing state (done(Unavailable)); reads
// continue; a background retry resumes writes when the disk works again.
//
// Ownership: the store owns its threads and files; Env and Clock are borrowed and must outlive it.
// Thread-safety: every SpanStore method is thread-safe.
// Tests: embedded_store_test.cc (behaviour, faults, crash points), wal_test.cc, block_test.cc,
// differential_test.cc, tests/crash/ (SIGKILL against the real server).
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_EMBEDDED_STORE_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_EMBEDDED_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/config.h"
#include "base/env.h"
#include "base/status.h"
#include "server/storage/span_store.h"

namespace ariadne {

enum class FsyncMode : uint8_t {
  kAlways,    // done() only after the WAL write is fdatasync'ed (group commit)
  kInterval,  // done() after the write; a sync at least every fsync_interval_ns
  kNever,     // done() after the write; the OS decides when to flush
};

struct EmbeddedStoreOptions {
  std::string data_dir = "./ariadne-data";
  FsyncMode fsync = FsyncMode::kAlways;
  int64_t fsync_interval_ns = 1'000'000'000;                    // 1 s
  int64_t hot_retention_ns = 72LL * 3600 * 1'000'000'000;       // 72 h
  int64_t archive_retention_ns = 30LL * 86400 * 1'000'000'000;  // 30 d
  std::string archive_dir;                                      // "" = <data_dir>/archive
  uint64_t wal_segment_bytes = 64ull << 20;                     // rotate segments at this size
  uint64_t block_max_spans = 1'000'000;                         // cut the head at this many spans
  uint64_t block_max_bytes = 256ull << 20;                      // ...or this much head memory
  // Writes are refused (Unavailable, retryable) while the head holds this many times the limits
  // above: block writing has fallen behind ingest (background_threads only; see limits.md).
  uint64_t head_backlog_factor = 2;
  int64_t block_max_age_ns = 15LL * 60 * 1'000'000'000;  // ...or when this old
  uint64_t compaction_small_block_spans = 200'000;       // blocks below this are merged
  uint32_t block_page_spans = 1024;  // spans per block page (a trace lookup decodes one page)
  // Hot blocks cut from the head. 4: 0.31 B/span less than 3 on the demo workload for ~5 % more
  // cut CPU (docs/performance.md, "Block format 6").
  int zstd_level = 4;
  int compaction_zstd_level = 9;  // blocks written by compaction (background, read-mostly)
  int archive_zstd_level = 19;    // archive blocks
  int64_t write_retry_interval_ns = 1'000'000'000;  // retry the WAL after a fault
  int64_t maintenance_interval_ns = 1'000'000'000;  // cut/compact/retention checks
  uint64_t min_free_bytes = 16ull << 20;            // writes resume only with this much space free
  bool background_threads = true;  // false: tests drive maintenance with RunMaintenance()
};

// Ranges of the tuning options (server_options.cc and docs/configuration.md say the same).
constexpr int kMinZstdLevel = 1;
constexpr int kMaxZstdLevel = 22;
constexpr uint32_t kMaxBlockPageSpans = 65536;

// Reads the "Embedded storage" options of server/config/server_options.cc.
EmbeddedStoreOptions EmbeddedStoreOptionsFromConfig(const Config& config);
// InvalidArgument naming the option if a zstd level or block_page_spans is out of range.
[[nodiscard]] Status ValidateEmbeddedStoreOptions(const EmbeddedStoreOptions& options);

// Opens (creating if needed) the store in options.data_dir: replays the WAL (a torn or corrupt
// tail is truncated to the last valid record), loads block metadata, quarantines blocks that do
// not validate, and starts the writer and maintenance threads. Fails if an option is out of range
// (ValidateEmbeddedStoreOptions) or the directory cannot be created or listed.
[[nodiscard]] StatusOr<std::unique_ptr<SpanStore>> OpenEmbeddedStore(
    const EmbeddedStoreOptions& options, Env* env, Clock* clock);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_EMBEDDED_STORE_H_
