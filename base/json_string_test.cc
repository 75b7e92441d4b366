// AppendJsonString against a byte-at-a-time reference (so the 8-byte fast path cannot hide a
// byte), exact escapes, and a round trip through simdjson: whatever the input, the output parses
// and gives back the input with each invalid byte replaced by U+FFFD.
#include "base/json_string.h"

#include <cstdio>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "base/utf8.h"

namespace ariadne {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

// The escaping rules spelled out one byte at a time.
std::string Reference(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<uint8_t>(s[i]);
    char buf[8];
    if (c >= 0x80) {
      uint32_t cp;
      size_t len = DecodeUtf8(s.data() + i, s.size() - i, &cp);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        if (cp == 0x2028 || cp == 0x2029) {
          std::snprintf(buf, sizeof buf, "\\u%04x", cp);
          out += buf;
        } else {
          out.append(s.substr(i, len));
        }
        i += len;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

// s with each byte that does not start a well-formed sequence replaced by U+FFFD.
std::string Repaired(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t len =
        static_cast<uint8_t>(s[i]) < 0x80 ? 1 : DecodeUtf8(s.data() + i, s.size() - i, &cp);
    if (len == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

TEST(JsonString, EscapesExactly) {
  EXPECT_EQ(Json(""), "\"\"");
  EXPECT_EQ(Json("plain text"), "\"plain text\"");
  EXPECT_EQ(Json(std::string_view("a\"\\\n\t\x01<>&\xc3\xa9\xff", 12)),
            "\"a\\\"\\\\\\n\\t\\u0001\\u003c\\u003e\\u0026\xc3\xa9\\ufffd\"");
  EXPECT_EQ(Json("</script><!--"), "\"\\u003c/script\\u003e\\u003c!--\"");
  EXPECT_EQ(Json("a\xe2\x80\xa8z\xe2\x80\xa9"), "\"a\\u2028z\\u2029\"");
  EXPECT_EQ(Json("\x7f"), "\"\x7f\"");  // DEL is valid in JSON and HTML text
}

TEST(JsonString, EveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    std::string in(1, static_cast<char>(c));
    std::string want;
    switch (c) {
      case '\b':
        want = "\\b";
        break;
      case '\f':
        want = "\\f";
        break;
      case '\n':
        want = "\\n";
        break;
      case '\r':
        want = "\\r";
        break;
      case '\t':
        want = "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        want = buf;
      }
    }
    EXPECT_EQ(Json(in), "\"" + want + "\"") << c;
    // Also at every position of a longer run, where the 8-byte scan is used.
    for (size_t pos = 0; pos < 20; ++pos) {
      std::string long_in(20, 'x');
      long_in[pos] = static_cast<char>(c);
      EXPECT_EQ(Json(long_in), Reference(long_in)) << c << " at " << pos;
    }
  }
}

TEST(JsonString, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(Json("\x80"), "\"\\ufffd\"");
  EXPECT_EQ(Json("\xc0\x80"), "\"\\ufffd\\ufffd\"");             // overlong NUL
  EXPECT_EQ(Json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
  EXPECT_EQ(Json("ab\xe2\x82"), "\"ab\\ufffd\\ufffd\"");         // cut short at the end
  EXPECT_EQ(Json("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(Json("\xf0\x9f\x98\x80\xff"), "\"\xf0\x9f\x98\x80\\ufffd\"");
}

TEST(JsonString, EverySpecialByteAtEveryOffsetMatchesTheReference) {
  const std::string specials[] = {
      "\"",   "\\", "<", ">", "&", "\x1f", "\xff", "\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x98\x80",
      "\x7f", "'"};
  for (const std::string& sp : specials) {
    for (size_t pos = 0; pos < 24; ++pos) {
      std::string in(24, 'a');
      in.replace(pos, std::min(sp.size(), in.size() - pos), sp);
      EXPECT_EQ(Json(in), Reference(in)) << pos;
    }
  }
}

TEST(JsonString, RandomBytesRoundTripThroughAJsonParser) {
  std::mt19937 rng(20261203);
  simdjson::dom::parser parser;
  // Bytes biased towards the interesting ones.
  const uint8_t pool[] = {'a',  'Z',  ' ',  '"',  '\\', '<',  '>',  '&',  0x00, 0x1f, 0x7f, 0x80,
                          0xbf, 0xc3, 0xa9, 0xe2, 0x80, 0xa8, 0xed, 0xf0, 0x9f, 0xf4, 0xff};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string in(rng() % 64, '\0');
    for (char& c : in) {
      c = static_cast<char>(rng() % 2 ? pool[rng() % sizeof pool] : rng() % 256);
    }
    std::string json = Json(in);
    ASSERT_EQ(json, Reference(in));
    for (char c : json) {
      ASSERT_FALSE(c == '<' || c == '>' || c == '&' || static_cast<uint8_t>(c) < 0x20) << json;
    }
    std::string_view back;
    ASSERT_EQ(parser.parse(json).get_string().get(back), simdjson::SUCCESS) << json;
    EXPECT_EQ(back, Repaired(in));
  }
}

TEST(JsonString, AppendsToWhatIsThere) {
  std::string out = "{\"k\":";
  AppendJsonString(&out, "v");
  EXPECT_EQ(out, "{\"k\":\"v\"");
}

}  // namespace
}  // namespace ariadne
