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
// Resource bounds (every client may be hostile): the maximum receive message size is
// max_request_bytes; gRPC's own memory (the transport buffers of every connection, where a
// message sits until it is whole) is capped by a grpc::ResourceQuota of the pipeline's
// max_inflight_bytes plus one max_request_bytes message (at least 16 MiB: a quota too small for
// gRPC's own per-connection buffers stalls every call), under whose pressure gRPC shrinks buffers
// and drops idle connections; a connection carries at most max_concurrent_streams calls at once; a
// connection idle for max_connection_idle is closed, and one older than max_connection_age is sent
// GOAWAY and closed kConnectionAgeGrace later, which also bounds how long a client trickling a
// message can hold it.
//
// Ownership: owns the grpc::Server; the pipeline must outlive it. Thread-safety: Start and Stop
// from one thread; calls are served on gRPC's threads. Stop() waits for in-flight calls.
// Tested by receivers_test.cc.
#ifndef ARIADNE_SERVER_RECEIVERS_OTLP_GRPC_RECEIVER_H_
#define ARIADNE_SERVER_RECEIVERS_OTLP_GRPC_RECEIVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/pipeline/ingest.h"

namespace ariadne {

struct OtlpGrpcOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port
  int max_concurrent_streams = 100;
  std::chrono::milliseconds max_connection_idle{5 * 60'000};
  std::chrono::milliseconds max_connection_age{30 * 60'000};
};

class OtlpGrpcReceiver {
 public:
  // How long a connection past max_connection_age may finish its calls before it is closed.
  static constexpr std::chrono::seconds kConnectionAgeGrace{60};

  OtlpGrpcReceiver(IngestPipeline* pipeline, OtlpGrpcOptions options);
  ~OtlpGrpcReceiver();
  OtlpGrpcReceiver(const OtlpGrpcReceiver&) = delete;
  OtlpGrpcReceiver& operator=(const OtlpGrpcReceiver&) = delete;

  [[nodiscard]] Status Start();
  uint16_t port() const { return port_; }  // the bound port (after Start)
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  OtlpGrpcOptions options_;
  uint16_t port_;
};

// google.rpc.Status bytes carrying a RetryInfo detail (for grpc-status-details-bin).
std::string EncodeRetryStatusDetails(int code, std::string_view message, int retry_seconds);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_RECEIVERS_OTLP_GRPC_RECEIVER_H_
