#include "wire/jaeger/jaeger_thrift.h"

namespace ariadne {

Status DecodeJaegerBatch(std::string_view, ThriftProtocol, const DecodeLimits&, DecodeResult*) {
  return Status::Unimplemented("jaeger thrift decoding is not implemented yet");
}

Status DecodeJaegerAgentEmitBatch(std::string_view, ThriftProtocol, const DecodeLimits&,
                                  DecodeResult*) {
  return Status::Unimplemented("jaeger thrift decoding is not implemented yet");
}

}  // namespace ariadne
