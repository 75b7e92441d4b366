#include "wire/common/decode.h"

namespace ariadne {

void DecodeResult::Reject(std::string_view why) {
  ++rejected_spans;
  if (error_message.size() < 512) {
    if (!error_message.empty()) error_message += "; ";
    error_message.append(why.substr(0, 200));
  }
}

}  // namespace ariadne
