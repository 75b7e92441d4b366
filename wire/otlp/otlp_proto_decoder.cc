#include "wire/otlp/otlp_proto_decoder.h"

namespace ariadne {

Status DecodeOtlpProto(std::string_view request, const DecodeLimits& limits, DecodeResult* out) {
  (void)request;
  (void)limits;
  (void)out;
  return Status::Unimplemented("OTLP protobuf decoding is not implemented yet");
}

Status DecodeOtlpProto(std::string&& request, const DecodeLimits& limits, DecodeResult* out) {
  return DecodeOtlpProto(std::string_view(request), limits, out);
}

Status DecodeExportTraceServiceResponse(std::string_view bytes, int64_t* rejected_spans,
                                        std::string* error_message) {
  (void)bytes;
  *rejected_spans = 0;
  error_message->clear();
  return Status::Unimplemented("not implemented yet");
}

}  // namespace ariadne
