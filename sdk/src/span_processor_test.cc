// MultiSpanProcessor: ForceFlush/Shutdown run every processor at once against one deadline, so a
// processor stuck on a hung collector cannot starve a healthy one of the time it needs to drain.
// Synchronisation uses condition variables; the time bounds are generous (seconds) and only
// bound a failing test or a call that overran its deadline by far.
#include "ariadne/sdk/span_processor.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "ariadne/exporters/in_memory_exporter.h"
#include "ariadne/sdk/batch_span_processor.h"
#include "ariadne/sdk/tracer_provider.h"

namespace ariadne::sdk {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Records the timeout it is given, then waits (up to a bound) until `expected` processors sharing
// `rendezvous` have entered the call: it returns true only if they were all inside at once.
struct Rendezvous {
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0;
};

class RendezvousProcessor final : public SpanProcessor {
 public:
  RendezvousProcessor(Rendezvous* r, int expected, milliseconds* got)
      : r_(r), expected_(expected), got_(got) {}
  void OnEnd(std::unique_ptr<SpanData>) noexcept override {}
  bool ForceFlush(milliseconds timeout) noexcept override { return Meet(timeout); }
  bool Shutdown(milliseconds timeout) noexcept override { return Meet(timeout); }

 private:
  bool Meet(milliseconds timeout) {
    *got_ = timeout;
    std::unique_lock<std::mutex> lock(r_->mu);
    ++r_->inside;
    r_->cv.notify_all();
    bool met = r_->cv.wait_for(lock, seconds(20), [&] { return r_->inside >= expected_; });
    return met;
  }
  Rendezvous* r_;
  int expected_;
  milliseconds* got_;
};

TEST(MultiSpanProcessor, ProcessorsRunAtOnceAndEachGetsTheWholeBudget) {
  for (bool shutdown : {false, true}) {
    Rendezvous r;
    milliseconds got[3] = {};
    std::vector<std::unique_ptr<SpanProcessor>> ps;
    for (auto& g : got) ps.push_back(std::make_unique<RendezvousProcessor>(&r, 3, &g));
    MultiSpanProcessor multi(std::move(ps));
    const milliseconds budget = seconds(60);
    // One after another, the first would wait for the others in vain and return false.
    EXPECT_TRUE(shutdown ? multi.Shutdown(budget) : multi.ForceFlush(budget));
    for (auto g : got) {
      EXPECT_LE(g, budget);
      // All start together, so each gets nearly all of it (the margin allows for a loaded machine).
      EXPECT_GT(g, budget - seconds(15));
    }
  }
}

// Records the timeout it is given and returns at once.
class RecordingProcessor final : public SpanProcessor {
 public:
  explicit RecordingProcessor(milliseconds* got) : got_(got) {}
  void OnEnd(std::unique_ptr<SpanData>) noexcept override {}
  bool ForceFlush(milliseconds timeout) noexcept override { return Record(timeout); }
  bool Shutdown(milliseconds timeout) noexcept override { return Record(timeout); }

 private:
  bool Record(milliseconds timeout) {
    *got_ = timeout;
    return true;
  }
  milliseconds* got_;
};

TEST(MultiSpanProcessor, AHugeTimeoutDoesNotOverflow) {
  milliseconds first{0}, second{0};
  std::vector<std::unique_ptr<SpanProcessor>> ps;
  ps.push_back(std::make_unique<RecordingProcessor>(&first));
  ps.push_back(std::make_unique<RecordingProcessor>(&second));
  MultiSpanProcessor multi(std::move(ps));
  EXPECT_TRUE(multi.Shutdown(milliseconds::max()));
  EXPECT_GT(first, std::chrono::hours(24 * 365 * 100));
  EXPECT_GT(second, std::chrono::hours(24 * 365 * 100));
}

// An exporter whose collector hangs: Export blocks until its deadline or until the test releases
// it.
class HungExporter final : public SpanExporter {
 public:
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool released = false;
    void Release() {
      std::lock_guard<std::mutex> lock(mu);
      released = true;
      cv.notify_all();
    }
  };
  explicit HungExporter(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  ExportResult Export(std::span<const std::unique_ptr<SpanData>>,
                      Deadline deadline) noexcept override {
    std::unique_lock<std::mutex> lock(gate_->mu);
    gate_->cv.wait_until(lock, deadline, [&] { return gate_->released; });
    return ExportResult::kFailure;
  }

 private:
  std::shared_ptr<Gate> gate_;
};

TEST(MultiSpanProcessor, AHungProcessorDoesNotStopAHealthyOneFromDraining) {
  constexpr int kSpans = 100;
  for (bool shutdown : {false, true}) {
    SCOPED_TRACE(shutdown ? "Shutdown" : "ForceFlush");
    auto gate = std::make_shared<HungExporter::Gate>();
    auto healthy_exporter = std::make_unique<exporters::InMemorySpanExporter>();
    auto store = healthy_exporter->GetStore();
    BatchSpanProcessorOptions o;
    o.schedule_delay = std::chrono::hours(1);  // nothing is exported until the flush/shutdown
    o.max_export_batch_size = 512;
    o.export_timeout = seconds(120);  // the hung export outlasts the caller's budget
    std::vector<std::unique_ptr<SpanProcessor>> ps;
    // The hung one first: run in turn, it would use up the whole budget before the healthy one.
    ps.push_back(std::make_unique<BatchSpanProcessor>(std::make_unique<HungExporter>(gate), o));
    ps.push_back(std::make_unique<BatchSpanProcessor>(std::move(healthy_exporter), o));
    auto multi_owner = std::make_unique<MultiSpanProcessor>(std::move(ps));
    MultiSpanProcessor* multi = multi_owner.get();
    TracerProviderOptions to;
    to.processor = std::move(multi_owner);
    to.sampler = MakeAlwaysOnSampler();
    SdkTracerProvider provider(std::move(to));
    trace::Tracer tracer = provider.GetTracer("multi-test");
    for (int i = 0; i < kSpans; ++i) tracer.StartSpan("s").End();
    ASSERT_EQ(store->size(), 0u);

    const milliseconds budget = seconds(2);
    auto start = Clock::now();
    bool ok = shutdown ? multi->Shutdown(budget) : multi->ForceFlush(budget);
    auto took = Clock::now() - start;
    EXPECT_FALSE(ok);                          // the hung one did not finish
    EXPECT_EQ(store->size(), size_t{kSpans});  // the healthy one exported everything
    EXPECT_LT(took, budget + seconds(10));  // returned at the deadline, not at the export timeout
    gate->Release();  // let the hung worker go so that the provider's destructor is quick
  }
}

}  // namespace
}  // namespace ariadne::sdk
