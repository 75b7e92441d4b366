#include "wire/zipkin/zipkin_json.h"

namespace ariadne {

Status DecodeZipkinJson(std::string_view, const DecodeLimits&, DecodeResult*) {
  return Status::Unimplemented("zipkin json decoding is not implemented yet");
}

}  // namespace ariadne
