// WAL: the embedded store's write-ahead log, segment files of checksummed records.
//
// Record framing (docs/formats/wal.md): u32 payload length, u32 checksum (low 32 bits of XXH3-64
// over the length bytes and the payload), payload (a batch_codec encoding). Segments are named
// by a 20-digit sequence number and only ever appended to; the writer rotates to a new segment at
// a size limit, after a write or sync fault (the old file is never trusted again), and when the
// head is cut into a block (so a block covers exactly the segments below a sequence number).
// Replay reads records until the first invalid one and truncates the segment there: a torn or
// corrupt tail costs only unacknowledged data. A segment the disk cannot read is an error, not a
// tail (the store refuses to start, docs/formats/wal.md#unreadable-segments).
// Thread-safety: WalWriter is not thread-safe (the store's writer lock guards it); the free
// functions are. Tested by wal_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_WAL_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_WAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/env.h"
#include "base/status.h"

namespace ariadne::embedded {

constexpr size_t kWalHeaderSize = 8;
constexpr uint32_t kWalMaxRecord = 512u << 20;

// Appends header + payload to *out.
void AppendWalRecord(std::string_view payload, std::string* out);

std::string WalSegmentName(uint64_t seq);
// Sequence numbers of the segments in dir, ascending (other files are ignored).
[[nodiscard]] StatusOr<std::vector<uint64_t>> ListWalSegments(Env* env, const std::string& dir);

struct WalReplayStats {
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t truncated_bytes = 0;  // dropped from torn or corrupt tails
};

// The valid records of one segment: payload i is data()[offset[i], offset[i] + size[i]).
// The segment's bytes are read into memory the struct owns (Env::ReadOnlyContents, never a
// mapping: a disk error on a mapped page would be SIGBUS later instead of a Status now).
struct WalSegmentRecords {
  std::unique_ptr<const FileContents> contents;
  std::vector<std::pair<size_t, uint32_t>> records;  // payload offset and size
  std::string_view data() const { return contents ? contents->data() : std::string_view(); }
  std::string_view payload(size_t i) const {
    return data().substr(records[i].first, records[i].second);
  }
};

// Reads a whole segment and checks its records. At the first invalid record the segment is
// truncated to the valid prefix (if truncate) and the rest is ignored. A segment that cannot be
// read (the disk's read error, IoError) is returned as that error and never truncated: its bytes
// may hold acknowledged records.
[[nodiscard]] Status ReadWalSegment(Env* env, const std::string& path, bool truncate,
                                    WalSegmentRecords* out, WalReplayStats* stats);

// Calls fn with each valid record's payload in order (ReadWalSegment, then fn per record).
[[nodiscard]] Status ReplayWalSegment(Env* env, const std::string& path, bool truncate,
                                      const std::function<void(std::string_view)>& fn,
                                      WalReplayStats* stats);

class WalWriter {
 public:
  WalWriter(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  // Starts a fresh segment numbered seq (its directory entry synced before any record goes in).
  [[nodiscard]] Status OpenSegment(uint64_t seq);
  [[nodiscard]] Status Append(std::string_view framed);
  [[nodiscard]] Status Sync();
  // Closes the current segment (best effort) and opens seq() + 1.
  [[nodiscard]] Status Rotate();
  uint64_t seq() const { return seq_; }
  uint64_t segment_bytes() const { return file_ ? file_->Size() : 0; }
  bool is_open() const { return file_ != nullptr; }
  void CloseSegment();

 private:
  Env* env_;
  std::string dir_;
  uint64_t seq_ = 0;
  std::unique_ptr<WritableFile> file_;
};

}  // namespace ariadne::embedded

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_WAL_H_
