#include "sdk/src/terminal_escape.h"

#include <cstdint>

#include "base/utf8.h"

namespace ariadne::sdk {
namespace {

void AppendHexEscape(const char* prefix, unsigned char c, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  out->append(prefix);
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

}  // namespace

void AppendEscapedForTerminal(std::string_view s, bool quote, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (quote && (c == '"' || c == '\\')) out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c < 0x80) {  // C0 controls and DEL
      AppendHexEscape("\\x", c, out);
      ++i;
      continue;
    }
    uint32_t code_point = 0;
    size_t len = DecodeUtf8(s.data() + i, s.size() - i, &code_point);
    if (len == 0) {  // not UTF-8: show the byte
      AppendHexEscape("\\x", c, out);
      ++i;
      continue;
    }
    if (code_point < 0xA0) {  // a C1 control (U+0080-U+009F)
      AppendHexEscape("\\u00", static_cast<unsigned char>(code_point), out);
    } else {
      out->append(s.substr(i, len));
    }
    i += len;
  }
}

}  // namespace ariadne::sdk
