#include "server/storage/embedded/wal.h"

#include <gtest/gtest.h>

#include "base/mem_env.h"

namespace ariadne::embedded {
namespace {

std::vector<std::string> ReplayAll(Env* env, const std::string& path, WalReplayStats* stats) {
  std::vector<std::string> out;
  Status s = ReplayWalSegment(
      env, path, true, [&](std::string_view p) { out.emplace_back(p); }, stats);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::string WriteSegment(MemEnv* env, const std::vector<std::string>& payloads) {
  WalWriter w(env, "/d/wal");
  EXPECT_TRUE(w.OpenSegment(1).ok());
  for (const std::string& p : payloads) {
    std::string framed;
    AppendWalRecord(p, &framed);
    EXPECT_TRUE(w.Append(framed).ok());
  }
  EXPECT_TRUE(w.Sync().ok());
  w.CloseSegment();
  return JoinPath("/d/wal", WalSegmentName(1));
}

TEST(Wal, RecordsRoundTripInOrder) {
  MemEnv env;
  std::vector<std::string> payloads = {"a", std::string(100000, 'x'), "hello"};
  std::string path = WriteSegment(&env, payloads);
  WalReplayStats stats;
  EXPECT_EQ(ReplayAll(&env, path, &stats), payloads);
  EXPECT_EQ(stats.records, 3u);
  EXPECT_EQ(stats.truncated_bytes, 0u);
}

TEST(Wal, TornTailIsTruncatedToTheLastValidRecord) {
  MemEnv env;
  std::string path = WriteSegment(&env, {"first", "second", "third"});
  uint64_t size = *env.GetFileSize(path);
  for (uint64_t cut = 1; cut < 5 + kWalHeaderSize; ++cut) {
    MemEnv e2;
    std::string p2 = WriteSegment(&e2, {"first", "second", "third"});
    ASSERT_TRUE(e2.TruncateFile(p2, size - cut).ok());
    WalReplayStats stats;
    EXPECT_EQ(ReplayAll(&e2, p2, &stats), (std::vector<std::string>{"first", "second"}));
    EXPECT_EQ(*e2.GetFileSize(p2), size - 5 - kWalHeaderSize) << "truncated to a record end";
  }
}

// A read error is not a torn tail: the segment may hold acknowledged records, so it is reported
// and left as it is (not truncated), and it replays in full once it reads again.
TEST(Wal, UnreadableSegmentIsAnErrorAndIsNotTruncated) {
  MemEnv env;
  std::string path = WriteSegment(&env, {"first", "second"});
  const uint64_t size = *env.GetFileSize(path);
  env.SetReadFailure(path, true);
  WalSegmentRecords segment;
  WalReplayStats stats;
  Status s = ReadWalSegment(&env, path, /*truncate=*/true, &segment, &stats);
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_TRUE(segment.records.empty());
  EXPECT_EQ(stats.records, 0u);
  EXPECT_EQ(stats.truncated_bytes, 0u);
  EXPECT_EQ(*env.GetFileSize(path), size);
  env.SetReadFailure(path, false);
  EXPECT_EQ(ReplayAll(&env, path, &stats), (std::vector<std::string>{"first", "second"}));
}

TEST(Wal, CorruptChecksumStopsReplayThere) {
  MemEnv env;
  std::string path = WriteSegment(&env, {"first", "second", "third"});
  std::string data;
  ASSERT_TRUE(env.ReadFileToString(path, &data).ok());
  data[kWalHeaderSize + 5 + kWalHeaderSize + 2] ^= 0x40;  // inside "second"
  ASSERT_TRUE(env.WriteFileAtomically(path, data).ok());
  WalReplayStats stats;
  EXPECT_EQ(ReplayAll(&env, path, &stats), (std::vector<std::string>{"first"}));
  EXPECT_GT(stats.truncated_bytes, 0u);
  EXPECT_EQ(*env.GetFileSize(path), kWalHeaderSize + 5);
}

TEST(Wal, CorruptLengthIsDetected) {
  MemEnv env;
  std::string path = WriteSegment(&env, {"first", "second"});
  std::string data;
  ASSERT_TRUE(env.ReadFileToString(path, &data).ok());
  data[kWalHeaderSize + 5] = 3;  // second record's length: 6 -> 3
  ASSERT_TRUE(env.WriteFileAtomically(path, data).ok());
  WalReplayStats stats;
  EXPECT_EQ(ReplayAll(&env, path, &stats), (std::vector<std::string>{"first"}));
}

TEST(Wal, RotationNumbersSegmentsInOrder) {
  MemEnv env;
  WalWriter w(&env, "/d/wal");
  ASSERT_TRUE(w.OpenSegment(7).ok());
  std::string framed;
  AppendWalRecord("x", &framed);
  ASSERT_TRUE(w.Append(framed).ok());
  ASSERT_TRUE(w.Rotate().ok());
  ASSERT_TRUE(w.Append(framed).ok());
  ASSERT_TRUE(w.Rotate().ok());
  EXPECT_EQ(w.seq(), 9u);
  auto seqs = ListWalSegments(&env, "/d/wal");
  ASSERT_TRUE(seqs.ok());
  EXPECT_EQ(*seqs, (std::vector<uint64_t>{7, 8, 9}));
}

TEST(Wal, NewSegmentSurvivesACrashBeforeAnyWrite) {
  MemEnv env;
  WalWriter w(&env, "/d/wal");
  ASSERT_TRUE(w.OpenSegment(1).ok());
  std::string framed;
  AppendWalRecord("durable", &framed);
  ASSERT_TRUE(w.Append(framed).ok());
  ASSERT_TRUE(w.Sync().ok());
  env.SimulateCrash(false);
  WalReplayStats stats;
  EXPECT_EQ(ReplayAll(&env, JoinPath("/d/wal", WalSegmentName(1)), &stats),
            (std::vector<std::string>{"durable"}));
}

}  // namespace
}  // namespace ariadne::embedded
