// Demo runtime: what every demo service role shares — the per-request view (Call), randomised
// latency and failures, and HTTP calls to peer services that carry W3C trace context.
//
// A role is a set of HTTP routes (RoleRoutes); each handler starts its own server span from the
// Call's extracted parent context, so span names are exactly the seed's. Requests may carry
// `x-demo-force: error|slow|ok` (propagated to peers) so tests can ask for a failure or a slow
// path deterministically; otherwise failures and slow paths happen with the configured rates.
// Runtime is shared by the server's handler threads: its state is immutable after construction
// and the random generator is thread-local, so it is thread-safe. Outbound calls use libcurl
// (curl_global_init must have run). Covered end to end by demo/tests/seed_workflows_test.cc.
#ifndef ARIADNE_DEMO_SERVICE_DEMO_RUNTIME_H_
#define ARIADNE_DEMO_SERVICE_DEMO_RUNTIME_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ariadne/trace/tracer.h"
#include "server/api/http_server.h"

namespace ariadne::demo {

enum class Force { kNone, kError, kSlow, kOk };

struct DemoOptions {
  std::string role;
  uint16_t port = 0;
  uint16_t grpc_port = 0;    // roles that also serve gRPC (RoleServesGrpc); 0: any free port
  double error_rate = 0.05;  // probability that a failure point fails
  double slow_rate = 0.05;   // probability that a slow path is taken
  double rate = 5;           // traffic role: requests per second over all scenarios
  // role -> "http://127.0.0.1:port"; GrpcPeerKey(role) -> "127.0.0.1:port" for gRPC roles
  std::map<std::string, std::string, std::less<>> peers;
};

// x-demo-force values: "error", "slow", "ok" (anything else: kNone) and back.
Force ParseForce(std::string_view value);
std::string_view ForceName(Force force);

// One inbound request (HTTP or gRPC) as the handlers see it.
struct Call {
  const HttpRequest* request = nullptr;  // null for gRPC calls
  trace::Context parent;                 // extracted from the request headers
  Force force = Force::kNone;
  std::string request_id;  // x-request-id, or a fresh one
};

class Runtime {
 public:
  Runtime(DemoOptions options, trace::Tracer tracer)
      : options_(std::move(options)), tracer_(tracer) {}

  trace::Tracer& tracer() { return tracer_; }
  const DemoOptions& options() const { return options_; }

  // A failure point: forced error -> true, forced ok/slow -> false, else error_rate * scale.
  bool ShouldFail(const Call& call, double scale = 1.0) const;
  // A slow path: forced slow -> true, forced error/ok -> false, else slow_rate * scale.
  bool ShouldBeSlow(const Call& call, double scale = 1.0) const;

  // Sleeps a log-normal duration with this median (ms); returns the milliseconds slept.
  static double Work(double median_ms, double spread = 0.35);
  static void SleepMs(double ms);
  static int Uniform(int lo, int hi);  // inclusive
  static double Uniform01();
  static std::string RandomHex(int chars);

  // Options for the handler's server span: child of the extracted parent.
  static trace::StartSpanOptions ServerSpanOptions(const Call& call);

  // POSTs to a peer inside a client span named span_name, injecting the current context and
  // forwarding x-demo-force and x-request-id. Returns the HTTP status (0 when unreachable);
  // non-2xx marks the client span as an error.
  int CallPeer(const Call& call, std::string_view peer, std::string_view path,
               std::string_view span_name) const;

 private:
  DemoOptions options_;
  trace::Tracer tracer_;
};

// Plain HTTP POST/GET with extra headers; status or 0. Used by the traffic generator too.
int HttpCall(const std::string& method, const std::string& url,
             const std::vector<std::pair<std::string, std::string>>& headers,
             std::string* response_body = nullptr, long timeout_ms = 15'000);

using Handler = std::function<int(Runtime&, const Call&)>;
using RoleRoutes = std::vector<std::pair<std::string, Handler>>;  // path -> handler (POST)

// Each seed adds the routes of the roles it owns; false when the role is not one of its own.
bool AddNeurectomyRoutes(std::string_view role, RoleRoutes* routes);
bool AddX0tta6bl4Routes(std::string_view role, RoleRoutes* routes);
bool AddContinuumRoutes(std::string_view role, RoleRoutes* routes);
bool AddDaenaRoutes(std::string_view role, RoleRoutes* routes);
bool AddJeevesRoutes(std::string_view role, RoleRoutes* routes);

// The service roles, in start order (callees before callers), and the traffic scenarios.
std::vector<std::string> AllServiceRoles();
// Roles that serve gRPC beside their HTTP /health (today 004's jeeves-orchestrator); their
// callers find the gRPC address under the peer name GrpcPeerKey(role).
bool RoleServesGrpc(std::string_view role);
std::string GrpcPeerKey(std::string_view role);
struct Scenario {
  std::string role;
  std::string path;
};
std::vector<Scenario> TrafficScenarios();

}  // namespace ariadne::demo

#endif  // ARIADNE_DEMO_SERVICE_DEMO_RUNTIME_H_
