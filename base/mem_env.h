// MemEnv: an in-memory Env that fails the way disks fail, for recovery tests.
//
// Files live in a map; each remembers how many of its bytes are synced. Faults are switched on
// by the test:
//   - SetSyncFailure(true): Sync() and SyncDir() return IoError (the fsync-failure case).
//   - SetCapacity(bytes): appends beyond the total capacity fail with ENOSPC; GetFreeSpace tells
//     what is left. SetCapacity(kUnlimited) lifts it ("space returns").
//   - CrashAfter(n): the next n mutating operations succeed, then every mutating operation fails
//     as if the process had died between two file operations. Count operations with
//     MutatingOps() to enumerate every crash point.
//   - SetReadFailure(path, true): every read of that file (RandomAccessFile::Read, hence
//     ReadFileToString and ReadOnlyContents) fails with EIO, as a disk with an unreadable sector
//     does; SetReadFailure(path, false) heals it. Files opened before still see the switch.
//   - SimulateCrash(torn): what a power cut leaves. Each file keeps its synced bytes; unsynced
//     tails are dropped, or with torn=true a random prefix of each tail survives, possibly with
//     its last bytes garbled. Directory changes not followed by SyncDir are undone. Then all
//     faults are cleared so recovery can run.
// Thread-safe (one mutex). Tested by env_test.cc.
#ifndef ARIADNE_BASE_MEM_ENV_H_
#define ARIADNE_BASE_MEM_ENV_H_

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include "base/env.h"

namespace ariadne {

class MemEnv final : public Env {
 public:
  static constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

  explicit MemEnv(uint32_t seed = 1);
  ~MemEnv() override;

  void SetSyncFailure(bool fail);
  void SetCapacity(uint64_t bytes);
  void SetReadFailure(const std::string& path, bool fail);
  void CrashAfter(uint64_t ops);
  uint64_t MutatingOps() const;
  void SimulateCrash(bool torn);
  // Total bytes of all files.
  uint64_t TotalBytes() const;

  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                          WriteMode mode) override;
  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  StatusOr<uint64_t> GetFileSize(const std::string& path) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  StatusOr<uint64_t> GetFreeSpace(const std::string& path) override;

 private:
  friend class MemWritableFile;
  friend class MemRandomAccessFile;
  struct FileData {
    std::string bytes;
    size_t synced = 0;
  };
  using FilePtr = std::shared_ptr<FileData>;

  // Counts a mutating operation; returns an error once the crash point has passed.
  Status BeginMutation(const std::string& what);
  Status AppendLocked(const FilePtr& file, std::string_view data, const std::string& path);
  Status SyncLocked(const FilePtr& file, const std::string& path);
  uint64_t TotalBytesLocked() const;
  bool ReadFails(const std::string& path) const;

  mutable std::mutex mu_;
  std::map<std::string, FilePtr> files_;          // live namespace
  std::map<std::string, FilePtr> durable_files_;  // namespace as of the last SyncDir per dir
  std::set<std::string> dirs_;
  std::set<std::string> unreadable_;  // paths whose reads fail (SetReadFailure)
  bool sync_failure_ = false;
  uint64_t capacity_ = kUnlimited;
  uint64_t ops_ = 0;
  uint64_t crash_after_ = kUnlimited;
  std::mt19937 rng_;
};

}  // namespace ariadne

#endif  // ARIADNE_BASE_MEM_ENV_H_
