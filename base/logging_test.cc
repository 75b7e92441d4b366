#include "base/logging.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

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
