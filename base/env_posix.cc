// The POSIX Env: plain file descriptors, pread for random access and for whole files
// (ReadOnlyContents copies into owned memory; no file is ever mapped, so a disk read error is an
// IoError from a call, never a SIGBUS on a later memory access), fdatasync for Sync.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/env.h"

namespace ariadne {
namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("write " + path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Status::FromErrno("fdatasync " + path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Status::FromErrno("close " + path_, errno);
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

// Opens path with flags (O_CLOEXEC added) and sets *size to its size; the caller closes the
// descriptor.
StatusOr<int> OpenWithSize(const std::string& path, int flags, uint64_t* size) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno("fstat " + path, err);
  }
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

// A file's bytes in anonymous memory this object owns (see Env::ReadOnlyContents for why not a
// mapping of the file). The memory comes from mmap, not new[]: nothing is zero-filled in user
// space, transparent huge pages can back it (one fault per 2 MiB instead of per 4 KiB, which is
// most of the cost on this kind of VM), and it is made read-only once filled.
class OwnedContents final : public FileContents {
 public:
  OwnedContents() = default;
  ~OwnedContents() override {
    if (map_ != nullptr) ::munmap(map_, capacity_);
  }
  // Reads path's size bytes (as fstat saw them; fewer if the file shrank meanwhile) from fd.
  Status Fill(const std::string& path, int fd, uint64_t size) {
    if (size == 0) return Status::Ok();
    if (size > SIZE_MAX) return Status::IoError("file too large to read into memory: " + path);
    void* map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) return Status::FromErrno("mmap (anonymous) for " + path, errno);
    map_ = static_cast<char*>(map);
    capacity_ = static_cast<size_t>(size);
    ::madvise(map_, capacity_, MADV_HUGEPAGE);  // advice only: fine if refused
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    while (size_ < capacity_) {
      const size_t want = std::min(capacity_ - size_, kReadChunk);
      ssize_t r = ::pread(fd, map_ + size_, want, static_cast<off_t>(size_));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("pread " + path + " at offset " + std::to_string(size_), errno);
      }
      if (r == 0) break;  // the file shrank after fstat: keep what is there
      size_ += static_cast<size_t>(r);
    }
    ::mprotect(map_, capacity_, PROT_READ);  // a stray write now faults instead of corrupting
    return Status::Ok();
  }
  std::string_view data() const override { return std::string_view(map_, size_); }

 private:
  // Bytes per pread: large enough that syscalls cost nothing next to the copy.
  static constexpr size_t kReadChunk = size_t{16} << 20;
  char* map_ = nullptr;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->clear();
    if (offset >= size_) return Status::Ok();
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("pread " + path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixEnv final : public Env {
 public:
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                          WriteMode mode) override {
    const int flags = O_WRONLY | O_CREAT | (mode == WriteMode::kAppend ? O_APPEND : O_TRUNC);
    uint64_t size = 0;
    StatusOr<int> fd = OpenWithSize(path, flags, &size);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, *fd, size));
  }

  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    uint64_t size = 0;
    StatusOr<int> fd = OpenWithSize(path, O_RDONLY, &size);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, *fd, size));
  }

  StatusOr<std::unique_ptr<const FileContents>> ReadOnlyContents(const std::string& path) override {
    uint64_t size = 0;
    StatusOr<int> fd = OpenWithSize(path, O_RDONLY, &size);
    if (!fd.ok()) return fd.status();
    auto contents = std::make_unique<OwnedContents>();
    Status s = contents->Fill(path, *fd, size);
    ::close(*fd);
    if (!s.ok()) return s;
    return std::unique_ptr<const FileContents>(std::move(contents));
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return Status::FromErrno("opendir " + dir, errno);
    std::vector<std::string> out;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name != "." && name != "..") out.emplace_back(name);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
  }

  Status CreateDirs(const std::string& dir) override {
    if (dir.empty()) return Status::InvalidArgument("empty directory name");
    for (size_t i = 1; i <= dir.size(); ++i) {
      if (i != dir.size() && dir[i] != '/') continue;
      std::string prefix = dir.substr(0, i);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        return Status::FromErrno("mkdir " + prefix, errno);
      }
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::IoError("not a directory: " + dir);
    }
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::FromErrno("unlink " + path, errno);
    return Status::Ok();
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return Status::FromErrno("rmdir " + dir, errno);
    return Status::Ok();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return Status::FromErrno("rename " + from + " to " + to, errno);
    }
    return Status::Ok();
  }

  StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno("stat " + path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return Status::FromErrno("truncate " + path, errno);
    }
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open " + dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return Status::FromErrno("fsync " + dir, err);
    return Status::Ok();
  }

  StatusOr<uint64_t> GetFreeSpace(const std::string& path) override {
    struct statvfs vfs {};
    if (::statvfs(path.c_str(), &vfs) != 0) return Status::FromErrno("statvfs " + path, errno);
    return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

}  // namespace ariadne
