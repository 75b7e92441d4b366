// ConsoleSpanExporter: prints finished spans in a readable, indented form for development
// (OTEL_TRACES_EXPORTER=console). The format is not an interface (the spec leaves it open):
//
//   span "GET /users" trace=4bf9...  span=00f0...  parent=-  kind=server  12.345 ms  status=ok
//     http.request.method = "GET"
//     event 0.512 ms "cache miss" key="u:1"
//
// Writes whole spans with one fwrite to a FILE* (stdout by default). Thread-safe through the
// processors, which serialize Export. Tested by console_exporter_test.cc.
#ifndef ARIADNE_EXPORTERS_CONSOLE_EXPORTER_H_
#define ARIADNE_EXPORTERS_CONSOLE_EXPORTER_H_

#include <cstdio>
#include <string>

#include "ariadne/sdk/exporter.h"

namespace ariadne::exporters {

// Appends the readable form of one span to *out.
void FormatSpanForConsole(const sdk::SpanData& span, std::string* out);
// "42", "1.5", "\"text\"", "[1, 2]", ...
std::string FormatValue(const sdk::OwnedValue& value);
std::string FormatValue(const sdk::AttributeValueRef& value);

class ConsoleSpanExporter final : public sdk::SpanExporter {
 public:
  explicit ConsoleSpanExporter(std::FILE* out = stdout) : out_(out) {}
  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                           sdk::Deadline deadline) noexcept override;
  bool ForceFlush(std::chrono::milliseconds) noexcept override {
    std::fflush(out_);
    return true;
  }

 private:
  std::FILE* out_;
};

}  // namespace ariadne::exporters

#endif  // ARIADNE_EXPORTERS_CONSOLE_EXPORTER_H_
