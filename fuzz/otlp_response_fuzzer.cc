// libFuzzer target: the OTLP ExportTraceServiceResponse decoders the SDK's exporters run on what a
// collector (possibly hostile or broken) answers: DecodeExportTraceServiceResponse (protobuf; the
// OTLP/HTTP protobuf and OTLP/gRPC exporters) and DecodeOtlpJsonResponse (the OTLP/HTTP JSON
// exporter). Every input goes to both, and to ParseGrpcRetryInfo (the google.rpc.Status bytes of
// a failed OTLP/gRPC call, from the grpc-status-details-bin trailer).
// Checks: no crash; a failed decode leaves the outputs at 0 / ""; whatever a decoder accepts, its
// encoder re-encodes to bytes that decode to the same rejected count and message (for JSON: when
// the count is not negative — the JSON encoder writes counts as strings, which may not be signed);
// a RetryInfo delay is within [0, kMaxRetryInfoDelay].
// Corpus: corpus/otlp_response (protobuf and JSON seeds side by side).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_checks.h"
#include "sdk/exporters/otlp_common/grpc_retry_info.h"
#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace {

using ariadne::Status;

void CheckProto(std::string_view in) {
  int64_t rejected = 1;
  std::string message = "stale";
  Status st = ariadne::DecodeExportTraceServiceResponse(in, &rejected, &message);
  if (!st.ok()) return;
  std::string again;
  ariadne::EncodeExportTraceServiceResponse(rejected, message, &again);
  int64_t rejected2 = 1;
  std::string message2 = "stale";
  FUZZ_CHECK(ariadne::DecodeExportTraceServiceResponse(again, &rejected2, &message2).ok());
  FUZZ_CHECK(rejected2 == rejected);
  FUZZ_CHECK(message2 == message);
}

void CheckJson(std::string_view in) {
  int64_t rejected = 1;
  std::string message = "stale";
  Status st = ariadne::DecodeOtlpJsonResponse(in, &rejected, &message);
  if (!st.ok() || rejected < 0) return;
  std::string again;
  ariadne::EncodeOtlpJsonResponse(rejected, message, &again);
  int64_t rejected2 = 1;
  std::string message2 = "stale";
  FUZZ_CHECK(ariadne::DecodeOtlpJsonResponse(again, &rejected2, &message2).ok());
  FUZZ_CHECK(rejected2 == rejected);
  FUZZ_CHECK(message2 == message);
}

void CheckRetryInfo(std::string_view in) {
  std::optional<std::chrono::milliseconds> delay = ariadne::exporters::ParseGrpcRetryInfo(in);
  if (!delay) return;
  FUZZ_CHECK(delay->count() >= 0);
  FUZZ_CHECK(*delay <= ariadne::exporters::kMaxRetryInfoDelay);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CheckProto(in);
  CheckJson(in);
  CheckRetryInfo(in);
  return 0;
}
