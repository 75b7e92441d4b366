// OTLP/gRPC receiver: opentelemetry.proto.collector.trace.v1.TraceService/Export on 4317.
//
// Runs gRPC's callback generic service, so no generated code is involved: the raw request bytes
// (already decompressed by gRPC when the client used gzip) go straight to our decoder through
// the ingest pipeline. The maximum receive message size is the request limit. Answers: OK with
// an ExportTraceServiceResponse (partial success when spans were rejected), INVALID_ARGUMENT
// for a malformed request, RESOURCE_EXHAUSTED with a google.rpc.RetryInfo detail when admission
// refuses (in-flight limit or too large), UNAVAILABLE when the store refuses, UNIMPLEMENTED for
// any other method.
//
// Ownership: owns the grpc::Server; the pipeline must outlive it. Thread-safety: Start and Stop
// from one thread; calls are served on gRPC's threads. Stop() waits for in-flight calls.
// Tested by otlp_grpc_receiver_test.cc.
#ifndef ARIADNE_SERVER_RECEIVERS_OTLP_GRPC_RECEIVER_H_
#define ARIADNE_SERVER_RECEIVERS_OTLP_GRPC_RECEIVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/pipeline/ingest.h"

namespace ariadne {

class OtlpGrpcReceiver {
 public:
  OtlpGrpcReceiver(IngestPipeline* pipeline, std::string host, uint16_t port);
  ~OtlpGrpcReceiver();
  OtlpGrpcReceiver(const OtlpGrpcReceiver&) = delete;
  OtlpGrpcReceiver& operator=(const OtlpGrpcReceiver&) = delete;

  [[nodiscard]] Status Start();
  uint16_t port() const { return port_; }  // the bound port (after Start)
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::string host_;
  uint16_t port_;
};

// google.rpc.Status bytes carrying a RetryInfo detail (for grpc-status-details-bin).
std::string EncodeRetryStatusDetails(int code, std::string_view message, int retry_seconds);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_RECEIVERS_OTLP_GRPC_RECEIVER_H_
