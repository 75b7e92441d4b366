#include "wire/common/decode.h"

namespace ariadne {

void DecodeResult::Reject(std::string_view why) {
  ++rejected_spans;
  if (error_message.size() < 512) {
    if (!error_message.empty()) error_message += "; ";
    error_message.append(why.substr(0, 200));
  }
}

void DropLastLink(SpanBatch* b) {
  LinkColumns& l = b->links;
  l.trace_id.pop_back();
  l.span_id.pop_back();
  l.trace_state.pop_back();
  l.attributes.pop_back();
  l.dropped_attributes_count.pop_back();
  l.flags.pop_back();
}

}  // namespace ariadne
