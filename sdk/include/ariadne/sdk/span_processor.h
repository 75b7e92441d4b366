// SpanProcessor receives every ended recording span; SimpleSpanProcessor exports each sampled
// span immediately on the caller's thread (for tests and the console exporter; it blocks the
// caller for the export), serializing Export calls with a mutex. MultiSpanProcessor fans out;
// its ForceFlush/Shutdown runs every processor at once (one thread each but the last) against
// one deadline, so a hung processor cannot use up the time another needs to drain.
// Thread-safe. Tested by tracer_test.cc and span_processor_test.cc.
#ifndef ARIADNE_SDK_SPAN_PROCESSOR_H_
#define ARIADNE_SDK_SPAN_PROCESSOR_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "ariadne/sdk/exporter.h"
#include "ariadne/sdk/span_data.h"

namespace ariadne::sdk {

class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;
  virtual void OnEnd(std::unique_ptr<SpanData> span) noexcept = 0;
  virtual bool ForceFlush(std::chrono::milliseconds timeout) noexcept = 0;
  virtual bool Shutdown(std::chrono::milliseconds timeout) noexcept = 0;
  // A finished span of this provider whose storage the calling thread may reuse for a new span
  // (the tracer resets it), or null. Processors that keep spans per thread return them here.
  virtual SpanData* TakeRecycledSpan() noexcept { return nullptr; }
};

class SimpleSpanProcessor final : public SpanProcessor {
 public:
  explicit SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                               std::chrono::milliseconds export_timeout = std::chrono::seconds(30));
  void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  std::mutex mu_;
  std::unique_ptr<SpanExporter> exporter_;
  std::chrono::milliseconds export_timeout_;
  bool shut_down_ = false;
};

class MultiSpanProcessor final : public SpanProcessor {
 public:
  explicit MultiSpanProcessor(std::vector<std::unique_ptr<SpanProcessor>> processors);
  // Each processor but the last gets a copy of the span.
  void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
  // The last processor's (it receives the spans themselves).
  SpanData* TakeRecycledSpan() noexcept override;
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  std::vector<std::unique_ptr<SpanProcessor>> processors_;
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SPAN_PROCESSOR_H_
