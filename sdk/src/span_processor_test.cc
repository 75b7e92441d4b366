// MultiSpanProcessor: one ForceFlush/Shutdown budget shared by its processors in turn.
#include "ariadne/sdk/span_processor.h"

#include <thread>

#include <gtest/gtest.h>

namespace ariadne::sdk {
namespace {

using std::chrono::milliseconds;

// Records the timeout it is given and then uses up `spend` of it (a sleep: at least that long).
class SpendingProcessor final : public SpanProcessor {
 public:
  SpendingProcessor(milliseconds spend, milliseconds* got) : spend_(spend), got_(got) {}
  void OnEnd(std::unique_ptr<SpanData>) noexcept override {}
  bool ForceFlush(milliseconds timeout) noexcept override { return Spend(timeout); }
  bool Shutdown(milliseconds timeout) noexcept override { return Spend(timeout); }

 private:
  bool Spend(milliseconds timeout) {
    *got_ = timeout;
    std::this_thread::sleep_for(spend_);
    return true;
  }
  milliseconds spend_;
  milliseconds* got_;
};

TEST(MultiSpanProcessor, ProcessorsShareOneTimeoutBudget) {
  for (bool shutdown : {false, true}) {
    milliseconds first{0}, second{0};
    std::vector<std::unique_ptr<SpanProcessor>> ps;
    ps.push_back(std::make_unique<SpendingProcessor>(milliseconds(100), &first));
    ps.push_back(std::make_unique<SpendingProcessor>(milliseconds(0), &second));
    MultiSpanProcessor multi(std::move(ps));
    const milliseconds budget = std::chrono::seconds(30);
    EXPECT_TRUE(shutdown ? multi.Shutdown(budget) : multi.ForceFlush(budget));
    EXPECT_LE(first, budget);
    EXPECT_GT(first, budget - milliseconds(100));
    // The first one slept at least 100 ms of the budget: the second gets at most the rest.
    EXPECT_LE(second, budget - milliseconds(100));
    EXPECT_GT(second, milliseconds(0));
  }
}

TEST(MultiSpanProcessor, AHugeTimeoutDoesNotOverflow) {
  milliseconds first{0}, second{0};
  std::vector<std::unique_ptr<SpanProcessor>> ps;
  ps.push_back(std::make_unique<SpendingProcessor>(milliseconds(0), &first));
  ps.push_back(std::make_unique<SpendingProcessor>(milliseconds(0), &second));
  MultiSpanProcessor multi(std::move(ps));
  EXPECT_TRUE(multi.Shutdown(milliseconds::max()));
  EXPECT_GT(first, std::chrono::hours(24 * 365 * 100));
  EXPECT_GT(second, std::chrono::hours(24 * 365 * 100));
}

}  // namespace
}  // namespace ariadne::sdk
