#include "wire/otlp/proto_wire.h"

namespace ariadne::proto_wire {

bool SkipFieldDepth(Cursor& c, uint32_t field, uint32_t wt, int depth) {
  uint64_t v;
  std::string_view s;
  switch (wt) {
    case kVarint:
      return ReadVarint(c, &v);
    case kI64:
      if (c.left() < 8) return false;
      c.p += 8;
      return true;
    case kLen:
      return ReadLen(c, &s);
    case kI32:
      if (c.left() < 4) return false;
      c.p += 4;
      return true;
    case kStartGroup: {
      if (depth >= kMaxGroupDepth) return false;
      while (c.p < c.end) {
        uint32_t f, w;
        if (!ReadTag(c, &f, &w)) return false;
        if (w == kEndGroup) return f == field;
        if (!SkipFieldDepth(c, f, w, depth + 1)) return false;
      }
      return false;  // no matching end-group
    }
    default:  // a stray end-group, or wire types 6 and 7
      return false;
  }
}

}  // namespace ariadne::proto_wire
