// Resource limits of the HTTP listeners against the real binary: the connection cap (extra
// connections refused and counted, service resumes once they close), bodies refused from their
// Content-Length before they are sent (413 on the query port's small limit and the receivers'
// large one, 429 when the in-flight budget cannot take them), nosniff and no echoed path, and
// accept() running out of descriptors (RLIMIT_NOFILE lowered on the live server) without the
// server spinning a core or flooding its log, the soft descriptor limit raised at startup, and
// out-of-range listener options refused at startup.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/sanitizers.h"
#include "tests/integration/test_args.h"
#include "tests/testing/http_client.h"
#include "tests/testing/metrics_text.h"
#include "tests/testing/raw_connection.h"
#include "tests/testing/run_command.h"
#include "tests/testing/server_process.h"
#include "tests/testing/wait_for.h"

namespace ariadne {
namespace {

using testing::AnyPortArgs;
using testing::HttpGet;
using testing::HttpPost;
using testing::MetricValue;
using testing::PickFreePort;
using testing::RawConnection;
using testing::RunCommand;
using testing::ServerProcess;
using testing::WaitFor;

int64_t QueryMetric(const ServerProcess& server, const std::string& name,
                    const std::string& label) {
  return MetricValue(HttpGet(server.query_port(), "/metrics").body, name, {label});
}

// User + system CPU time the process has used, in seconds (from /proc: getrusage cannot see a
// child that is still running).
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;  // NOLINT(runtime/int): the format of stat
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The descriptor the process would get next: the lowest number not in use.
int LowestFreeFd(pid_t pid) {
  std::set<int> used;
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    used.insert(std::atoi(e.path().filename().c_str()));
  }
  int fd = 0;
  while (used.count(fd) != 0) ++fd;
  return fd;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(HttpLimitsTest, ConnectionsOverTheCapAreRefusedAndServiceResumes) {
  uint16_t otlp = PickFreePort();
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start(AnyPortArgs({"--storage=memory", "--http-max-connections=8",
                                        "--otlp-http-port=" + std::to_string(otlp)})))
      << server.log();
  const std::string otlp_http = "listener=\"otlp_http\"";

  std::vector<RawConnection> held(8);
  for (RawConnection& c : held) ASSERT_TRUE(c.Connect(otlp));
  ASSERT_TRUE(
      WaitFor([&] { return QueryMetric(server, "ariadne_http_connections", otlp_http) == 8; }));
  for (int i = 0; i < 10; ++i) {
    RawConnection extra;
    ASSERT_TRUE(extra.Connect(otlp));
    extra.Send("GET /v1/traces HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    std::string got = extra.ReadUntilClosed(5'000, &closed);
    EXPECT_TRUE(closed) << "connection " << i << " over the cap was left open";
    if (!got.empty()) {
      EXPECT_EQ(got.rfind("HTTP/1.1 503", 0), 0u) << got;
    }
  }
  EXPECT_EQ(QueryMetric(server, "ariadne_http_connections_refused_total", otlp_http), 10);

  held.clear();
  ASSERT_TRUE(
      WaitFor([&] { return QueryMetric(server, "ariadne_http_connections", otlp_http) == 0; }));
  auto r = HttpPost(otlp, "/v1/traces", "", {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(HttpLimitsTest, BodiesAreRefusedFromTheirDeclaredLength) {
  uint16_t otlp = PickFreePort();
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start(AnyPortArgs({"--storage=memory", "--max-inflight-bytes=64KiB",
                                        "--otlp-http-port=" + std::to_string(otlp)})))
      << server.log();
  auto headers_only = [](uint16_t port, const std::string& target, const std::string& length) {
    RawConnection c;
    EXPECT_TRUE(c.Connect(port));
    c.Send("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n" +
           "Content-Length: " + length + "\r\n\r\n");
    bool closed = false;
    return c.ReadUntilClosed(5'000, &closed);
  };
  // 1 GiB declared, nothing sent: refused at once, on the query port and on a receiver.
  std::string got = headers_only(server.query_port(), "/api/archive/abc", "1073741824");
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  got = headers_only(otlp, "/v1/traces", "1073741824");
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  // The query port's limit is 64 KiB, not the receivers' 64 MiB.
  auto r = HttpPost(server.query_port(), "/api/archive/abc", std::string(100 << 10, 'x'));
  EXPECT_EQ(r.status, 413);
  // Within the request limit but over the in-flight budget: 429 before the body is sent.
  got = headers_only(otlp, "/v1/traces", "1000000");
  EXPECT_EQ(got.rfind("HTTP/1.1 429", 0), 0u) << got;
  EXPECT_NE(got.find("Retry-After: 1"), std::string::npos) << got;
  EXPECT_EQ(QueryMetric(server, "ariadne_receiver_requests_refused_total",
                        "receiver=\"otlp_http\",protocol=\"http\",reason=\"inflight_limit\""),
            1);
  EXPECT_EQ(QueryMetric(server, "ariadne_http_early_refusals_total", "listener=\"otlp_http\""), 1);
  // A body that fits is still taken.
  r = HttpPost(otlp, "/v1/traces", "", {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(HttpLimitsTest, AnswersSayNosniffAndDoNotEchoThePath) {
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start(AnyPortArgs({"--storage=memory"}))) << server.log();
  auto r = HttpGet(server.query_port(), "/health");
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  r = HttpGet(server.query_port(), "/api/nothing-here/<img src=x onerror=alert(1)>");
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.body.find("<img"), std::string::npos) << r.body;
  EXPECT_EQ(r.Header("content-type").find("html"), std::string::npos) << r.Header("content-type");
  EXPECT_EQ(server.Stop(), 0);
}

TEST(HttpLimitsTest, OutOfDescriptorsTheServerBacksOffInsteadOfSpinning) {
  if (kAddressSanitizer) {
    // UBSan's vptr check reads the vtable through IsAccessibleMemoryRange, which needs a pipe:
    // with no descriptor free it reports "invalid vptr" on valid objects (boost::system's
    // error_category, beast's async_base), a false report that fails the run intermittently.
    GTEST_SKIP() << "the ASan+UBSan runtime needs free descriptors itself";
  }
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start(AnyPortArgs({"--storage=memory"}))) << server.log();
  pid_t pid = server.pid();
  rlimit old{};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, nullptr, &old), 0);
  // No descriptor is free below the limit: accept() fails with EMFILE (descriptors the
  // process already holds above it stay valid).
  rlimit tight = old;
  tight.rlim_cur = static_cast<rlim_t>(LowestFreeFd(pid));
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &tight, nullptr), 0);

  std::vector<RawConnection> pending(40);
  for (RawConnection& c : pending) ASSERT_TRUE(c.Connect(server.query_port()));
  ASSERT_TRUE(WaitFor([&] { return server.log().find("accept failed") != std::string::npos; }))
      << "accept() never failed; the test did not exhaust descriptors\n"
      << server.log();

  // With connections waiting in the backlog and no descriptor to take them, a server retrying
  // at once would burn a core (about 4 s of CPU in this window); the bound leaves room for a
  // loaded machine or a sanitizer build.
  double before = CpuSeconds(pid);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  double used = CpuSeconds(pid) - before;
  EXPECT_LT(used, 1.0) << "the server used " << used << " s of CPU in 4 s while out of fds";
  EXPECT_LE(Count(server.log(), "accept failed"), 2u) << "the warning is not rate-limited";

  pending.clear();
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &old, nullptr), 0);
  ASSERT_TRUE(WaitFor([&] { return HttpGet(server.query_port(), "/health").status == 200; }));
  int64_t errors = QueryMetric(server, "ariadne_http_accept_errors_total", "listener=\"query\"");
  EXPECT_GT(errors, 0);
  EXPECT_LT(errors, 200) << "accept() was retried without a pause";
  EXPECT_EQ(server.Stop(), 0);
}

TEST(HttpLimitsTest, TheSoftDescriptorLimitIsRaisedToTheHardOne) {
  rlimit mine{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &mine), 0);
  if (mine.rlim_max != RLIM_INFINITY && mine.rlim_max < 1024) {
    GTEST_SKIP() << "hard descriptor limit " << mine.rlim_max << " is too low to tell";
  }
  // The child inherits a low soft limit; the hard one stays, so this process gets its own back.
  rlimit low = mine;
  low.rlim_cur = 512;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  ServerProcess server(ARIADNE_BINARY);
  bool started = server.Start(AnyPortArgs({"--storage=memory"}));
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &mine), 0);
  ASSERT_TRUE(started) << server.log();
  rlimit child{};
  ASSERT_EQ(::prlimit(server.pid(), RLIMIT_NOFILE, nullptr, &child), 0);
  EXPECT_GT(child.rlim_cur, 512u);
  if (mine.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(child.rlim_cur, mine.rlim_max);
  }
  EXPECT_NE(server.log().find("file descriptor limit"), std::string::npos) << server.log();
  EXPECT_EQ(server.Stop(), 0);
}

TEST(HttpLimitsTest, OutOfRangeListenerOptionsAreRefusedAtStartup) {
  struct Case {
    std::string flag;
    std::string message;
  };
  const Case cases[] = {
      {"--http-header-timeout=0", "--http-header-timeout must be at least 1ms"},
      {"--http-idle-timeout=500us", "--http-idle-timeout must be at least 1ms"},
      {"--http-max-connections=0", "--http-max-connections must be at least 1"},
      {"--grpc-max-concurrent-streams=-1", "--grpc-max-concurrent-streams must be at least 1"},
      {"--max-spans-per-trace=-5", "--max-spans-per-trace must be 0 (no limit) or more"},
      {"--max-name-bytes=0", "--max-name-bytes must be between 1 byte and 1GiB"},
      {"--max-attribute-value-bytes=8GiB", "--max-attribute-value-bytes must be between 1 byte"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = AnyPortArgs({"--storage=memory", "--query-port=0", c.flag});
    // timeout: a value wrongly accepted would start a server that never exits.
    std::string command = "timeout 20 " + std::string(ARIADNE_BINARY) + " serve";
    for (const std::string& a : args) command += " " + a;
    int code = -1;
    std::string out = RunCommand(command, &code);
    EXPECT_EQ(code, 1) << c.flag << "\n" << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.flag << "\n" << out;
  }
}

}  // namespace
}  // namespace ariadne
