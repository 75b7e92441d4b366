// ariadne-demo: the whole demo in one command (also `ariadne demo`, which execs this binary).
//
// Starts `ariadne serve` (embedded storage under --data-dir), waits for /health, prints the UI
// address, every receiver endpoint (read back from the server's log, so port 0 shows the port
// really bound) and the data directory; starts every demo service role and the traffic
// generator as child processes (logs in <data-dir>/logs/), then prints links to interesting
// traces found through the query API (an error, a slow request, a failed ryot inference, and a
// Jeeves request searched by its jeeves.request.id). On SIGINT/SIGTERM (or after --duration) it
// stops the traffic, then the services, then the server.
// Flags it does not know are forwarded to `ariadne serve`. Single-threaded. Children run in
// their own process group (a terminal's Ctrl-C reaches only the launcher, which stops them in
// order), get the default signal mask back before exec, and get SIGTERM if the launcher dies
// (PR_SET_PDEATHSIG), so no process outlives the demo. Tested by demo/tests/seed_workflows_test.cc
// and demo/tests/demo_command_test.cc.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
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

// The directory of this executable (where `ariadne` and `ariadne-demo-service` are built).
std::filesystem::path SelfDir(const char* argv0) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) exe = std::filesystem::absolute(argv0, ec);
  return exe.parent_path();
}

bool ParseArgs(int argc, char** argv, LauncherOptions* o) {
  std::filesystem::path self = SelfDir(argv[0]);
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
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  // Own process group: a terminal's Ctrl-C goes to the launcher only, which stops the children
  // in order (traffic, services, server). If the launcher dies without doing so, SIGTERM.
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(1);  // the launcher died before prctl
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

// The value of `key` in one log line, text (key=value or key="v") or JSON ("key":"v").
std::string LogField(const std::string& line, const std::string& key) {
  size_t p = line.find(" " + key + "=");
  if (p != std::string::npos) {
    p += key.size() + 2;
  } else if ((p = line.find("\"" + key + "\":")) != std::string::npos) {
    p += key.size() + 3;
  } else {
    return "";
  }
  if (p < line.size() && line[p] == '"') {
    size_t e = line.find('"', p + 1);
    return e == std::string::npos ? "" : line.substr(p + 1, e - p - 1);
  }
  size_t e = line.find_first_of(" ,}", p);
  return line.substr(p, e == std::string::npos ? std::string::npos : e - p);
}

// endpoint name -> address, from the server's "listening" log lines written after `offset`.
std::map<std::string, std::string> ServerEndpoints(const std::string& log_path,
                                                   std::streamoff offset) {
  std::map<std::string, std::string> out;
  std::ifstream in(log_path);
  in.seekg(offset);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("listening") == std::string::npos) continue;
    std::string endpoint = LogField(line, "endpoint");
    std::string url = LogField(line, "url");
    if (!endpoint.empty() && !url.empty()) out[endpoint] = url;
  }
  return out;
}

void PrintBanner(const std::map<std::string, std::string>& endpoints, const std::string& data_dir,
                 const std::string& storage, const std::string& logs) {
  auto at = [&](const char* name) {
    auto it = endpoints.find(name);
    return it == endpoints.end() ? std::string("off") : it->second;
  };
  std::printf(
      "\nAriadne demo: the five seed systems of docs/seeds.md, as live services sending traces "
      "to ariadne serve.\n\n"
      "  UI and query API   %s   <- open this\n"
      "  OTLP gRPC          %s\n"
      "  OTLP HTTP          %s\n"
      "  Jaeger UDP         %s (compact), %s (binary)\n"
      "  Jaeger HTTP        %s\n"
      "  Zipkin             %s\n"
      "  Data directory     %s\n"
      "  Logs               %s\n\n",
      at("ui").c_str(), at("otlp_grpc").c_str(), at("otlp_http").c_str(),
      at("jaeger_compact").c_str(), at("jaeger_binary").c_str(), at("jaeger_http").c_str(),
      at("zipkin").c_str(),
      storage == "embedded" ? data_dir.c_str() : "none (--storage memory: spans stay in memory)",
      logs.c_str());
  std::fflush(stdout);
}

std::string UrlEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

struct Link {
  std::string label;
  std::string query;    // URL-encoded /api/traces query
  std::string ui_path;  // printed instead of /trace/<id> when set (a search page)
  std::string found;
};

}  // namespace
}  // namespace ariadne::demo

int main(int argc, char** argv) {
  using namespace ariadne::demo;
  LauncherOptions o;
  if (!ParseArgs(argc, argv, &o)) {
    bool help = false;
    for (int i = 1; i < argc; ++i) {
      help = help || std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h";
    }
    std::fprintf(
        help ? stdout : stderr,
        "Usage: ariadne demo [--query-port N] [--otlp-http-port N] [--data-dir DIR]\n"
        "         [--storage embedded|memory] [--rate R] [--error-rate P] [--slow-rate P]\n"
        "         [--duration S] [--ariadne PATH] [--service-binary PATH] [serve flags]\n"
        "\nRuns ariadne serve and the five demo systems of docs/seeds.md with live traffic;\n"
        "Ctrl-C stops everything. Other flags (e.g. --zipkin-port=0) go to ariadne serve.\n"
        "Same as running ariadne-demo.\n");
    return help ? 0 : 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  std::error_code ec;
  std::filesystem::create_directories(o.data_dir + "/logs", ec);
  std::string data_dir = std::filesystem::absolute(o.data_dir).lexically_normal().string();
  std::string logs = std::filesystem::absolute(o.data_dir + "/logs").lexically_normal().string();
  std::string q = std::to_string(o.query_port);
  std::string base = "http://127.0.0.1:";
  std::string ui = base + q;

  std::vector<std::string> serve = {o.ariadne,
                                    "serve",
                                    "--storage=" + o.storage,
                                    "--data-dir=" + o.data_dir,
                                    "--query-port=" + q,
                                    "--otlp-http-port=" + std::to_string(o.otlp_http_port)};
  serve.insert(serve.end(), o.serve_args.begin(), o.serve_args.end());
  std::string serve_log = logs + "/ariadne-serve.log";
  std::streamoff serve_log_start = 0;
  if (auto size = std::filesystem::file_size(serve_log, ec); !ec) {
    serve_log_start = static_cast<std::streamoff>(size);
  }
  std::vector<Child> server = {{"ariadne serve", Spawn(serve, serve_log, {})}};
  if (!WaitHealthy(ui + "/health", server[0].pid, 30'000)) {
    std::fprintf(stderr, "ariadne-demo: ariadne serve did not become healthy; see %s\n",
                 serve_log.c_str());
    StopAll(server, 5000);
    return 1;
  }
  PrintBanner(ServerEndpoints(serve_log, serve_log_start), data_dir, o.storage, logs);

  std::map<std::string, std::string> urls;
  std::map<std::string, uint16_t> grpc_ports;
  for (const std::string& role : AllServiceRoles()) {
    urls[role] = base + std::to_string(FreePort());
    if (RoleServesGrpc(role)) grpc_ports[role] = FreePort();
  }
  std::vector<std::string> peers;
  for (const auto& [role, url] : urls) peers.push_back("--peer=" + role + "=" + url);
  for (const auto& [role, port] : grpc_ports) {
    peers.push_back("--peer=" + GrpcPeerKey(role) + "=127.0.0.1:" + std::to_string(port));
  }
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
    if (RoleServesGrpc(role)) {
      args.insert(args.end(), {"--grpc-port", std::to_string(grpc_ports[role])});
    }
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
  // A Jeeves request of our own, so its jeeves.request.id is known (seed 004's workflow 1).
  std::string request_id = "req_demo_" + Runtime::RandomHex(8);
  if (ok) {
    std::vector<std::string> args = {o.service_binary, "--role", "traffic", "--rate", o.rate};
    args.insert(args.end(), peers.begin(), peers.end());
    traffic.push_back({"traffic", Spawn(args, logs + "/traffic.log", {})});
    std::printf("Services (one process each; HTTP, and gRPC between the Jeeves services):\n");
    for (const auto& [role, url] : urls) {
      std::printf("  service %s %s", role.c_str(), url.c_str());
      if (auto it = grpc_ports.find(role); it != grpc_ports.end()) {
        std::printf("  grpc 127.0.0.1:%u", it->second);
      }
      std::printf("\n");
    }
    std::printf(
        "\nariadne-demo: ready. Open the UI at %s/ (traffic: %s req/s, error rate %s, slow rate "
        "%s).\nLinks to interesting traces follow in a few seconds. Ctrl-C stops everything.\n",
        ui.c_str(), o.rate.c_str(), o.error_rate.c_str(), o.slow_rate.c_str());
    std::fflush(stdout);
    HttpCall("POST", urls["jeeves-gateway"] + "/api/v1/chat/messages",
             {{"x-request-id", request_id}, {"x-demo-force", "slow"}}, nullptr, 10'000);
  }

  std::string by_id = UrlEncode("{\"jeeves.request.id\":\"" + request_id + "\"}");
  std::vector<Link> links = {
      {"an error trace (Jeeves: the planner's LLM provider failed)",
       "service=jeeves-gateway&tags=%7B%22error%22%3A%22true%22%7D&limit=1&lookback=1h", "", ""},
      {"a slow trace (Jeeves: the critic's LLM call timed out)",
       "service=jeeves-gateway&minDuration=1s&limit=1&lookback=1h", "", ""},
      {"a failed ryot inference (seed 000's query)",
       "service=ryot&operation=llm.inference&minDuration=100ms&maxDuration=5s&tags=%7B%22error%22%"
       "3A%22true%22%7D&limit=1&lookback=1h",
       "", ""},
      {"a Jeeves request by its jeeves.request.id (" + request_id + ")",
       "service=jeeves-gateway&tags=" + by_id + "&limit=1&lookback=1h",
       "/search?service=jeeves-gateway&tags=" + by_id + "&lookback=1h", ""}};
  auto start = std::chrono::steady_clock::now();
  int exit_code = ok ? 0 : 1;
  timespec tick{0, 250'000'000};
  double next_lookup = 2;  // seconds after start: look for interesting traces every 3 s
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
        if (l.found.empty()) continue;
        std::string path = l.ui_path.empty() ? "/trace/" + l.found : l.ui_path;
        std::printf("  %s:\n    %s%s\n", l.label.c_str(), ui.c_str(), path.c_str());
        std::fflush(stdout);
      }
    }
    if (o.duration_s > 0 && elapsed >= o.duration_s) break;
  }
  std::fflush(stdout);
  StopAll(traffic, 5000);
  StopAll(services, 10'000);
  StopAll(server, 20'000);
  curl_global_cleanup();
  std::printf("ariadne-demo: stopped\n");
  return exit_code;
}
