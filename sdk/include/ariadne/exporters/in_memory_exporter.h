// InMemorySpanExporter: keeps exported spans for users' tests. The exporter hands a shared
// InMemorySpanStore to the test (GetStore()) so that it can be read after the exporter was moved
// into a processor. The store keeps at most `capacity` spans (oldest dropped, counted).
// Thread-safe. Tested by sdk_tracer_test and sdk_api_test.
#ifndef ARIADNE_EXPORTERS_IN_MEMORY_EXPORTER_H_
#define ARIADNE_EXPORTERS_IN_MEMORY_EXPORTER_H_

#include <deque>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "ariadne/sdk/exporter.h"

namespace ariadne::exporters {

class InMemorySpanStore {
 public:
  explicit InMemorySpanStore(size_t capacity) : capacity_(capacity) {}
  void Add(std::unique_ptr<sdk::SpanData> span);
  // Removes and returns everything stored.
  std::vector<std::unique_ptr<sdk::SpanData>> Take();
  size_t size() const;
  uint64_t dropped() const;
  // Copies of the stored spans with this name.
  std::vector<sdk::SpanData> FindByName(std::string_view name) const;

 private:
  mutable std::mutex mu_;
  size_t capacity_;
  std::deque<std::unique_ptr<sdk::SpanData>> spans_;
  uint64_t dropped_ = 0;
};

class InMemorySpanExporter final : public sdk::SpanExporter {
 public:
  explicit InMemorySpanExporter(size_t capacity = 100000)
      : store_(std::make_shared<InMemorySpanStore>(capacity)) {}
  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                           sdk::Deadline deadline) noexcept override;
  std::shared_ptr<InMemorySpanStore> GetStore() const { return store_; }

 private:
  std::shared_ptr<InMemorySpanStore> store_;
};

}  // namespace ariadne::exporters

#endif  // ARIADNE_EXPORTERS_IN_MEMORY_EXPORTER_H_
