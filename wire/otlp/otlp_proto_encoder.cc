#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne {

void EncodeOtlpProto(const SpanBatch& batch, std::string* out) {
  (void)batch;
  (void)out;
}

void EncodeExportTraceServiceResponse(int64_t rejected_spans, std::string_view error_message,
                                      std::string* out) {
  (void)rejected_spans;
  (void)error_message;
  (void)out;
}

}  // namespace ariadne
