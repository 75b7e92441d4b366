#include "server/storage/embedded/head_index.h"

#include <map>
#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace ariadne::embedded {
namespace {

TraceId Id(uint64_t high, uint64_t low) { return TraceId::FromHighLow(high, low); }

std::vector<std::pair<uint32_t, uint32_t>> RowsOf(const HeadIndex& index, const TraceId& id) {
  std::vector<std::pair<uint32_t, uint32_t>> rows;
  index.ForEachRow(id, [&](HeadIndex::Row r) { rows.emplace_back(r.batch, r.row); });
  return rows;
}

TEST(HeadIndex, EmptyIndexFindsNothing) {
  HeadIndex index;
  EXPECT_FALSE(index.Contains(Id(1, 2)));
  EXPECT_TRUE(RowsOf(index, Id(1, 2)).empty());
  HeadIndex::Row row{};
  EXPECT_FALSE(index.FirstRowOf(Id(1, 2), &row));
  EXPECT_EQ(index.traces(), 0u);
}

TEST(HeadIndex, RowsComeBackPerTraceInInsertionOrder) {
  HeadIndex index;
  EXPECT_TRUE(index.Add(Id(0, 1), 0, 0));
  EXPECT_TRUE(index.Add(Id(0, 2), 0, 1));
  EXPECT_FALSE(index.Add(Id(0, 1), 0, 2));
  EXPECT_FALSE(index.Add(Id(0, 1), 3, 7));
  EXPECT_EQ(RowsOf(index, Id(0, 1)),
            (std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}, {0, 2}, {3, 7}}));
  EXPECT_EQ(RowsOf(index, Id(0, 2)), (std::vector<std::pair<uint32_t, uint32_t>>{{0, 1}}));
  HeadIndex::Row first{};
  ASSERT_TRUE(index.FirstRowOf(Id(0, 1), &first));
  EXPECT_EQ(first.batch, 0u);
  EXPECT_EQ(first.row, 0u);
  EXPECT_EQ(index.traces(), 2u);
  EXPECT_EQ(index.rows(), 4u);
}

// Runs of rows (the WAL replay's undecoded records) keep the trace's latest start.
TEST(HeadIndex, RunsAddTheirRowsAndKeepTheLatestStart) {
  HeadIndex index;
  EXPECT_TRUE(index.AddRun(Id(0, 1), 0, 2, 3, 500));
  EXPECT_FALSE(index.Add(Id(0, 1), 1, 0));
  EXPECT_FALSE(index.AddRun(Id(0, 1), 4, 0, 1, 200));
  EXPECT_TRUE(index.AddRun(Id(0, 2), 4, 1, 2, 900));
  EXPECT_EQ(RowsOf(index, Id(0, 1)),
            (std::vector<std::pair<uint32_t, uint32_t>>{{0, 2}, {0, 3}, {0, 4}, {1, 0}, {4, 0}}));
  EXPECT_EQ(RowsOf(index, Id(0, 2)), (std::vector<std::pair<uint32_t, uint32_t>>{{4, 1}, {4, 2}}));
  EXPECT_EQ(index.MaxStartOf(Id(0, 1)), 500u) << "the largest, not the last";
  EXPECT_EQ(index.MaxStartOf(Id(0, 2)), 900u);
  EXPECT_EQ(index.MaxStartOf(Id(0, 3)), 0u);
  EXPECT_EQ(index.traces(), 2u);
  EXPECT_EQ(index.rows(), 7u);
}

// Many traces through several rehashes, checked against a std::map model.
TEST(HeadIndex, MatchesAMapThroughGrowth) {
  std::mt19937_64 rng(7);
  HeadIndex index;
  std::map<TraceId, std::vector<std::pair<uint32_t, uint32_t>>> model;
  std::vector<TraceId> ids;
  for (uint32_t i = 0; i < 20000; ++i) {
    TraceId id;
    if (ids.empty() || rng() % 3 == 0) {
      id = Id(rng(), rng());
      ids.push_back(id);
    } else {
      id = ids[rng() % ids.size()];
    }
    const bool fresh = model.count(id) == 0;
    EXPECT_EQ(index.Add(id, i / 100, i % 100), fresh);
    model[id].emplace_back(i / 100, i % 100);
  }
  EXPECT_EQ(index.traces(), model.size());
  for (const auto& [id, rows] : model) ASSERT_EQ(RowsOf(index, id), rows);
  std::set<TraceId> seen;
  index.ForEachTrace([&](const TraceId& id) { EXPECT_TRUE(seen.insert(id).second); });
  EXPECT_EQ(seen.size(), model.size());
  EXPECT_FALSE(index.Contains(Id(12345, 678)));
}

// Ids that agree in their low 8 bytes (what the store's unseeded IdHash uses) still spread.
TEST(HeadIndex, IdsSharingTheirLowBytesStayDistinct) {
  HeadIndex index;
  index.Reserve(4096, 4096);
  for (uint64_t i = 1; i <= 4096; ++i) EXPECT_TRUE(index.Add(Id(i, 42), 0, 0));
  for (uint64_t i = 1; i <= 4096; ++i) EXPECT_TRUE(index.Contains(Id(i, 42)));
  EXPECT_FALSE(index.Contains(Id(5000, 42)));
  EXPECT_EQ(index.traces(), 4096u);
}

}  // namespace
}  // namespace ariadne::embedded
