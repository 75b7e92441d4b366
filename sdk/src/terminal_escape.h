// How the SDK prints untrusted text (span names, attribute values) on a terminal or in a log:
// AppendEscapedForTerminal. For diagnostics (the console exporter), not a hot path. Invalid UTF-8
// is never an error: its bytes are printed as \xHH. Well-formedness is judged by base/utf8.h
// (header-only, so the installed SDK gains no dependency: this header is private to sdk/).
// Tested by terminal_escape_test.cc.
#ifndef ARIADNE_SDK_SRC_TERMINAL_ESCAPE_H_
#define ARIADNE_SDK_SRC_TERMINAL_ESCAPE_H_

#include <string>
#include <string_view>

namespace ariadne::sdk {

// Appends s for display on a terminal or in a log: valid UTF-8 is copied except the C0 controls,
// DEL and the C1 controls (U+0080-U+009F: ESC, CSI and the like start terminal escape
// sequences), which become \xHH (C0, DEL) or \u00HH (C1); bytes that are not valid UTF-8 become
// \xHH. When quote is true, '"' and '\\' are escaped with a backslash too.
void AppendEscapedForTerminal(std::string_view s, bool quote, std::string* out);

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SRC_TERMINAL_ESCAPE_H_
