#include "base/config.h"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

namespace ariadne {
namespace {

std::vector<OptionSpec> Specs() {
  return {
      {"data_dir", OptionType::kString, "./data", "where data lives"},
      {"storage", OptionType::kString, "memory", "backend", {"embedded", "memory"}},
      {"query_port", OptionType::kInt, "16686", "port"},
      {"verbose", OptionType::kBool, "false", "chatty"},
      {"retention", OptionType::kDuration, "72h", "hot retention"},
      {"max_request", OptionType::kBytes, "64MiB", "request limit"},
      {"ratio", OptionType::kDouble, "0.1", "sampling ratio"},
  };
}

TEST(ConfigParseTest, DurationsAndSizes) {
  EXPECT_EQ(*ParseDurationNanos("500ms"), 500'000'000);
  EXPECT_EQ(*ParseDurationNanos("1h30m"), int64_t{5400} * 1'000'000'000);
  EXPECT_EQ(*ParseDurationNanos("30d"), int64_t{30} * 86400 * 1'000'000'000);
  EXPECT_EQ(*ParseDurationNanos("1.5s"), 1'500'000'000);
  EXPECT_FALSE(ParseDurationNanos("5 parsecs").ok());
  EXPECT_FALSE(ParseDurationNanos("").ok());
  EXPECT_EQ(*ParseBytes("64MiB"), uint64_t{64} << 20);
  EXPECT_EQ(*ParseBytes("2KB"), 2000u);
  EXPECT_EQ(*ParseBytes("123"), 123u);
  EXPECT_FALSE(ParseBytes("lots").ok());
}

TEST(ConfigTest, DefaultsAreTyped) {
  Config c(Specs());
  EXPECT_EQ(c.GetString("data_dir"), "./data");
  EXPECT_EQ(c.GetInt("query_port"), 16686);
  EXPECT_FALSE(c.GetBool("verbose"));
  EXPECT_EQ(c.GetDurationNanos("retention"), int64_t{72} * 3600 * 1'000'000'000);
  EXPECT_EQ(c.GetBytes("max_request"), uint64_t{64} << 20);
  EXPECT_DOUBLE_EQ(c.GetDouble("ratio"), 0.1);
  EXPECT_EQ(c.GetSource("data_dir"), OptionSource::kDefault);
}

TEST(ConfigTest, PrecedenceFlagsOverEnvOverFileOverDefaults) {
  std::string path = ::testing::TempDir() + "/ariadne_config_test.yaml";
  {
    std::ofstream f(path);
    f << "data_dir: /from/file\nquery_port: 1111\nstorage: embedded\nverbose: true\n";
  }
  const char* env[] = {"ARIADNE_QUERY_PORT=2222", "ARIADNE_DATA_DIR=/from/env", "HOME=/root",
                       nullptr};
  Config c(Specs());
  std::vector<std::string> positional;
  Status s = c.Load({"--config", path, "--data-dir=/from/flag", "extra"}, env, &positional);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.GetString("data_dir"), "/from/flag");
  EXPECT_EQ(c.GetSource("data_dir"), OptionSource::kFlag);
  EXPECT_EQ(c.GetInt("query_port"), 2222);
  EXPECT_EQ(c.GetSource("query_port"), OptionSource::kEnv);
  EXPECT_EQ(c.GetString("storage"), "embedded");
  EXPECT_EQ(c.GetSource("storage"), OptionSource::kFile);
  EXPECT_TRUE(c.GetBool("verbose"));
  EXPECT_EQ(c.GetSource("retention"), OptionSource::kDefault);
  EXPECT_EQ(positional, std::vector<std::string>{"extra"});
  std::remove(path.c_str());
}

TEST(ConfigTest, ErrorsNameTheSourceAndOption) {
  Config c(Specs());
  const char* env[] = {"ARIADNE_QUERY_PORT=lots", nullptr};
  Status s = c.Load({}, env, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("ARIADNE_QUERY_PORT"), std::string_view::npos) << s.ToString();

  Config c2(Specs());
  s = c2.Load({"--storage=cassandra"}, nullptr, nullptr);
  EXPECT_NE(s.message().find("embedded|memory"), std::string_view::npos) << s.ToString();

  Config c3(Specs());
  EXPECT_NE(c3.Load({"--no-such-flag"}, nullptr, nullptr).message().find("unknown flag"),
            std::string_view::npos);
  EXPECT_FALSE(c3.Load({"--query-port"}, nullptr, nullptr).ok());  // missing value
  EXPECT_FALSE(c3.Load({"--config", "/nonexistent/x.yaml"}, nullptr, nullptr).ok());
}

TEST(ConfigTest, YamlErrorsAreStatusesNotExceptions) {
  Config c(Specs());
  EXPECT_FALSE(c.LoadYamlText("data_dir: [1, 2]", "t.yaml").ok());
  EXPECT_FALSE(c.LoadYamlText("{{{{", "t.yaml").ok());
  EXPECT_FALSE(c.LoadYamlText("- a\n- b\n", "t.yaml").ok());
  EXPECT_FALSE(c.LoadYamlText("unknown_key: 1", "t.yaml").ok());
  EXPECT_TRUE(c.LoadYamlText("", "t.yaml").ok());
}

TEST(ConfigTest, PrintRoundTripsThroughYaml) {
  Config c(Specs());
  ASSERT_TRUE(c.Set("data_dir", "/tmp/a \"quoted\" dir").ok());
  std::string printed = c.Print();
  EXPECT_NE(printed.find("# flag"), std::string::npos);
  Config back(Specs());
  ASSERT_TRUE(back.LoadYamlText(printed, "printed").ok());
  EXPECT_EQ(back.GetString("data_dir"), "/tmp/a \"quoted\" dir");
  EXPECT_EQ(back.GetInt("query_port"), 16686);
}

TEST(ConfigTest, NamesDeriveFromKeys) {
  EXPECT_EQ(Config::FlagName("data_dir"), "--data-dir");
  EXPECT_EQ(Config::EnvName("data_dir"), "ARIADNE_DATA_DIR");
  Config c(Specs());
  EXPECT_NE(c.Help().find("--data-dir"), std::string::npos);
  EXPECT_NE(c.Help().find("ARIADNE_DATA_DIR"), std::string::npos);
}

}  // namespace
}  // namespace ariadne
