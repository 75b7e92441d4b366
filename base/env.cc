#include "base/env.h"

namespace ariadne {

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

namespace {

class StringContents final : public FileContents {
 public:
  std::string_view data() const override { return bytes_; }
  std::string bytes_;
};

}  // namespace

StatusOr<std::unique_ptr<const FileContents>> Env::ReadOnlyContents(const std::string& path) {
  auto contents = std::make_unique<StringContents>();
  ARIADNE_RETURN_IF_ERROR(ReadFileToString(path, &contents->bytes_));
  return std::unique_ptr<const FileContents>(std::move(contents));
}

Status Env::ReadFileToString(const std::string& path, std::string* out) {
  ARIADNE_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, NewRandomAccessFile(path));
  return file->Read(0, file->Size(), out);
}

Status Env::WriteFileAtomically(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  {
    ARIADNE_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                             NewWritableFile(tmp, WriteMode::kTruncate));
    Status s = file->Append(data);
    if (s.ok()) s = file->Sync();
    Status c = file->Close();
    if (s.ok()) s = c;
    if (!s.ok()) {
      RemoveFile(tmp).IgnoreError();  // best effort: the error that matters is s
      return s;
    }
  }
  ARIADNE_RETURN_IF_ERROR(RenameFile(tmp, path));
  return SyncDir(DirName(path));
}

}  // namespace ariadne
