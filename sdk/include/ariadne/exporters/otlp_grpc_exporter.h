// OtlpGrpcExporter: OTLP over gRPC (opentelemetry.proto.collector.trace.v1.TraceService/Export)
// through grpc++'s generic unary call on raw bytes — no generated protobuf code; the request is
// encoded by wire/otlp. Retries (OTLP spec) CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
// UNAVAILABLE, DATA_LOSS, and RESOURCE_EXHAUSTED only when the status carries a RetryInfo
// detail; every other code fails at once. A RetryInfo delay (at most 1 hour) replaces the
// backoff; otherwise backoff is exponential with jitter. Either is bounded by the processor's
// export deadline (a wait past it fails the export at once); Shutdown interrupts it. Partial
// success is logged and counted. Endpoint: "http://host:port" (plaintext), "https://host:port"
// (TLS, optional CA file), or "host:port" (TLS unless insecure). Export is called by one thread at
// a time. Own library (ariadne::exporter_otlp_grpc) so only users who want gRPC link grpc++. Tested
// by otlp_grpc_exporter_test.cc.
#ifndef ARIADNE_EXPORTERS_OTLP_GRPC_EXPORTER_H_
#define ARIADNE_EXPORTERS_OTLP_GRPC_EXPORTER_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ariadne/sdk/env_config.h"
#include "ariadne/sdk/exporter.h"

namespace ariadne::exporters {

struct OtlpGrpcExporterOptions {
  std::string endpoint = "http://localhost:4317";
  bool insecure = false;                                     // for endpoints without a scheme
  std::vector<std::pair<std::string, std::string>> headers;  // sent as metadata
  bool gzip = false;
  std::chrono::milliseconds timeout{10000};
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{5000};
  double backoff_multiplier = 1.5;
  std::string certificate;  // CA bundle (PEM file) for TLS

  static OtlpGrpcExporterOptions FromConfig(const sdk::OtlpExporterConfig& config);
};

struct OtlpGrpcExporterStats {
  uint64_t requests = 0;
  uint64_t retries = 0;
  uint64_t exported_spans = 0;
  uint64_t failed_spans = 0;
  uint64_t rejected_spans = 0;
  int last_code = 0;  // grpc::StatusCode of the last attempt
};

class OtlpGrpcExporter final : public sdk::SpanExporter {
 public:
  explicit OtlpGrpcExporter(OtlpGrpcExporterOptions options = {});
  ~OtlpGrpcExporter() override;
  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                           sdk::Deadline deadline) noexcept override;
  void Shutdown() noexcept override;
  OtlpGrpcExporterStats stats() const noexcept;

 private:
  struct Impl;
  OtlpGrpcExporterOptions options_;
  std::unique_ptr<Impl> impl_;
  bool shutdown_ = false;  // guarded by mu_
  mutable std::mutex mu_;
  std::condition_variable cv_;
  OtlpGrpcExporterStats stats_;
};

}  // namespace ariadne::exporters

#endif  // ARIADNE_EXPORTERS_OTLP_GRPC_EXPORTER_H_
