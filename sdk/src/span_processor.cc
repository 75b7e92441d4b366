#include "ariadne/sdk/span_processor.h"

#include <thread>
#include <vector>

#include "ariadne/sdk/deadline.h"

namespace ariadne::sdk {

SimpleSpanProcessor::SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                         std::chrono::milliseconds export_timeout)
    : exporter_(std::move(exporter)), export_timeout_(export_timeout) {}

void SimpleSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
  if (!span->context.IsSampled()) {
    ReleaseSpan(std::move(span));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_ || !exporter_) return;
    const std::unique_ptr<SpanData>* one = &span;
    (void)exporter_->Export({one, 1}, export_timeout_.count() > 0
                                          ? SaturatingDeadline(export_timeout_)
                                          : Deadline::max());  // 0 = none, as in the batch one
  }
  ReleaseSpan(std::move(span));
}

bool SimpleSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  return exporter_ ? exporter_->ForceFlush(timeout) : true;
}

bool SimpleSpanProcessor::Shutdown(std::chrono::milliseconds) noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return true;
  shut_down_ = true;
  if (exporter_) exporter_->Shutdown();
  return true;
}

MultiSpanProcessor::MultiSpanProcessor(std::vector<std::unique_ptr<SpanProcessor>> processors)
    : processors_(std::move(processors)) {}

void MultiSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
  for (size_t i = 0; i + 1 < processors_.size(); ++i) {
    try {
      processors_[i]->OnEnd(std::make_unique<SpanData>(*span));
    } catch (...) {
    }
  }
  if (!processors_.empty()) processors_.back()->OnEnd(std::move(span));
}

SpanData* MultiSpanProcessor::TakeRecycledSpan() noexcept {
  return processors_.empty() ? nullptr : processors_.back()->TakeRecycledSpan();
}

namespace {
// Runs fn(processor, time left) for every processor at once and waits for all of them: each gets
// the whole of what is left until the one deadline, so a processor whose exporter hangs until the
// deadline does not starve the others (run one after another, a hung first processor would leave
// the rest a zero budget and they would drop their queues unexported). The last processor runs on
// the caller's thread; a processor whose thread cannot be started runs on the caller's thread
// too, before the rest are started (late, but with the same deadline).
template <typename Fn>
bool RunAllUntil(const std::vector<std::unique_ptr<SpanProcessor>>& processors, Deadline deadline,
                 Fn fn) noexcept {
  if (processors.empty()) return true;
  std::vector<std::thread> threads;
  // One result per processor; char, not bool, so that threads write separate objects.
  std::vector<char> results;
  try {
    threads.reserve(processors.size() - 1);
    results.assign(processors.size(), 0);
  } catch (...) {
    bool ok = true;  // out of memory: fall back to one after another
    for (const auto& p : processors) ok = fn(*p, TimeLeft(deadline)) && ok;
    return ok;
  }
  for (size_t i = 0; i + 1 < processors.size(); ++i) {
    try {
      threads.emplace_back([&, i] { results[i] = fn(*processors[i], TimeLeft(deadline)); });
    } catch (...) {
      results[i] = fn(*processors[i], TimeLeft(deadline));
    }
  }
  results.back() = fn(*processors.back(), TimeLeft(deadline));
  for (auto& t : threads) t.join();
  bool ok = true;
  for (char r : results) ok = r != 0 && ok;
  return ok;
}
}  // namespace

// One deadline for all, and all of them at once (see RunAllUntil).
bool MultiSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  return RunAllUntil(
      processors_, SaturatingDeadline(timeout),
      [](SpanProcessor& p, std::chrono::milliseconds left) noexcept { return p.ForceFlush(left); });
}

bool MultiSpanProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
  return RunAllUntil(
      processors_, SaturatingDeadline(timeout),
      [](SpanProcessor& p, std::chrono::milliseconds left) noexcept { return p.Shutdown(left); });
}

}  // namespace ariadne::sdk
