#include "base/env.h"

#include <memory>

#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/mem_env.h"

namespace ariadne {
namespace {

// The same behaviour is expected from the POSIX Env and from MemEnv.
class EnvContractTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      env_ = Env::Default();
      char tmpl[] = "/tmp/ariadne_env_test_XXXXXX";
      ASSERT_NE(mkdtemp(tmpl), nullptr);
      root_ = tmpl;
    } else {
      mem_ = std::make_unique<MemEnv>();
      env_ = mem_.get();
      root_ = "/data";
      ASSERT_TRUE(env_->CreateDirs(root_).ok());
    }
  }
  void TearDown() override {
    if (GetParam()) {
      std::string cmd = "rm -rf " + root_;
      ASSERT_EQ(std::system(cmd.c_str()), 0);
    }
  }
  Env* env_ = nullptr;
  std::unique_ptr<MemEnv> mem_;
  std::string root_;
};

TEST_P(EnvContractTest, WriteReadAppendTruncate) {
  std::string path = JoinPath(root_, "a.log");
  {
    auto f = env_->NewWritableFile(path, WriteMode::kTruncate);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE((*f)->Append("hello ").ok());
    ASSERT_TRUE((*f)->Sync().ok());
    EXPECT_EQ((*f)->Size(), 6u);
    ASSERT_TRUE((*f)->Close().ok());
  }
  {
    auto f = env_->NewWritableFile(path, WriteMode::kAppend);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("world").ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  std::string data;
  ASSERT_TRUE(env_->ReadFileToString(path, &data).ok());
  EXPECT_EQ(data, "hello world");
  auto r = env_->NewRandomAccessFile(path);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->Read(6, 100, &data).ok());
  EXPECT_EQ(data, "world");
  ASSERT_TRUE(env_->TruncateFile(path, 5).ok());
  EXPECT_EQ(*env_->GetFileSize(path), 5u);
}

TEST_P(EnvContractTest, ReadOnlyContentsHoldTheWholeFile) {
  const std::string path = root_ + "/contents";
  std::string bytes(100'000, 'x');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(env_->WriteFileAtomically(path, bytes).ok());
  auto contents = env_->ReadOnlyContents(path);
  ASSERT_TRUE(contents.ok()) << contents.status().ToString();
  EXPECT_EQ((*contents)->data(), bytes);
  ASSERT_TRUE(env_->WriteFileAtomically(path + "0", "").ok());
  auto empty = env_->ReadOnlyContents(path + "0");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->data().empty());
  EXPECT_FALSE(env_->ReadOnlyContents(root_ + "/missing").ok());
}

// More than one of the POSIX Env's 16 MiB reads, ending mid-page.
TEST_P(EnvContractTest, ReadOnlyContentsOfAFileLargerThanOneReadHoldEveryByte) {
  const std::string path = root_ + "/large";
  std::string bytes((size_t{16} << 20) + 4097, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  ASSERT_TRUE(env_->WriteFileAtomically(path, bytes).ok());
  auto contents = env_->ReadOnlyContents(path);
  ASSERT_TRUE(contents.ok()) << contents.status().ToString();
  ASSERT_EQ((*contents)->data().size(), bytes.size());
  EXPECT_TRUE((*contents)->data() == bytes);
}

TEST_P(EnvContractTest, DirectoriesRenameAndRemove) {
  std::string dir = JoinPath(root_, "x/y");
  ASSERT_TRUE(env_->CreateDirs(dir).ok());
  ASSERT_TRUE(env_->CreateDirs(dir).ok());  // idempotent
  ASSERT_TRUE(env_->WriteFileAtomically(JoinPath(dir, "m"), "meta").ok());
  ASSERT_TRUE(env_->RenameFile(JoinPath(dir, "m"), JoinPath(dir, "n")).ok());
  auto children = env_->GetChildren(dir);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"n"});
  EXPECT_FALSE(env_->FileExists(JoinPath(dir, "m")));
  ASSERT_TRUE(env_->RemoveFile(JoinPath(dir, "n")).ok());
  ASSERT_TRUE(env_->RemoveDir(dir).ok());
  EXPECT_FALSE(env_->FileExists(dir));
  Status missing = env_->RemoveFile(JoinPath(dir, "n"));
  EXPECT_EQ(missing.code(), StatusCode::kIoError);
  auto free_space = env_->GetFreeSpace(root_);
  ASSERT_TRUE(free_space.ok());
  EXPECT_GT(*free_space, 0u);
}

INSTANTIATE_TEST_SUITE_P(PosixAndMem, EnvContractTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Posix" : "Mem";
                         });

// A file the kernel cannot read (here a directory: open succeeds, read fails with EISDIR) is an
// IoError from ReadOnlyContents, not a crash at a later access.
TEST(PosixEnvTest, ReadOnlyContentsOfAnUnreadableFileIsAnIoError) {
  char tmpl[] = "/tmp/ariadne_env_test_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  auto contents = Env::Default()->ReadOnlyContents(tmpl);
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), StatusCode::kIoError);
  EXPECT_NE(contents.status().message().find(tmpl), std::string_view::npos)
      << contents.status().ToString();
  ASSERT_TRUE(Env::Default()->RemoveDir(tmpl).ok());
}

class MemEnvFaultTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirs("/d").ok()); }
  std::unique_ptr<WritableFile> Open(const std::string& path) {
    auto f = env_.NewWritableFile(path, WriteMode::kAppend);
    EXPECT_TRUE(f.ok());
    return std::move(f).value();
  }
  MemEnv env_{7};
};

TEST_F(MemEnvFaultTest, CrashKeepsOnlySyncedBytesAndSyncedEntries) {
  auto f = Open("/d/wal");
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  ASSERT_TRUE(f->Append("durable").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("-lost").ok());
  auto g = Open("/d/never-synced-entry");
  ASSERT_TRUE(g->Append("x").ok());
  ASSERT_TRUE(g->Sync().ok());
  env_.SimulateCrash(/*torn=*/false);
  std::string data;
  ASSERT_TRUE(env_.ReadFileToString("/d/wal", &data).ok());
  EXPECT_EQ(data, "durable");
  EXPECT_FALSE(env_.FileExists("/d/never-synced-entry"));
}

TEST_F(MemEnvFaultTest, TornCrashKeepsAPrefixOfTheTail) {
  auto f = Open("/d/wal");
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  ASSERT_TRUE(f->Append("AAAA").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append(std::string(1000, 'B')).ok());
  env_.SimulateCrash(/*torn=*/true);
  std::string data;
  ASSERT_TRUE(env_.ReadFileToString("/d/wal", &data).ok());
  ASSERT_GE(data.size(), 4u);
  EXPECT_LE(data.size(), 1004u);
  EXPECT_EQ(data.substr(0, 4), "AAAA");
}

TEST_F(MemEnvFaultTest, SyncFailureIsReported) {
  auto f = Open("/d/wal");
  env_.SetSyncFailure(true);
  ASSERT_TRUE(f->Append("x").ok());
  Status s = f->Sync();
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(env_.SyncDir("/d").code(), StatusCode::kIoError);
  env_.SetSyncFailure(false);
  EXPECT_TRUE(f->Sync().ok());
}

TEST_F(MemEnvFaultTest, ReadFailureFailsEveryReadOfThatFileUntilHealed) {
  ASSERT_TRUE(env_.WriteFileAtomically("/d/bad", "bytes").ok());
  ASSERT_TRUE(env_.WriteFileAtomically("/d/good", "fine").ok());
  auto opened_before = env_.NewRandomAccessFile("/d/bad");
  ASSERT_TRUE(opened_before.ok());
  env_.SetReadFailure("/d/bad", true);
  std::string data;
  Status s = env_.ReadFileToString("/d/bad", &data);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("Input/output error"), std::string_view::npos) << s.ToString();
  EXPECT_EQ(env_.ReadOnlyContents("/d/bad").status().code(), StatusCode::kIoError);
  EXPECT_EQ((*opened_before)->Read(0, 5, &data).code(), StatusCode::kIoError);
  ASSERT_TRUE(env_.ReadFileToString("/d/good", &data).ok()) << "other files read";
  EXPECT_EQ(data, "fine");
  env_.SetReadFailure("/d/bad", false);
  ASSERT_TRUE(env_.ReadFileToString("/d/bad", &data).ok());
  EXPECT_EQ(data, "bytes");
}

TEST_F(MemEnvFaultTest, NoSpaceThenSpaceReturns) {
  auto f = Open("/d/wal");
  env_.SetCapacity(10);
  ASSERT_TRUE(f->Append("12345678").ok());
  Status s = f->Append("abcdef");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("No space left"), std::string_view::npos);
  EXPECT_EQ(*env_.GetFreeSpace("/d"), 0u);
  env_.SetCapacity(MemEnv::kUnlimited);
  EXPECT_TRUE(f->Append("abcdef").ok());
}

TEST_F(MemEnvFaultTest, CrashAfterStopsEveryLaterMutation) {
  auto f = Open("/d/wal");
  uint64_t before = env_.MutatingOps();
  env_.CrashAfter(2);
  EXPECT_TRUE(f->Append("a").ok());
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_FALSE(f->Append("b").ok());
  EXPECT_FALSE(env_.RenameFile("/d/wal", "/d/wal2").ok());
  EXPECT_EQ(env_.MutatingOps(), before + 2);
}

}  // namespace
}  // namespace ariadne
