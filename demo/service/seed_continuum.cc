// Seed 002 (Continuum): an exploration request through the API, the orchestrator, a research
// agent, the knowledge graph, the cache, the database and an external service. Performance
// thresholds use the SDK's SlowSpanGuard (ariadne.slow=true plus a "slow" event when exceeded).
// Failure point: the external service (HTTP 503). Slow path: a deep knowledge-graph traversal.
#include <chrono>
#include <string>

#include "ariadne/trace/helpers.h"
#include "demo/service/demo_runtime.h"

namespace ariadne::demo {
namespace {

using std::chrono::milliseconds;
using trace::ScopedSpan;
using trace::SlowSpanGuard;
using trace::SpanKind;
using trace::StatusCode;

int Explore(Runtime& rt, const Call& call) {
  static constexpr const char* kConcepts[] = {"AI", "entropy", "graph theory", "consciousness"};
  std::string concept_name = kConcepts[rt.Uniform(0, 3)];
  std::string exploration = "exp-" + Runtime::RandomHex(8);
  ScopedSpan api(rt.tracer(), "api.request", Runtime::ServerSpanOptions(call));
  api.SetAttributes({{"http.request.method", "POST"}, {"http.route", "/api/explore"}});
  ScopedSpan submit(rt.tracer(), "orchestrator.submit_exploration");
  SlowSpanGuard submit_guard(submit, milliseconds(500), "orchestrator.submit_exploration");
  submit.SetAttributes({{"exploration.id", exploration}, {"concept", concept_name}});
  rt.Work(3);
  ScopedSpan task(rt.tracer(), "orchestrator.process_task");
  task.SetAttributes(
      {{"agent.name", "ResearchAgent"}, {"task.id", "task-" + Runtime::RandomHex(6)}});
  ScopedSpan agent(rt.tracer(), "agent.execute");
  SlowSpanGuard agent_guard(agent, milliseconds(300), "agent.execute");
  agent.SetAttributes({{"agent.name", "ResearchAgent"}, {"agent.type", "research"}});
  bool hit = rt.Uniform01() < 0.5;
  {
    ScopedSpan s(rt.tracer(), "cache.get", SpanKind::kClient);
    SlowSpanGuard guard(s, milliseconds(10), "cache.get");
    s.SetAttributes({{"cache.key", "concept:" + concept_name}, {"cache.hit", hit}});
    rt.Work(1);
  }
  {
    ScopedSpan s(rt.tracer(), "knowledge_graph.query");
    SlowSpanGuard guard(s, milliseconds(100), "knowledge_graph.query");
    bool deep = rt.ShouldBeSlow(call);
    s.SetAttributes({{"kg.concept", concept_name},
                     {"kg.depth", deep ? 6 : 2},
                     {"kg.nodes_visited", rt.Uniform(10, 200) * (deep ? 40 : 1)}});
    rt.Work(deep ? 450 : 25);
  }
  if (!hit) {
    ScopedSpan s(rt.tracer(), "database.query", SpanKind::kClient);
    SlowSpanGuard guard(s, milliseconds(50), "database.query");
    s.SetAttributes(
        {{"db.system", "sqlite"}, {"db.operation", "SELECT"}, {"db.table", "concepts"}});
    rt.Work(8);
    ScopedSpan ext(rt.tracer(), "external_service.call", SpanKind::kClient);
    ext.SetAttributes({{"external.service", "wikipedia"}, {"http.request.method", "GET"}});
    rt.Work(60);
    if (rt.ShouldFail(call)) {
      ext.SetAttribute("http.response.status_code", 503);
      ext.RecordException("ExternalServiceError", "wikipedia answered 503");
      agent.SetStatus(StatusCode::kError, "research failed");
      api.SetStatus(StatusCode::kError, "exploration failed");
      return 503;
    }
    ScopedSpan put(rt.tracer(), "cache.set", SpanKind::kClient);
    put.SetAttribute("cache.key", "concept:" + concept_name);
    rt.Work(1);
  }
  return 200;
}

}  // namespace

bool AddContinuumRoutes(std::string_view role, RoleRoutes* routes) {
  if (role != "continuum") return false;
  routes->emplace_back("/api/explore", &Explore);
  return true;
}

}  // namespace ariadne::demo
