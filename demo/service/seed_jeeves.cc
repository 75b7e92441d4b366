// Seed 004 (Jeeves): HTTP gateway -> orchestrator -> pipeline.execute -> agent.process (planner,
// critic, integration) -> llm.provider.call. The gateway reaches the orchestrator over HTTP (the
// SDK has no gRPC carrier yet); the span is named like the gRPC method it stands for.
// Failure point: the planner's provider call (provider 503). Slow path: the critic's first
// provider call times out after ~1.5 s and is retried.
#include <string>

#include "demo/service/demo_runtime.h"

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

int Orchestrate(Runtime& rt, const Call& call) {
  ScopedSpan rpc(rt.tracer(), "jeeves.v1.Orchestrator/ProcessRequest",
                 Runtime::ServerSpanOptions(call));
  rpc.SetAttributes({{"rpc.system", "http"},
                     {"rpc.service", "jeeves.v1.Orchestrator"},
                     {"rpc.method", "ProcessRequest"},
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
    rpc.SetAttribute("rpc.grpc.status_code", 13);
    return 500;
  }
  return 200;
}

int Gateway(Runtime& rt, const Call& call) {
  ScopedSpan span(rt.tracer(), "POST /api/v1/chat/messages", Runtime::ServerSpanOptions(call));
  span.SetAttributes({{"http.request.method", "POST"},
                      {"http.route", "/api/v1/chat/messages"},
                      {"jeeves.request.id", call.request_id},
                      {"deployment.environment", "development"}});
  rt.Work(3);
  int status = rt.CallPeer(call, "jeeves-orchestrator", "/rpc/process",
                           "jeeves.v1.Orchestrator/ProcessRequest");
  int out = status == 200 ? 200 : 502;
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
  if (role == "jeeves-orchestrator") {
    routes->emplace_back("/rpc/process", &Orchestrate);
    return true;
  }
  return false;
}

}  // namespace ariadne::demo
