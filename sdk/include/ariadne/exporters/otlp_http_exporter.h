// OtlpHttpExporter: OTLP/HTTP (protobuf or JSON) over libcurl.
//
// Export encodes the spans (protobuf: straight from SpanData, otlp_proto_direct.h; JSON: through
// a SpanBatch and wire/otlp), optionally gzips the body and
// POSTs it. It runs on the batch processor's thread, never on the application's. Retries
// (OTLP spec): 429, 502, 503, 504 and transport failures (connect refused, reset, timeout) are
// retried with exponential backoff and jitter (otlp_common/retry_policy.h), honouring
// Retry-After (seconds or HTTP date, at most kMaxRetryAfter); every other status (400 included)
// fails at once. Nothing outlives the deadline the processor passes in (the export timeout):
// attempts and waits are cut to it. A 200 response with partial_success is not retried; its
// rejected count is logged and counted. Response bodies are capped at 4 MiB. Shutdown interrupts a
// backoff wait. Thread-safety: Export is called by one thread at a time (processors serialize it);
// stats() and Shutdown() may be called from any thread. Tested by otlp_http_exporter_test.cc.
#ifndef ARIADNE_EXPORTERS_OTLP_HTTP_EXPORTER_H_
#define ARIADNE_EXPORTERS_OTLP_HTTP_EXPORTER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ariadne/sdk/env_config.h"
#include "ariadne/sdk/exporter.h"

namespace ariadne::exporters {

struct OtlpHttpExporterOptions {
  std::string endpoint = "http://localhost:4318/v1/traces";
  bool json = false;  // http/json instead of http/protobuf
  std::vector<std::pair<std::string, std::string>> headers;
  bool gzip = false;
  std::chrono::milliseconds timeout{10000};  // per attempt; 0 = only the export deadline
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{5000};
  double backoff_multiplier = 1.5;
  std::string certificate;         // CA bundle (PEM) for https
  std::string client_key;          // mTLS
  std::string client_certificate;  // mTLS
  size_t max_response_bytes = size_t{4} << 20;

  static OtlpHttpExporterOptions FromConfig(const sdk::OtlpExporterConfig& config);
};

struct OtlpHttpExporterStats {
  uint64_t requests = 0;        // HTTP attempts
  uint64_t retries = 0;         // attempts after the first
  uint64_t exported_spans = 0;  // accepted by the server (minus rejected)
  uint64_t failed_spans = 0;    // given up on
  uint64_t rejected_spans = 0;  // partial success
  int last_status = 0;          // last HTTP status (0 = transport error)
};

class OtlpHttpExporter final : public sdk::SpanExporter {
 public:
  explicit OtlpHttpExporter(OtlpHttpExporterOptions options = {});
  ~OtlpHttpExporter() override;

  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                           sdk::Deadline deadline) noexcept override;
  void Shutdown() noexcept override;
  OtlpHttpExporterStats stats() const noexcept;

  // Encodes (and compresses) spans into the request body; exposed for benchmarks.
  void EncodeBody(std::span<const std::unique_ptr<sdk::SpanData>> spans, std::string* body) const;

 private:
  struct Impl;
  OtlpHttpExporterOptions options_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> shutdown_{false};
  mutable std::mutex mu_;  // guards stats_ and the wait
  std::condition_variable cv_;
  OtlpHttpExporterStats stats_;
};

// The longest Retry-After honoured; a longer one counts as this (and then, being longer than any
// export's deadline in practice, makes the export give up rather than wait).
inline constexpr std::chrono::milliseconds kMaxRetryAfter = std::chrono::hours(1);

// Parses Retry-After (RFC 9110: delay-seconds, or an HTTP-date as IMF-fixdate, RFC 850 or asctime
// date) into the delay from `now`, at most kMaxRetryAfter; a date in the past is 0. nullopt if
// absent or malformed (signs, fractions, spaces, unknown names, impossible dates).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);
// Gzip-compresses data (RFC 1952). Returns false on a zlib error.
bool GzipCompress(std::string_view data, std::string* out);

}  // namespace ariadne::exporters

#endif  // ARIADNE_EXPORTERS_OTLP_HTTP_EXPORTER_H_
