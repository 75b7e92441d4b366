#include "server/storage/embedded/wal.h"

#include <cstdio>

#include <xxhash.h>

#include "server/storage/embedded/varint.h"

namespace ariadne::embedded {
namespace {

// Seeded with the length, so a corrupt length also fails the check.
uint32_t RecordChecksum(const char* length_bytes, std::string_view payload) {
  return static_cast<uint32_t>(
      XXH3_64bits_withSeed(payload.data(), payload.size(), GetFixed32(length_bytes)));
}

}  // namespace

void AppendWalRecord(std::string_view payload, std::string* out) {
  size_t at = out->size();
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  PutFixed32(out, RecordChecksum(out->data() + at, payload));
  out->append(payload);
}

std::string WalSegmentName(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu.wal", static_cast<unsigned long long>(seq));
  return buf;
}

StatusOr<std::vector<uint64_t>> ListWalSegments(Env* env, const std::string& dir) {
  auto children = env->GetChildren(dir);
  if (!children.ok()) return children.status();
  std::vector<uint64_t> seqs;
  for (const std::string& name : *children) {
    if (name.size() != 24 || name.substr(20) != ".wal") continue;
    uint64_t seq = 0;
    bool digits = true;
    for (size_t i = 0; i < 20; ++i) {
      if (name[i] < '0' || name[i] > '9') digits = false;
      seq = seq * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    if (digits) seqs.push_back(seq);
  }
  return seqs;  // GetChildren sorts, and fixed-width names sort numerically
}

Status ReadWalSegment(Env* env, const std::string& path, bool truncate, WalSegmentRecords* out,
                      WalReplayStats* stats) {
  out->records.clear();
  auto contents = env->ReadOnlyContents(path);
  if (!contents.ok()) return contents.status();
  out->contents = std::move(contents).value();
  const std::string_view data = out->data();
  size_t pos = 0;
  while (data.size() - pos >= kWalHeaderSize) {
    uint32_t len = GetFixed32(data.data() + pos);
    uint32_t sum = GetFixed32(data.data() + pos + 4);
    if (len == 0 || len > kWalMaxRecord || len > data.size() - pos - kWalHeaderSize) break;
    std::string_view payload(data.data() + pos + kWalHeaderSize, len);
    if (RecordChecksum(data.data() + pos, payload) != sum) break;
    out->records.emplace_back(pos + kWalHeaderSize, len);
    ++stats->records;
    stats->bytes += kWalHeaderSize + len;
    pos += kWalHeaderSize + len;
  }
  if (pos < data.size()) {
    stats->truncated_bytes += data.size() - pos;
    if (truncate) {
      if (Status s = env->TruncateFile(path, pos); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status ReplayWalSegment(Env* env, const std::string& path, bool truncate,
                        const std::function<void(std::string_view)>& fn, WalReplayStats* stats) {
  WalSegmentRecords segment;
  if (Status s = ReadWalSegment(env, path, truncate, &segment, stats); !s.ok()) return s;
  for (size_t i = 0; i < segment.records.size(); ++i) fn(segment.payload(i));
  return Status::Ok();
}

Status WalWriter::OpenSegment(uint64_t seq) {
  CloseSegment();
  if (Status s = env_->CreateDirs(dir_); !s.ok()) return s;
  auto file = env_->NewWritableFile(JoinPath(dir_, WalSegmentName(seq)), WriteMode::kTruncate);
  if (!file.ok()) return file.status();
  if (Status s = env_->SyncDir(dir_); !s.ok()) return s;
  file_ = std::move(file).value();
  seq_ = seq;
  return Status::Ok();
}

Status WalWriter::Append(std::string_view framed) {
  if (!file_) return Status::Unavailable("no open WAL segment");
  return file_->Append(framed);
}

Status WalWriter::Sync() {
  if (!file_) return Status::Unavailable("no open WAL segment");
  return file_->Sync();
}

Status WalWriter::Rotate() { return OpenSegment(seq_ + 1); }

void WalWriter::CloseSegment() {
  if (file_) file_->Close().IgnoreError();
  file_.reset();
}

}  // namespace ariadne::embedded
