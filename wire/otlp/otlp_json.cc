#include "wire/otlp/otlp_json.h"

namespace ariadne {

Status DecodeOtlpJson(std::string_view json, const DecodeLimits& limits, DecodeResult* out) {
  (void)json;
  (void)limits;
  (void)out;
  return Status::Unimplemented("OTLP/JSON decoding is not implemented yet");
}

void EncodeOtlpJson(const SpanBatch& batch, std::string* out) {
  out->append("{\"resourceSpans\":");
  AppendOtlpJsonResourceSpans(batch, out);
  out->append("}");
}

void AppendOtlpJsonResourceSpans(const SpanBatch& batch, std::string* out) {
  (void)batch;
  out->append("[]");
}

void EncodeOtlpJsonResponse(int64_t rejected_spans, std::string_view error_message,
                            std::string* out) {
  (void)rejected_spans;
  (void)error_message;
  out->append("{}");
}

Status DecodeOtlpJsonResponse(std::string_view json, int64_t* rejected_spans,
                              std::string* error_message) {
  (void)json;
  *rejected_spans = 0;
  error_message->clear();
  return Status::Unimplemented("not implemented yet");
}

}  // namespace ariadne
