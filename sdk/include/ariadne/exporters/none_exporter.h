// NoneSpanExporter: discards every span (OTEL_TRACES_EXPORTER=none, and benchmarks' null sink).
// Counts what it discarded. Thread-safe. Tested by sdk_batch_span_processor_test.
#ifndef ARIADNE_EXPORTERS_NONE_EXPORTER_H_
#define ARIADNE_EXPORTERS_NONE_EXPORTER_H_

#include <atomic>

#include "ariadne/sdk/exporter.h"

namespace ariadne::exporters {

class NoneSpanExporter final : public sdk::SpanExporter {
 public:
  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                           sdk::Deadline deadline) noexcept override;
  uint64_t discarded() const noexcept { return discarded_.load(); }

 private:
  std::atomic<uint64_t> discarded_{0};
};

}  // namespace ariadne::exporters

#endif  // ARIADNE_EXPORTERS_NONE_EXPORTER_H_
