// `ariadne demo`, the main command, as a newcomer runs it: the real `ariadne` binary execs the
// ariadne-demo launcher built next to it. Checks that `ariadne --help` lists it, that a missing
// launcher gives a clear error, that `ariadne demo --duration N` prints the UI, every endpoint and
// the data directory, leaves traces of all five seeds (including 004's gRPC hop) in the embedded
// store and leaves no process behind, and that Ctrl-C (SIGINT to the foreground process group, as
// a terminal sends it) stops every process it started. Free ports everywhere, temp data dirs;
// the only timing is generous wait deadlines.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"

namespace ariadne::demo {
namespace {

using testing::HttpGet;
using testing::PickFreePort;
using testing::ServerProcess;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempDir(const std::string& name) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("ariadne-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A process as /proc shows it: its pid and start time (so a reused pid is not mistaken for it).
struct Proc {
  pid_t pid = 0;
  std::string start_time;
  std::string cmdline;
};

// Fields of /proc/<pid>/stat after the command (which may contain spaces).
std::vector<std::string> StatFields(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream in(stat.substr(close + 2));
  for (std::string f; in >> f;) fields.push_back(f);
  return fields;  // [0] state, [1] ppid, ..., [19] starttime
}

std::vector<Proc> ChildrenOf(pid_t parent) {
  std::vector<Proc> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::atoi(name.c_str());
    std::vector<std::string> f = StatFields(pid);
    if (f.size() < 20 || std::atoi(f[1].c_str()) != parent) continue;
    std::string cmdline = ReadFile("/proc/" + name + "/cmdline");
    for (char& c : cmdline) c = c == '\0' ? ' ' : c;
    out.push_back({pid, f[19], cmdline});
  }
  return out;
}

bool StillRunning(const Proc& p) {
  std::vector<std::string> f = StatFields(p.pid);
  return f.size() >= 20 && f[19] == p.start_time && f[0] != "Z";
}

// `ariadne demo ...` as a child in its own process group (like a terminal's foreground job).
class DemoCommand {
 public:
  ~DemoCommand() {
    if (pid_ > 0) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  void Start(std::vector<std::string> args, const std::string& log) {
    log_ = log;
    args.insert(args.begin(), {ARIADNE_BINARY, "demo"});
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    setpgid(pid_, pid_);  // both sides, so it holds whichever runs first
  }
  std::string Output() const { return ReadFile(log_); }
  pid_t pid() const { return pid_; }
  bool WaitFor(const std::string& text, int timeout_s) {
    for (int i = 0; i < timeout_s * 10; ++i) {
      if (Output().find(text) != std::string::npos) return true;
      if (pid_ <= 0 || waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        return Output().find(text) != std::string::npos;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // Waits for the exit; the exit code, or -1 on timeout or death by a signal.
  int WaitExit(int timeout_s) {
    for (int i = 0; i < timeout_s * 10 && pid_ > 0; ++i) {
      if (waitpid(pid_, &status_, WNOHANG) == pid_) pid_ = -1;
      if (pid_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (pid_ > 0) return -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  void InterruptGroup() { kill(-pid_, SIGINT); }  // what Ctrl-C in a terminal does

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  std::string log_;
};

// Every flag that gives `ariadne demo` free ports and a temp data dir.
std::vector<std::string> DemoArgs(const std::string& data_dir, uint16_t query_port) {
  return {"--query-port",
          std::to_string(query_port),
          "--otlp-http-port",
          std::to_string(PickFreePort()),
          "--data-dir",
          data_dir,
          "--rate",
          "8",
          "--otlp-grpc-port=0",
          "--jaeger-compact-port=0",
          "--jaeger-binary-port=0",
          "--jaeger-http-port=0",
          "--zipkin-port=0"};
}

void ExpectAllGone(const std::vector<Proc>& procs) {
  for (const Proc& p : procs) {
    bool gone = false;
    for (int i = 0; i < 50 && !gone; ++i) {  // reparented ones may take a moment to exit
      gone = !StillRunning(p);
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(gone) << "still running: " << p.pid << " " << p.cmdline;
  }
}

TEST(DemoCommand, HelpListsTheDemoCommand) {
  std::string dir = TempDir("demo-help");
  std::string cmd = std::string(ARIADNE_BINARY) + " --help > " + dir + "/out 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string out = ReadFile(dir + "/out");
  EXPECT_NE(out.find("\n  demo "), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

TEST(DemoCommand, MissingLauncherSaysWhichTargetToBuild) {
  // ariadne alone in a directory (a hard link, or a copy across file systems): /proc/self/exe
  // points there, and there is no launcher beside it.
  std::string dir = TempDir("demo-missing");
  std::error_code ec;
  std::filesystem::create_hard_link(ARIADNE_BINARY, dir + "/ariadne", ec);
  if (ec) std::filesystem::copy_file(ARIADNE_BINARY, dir + "/ariadne");
  std::string cmd = dir + "/ariadne demo --duration 1 > " + dir + "/out 2>&1";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_NE(WEXITSTATUS(rc), 0);
  std::string out = ReadFile(dir + "/out");
  EXPECT_NE(out.find(dir + "/ariadne-demo"), std::string::npos) << out;
  EXPECT_NE(out.find("build the ariadne-demo target"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

TEST(DemoCommand, RunsForItsDurationLeavesEverySeedsTracesAndNoProcess) {
  std::string dir = TempDir("demo-duration");
  uint16_t query_port = PickFreePort();
  DemoCommand demo;
  demo.Start(
      [&] {
        auto a = DemoArgs(dir + "/data", query_port);
        a.insert(a.end(), {"--duration", "12"});
        return a;
      }(),
      dir + "/demo.log");
  ASSERT_TRUE(demo.WaitFor("ariadne-demo: ready", 90)) << demo.Output();
  std::vector<Proc> started = ChildrenOf(demo.pid());
  // ariadne serve, a process per service role and the traffic generator.
  EXPECT_GE(started.size(), 11u);

  {
    SCOPED_TRACE("the first lines: the UI, every endpoint, the data directory");
    std::string out = demo.Output();
    std::string banner = out.substr(0, out.find("Services"));
    EXPECT_NE(banner.find("http://127.0.0.1:" + std::to_string(query_port) + "/"),
              std::string::npos)
        << banner;
    for (const char* label : {"UI and query API", "OTLP gRPC", "OTLP HTTP", "Jaeger UDP",
                              "Jaeger HTTP", "Zipkin", "Data directory"}) {
      EXPECT_NE(banner.find(label), std::string::npos) << label << "\n" << banner;
    }
    EXPECT_EQ(banner.find("off"), std::string::npos) << "every receiver listens\n" << banner;
    EXPECT_NE(banner.find("/v1/traces"), std::string::npos) << banner;
    EXPECT_NE(banner.find("/api/v2/spans"), std::string::npos) << banner;
    EXPECT_NE(banner.find("udp://127.0.0.1:"), std::string::npos) << banner;
    EXPECT_NE(banner.find(std::filesystem::path(dir + "/data").lexically_normal().string()),
              std::string::npos)
        << banner;
  }

  EXPECT_EQ(demo.WaitExit(120), 0) << demo.Output();
  EXPECT_NE(demo.Output().find("ariadne-demo: stopped"), std::string::npos) << demo.Output();
  ExpectAllGone(started);

  // The demo used the embedded store: a fresh server on the same data dir answers for it.
  ServerProcess server(ARIADNE_BINARY);
  ASSERT_TRUE(server.Start({"--storage=embedded", "--data-dir=" + dir + "/data",
                            "--otlp-grpc-enabled=false", "--otlp-http-enabled=false",
                            "--jaeger-compact-enabled=false", "--jaeger-binary-enabled=false",
                            "--jaeger-http-enabled=false", "--zipkin-enabled=false"}))
      << server.log();
  for (const char* service : {"ryot", "x0tta6bl4", "continuum", "daena", "jeeves-gateway"}) {
    auto r = HttpGet(server.query_port(),
                     std::string("/api/traces?lookback=2h&limit=1&service=") + service);
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\"traceID\""), std::string::npos) << service << ": " << r.body;
  }
  // 004's gateway -> orchestrator hop is gRPC on both sides.
  auto grpc = HttpGet(server.query_port(),
                      "/api/traces?lookback=2h&limit=1&service=jeeves-orchestrator&operation="
                      "jeeves.v1.Orchestrator%2FProcessRequest&tags=%7B%22rpc.system%22%3A%22grpc"
                      "%22%7D");
  EXPECT_NE(grpc.body.find("\"traceID\""), std::string::npos) << grpc.body;
  EXPECT_EQ(server.Stop(), 0);
  std::filesystem::remove_all(dir);
}

TEST(DemoCommand, CtrlCStopsEveryProcessItStarted) {
  std::string dir = TempDir("demo-ctrl-c");
  DemoCommand demo;
  uint16_t query_port = PickFreePort();
  demo.Start(DemoArgs(dir + "/data", query_port), dir + "/demo.log");
  ASSERT_TRUE(demo.WaitFor("ariadne-demo: ready", 90)) << demo.Output();
  std::vector<Proc> started = ChildrenOf(demo.pid());
  EXPECT_GE(started.size(), 11u);
  demo.InterruptGroup();
  EXPECT_EQ(demo.WaitExit(90), 0) << demo.Output();
  EXPECT_NE(demo.Output().find("ariadne-demo: stopping"), std::string::npos) << demo.Output();
  ExpectAllGone(started);
  EXPECT_EQ(HttpGet(query_port, "/health").status, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ariadne::demo
