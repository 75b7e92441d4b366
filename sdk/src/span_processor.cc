#include "ariadne/sdk/span_processor.h"

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

// One budget for all: each processor gets what the ones before it left of the caller's timeout.
bool MultiSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  Deadline deadline = SaturatingDeadline(timeout);
  bool ok = true;
  for (auto& p : processors_) ok = p->ForceFlush(TimeLeft(deadline)) && ok;
  return ok;
}

bool MultiSpanProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
  Deadline deadline = SaturatingDeadline(timeout);
  bool ok = true;
  for (auto& p : processors_) ok = p->Shutdown(TimeLeft(deadline)) && ok;
  return ok;
}

}  // namespace ariadne::sdk
