// Env: the file system as Ariadne's storage sees it, behind an interface (after leveldb's Env).
//
// Storage code never calls the operating system directly: it asks an Env. Env::Default() is the
// POSIX one; MemEnv (mem_env.h) keeps files in memory and injects the faults a disk can produce
// (torn writes, fsync failures, ENOSPC, a crash between any two operations), so recovery code is
// tested without a real disk. Every method is thread-safe; a single WritableFile is not.
//
// Durability contract, as on Linux: data appended to a WritableFile survives a crash only after
// Sync(); a created, renamed or removed directory entry survives only after SyncDir() on its
// directory. Tested by env_test.cc against both implementations.
#ifndef ARIADNE_BASE_ENV_H_
#define ARIADNE_BASE_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ariadne {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  [[nodiscard]] virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  [[nodiscard]] virtual Status Sync() = 0;
  [[nodiscard]] virtual Status Close() = 0;
  // Bytes in the file, including what is not yet synced.
  virtual uint64_t Size() const = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into *out (replacing its contents). Fewer bytes only at the end
  // of the file. Safe to call from several threads at once.
  [[nodiscard]] virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual uint64_t Size() const = 0;
};

// A whole file's bytes, read-only, valid while the object lives.
class FileContents {
 public:
  virtual ~FileContents() = default;
  virtual std::string_view data() const = 0;
};

enum class WriteMode : uint8_t { kTruncate, kAppend };

class Env {
 public:
  virtual ~Env() = default;
  // The process-wide POSIX implementation. Never destroyed.
  static Env* Default();

  [[nodiscard]] virtual StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path, WriteMode mode) = 0;
  [[nodiscard]] virtual StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries in dir, without "." and "..", sorted.
  [[nodiscard]] virtual StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
  // Creates dir and its missing parents; succeeds if it exists.
  [[nodiscard]] virtual Status CreateDirs(const std::string& dir) = 0;
  [[nodiscard]] virtual Status RemoveFile(const std::string& path) = 0;
  // Removes an empty directory.
  [[nodiscard]] virtual Status RemoveDir(const std::string& dir) = 0;
  // Atomically replaces `to` with `from`.
  [[nodiscard]] virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  [[nodiscard]] virtual StatusOr<uint64_t> GetFileSize(const std::string& path) = 0;
  [[nodiscard]] virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Makes the directory's entries (creations, renames, removals) durable.
  [[nodiscard]] virtual Status SyncDir(const std::string& dir) = 0;
  // Bytes available to an unprivileged writer on the file system holding path.
  [[nodiscard]] virtual StatusOr<uint64_t> GetFreeSpace(const std::string& path) = 0;

  // The whole file, read now into memory the returned object owns (read-only from then on).
  // A read error is an IoError returned here. Deliberately not a mapping of the file: a mapped
  // page the kernel dropped under memory pressure is read again on the next access, and if the
  // disk fails that read the process gets SIGBUS, with no Status anywhere. The POSIX Env reads
  // with large preads into anonymous memory backed by transparent huge pages where the kernel
  // allows (docs/performance.md, "Restart: WAL segments read, not mapped"); the default reads into
  // a string. If the file shrinks while it is read, the contents end where the file ended.
  [[nodiscard]] virtual StatusOr<std::unique_ptr<const FileContents>> ReadOnlyContents(
      const std::string& path);

  // Conveniences built on the primitives above.
  [[nodiscard]] Status ReadFileToString(const std::string& path, std::string* out);
  // Writes a whole file durably: temp file, sync, rename over path, sync the directory.
  [[nodiscard]] Status WriteFileAtomically(const std::string& path, std::string_view data);
};

// "a/b" + "c" -> "a/b/c".
std::string JoinPath(std::string_view dir, std::string_view name);
// "a/b/c" -> "a/b"; "c" -> ".".
std::string DirName(std::string_view path);

}  // namespace ariadne

#endif  // ARIADNE_BASE_ENV_H_
