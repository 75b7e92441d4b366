// ariadne-demo-service: one process of the demo, by role.
//
//   ariadne-demo-service --role ryot --port 7001 --peer agents=http://127.0.0.1:7002 ...
//   ariadne-demo-service --role traffic --rate 5 --peer ryot=http://127.0.0.1:7001 ...
//
// Service roles serve their seed's routes (demo_runtime.h), gRPC roles also their gRPC service
// on --grpc-port (seed_jeeves.h), and export with the SDK configured
// from OTEL_* (the launcher sets OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT). The traffic
// role sends steady requests to the scenarios' entry services. SIGINT/SIGTERM stop the process
// after in-flight requests and flush the exporter.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <signal.h>

#include "ariadne/propagation/text_map.h"
#include "ariadne/sdk/autoconfig.h"
#include "demo/service/demo_runtime.h"
#include "demo/service/seed_jeeves.h"
#include "server/api/http_server.h"

namespace ariadne::demo {
namespace {

void Usage() {
  std::fprintf(
      stderr,
      "usage: ariadne-demo-service --role ROLE [--port N] [--grpc-port N] [--error-rate P] "
      "[--slow-rate P] [--rate R] [--peer ROLE=URL]...\nroles: traffic");
  for (const std::string& r : AllServiceRoles()) std::fprintf(stderr, " %s", r.c_str());
  std::fprintf(stderr, "\n");
}

bool ParseArgs(int argc, char** argv, DemoOptions* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    size_t eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[i + 1];
      ++i;
    } else {
      return false;
    }
    char* end = nullptr;
    if (a == "--role") {
      o->role = value;
    } else if (a == "--port") {
      o->port = static_cast<uint16_t>(std::strtoul(value.c_str(), &end, 10));
    } else if (a == "--grpc-port") {
      o->grpc_port = static_cast<uint16_t>(std::strtoul(value.c_str(), &end, 10));
    } else if (a == "--error-rate") {
      o->error_rate = std::strtod(value.c_str(), &end);
    } else if (a == "--slow-rate") {
      o->slow_rate = std::strtod(value.c_str(), &end);
    } else if (a == "--rate") {
      o->rate = std::strtod(value.c_str(), &end);
    } else if (a == "--peer") {
      size_t p = value.find('=');
      if (p == std::string::npos) return false;
      o->peers[value.substr(0, p)] = value.substr(p + 1);
    } else {
      return false;
    }
  }
  return !o->role.empty();
}

void WaitForSignal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
}

int RunTraffic(const DemoOptions& o, const sigset_t& signals) {
  std::vector<Scenario> scenarios;
  for (const Scenario& s : TrafficScenarios()) {
    if (o.peers.count(s.role) != 0) scenarios.push_back(s);
  }
  if (scenarios.empty() || o.rate <= 0) {
    std::fprintf(stderr, "traffic: no peers or no rate; idle\n");
    WaitForSignal(signals);
    return 0;
  }
  auto inflight = std::make_shared<std::atomic<int>>(0);
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    auto interval = std::chrono::duration<double>(1.0 / o.rate);
    auto next = std::chrono::steady_clock::now();
    size_t i = 0;
    while (!stop.load()) {
      const Scenario& s = scenarios[i++ % scenarios.size()];
      if (inflight->load() < 64) {
        inflight->fetch_add(1);
        std::string url = o.peers.at(s.role) + s.path;
        std::thread([url, inflight] {
          HttpCall("POST", url, {{"x-request-id", "req_" + Runtime::RandomHex(12)}});
          inflight->fetch_sub(1);
        }).detach();
      }
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
      while (!stop.load() && std::chrono::steady_clock::now() < next) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  });
  WaitForSignal(signals);
  stop.store(true);
  ticker.join();
  for (int i = 0; i < 100 && inflight->load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

int RunService(const DemoOptions& o, const sigset_t& signals) {
  RoleRoutes routes;
  bool known = AddNeurectomyRoutes(o.role, &routes) || AddX0tta6bl4Routes(o.role, &routes) ||
               AddContinuumRoutes(o.role, &routes) || AddDaenaRoutes(o.role, &routes) ||
               AddJeevesRoutes(o.role, &routes);
  if (!known) {
    Usage();
    return 2;
  }
  auto runtime = std::make_shared<Runtime>(o, trace::GetTracer("ariadne.demo", "0.1.0"));
  HttpServerOptions server_options;
  server_options.name = o.role;
  server_options.port = o.port;
  server_options.threads = 16;
  HttpServer server(server_options);
  server.Route("GET", "/health", [](HttpRequest&&, HttpResponder respond) {
    respond(HttpResponse::Text(200, "ok\n"));
  });
  for (const auto& route : routes) {
    Handler handler = route.second;  // a copy: clang 14 cannot capture structured bindings
    server.Route("POST", route.first, [runtime, handler](HttpRequest&& req, HttpResponder respond) {
      Call call;
      call.request = &req;
      propagation::HeaderVectorCarrier carrier(&req.headers);
      call.parent = propagation::GlobalPropagator().Extract(carrier, trace::Context());
      call.force = ParseForce(req.Header("x-demo-force"));
      call.request_id = std::string(req.Header("x-request-id"));
      if (call.request_id.empty()) call.request_id = "req_" + Runtime::RandomHex(12);
      int status = handler(*runtime, call);
      respond(HttpResponse::Json(status, "{\"status\":" + std::to_string(status) +
                                             ",\"request_id\":\"" + call.request_id + "\"}"));
    });
  }
  // gRPC first: once /health answers, the role's gRPC port is listening too.
  std::unique_ptr<JeevesGrpcServer> grpc_server;
  if (RoleServesGrpc(o.role)) {
    grpc_server = std::make_unique<JeevesGrpcServer>(runtime);
    Status gs = grpc_server->Start(o.grpc_port);
    if (!gs.ok()) {
      std::fprintf(stderr, "%s: %s\n", o.role.c_str(), gs.ToString().c_str());
      return 1;
    }
    std::printf("%s serving gRPC on 127.0.0.1:%u\n", o.role.c_str(), grpc_server->port());
  }
  Status st = server.Start();
  if (!st.ok()) {
    std::fprintf(stderr, "%s: cannot listen on port %u: %s\n", o.role.c_str(), o.port,
                 st.ToString().c_str());
    return 1;
  }
  std::printf("%s listening on 127.0.0.1:%u\n", o.role.c_str(), server.port());
  std::fflush(stdout);
  WaitForSignal(signals);
  server.Stop();
  if (grpc_server) grpc_server->Stop();
  return 0;
}

}  // namespace
}  // namespace ariadne::demo

int main(int argc, char** argv) {
  using namespace ariadne;
  demo::DemoOptions options;
  if (!demo::ParseArgs(argc, argv, &options)) {
    demo::Usage();
    return 2;
  }
  // Block the stop signals in every thread; main waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = 0;
  if (options.role == "traffic") {
    rc = demo::RunTraffic(options, signals);
  } else {
    std::shared_ptr<sdk::SdkTracerProvider> provider = sdk::InitTracingFromEnvironment();
    rc = demo::RunService(options, signals);
    if (provider) provider->Shutdown(std::chrono::seconds(5));
  }
  curl_global_cleanup();
  return rc;
}
