#include "base/logging.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

namespace ariadne {
namespace {

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSink([this](std::string_view l) { lines_.emplace_back(l); });
    SetLogLevel(LogLevel::kInfo);
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetLogFormat(LogFormat::kText);
    SetLogLevel(LogLevel::kInfo);
  }
  std::vector<std::string> lines_;
};

TEST_F(LoggingTest, TextLineHasLevelMessageAndFields) {
  SetLogFormat(LogFormat::kText);
  ARIADNE_LOG(kWarn, "disk low").Field("free_bytes", uint64_t{42}).Field("path", "/var/x y");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("WARN  disk low free_bytes=42 path=\"/var/x y\""), std::string::npos)
      << lines_[0];
}

TEST_F(LoggingTest, JsonEscapesHostileValues) {
  SetLogFormat(LogFormat::kJson);
  ARIADNE_LOG(kError, "bad \"span\"").Field("name", "a\nb\x01").Field("ok", false).Field("n", -3);
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& l = lines_[0];
  EXPECT_EQ(l.front(), '{');
  EXPECT_EQ(l.back(), '}');
  EXPECT_NE(l.find("\"level\":\"error\""), std::string::npos);
  EXPECT_NE(l.find("\"msg\":\"bad \\\"span\\\"\""), std::string::npos);
  EXPECT_NE(l.find("\"name\":\"a\\nb\\u0001\""), std::string::npos);
  EXPECT_NE(l.find("\"ok\":false,\"n\":-3"), std::string::npos);
}

TEST_F(LoggingTest, JsonLinesAreValidJsonWhateverTheBytes) {
  SetLogFormat(LogFormat::kJson);
  ARIADNE_LOG(kWarn, "span</script>").Field("name", std::string_view("bad\xff\xc3", 5));
  ASSERT_EQ(lines_.size(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(lines_[0]).get(doc), simdjson::SUCCESS) << lines_[0];
  std::string_view name, msg;
  ASSERT_EQ(doc["name"].get_string().get(name), simdjson::SUCCESS);
  EXPECT_EQ(name, "bad\xef\xbf\xbd\xef\xbf\xbd");
  ASSERT_EQ(doc["msg"].get_string().get(msg), simdjson::SUCCESS);
  EXPECT_EQ(msg, "span</script>");
  EXPECT_EQ(lines_[0].find('<'), std::string::npos) << lines_[0];
}

TEST_F(LoggingTest, TextValuesWithInvalidUtf8AreQuotedAndRepaired) {
  SetLogFormat(LogFormat::kText);
  ARIADNE_LOG(kInfo, "x").Field("v", std::string_view("a\xff", 2)).Field("w", "plain");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("v=\"a\\ufffd\" w=plain"), std::string::npos) << lines_[0];
}

TEST_F(LoggingTest, RecordsBelowLevelAreNotEvaluated) {
  int evaluated = 0;
  auto count = [&] { return ++evaluated; };
  ARIADNE_LOG(kDebug, "hidden").Field("x", count());
  EXPECT_EQ(evaluated, 0);
  EXPECT_TRUE(lines_.empty());
  SetLogLevel(LogLevel::kDebug);
  ARIADNE_LOG(kDebug, "shown").Field("x", count());
  EXPECT_EQ(evaluated, 1);
  EXPECT_EQ(lines_.size(), 1u);
}

TEST(LogLevelTest, Parses) {
  LogLevel l{};
  EXPECT_TRUE(ParseLogLevel("warn", &l));
  EXPECT_EQ(l, LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud", &l));
}

}  // namespace
}  // namespace ariadne
