// Seed 004 (Jeeves): HTTP gateway -> gRPC orchestrator -> pipeline.execute -> agent.process
// (planner, critic, integration) -> llm.provider.call. The gateway calls
// jeeves.v1.Orchestrator/ProcessRequest (demo/proto/jeeves_orchestrator.proto) over real gRPC,
// carrying W3C context in the metadata with the SDK's gRPC carriers; both sides follow the RPC
// semantic conventions (span name = full method, rpc.system=grpc, rpc.grpc.status_code).
// Failure point: the planner's provider call (provider 503; the RPC fails with INTERNAL and the
// gateway answers 502). Slow path: the critic's first provider call times out after ~1.5 s and
// is retried.
#include "demo/service/seed_jeeves.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>

#include <grpcpp/grpcpp.h>

#include "ariadne/propagation/grpc_carrier.h"
#include "ariadne/propagation/text_map.h"
#include "demo/service/demo_runtime.h"
#include "jeeves_orchestrator.grpc.pb.h"

namespace ariadne::demo {
namespace {

using trace::ScopedSpan;
using trace::SpanKind;
using trace::StatusCode;

struct AgentSpec {
  const char* name;
  const char* provider;
  const char* model;
  double median_ms;
};
constexpr AgentSpec kAgents[] = {{"planner", "llamaserver", "qwen2.5-3b-instruct", 120},
                                 {"critic", "openai", "gpt-4o-mini", 90},
                                 {"integration", "anthropic", "claude-3-haiku", 70}};

// One provider call; returns false when it failed.
bool ProviderCall(Runtime& rt, const Call& call, const AgentSpec& agent, bool timeout, bool fail) {
  ScopedSpan span(rt.tracer(), "llm.provider.call", SpanKind::kClient);
  int prompt = rt.Uniform(80, 900);
  span.SetAttributes({{"jeeves.llm.provider", agent.provider},
                      {"jeeves.llm.model", agent.model},
                      {"jeeves.agent.name", agent.name},
                      {"jeeves.request.id", call.request_id},
                      {"jeeves.llm.tokens.prompt", prompt}});
  if (timeout) {
    rt.SleepMs(1500 + rt.Uniform(0, 300));
    span.SetAttribute("jeeves.llm.timeout", true);
    span.RecordException("TimeoutError", "provider did not answer within 1500 ms");
    return false;
  }
  rt.Work(agent.median_ms);
  if (fail) {
    span.SetAttribute("error.type", "provider_unavailable");
    span.RecordException("ProviderError", "503 Service Unavailable from provider");
    return false;
  }
  int completion = rt.Uniform(20, 400);
  span.SetAttributes({{"jeeves.llm.tokens.completion", completion},
                      {"jeeves.llm.tokens.total", prompt + completion},
                      {"jeeves.llm.cost_usd", (prompt * 0.0000015) + (completion * 0.000002)}});
  return true;
}

constexpr char kRpcService[] = "jeeves.v1.Orchestrator";
constexpr char kRpcMethod[] = "ProcessRequest";
constexpr char kRpcSpanName[] = "jeeves.v1.Orchestrator/ProcessRequest";
constexpr auto kRpcDeadline = std::chrono::seconds(15);

// The pipeline behind the RPC; true when every agent succeeded.
bool Orchestrate(Runtime& rt, const Call& call, uint16_t port) {
  ScopedSpan rpc(rt.tracer(), kRpcSpanName, Runtime::ServerSpanOptions(call));
  rpc.SetAttributes({{"rpc.system", "grpc"},
                     {"rpc.service", kRpcService},
                     {"rpc.method", kRpcMethod},
                     {"server.address", "127.0.0.1"},
                     {"server.port", static_cast<int>(port)},
                     {"jeeves.request.id", call.request_id}});
  ScopedSpan pipeline(rt.tracer(), "pipeline.execute");
  pipeline.SetAttributes({{"jeeves.pipeline.name", "default-pipeline"},
                          {"jeeves.request.id", call.request_id},
                          {"jeeves.envelope.id", "env_" + Runtime::RandomHex(8)},
                          {"pipeline.mode", "sequential"}});
  rt.Work(4);
  bool ok = true;
  for (const AgentSpec& agent : kAgents) {
    ScopedSpan span(rt.tracer(), "agent.process");
    span.SetAttributes({{"jeeves.agent.name", agent.name}, {"jeeves.request.id", call.request_id}});
    rt.Work(8);
    int calls = 1;
    bool fail = agent.name == std::string_view("planner") && rt.ShouldFail(call);
    bool timeout = agent.name == std::string_view("critic") && rt.ShouldBeSlow(call);
    bool agent_ok = ProviderCall(rt, call, agent, timeout, fail);
    if (!agent_ok && timeout) {
      ++calls;  // retry after the timeout
      agent_ok = ProviderCall(rt, call, agent, false, false);
    }
    span.SetAttribute("jeeves.llm.calls", calls);
    if (!agent_ok) {
      span.SetStatus(StatusCode::kError, std::string(agent.name) + " failed");
      ok = false;
      break;
    }
  }
  pipeline.SetAttribute("pipeline.status", ok ? "success" : "failed");
  if (!ok) {
    pipeline.RecordException("PipelineError", "agent failed; pipeline aborted");
    rpc.SetStatus(StatusCode::kError, "pipeline failed");
    rpc.SetAttribute("rpc.grpc.status_code", static_cast<int>(grpc::StatusCode::INTERNAL));
    return false;
  }
  rpc.SetAttribute("rpc.grpc.status_code", static_cast<int>(grpc::StatusCode::OK));
  return true;
}

// The gateway's side of the hop: a CLIENT span around the unary call, context in the metadata.
// Returns the gRPC status code (UNAVAILABLE when the orchestrator cannot be reached).
grpc::StatusCode CallOrchestrator(Runtime& rt, const Call& call) {
  const auto& peers = rt.options().peers;
  auto it = peers.find(GrpcPeerKey("jeeves-orchestrator"));
  std::string target = it == peers.end() ? std::string() : it->second;
  ScopedSpan span(rt.tracer(), kRpcSpanName, SpanKind::kClient);
  size_t colon = target.rfind(':');
  span.SetAttributes(
      {{"rpc.system", "grpc"},
       {"rpc.service", kRpcService},
       {"rpc.method", kRpcMethod},
       {"server.address", target.substr(0, colon)},
       {"server.port", colon == std::string::npos ? 0 : std::atoi(target.c_str() + colon + 1)},
       {"peer.service", "jeeves-orchestrator"}});
  grpc::Status status(grpc::StatusCode::UNAVAILABLE, "no address for jeeves-orchestrator");
  if (!target.empty()) {
    // One channel per process (the address never changes); stubs are cheap.
    static const std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    auto stub = jeeves::v1::Orchestrator::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    propagation::GrpcClientCarrier carrier(context);
    propagation::GlobalPropagator().Inject(trace::Context::Current(), carrier);
    if (call.force != Force::kNone) {
      context.AddMetadata("x-demo-force", std::string(ForceName(call.force)));
    }
    jeeves::v1::ProcessRequestMessage request;
    request.set_request_id(call.request_id);
    request.set_user_message("Plan my week and check it twice.");
    jeeves::v1::ProcessResponse response;
    status = stub->ProcessRequest(&context, request, &response);
  }
  span.SetAttribute("rpc.grpc.status_code", static_cast<int>(status.error_code()));
  if (!status.ok()) {
    span.SetAttribute("error.type", std::to_string(static_cast<int>(status.error_code())));
    span.SetStatus(StatusCode::kError, "jeeves-orchestrator: " + status.error_message());
  }
  return status.error_code();
}

int Gateway(Runtime& rt, const Call& call) {
  ScopedSpan span(rt.tracer(), "POST /api/v1/chat/messages", Runtime::ServerSpanOptions(call));
  span.SetAttributes({{"http.request.method", "POST"},
                      {"http.route", "/api/v1/chat/messages"},
                      {"jeeves.request.id", call.request_id},
                      {"deployment.environment", "development"}});
  rt.Work(3);
  int out = CallOrchestrator(rt, call) == grpc::StatusCode::OK ? 200 : 502;
  span.SetAttribute("http.response.status_code", out);
  if (out != 200) span.SetStatus(StatusCode::kError, "orchestrator failed");
  return out;
}

}  // namespace

bool AddJeevesRoutes(std::string_view role, RoleRoutes* routes) {
  if (role == "jeeves-gateway") {
    routes->emplace_back("/api/v1/chat/messages", &Gateway);
    return true;
  }
  // The orchestrator serves only /health over HTTP; its work arrives over gRPC.
  return role == "jeeves-orchestrator";
}

namespace {

// jeeves.v1.Orchestrator on gRPC's synchronous server.
class OrchestratorService final : public jeeves::v1::Orchestrator::Service {
 public:
  OrchestratorService(std::shared_ptr<Runtime> runtime, const std::atomic<uint16_t>* port)
      : runtime_(std::move(runtime)), port_(port) {}

  grpc::Status ProcessRequest(grpc::ServerContext* context,
                              const jeeves::v1::ProcessRequestMessage* request,
                              jeeves::v1::ProcessResponse* response) override {
    Call call;
    propagation::GrpcServerCarrier carrier(*context);
    call.parent = propagation::GlobalPropagator().Extract(carrier, trace::Context());
    call.force = ParseForce(carrier.Get("x-demo-force"));
    call.request_id = request->request_id();
    if (call.request_id.empty()) call.request_id = "req_" + Runtime::RandomHex(12);
    bool ok = Orchestrate(*runtime_, call, port_->load());
    response->set_request_id(call.request_id);
    response->set_pipeline_status(ok ? "success" : "failed");
    if (!ok) return grpc::Status(grpc::StatusCode::INTERNAL, "pipeline failed");
    return grpc::Status::OK;
  }

 private:
  std::shared_ptr<Runtime> runtime_;
  const std::atomic<uint16_t>* port_;  // JeevesGrpcServer::Impl::port
};

}  // namespace

struct JeevesGrpcServer::Impl {
  explicit Impl(std::shared_ptr<Runtime> runtime) : service(std::move(runtime), &port) {}
  std::atomic<uint16_t> port{0};
  OrchestratorService service;
  std::unique_ptr<grpc::Server> server;
};

JeevesGrpcServer::JeevesGrpcServer(std::shared_ptr<Runtime> runtime)
    : impl_(std::make_unique<Impl>(std::move(runtime))) {}

JeevesGrpcServer::~JeevesGrpcServer() { Stop(); }

Status JeevesGrpcServer::Start(uint16_t port) {
  int selected = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                           &selected);
  builder.RegisterService(&impl_->service);
  impl_->server = builder.BuildAndStart();
  if (impl_->server == nullptr || selected == 0) {
    impl_->server.reset();
    return Status::Unavailable("cannot listen for gRPC on 127.0.0.1:" + std::to_string(port));
  }
  impl_->port.store(static_cast<uint16_t>(selected));
  return Status::Ok();
}

uint16_t JeevesGrpcServer::port() const { return impl_->port.load(); }

void JeevesGrpcServer::Stop() {
  if (impl_->server == nullptr) return;
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  impl_->server->Wait();
  impl_->server.reset();
}

}  // namespace ariadne::demo
