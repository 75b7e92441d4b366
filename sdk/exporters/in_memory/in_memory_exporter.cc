#include "ariadne/exporters/in_memory_exporter.h"

namespace ariadne::exporters {

void InMemorySpanStore::Add(std::unique_ptr<sdk::SpanData> span) {
  std::lock_guard<std::mutex> lock(mu_);
  if (capacity_ == 0) {
    ++dropped_;
    return;
  }
  if (spans_.size() >= capacity_) {
    spans_.pop_front();
    ++dropped_;
  }
  spans_.push_back(std::move(span));
}

std::vector<std::unique_ptr<sdk::SpanData>> InMemorySpanStore::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::unique_ptr<sdk::SpanData>> out;
  out.reserve(spans_.size());
  for (auto& s : spans_) out.push_back(std::move(s));
  spans_.clear();
  return out;
}

size_t InMemorySpanStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spans_.size();
}

uint64_t InMemorySpanStore::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

std::vector<sdk::SpanData> InMemorySpanStore::FindByName(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<sdk::SpanData> out;
  for (const auto& s : spans_) {
    if (s->name == name) out.push_back(*s);
  }
  return out;
}

sdk::ExportResult InMemorySpanExporter::Export(
    std::span<const std::unique_ptr<sdk::SpanData>> spans, sdk::Deadline) noexcept {
  try {
    for (const auto& s : spans) store_->Add(std::make_unique<sdk::SpanData>(*s));
    return sdk::ExportResult::kSuccess;
  } catch (...) {
    return sdk::ExportResult::kFailure;
  }
}

}  // namespace ariadne::exporters
