// SpanPool: last in, first out; bounded; refuses rather than waits; no span lost or handed out
// twice under concurrent use (run under TSan by the tsan preset).
#include "sdk/src/span_pool.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ariadne/sdk/span_data.h"

namespace ariadne::sdk {
namespace {

SpanData* NewSpan() { return new SpanData(nullptr, nullptr); }

TEST(SpanPool, LastInFirstOut) {
  SpanPool pool(8);
  EXPECT_EQ(pool.Pop(), nullptr);
  SpanData* a = NewSpan();
  SpanData* b = NewSpan();
  SpanData* c = NewSpan();
  ASSERT_TRUE(pool.Push(a));
  SpanData* bc[] = {b, c};
  ASSERT_EQ(pool.PushMany(bc, 2), 2u);
  EXPECT_EQ(pool.Pop(), c);  // the span released last is reused first (warm in the caches)
  EXPECT_EQ(pool.Pop(), b);
  EXPECT_EQ(pool.Pop(), a);
  EXPECT_EQ(pool.Pop(), nullptr);
  delete a;
  delete b;
  delete c;
}

TEST(SpanPool, BoundedByItsCapacity) {
  SpanPool pool(3);
  std::vector<std::unique_ptr<SpanData>> owned;
  std::vector<SpanData*> raw;
  for (int i = 0; i < 5; ++i) {
    owned.emplace_back(NewSpan());
    raw.push_back(owned.back().get());
  }
  size_t taken = pool.PushMany(raw.data(), 2);
  EXPECT_EQ(taken, 2u);
  taken += pool.PushMany(raw.data() + 2, 3);  // room for one more
  EXPECT_EQ(taken, 3u);
  EXPECT_FALSE(pool.Push(raw[4]));  // full: the caller keeps it
  EXPECT_EQ(pool.SizeForTesting(), 3u);
  for (size_t i = 0; i < taken; ++i) (void)owned[i].release();  // the pool deletes those three
}

TEST(SpanPool, ConcurrentUseLosesNoSpanAndSharesNone) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 20000;
  SpanPool pool(64);
  std::atomic<int> created{0};
  std::atomic<int> deleted{0};
  std::atomic<bool> twice{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<SpanData*> mine;
      for (int i = 0; i < kRounds; ++i) {
        SpanData* s = pool.Pop();
        if (s == nullptr) {
          s = NewSpan();
          created.fetch_add(1);
        }
        // A span handed to two threads at once would see the other's mark here.
        if (s->dropped_links_count != 0) twice.store(true);
        s->dropped_links_count = static_cast<uint32_t>(t + 1);
        mine.push_back(s);
        if (mine.size() == 8 || i + 1 == kRounds) {
          for (SpanData* m : mine) m->dropped_links_count = 0;
          size_t k = (i & 1) ? pool.PushMany(mine.data(), mine.size()) : 0;
          for (size_t j = k; j < mine.size(); ++j) {
            if (!pool.Push(mine[j])) {
              delete mine[j];
              deleted.fetch_add(1);
            }
          }
          mine.clear();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(twice.load());
  EXPECT_EQ(static_cast<size_t>(created.load() - deleted.load()), pool.SizeForTesting());
  EXPECT_LE(pool.SizeForTesting(), 64u);
}

}  // namespace
}  // namespace ariadne::sdk
