#include "base/mem_env.h"

#include <algorithm>
#include <cerrno>

namespace ariadne {

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemEnv* env, std::string path, MemEnv::FilePtr file)
      : env_(env), path_(std::move(path)), file_(std::move(file)) {}
  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return env_->AppendLocked(file_, data, path_);
  }
  Status Sync() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return env_->SyncLocked(file_, path_);
  }
  Status Close() override { return Status::Ok(); }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return file_->bytes.size();
  }

 private:
  MemEnv* env_;
  std::string path_;
  MemEnv::FilePtr file_;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(const MemEnv* env, std::string path, std::string snapshot)
      : env_(env), path_(std::move(path)), bytes_(std::move(snapshot)) {}
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->clear();
    if (env_->ReadFails(path_)) return Status::FromErrno("pread " + path_, EIO);
    if (offset < bytes_.size()) out->assign(bytes_, static_cast<size_t>(offset), n);
    return Status::Ok();
  }
  uint64_t Size() const override { return bytes_.size(); }

 private:
  const MemEnv* env_;
  std::string path_;
  std::string bytes_;  // Readers see the file as it was when opened.
};

MemEnv::MemEnv(uint32_t seed) : rng_(seed) { dirs_.insert("/"); }
MemEnv::~MemEnv() = default;

void MemEnv::SetSyncFailure(bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_failure_ = fail;
}

void MemEnv::SetCapacity(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = bytes;
}

void MemEnv::CrashAfter(uint64_t ops) {
  std::lock_guard<std::mutex> lock(mu_);
  crash_after_ = ops == kUnlimited ? kUnlimited : ops_ + ops;
}

void MemEnv::SetReadFailure(const std::string& path, bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail) {
    unreadable_.insert(path);
  } else {
    unreadable_.erase(path);
  }
}

bool MemEnv::ReadFails(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  return unreadable_.count(path) > 0;
}

uint64_t MemEnv::MutatingOps() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ops_;
}

uint64_t MemEnv::TotalBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return TotalBytesLocked();
}

uint64_t MemEnv::TotalBytesLocked() const {
  uint64_t total = 0;
  for (const auto& [name, f] : files_) total += f->bytes.size();
  return total;
}

Status MemEnv::BeginMutation(const std::string& what) {
  if (ops_ >= crash_after_) return Status::IoError("simulated crash before " + what);
  ++ops_;
  return Status::Ok();
}

Status MemEnv::AppendLocked(const FilePtr& file, std::string_view data, const std::string& path) {
  ARIADNE_RETURN_IF_ERROR(BeginMutation("append " + path));
  if (capacity_ != kUnlimited && TotalBytesLocked() + data.size() > capacity_) {
    // A real disk may take part of the write before it runs out; so do we.
    uint64_t room = capacity_ > TotalBytesLocked() ? capacity_ - TotalBytesLocked() : 0;
    file->bytes.append(data.substr(0, static_cast<size_t>(room)));
    return Status::FromErrno("write " + path, ENOSPC);
  }
  file->bytes.append(data);
  return Status::Ok();
}

Status MemEnv::SyncLocked(const FilePtr& file, const std::string& path) {
  ARIADNE_RETURN_IF_ERROR(BeginMutation("sync " + path));
  if (sync_failure_) return Status::FromErrno("fdatasync " + path, EIO);
  file->synced = file->bytes.size();
  return Status::Ok();
}

void MemEnv::SimulateCrash(bool torn) {
  std::lock_guard<std::mutex> lock(mu_);
  // Directory entries revert to their last synced state; file contents to their synced bytes.
  files_ = durable_files_;
  for (auto& [name, f] : files_) {
    size_t tail = f->bytes.size() - std::min(f->synced, f->bytes.size());
    size_t keep = 0;
    if (torn && tail > 0) keep = std::uniform_int_distribution<size_t>(0, tail)(rng_);
    f->bytes.resize(f->synced + keep);
    if (torn && keep > 0 && (rng_() & 1)) f->bytes.back() ^= 0x5a;  // a garbled last byte
    f->synced = f->bytes.size();
  }
  sync_failure_ = false;
  capacity_ = kUnlimited;
  crash_after_ = kUnlimited;
}

StatusOr<std::unique_ptr<WritableFile>> MemEnv::NewWritableFile(const std::string& path,
                                                                WriteMode mode) {
  std::lock_guard<std::mutex> lock(mu_);
  ARIADNE_RETURN_IF_ERROR(BeginMutation("open " + path));
  if (dirs_.count(DirName(path)) == 0) return Status::FromErrno("open " + path, ENOENT);
  FilePtr& slot = files_[path];
  if (!slot || mode == WriteMode::kTruncate) {
    // A fresh inode: the durable namespace keeps pointing at the old one until SyncDir.
    slot = std::make_shared<FileData>();
  }
  return std::unique_ptr<WritableFile>(new MemWritableFile(this, path, slot));
}

StatusOr<std::unique_ptr<RandomAccessFile>> MemEnv::NewRandomAccessFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::FromErrno("open " + path, ENOENT);
  return std::unique_ptr<RandomAccessFile>(new MemRandomAccessFile(this, path, it->second->bytes));
}

bool MemEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) > 0 || dirs_.count(path) > 0;
}

StatusOr<std::vector<std::string>> MemEnv::GetChildren(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dirs_.count(dir) == 0) return Status::FromErrno("opendir " + dir, ENOENT);
  std::vector<std::string> out;
  std::string prefix = dir == "/" ? "/" : dir + "/";
  auto collect = [&](const std::string& p) {
    if (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
        p.find('/', prefix.size()) == std::string::npos) {
      out.push_back(p.substr(prefix.size()));
    }
  };
  for (const auto& [p, f] : files_) collect(p);
  for (const auto& d : dirs_) collect(d);
  std::sort(out.begin(), out.end());
  return out;
}

Status MemEnv::CreateDirs(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  ARIADNE_RETURN_IF_ERROR(BeginMutation("mkdir " + dir));
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') dirs_.insert(dir.substr(0, i));
  }
  return Status::Ok();
}

Status MemEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  ARIADNE_RETURN_IF_ERROR(BeginMutation("unlink " + path));
  if (files_.erase(path) == 0) return Status::FromErrno("unlink " + path, ENOENT);
  return Status::Ok();
}

Status MemEnv::RemoveDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  ARIADNE_RETURN_IF_ERROR(BeginMutation("rmdir " + dir));
  if (dirs_.erase(dir) == 0) return Status::FromErrno("rmdir " + dir, ENOENT);
  return Status::Ok();
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  ARIADNE_RETURN_IF_ERROR(BeginMutation("rename " + from));
  auto it = files_.find(from);
  if (it == files_.end()) return Status::FromErrno("rename " + from, ENOENT);
  FilePtr f = it->second;
  files_.erase(it);
  files_[to] = std::move(f);
  return Status::Ok();
}

StatusOr<uint64_t> MemEnv::GetFileSize(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::FromErrno("stat " + path, ENOENT);
  return static_cast<uint64_t>(it->second->bytes.size());
}

Status MemEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  ARIADNE_RETURN_IF_ERROR(BeginMutation("truncate " + path));
  auto it = files_.find(path);
  if (it == files_.end()) return Status::FromErrno("truncate " + path, ENOENT);
  FileData& f = *it->second;
  f.bytes.resize(static_cast<size_t>(size));
  f.synced = std::min(f.synced, f.bytes.size());
  return Status::Ok();
}

Status MemEnv::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  ARIADNE_RETURN_IF_ERROR(BeginMutation("fsync " + dir));
  if (sync_failure_) return Status::FromErrno("fsync " + dir, EIO);
  std::string prefix = dir == "/" ? "/" : dir + "/";
  auto in_dir = [&](const std::string& p) {
    return p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
           p.find('/', prefix.size()) == std::string::npos;
  };
  for (auto it = durable_files_.begin(); it != durable_files_.end();) {
    it = in_dir(it->first) ? durable_files_.erase(it) : std::next(it);
  }
  for (const auto& [p, f] : files_) {
    if (in_dir(p)) durable_files_[p] = f;
  }
  return Status::Ok();
}

StatusOr<uint64_t> MemEnv::GetFreeSpace(const std::string& /*path*/) {
  std::lock_guard<std::mutex> lock(mu_);
  if (capacity_ == kUnlimited) return uint64_t{1} << 50;
  uint64_t used = TotalBytesLocked();
  return capacity_ > used ? capacity_ - used : 0;
}

}  // namespace ariadne
