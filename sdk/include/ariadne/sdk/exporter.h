// SpanExporter: where finished, sampled spans go. Called by one processor thread at a time (the
// processors serialize Export). Export must return by `deadline` (the export timeout) and must
// never throw; it may keep no reference to the spans after returning. Tested through
// batch_span_processor_test.cc and the exporters' tests.
#ifndef ARIADNE_SDK_EXPORTER_H_
#define ARIADNE_SDK_EXPORTER_H_

#include <chrono>
#include <memory>
#include <span>

#include "ariadne/sdk/span_data.h"

namespace ariadne::sdk {

enum class ExportResult : uint8_t { kSuccess, kFailure };

using Deadline = std::chrono::steady_clock::time_point;

class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  virtual ExportResult Export(std::span<const std::unique_ptr<SpanData>> spans,
                              Deadline deadline) noexcept = 0;
  virtual bool ForceFlush(std::chrono::milliseconds /*timeout*/) noexcept { return true; }
  virtual void Shutdown() noexcept {}
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_EXPORTER_H_
