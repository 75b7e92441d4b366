// IngestGate: runs inline while a slot is free, queues in FIFO order when not, refuses when the
// queue is full or a request waited too long, and runs everything it queued before it is
// destroyed.
#include "server/pipeline/ingest_gate.h"

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace ariadne {
namespace {

using Outcome = IngestGate::Outcome;

TEST(IngestGateTest, RunsOnTheCallersThreadWhileASlotIsFree) {
  IngestGate gate({.max_concurrent = 2, .run_inline = true});
  std::thread::id ran_on;
  Outcome got = Outcome::kQueueFull;
  gate.Enter([&](Outcome o) {
    got = o;
    ran_on = std::this_thread::get_id();
    gate.Leave();
  });
  EXPECT_EQ(got, Outcome::kRun);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(gate.active(), 0u);
  EXPECT_EQ(gate.queued_total(), 0u);
}

TEST(IngestGateTest, HandsOverToAWorkerWithoutRunInline) {
  IngestGate gate({.max_concurrent = 2});
  std::promise<std::thread::id> ran_on;
  gate.Enter([&](Outcome o) {
    EXPECT_EQ(o, Outcome::kRun);
    ran_on.set_value(std::this_thread::get_id());
    gate.Leave();
  });
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
  EXPECT_EQ(gate.queued_total(), 0u) << "it did not have to wait";
}

TEST(IngestGateTest, QueuesWhenBusyAndRunsInOrderWhenASlotFrees) {
  IngestGate gate(
      {.max_concurrent = 1, .max_queue_wait = std::chrono::seconds(60), .run_inline = true});
  gate.Enter([](Outcome o) { ASSERT_EQ(o, Outcome::kRun); });  // holds the only slot
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> all_ran;
  for (int i = 0; i < 3; ++i) {
    gate.Enter([&, i](Outcome o) {
      EXPECT_EQ(o, Outcome::kRun);
      std::lock_guard lock(mu);
      order.push_back(i);
      if (order.size() == 3) all_ran.set_value();
      gate.Leave();
    });
  }
  EXPECT_EQ(gate.queued(), 3u);
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(order.empty());
  }
  gate.Leave();
  all_ran.get_future().wait();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(gate.queued_total(), 3u);
}

TEST(IngestGateTest, RefusesWhenTheQueueIsFull) {
  IngestGate gate(
      {.max_concurrent = 1, .max_queue_wait = std::chrono::seconds(60), .max_queued = 1});
  gate.Enter([](Outcome) {});  // holds the slot
  std::atomic<int> ran{0};
  gate.Enter([&](Outcome o) {
    if (o == Outcome::kRun) {
      ++ran;
      gate.Leave();
    }
  });
  Outcome third = Outcome::kRun;
  gate.Enter([&](Outcome o) { third = o; });
  EXPECT_EQ(third, Outcome::kQueueFull);
  gate.Leave();
  // The destructor runs what is queued.
}

TEST(IngestGateTest, ZeroWaitRefusesAtOnceWhenEverySlotIsBusy) {
  IngestGate gate(
      {.max_concurrent = 1, .max_queue_wait = std::chrono::milliseconds(0), .run_inline = true});
  gate.Enter([](Outcome) {});
  Outcome second = Outcome::kRun;
  gate.Enter([&](Outcome o) { second = o; });
  EXPECT_EQ(second, Outcome::kQueueFull);
  gate.Leave();
}

TEST(IngestGateTest, RefusesARequestThatWaitedTooLongWithoutASlotFreeing) {
  IngestGate gate(
      {.max_concurrent = 1, .max_queue_wait = std::chrono::milliseconds(20), .run_inline = true});
  gate.Enter([](Outcome) {});  // never leaves until the end of the test
  std::promise<Outcome> second;
  gate.Enter([&](Outcome o) { second.set_value(o); });
  EXPECT_EQ(second.get_future().get(), Outcome::kQueueTimeout);
  EXPECT_EQ(gate.queued(), 0u);
  gate.Leave();
}

TEST(IngestGateTest, ManyThreadsNeverExceedTheLimitAndEveryCallbackRunsOnce) {
  constexpr int kMax = 3;
  std::atomic<int> inside{0}, peak{0}, calls{0}, refused{0};
  {
    IngestGate gate({.max_concurrent = kMax, .max_queue_wait = std::chrono::seconds(60)});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i) {
          gate.Enter([&](Outcome o) {
            ++calls;
            if (o != Outcome::kRun) {
              ++refused;
              return;
            }
            int now = ++inside;
            int p = peak.load();
            while (now > p && !peak.compare_exchange_weak(p, now)) {
            }
            std::this_thread::yield();
            --inside;
            gate.Leave();
          });
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(calls.load(), 800);
  EXPECT_EQ(refused.load(), 0);
  EXPECT_LE(peak.load(), kMax);
}

}  // namespace
}  // namespace ariadne
