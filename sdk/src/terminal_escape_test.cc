// AppendEscapedForTerminal neutralises every control character and invalid byte and keeps valid
// text.
#include "sdk/src/terminal_escape.h"

#include <gtest/gtest.h>

namespace ariadne::sdk {
namespace {

std::string Escaped(std::string_view s, bool quote = true) {
  std::string out;
  AppendEscapedForTerminal(s, quote, &out);
  return out;
}

TEST(EscapeForTerminal, KeepsValidTextAndEscapesQuotes) {
  EXPECT_EQ(Escaped("plain text 123"), "plain text 123");
  EXPECT_EQ(Escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(Escaped("say \"hi\" \\ bye"), "say \\\"hi\\\" \\\\ bye");
  EXPECT_EQ(Escaped("say \"hi\"", false), "say \"hi\"");
}

TEST(EscapeForTerminal, EscapesControlCharacters) {
  EXPECT_EQ(Escaped("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(Escaped("a\nb\rc\td\x7f"), "a\\x0ab\\x0dc\\x09d\\x7f");
  EXPECT_EQ(Escaped(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(Escaped("\xC2\x9B"
                    "2J"),
            "\\u009b2J");  // C1 CSI
  EXPECT_EQ(Escaped("\xC2\x85"), "\\u0085");
  EXPECT_EQ(Escaped("\xC2\xA0"), "\xC2\xA0");  // no-break space is text
}

TEST(EscapeForTerminal, EscapesInvalidUtf8ByteByByte) {
  EXPECT_EQ(Escaped("\x9b"
                    "2J"),
            "\\x9b2J");                                            // a lone C1 byte (8-bit CSI)
  EXPECT_EQ(Escaped("\xC3"), "\\xc3");                             // truncated sequence
  EXPECT_EQ(Escaped("\xC0\xAF"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(Escaped("\xED\xA0\x80"), "\\xed\\xa0\\x80");           // surrogate
  EXPECT_EQ(Escaped("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(Escaped("\xFF"
                    "ok"),
            "\\xffok");
  // Escaping leaves no byte below 0x20, no DEL, no invalid UTF-8.
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (char c : Escaped(all)) {
    unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 && u != 0x7f && u < 0x80) << int(u);
  }
}

}  // namespace
}  // namespace ariadne::sdk
