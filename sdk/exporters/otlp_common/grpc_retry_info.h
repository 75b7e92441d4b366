// The retry delay a gRPC server asks for: google.rpc.RetryInfo inside the google.rpc.Status that
// grpc++ hands over as Status::error_details() (the grpc-status-details-bin trailer).
//
// The bytes come from the server, so they are untrusted: the decoder is hand-written over the
// proto_wire cursor (bounds-checked reads, nothing allocated, no recursion; every loop consumes
// input, so the work is linear in the input) and any malformed byte makes the whole answer
// nullopt. Messages decoded (field numbers from google/rpc/status.proto, any.proto,
// error_details.proto, duration.proto):
//   Status   { 3: repeated Any details }           (1: code and 2: message are skipped)
//   Any      { 1: string type_url, 2: bytes value } (type name = text after the last '/')
//   RetryInfo{ 1: Duration retry_delay }            (absent = a delay of 0)
//   Duration { 1: int64 seconds, 2: int32 nanos }
// The first RetryInfo detail wins. Its delay is clamped like HTTP Retry-After: negative counts as
// 0, more than kMaxRetryInfoDelay counts as kMaxRetryInfoDelay, nanos round up to a millisecond.
// Groups (wire types 3/4, unused by these messages) count as malformed.
// Thread-safety: pure. Tested by grpc_retry_info_test.cc, fuzzed by fuzz/otlp_response_fuzzer.
#ifndef ARIADNE_SDK_EXPORTERS_OTLP_COMMON_GRPC_RETRY_INFO_H_
#define ARIADNE_SDK_EXPORTERS_OTLP_COMMON_GRPC_RETRY_INFO_H_

#include <chrono>
#include <optional>
#include <string_view>

namespace ariadne::exporters {

// Longest server-requested delay honoured (the same cap as the HTTP exporter's kMaxRetryAfter).
inline constexpr std::chrono::milliseconds kMaxRetryInfoDelay = std::chrono::hours(1);

// The RetryInfo delay in serialized google.rpc.Status bytes; nullopt when there is no RetryInfo
// detail or the bytes are malformed.
std::optional<std::chrono::milliseconds> ParseGrpcRetryInfo(std::string_view status_details);

}  // namespace ariadne::exporters

#endif  // ARIADNE_SDK_EXPORTERS_OTLP_COMMON_GRPC_RETRY_INFO_H_
