// Runs the real `ariadne` binary: start-up, /health, configuration errors, clean shutdown.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include "tests/integration/test_args.h"
#include "tests/testing/http_client.h"
#include "tests/testing/run_command.h"
#include "tests/testing/server_process.h"

namespace ariadne {
namespace {

using testing::AnyPortArgs;
using testing::HttpGet;
using testing::RunCommand;
using testing::ServerProcess;

TEST(ServeTest, AnswersHealthAndStopsCleanlyOnSigterm) {
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start(AnyPortArgs({"--storage=memory"}))) << server.log();
  auto r = HttpGet(server.query_port(), "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("ok"), std::string::npos);
  EXPECT_EQ(HttpGet(server.query_port(), "/api/health").status, 200);
  EXPECT_EQ(server.Stop(), 0) << server.log();
  std::string log = server.log();
  EXPECT_NE(log.find("listening"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
}

TEST(ServeTest, StopsCleanlyOnSigint) {
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start(AnyPortArgs({"--storage=memory"}))) << server.log();
  server.Kill(SIGINT);
  EXPECT_FALSE(server.running());
  EXPECT_NE(server.log().find("signal=SIGINT"), std::string::npos) << server.log();
}

TEST(ServeTest, EmbeddedStorageCreatesTheDataDirectory) {
  std::string dir = ::testing::TempDir() + "/ariadne_serve_test_data";
  std::string rm = "rm -rf " + dir;
  ASSERT_EQ(std::system(rm.c_str()), 0);
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start(AnyPortArgs({"--storage=embedded", "--data-dir", dir}))) << server.log();
  EXPECT_EQ(server.Stop(), 0);
  EXPECT_EQ(std::system(("test -d " + dir).c_str()), 0);
  ASSERT_EQ(std::system(rm.c_str()), 0);
}

TEST(ServeTest, BadConfigurationIsAClearErrorNotACrash) {
  int code = 0;
  std::string out = RunCommand(std::string(ARIADNE_BINARY) + " serve --storage=cassandra", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("'cassandra' is not one of embedded|memory"), std::string::npos) << out;
  out = RunCommand("ARIADNE_QUERY_PORT=abc " + std::string(ARIADNE_BINARY) + " serve", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("ARIADNE_QUERY_PORT"), std::string::npos) << out;
  out = RunCommand(std::string(ARIADNE_BINARY) + " frobnicate", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("unknown command"), std::string::npos);
}

TEST(ServeTest, ConfigPrintShowsValuesAndSources) {
  std::string file = ::testing::TempDir() + "/ariadne_serve_test.yaml";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fputs("data_dir: /from/file\nquery_port: 1234\n", f);
  std::fclose(f);
  int code = 0;
  std::string out = RunCommand("ARIADNE_QUERY_PORT=4321 " + std::string(ARIADNE_BINARY) +
                                   " config --print --config " + file + " --log-level=debug",
                               &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("data_dir: \"/from/file\"  # file"), std::string::npos) << out;
  EXPECT_NE(out.find("query_port: 4321  # env"), std::string::npos) << out;
  EXPECT_NE(out.find("log_level: \"debug\"  # flag"), std::string::npos) << out;
  EXPECT_NE(out.find("storage: \"embedded\"  # default"), std::string::npos) << out;
  out = RunCommand(std::string(ARIADNE_BINARY) + " serve --help", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("--data-dir"), std::string::npos);
  EXPECT_NE(out.find("ARIADNE_STORAGE"), std::string::npos);
  std::remove(file.c_str());
}

TEST(ServeTest, PortInUseIsReported) {
  ServerProcess first(ARIADNE_BINARY);
  ASSERT_TRUE(first.Start(AnyPortArgs({"--storage=memory"})));
  int code = 0;
  std::string out =
      RunCommand(std::string(ARIADNE_BINARY) +
                     " serve --storage=memory --query-port=" + std::to_string(first.query_port()),
                 &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("cannot listen"), std::string::npos) << out;
}

}  // namespace
}  // namespace ariadne
