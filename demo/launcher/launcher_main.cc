// ariadne-demo: the whole demo in one command.
//
// Starts `ariadne serve` (embedded storage under --data-dir), waits for /health, starts every
// demo service role and the traffic generator as child processes (logs in <data-dir>/logs/),
// prints the UI address and links to an error trace and a slow trace found through the query
// API, and on SIGINT/SIGTERM stops the traffic, then the services, then the server.
// Flags it does not know are forwarded to `ariadne serve`. Single-threaded; children get the
// default signal mask back before exec. Tested by demo/tests/seed_workflows_test.cc.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo/service/demo_runtime.h"

namespace ariadne::demo {
namespace {

struct LauncherOptions {
  std::string ariadne;
  std::string service_binary;
  std::string data_dir = "./ariadne-demo-data";
  std::string storage = "embedded";
  int query_port = 16686;
  int otlp_http_port = 4318;
  std::string rate = "5";
  std::string error_rate = "0.05";
  std::string slow_rate = "0.05";
  int duration_s = 0;  // 0: until a signal
  std::vector<std::string> serve_args;
};

struct Child {
  std::string name;
  pid_t pid = -1;
};

bool ParseArgs(int argc, char** argv, LauncherOptions* o) {
  std::filesystem::path self = std::filesystem::absolute(argv[0]).parent_path();
  o->ariadne = (self / "ariadne").string();
  o->service_binary = (self / "ariadne-demo-service").string();
  const std::map<std::string, std::string*> strings = {
      {"--ariadne", &o->ariadne},    {"--service-binary", &o->service_binary},
      {"--data-dir", &o->data_dir},  {"--storage", &o->storage},
      {"--rate", &o->rate},          {"--error-rate", &o->error_rate},
      {"--slow-rate", &o->slow_rate}};
  const std::map<std::string, int*> ints = {{"--query-port", &o->query_port},
                                            {"--otlp-http-port", &o->otlp_http_port},
                                            {"--duration", &o->duration_s}};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") return false;
    std::string key = a.substr(0, a.find('='));
    bool known = strings.count(key) != 0 || ints.count(key) != 0;
    if (!known) {
      o->serve_args.push_back(a);  // forwarded to ariadne serve
      continue;
    }
    std::string value;
    if (key.size() < a.size()) {
      value = a.substr(key.size() + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return false;
    }
    if (auto it = strings.find(key); it != strings.end()) {
      *it->second = value;
    } else {
      *ints.at(key) = std::atoi(value.c_str());
    }
  }
  return true;
}

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path,
            const std::vector<std::pair<std::string, std::string>>& env) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  std::fprintf(stderr, "exec %s failed\n", argv[0]);
  _exit(127);
}

bool Exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

bool WaitHealthy(const std::string& url, pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (HttpCall("GET", url, {}, nullptr, 1000) == 200) return true;
    if (Exited(pid)) return false;
    usleep(100'000);
  }
  return false;
}

// Stops with SIGTERM, then SIGKILL after timeout_ms.
void StopAll(std::vector<Child>& children, int timeout_ms) {
  for (const Child& c : children) {
    if (c.pid > 0) kill(c.pid, SIGTERM);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (Child& c : children) {
    while (c.pid > 0) {
      int status = 0;
      pid_t r = waitpid(c.pid, &status, WNOHANG);
      if (r == c.pid || r < 0) {
        c.pid = -1;
      } else if (std::chrono::steady_clock::now() > deadline) {
        std::fprintf(stderr, "ariadne-demo: %s did not stop; killing it\n", c.name.c_str());
        kill(c.pid, SIGKILL);
        waitpid(c.pid, &status, 0);
        c.pid = -1;
      } else {
        usleep(50'000);
      }
    }
  }
}

// The first traceID of a /api/traces answer, or "".
std::string FirstTraceId(int query_port, const std::string& query) {
  std::string body;
  std::string url = "http://127.0.0.1:" + std::to_string(query_port) + "/api/traces?" + query;
  if (HttpCall("GET", url, {}, &body, 5000) != 200) return "";
  size_t p = body.find("\"traceID\":\"");
  if (p == std::string::npos) return "";
  p += 11;
  size_t e = body.find('"', p);
  return e == std::string::npos ? "" : body.substr(p, e - p);
}

struct Link {
  const char* label;
  const char* query;  // URL-encoded /api/traces query
  std::string found;
};

}  // namespace
}  // namespace ariadne::demo

int main(int argc, char** argv) {
  using namespace ariadne::demo;
  LauncherOptions o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: ariadne-demo [--query-port N] [--otlp-http-port N] [--data-dir DIR] "
                 "[--storage embedded|memory] [--rate R] [--error-rate P] [--slow-rate P] "
                 "[--duration S] [--ariadne PATH] [--service-binary PATH] [serve flags...]\n");
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  std::error_code ec;
  std::filesystem::create_directories(o.data_dir + "/logs", ec);
  std::string logs = std::filesystem::absolute(o.data_dir + "/logs").lexically_normal().string();
  std::string q = std::to_string(o.query_port);
  std::string base = "http://127.0.0.1:";

  std::vector<std::string> serve = {o.ariadne,
                                    "serve",
                                    "--storage=" + o.storage,
                                    "--data-dir=" + o.data_dir,
                                    "--query-port=" + q,
                                    "--otlp-http-port=" + std::to_string(o.otlp_http_port)};
  serve.insert(serve.end(), o.serve_args.begin(), o.serve_args.end());
  std::vector<Child> server = {{"ariadne serve", Spawn(serve, logs + "/ariadne-serve.log", {})}};
  std::printf("ariadne-demo: starting ariadne serve (data in %s, logs in %s)\n", o.data_dir.c_str(),
              logs.c_str());
  std::fflush(stdout);
  if (!WaitHealthy(base + q + "/health", server[0].pid, 30'000)) {
    std::fprintf(stderr, "ariadne-demo: the server did not become healthy; see %s\n",
                 (logs + "/ariadne-serve.log").c_str());
    StopAll(server, 5000);
    return 1;
  }

  std::map<std::string, std::string> urls;
  for (const std::string& role : AllServiceRoles()) {
    urls[role] = base + std::to_string(FreePort());
  }
  std::vector<std::string> peers;
  for (const auto& [role, url] : urls) peers.push_back("--peer=" + role + "=" + url);
  const char* delay = std::getenv("OTEL_BSP_SCHEDULE_DELAY");
  std::vector<std::pair<std::string, std::string>> env = {
      {"OTEL_EXPORTER_OTLP_ENDPOINT", base + std::to_string(o.otlp_http_port)},
      {"OTEL_BSP_SCHEDULE_DELAY", delay != nullptr ? delay : "500"},
      {"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=demo,service.version=0.1.0"}};
  std::vector<Child> services;
  std::vector<Child> traffic;
  bool ok = true;
  for (const std::string& role : AllServiceRoles()) {
    std::vector<std::string> args = {
        o.service_binary, "--role",     role,          "--port",   urls[role].substr(base.size()),
        "--error-rate",   o.error_rate, "--slow-rate", o.slow_rate};
    args.insert(args.end(), peers.begin(), peers.end());
    auto child_env = env;
    child_env.emplace_back("OTEL_SERVICE_NAME", role);
    services.push_back({role, Spawn(args, logs + "/" + role + ".log", child_env)});
  }
  for (const Child& c : services) {
    if (!WaitHealthy(urls[c.name] + "/health", c.pid, 15'000)) {
      std::fprintf(stderr, "ariadne-demo: service %s did not start; see %s/%s.log\n",
                   c.name.c_str(), logs.c_str(), c.name.c_str());
      ok = false;
    }
  }
  if (ok) {
    std::vector<std::string> args = {o.service_binary, "--role", "traffic", "--rate", o.rate};
    args.insert(args.end(), peers.begin(), peers.end());
    traffic.push_back({"traffic", Spawn(args, logs + "/traffic.log", {})});
    for (const auto& [role, url] : urls) std::printf("service %s %s\n", role.c_str(), url.c_str());
    std::printf(
        "ariadne-demo: ready. Open the UI at http://127.0.0.1:%s/ (traffic: %s req/s, error rate "
        "%s). Ctrl-C stops everything.\n",
        q.c_str(), o.rate.c_str(), o.error_rate.c_str());
    std::fflush(stdout);
  }

  std::vector<Link> links = {
      {"an error trace (Jeeves)",
       "service=jeeves-gateway&tags=%7B%22error%22%3A%22true%22%7D&limit=1&lookback=1h", ""},
      {"a slow trace (Jeeves critic LLM timeout)",
       "service=jeeves-gateway&minDuration=1s&limit=1&lookback=1h", ""},
      {"a failed ryot inference (seed 000 query)",
       "service=ryot&operation=llm.inference&minDuration=100ms&maxDuration=5s&tags=%7B%22error%22%"
       "3A%22true%22%7D&limit=1&lookback=1h",
       ""}};
  auto start = std::chrono::steady_clock::now();
  int exit_code = ok ? 0 : 1;
  timespec tick{0, 250'000'000};
  double next_lookup = 5;  // seconds after start: look for interesting traces every 3 s
  while (ok) {
    int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      std::printf("ariadne-demo: stopping\n");
      break;
    }
    if (Exited(server[0].pid)) {
      std::fprintf(stderr, "ariadne-demo: ariadne serve exited; stopping the demo\n");
      server[0].pid = -1;
      exit_code = 1;
      break;
    }
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed >= next_lookup && elapsed < 300) {
      next_lookup = elapsed + 3;
      for (Link& l : links) {
        if (!l.found.empty()) continue;
        l.found = FirstTraceId(o.query_port, l.query);
        if (!l.found.empty()) {
          std::printf("  %s: http://127.0.0.1:%s/trace/%s\n", l.label, q.c_str(), l.found.c_str());
          std::fflush(stdout);
        }
      }
    }
    if (o.duration_s > 0 && elapsed >= o.duration_s) break;
  }
  StopAll(traffic, 5000);
  StopAll(services, 10'000);
  StopAll(server, 20'000);
  curl_global_cleanup();
  std::printf("ariadne-demo: stopped\n");
  return exit_code;
}
