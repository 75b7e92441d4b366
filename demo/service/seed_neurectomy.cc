// Seed 000 (Neurectomy): ryot (LLM inference) calls agents and sigmalang; agents call sigmavault.
// Failure points: the model in llm.inference (after >= 150 ms, so the seed's query with
// minDuration 100ms finds it), db.query, storage.retrieve. Slow paths: long generations, a
// storage.migrate/storage.snapshot in sigmavault, a long sigma.vm_exec.
#include <string>

#include "demo/service/demo_runtime.h"

namespace ariadne::demo {
namespace {

using trace::ScopedSpan;
using trace::SpanKind;
using trace::StatusCode;

int Inference(Runtime& rt, const Call& call) {
  ScopedSpan span(rt.tracer(), "llm.inference", Runtime::ServerSpanOptions(call));
  int request_tokens = rt.Uniform(50, 2000);
  span.SetAttributes({{"model.name", "ryot-13b"},
                      {"request.tokens", request_tokens},
                      {"http.method", "POST"},
                      {"http.target", "/v1/inference"},
                      {"agent.name", "ryot"}});
  {
    ScopedSpan s(rt.tracer(), "prompt.process");
    s.SetAttribute("request.tokens", request_tokens);
    rt.Work(6);
  }
  bool hit = rt.Uniform01() < 0.4;
  {
    ScopedSpan s(rt.tracer(), "cache.get", SpanKind::kClient);
    s.SetAttributes({{"cache.name", "prompt-cache"}, {"cache.hit", hit}});
    rt.Work(1.5);
  }
  if (!hit) {
    {
      ScopedSpan s(rt.tracer(), "vector.search", SpanKind::kClient);
      s.SetAttributes(
          {{"vector.k", 8}, {"vector.index_name", "ryot-context"}, {"vector.dimensions", 768}});
      rt.Work(18);
    }
    ScopedSpan s(rt.tracer(), "db.query", SpanKind::kClient);
    s.SetAttributes({{"db.name", "ryot"},
                     {"db.system", "postgresql"},
                     {"db.operation", "SELECT"},
                     {"db.sql.table", "conversations"}});
    rt.Work(9);
    if (rt.ShouldFail(call, 0.3) && call.force == Force::kNone) {
      s.SetAttribute("error.type", "QueryTimeout");
      s.RecordException("QueryTimeout", "canceling statement due to statement timeout");
    }
  }
  rt.CallPeer(call, "agents", "/v1/agents/execute", "POST /v1/agents/execute");
  if (rt.Uniform01() < 0.5 || call.force != Force::kNone) {
    rt.CallPeer(call, "sigmalang", "/v1/compile", "POST /v1/compile");
  }
  bool slow = rt.ShouldBeSlow(call);
  rt.Work(slow ? 900 : 70);  // token generation
  if (rt.ShouldFail(call)) {
    rt.Work(150);
    span.SetAttribute("error.type", "ModelTimeout");
    span.SetAttribute("http.status_code", 504);
    span.RecordException("ModelTimeout", "generation exceeded its budget");
    return 504;
  }
  span.SetAttributes({{"response.tokens", rt.Uniform(20, 800)}, {"http.status_code", 200}});
  return 200;
}

int AgentExecute(Runtime& rt, const Call& call) {
  ScopedSpan span(rt.tracer(), "agent.execute", Runtime::ServerSpanOptions(call));
  static constexpr const char* kNames[] = {"researcher", "summarizer", "coder"};
  span.SetAttributes({{"agent.name", kNames[rt.Uniform(0, 2)]}, {"task.type", "analysis"}});
  {
    ScopedSpan s(rt.tracer(), "memory.retrieve");
    s.SetAttribute("storage.tier", "hot");
    rt.CallPeer(call, "sigmavault", "/v1/retrieve", "POST /v1/retrieve");
  }
  {
    ScopedSpan s(rt.tracer(), "agent.process");
    s.SetAttribute("task.type", "analysis");
    rt.Work(25);
  }
  if (rt.Uniform01() < 0.3) {
    ScopedSpan s(rt.tracer(), "agent.collaborate");
    s.SetAttributes({{"agent.name", "planner"}, {"task.type", "review"}});
    rt.Work(15);
  }
  {
    ScopedSpan s(rt.tracer(), "memory.store");
    s.SetAttribute("storage.tier", "hot");
    rt.CallPeer(call, "sigmavault", "/v1/store", "POST /v1/store");
  }
  span.SetAttribute("execution.status", "success");
  return 200;
}

int VaultRetrieve(Runtime& rt, const Call& call) {
  ScopedSpan span(rt.tracer(), "storage.retrieve", Runtime::ServerSpanOptions(call));
  span.SetAttributes({{"storage.tier", "hot"}, {"object_id", "obj-" + Runtime::RandomHex(6)}});
  rt.Work(12);
  {
    ScopedSpan s(rt.tracer(), "encryption.decrypt");
    s.SetAttribute("encryption.algorithm", "AES-256-GCM");
    span.SetAttribute("decrypt_time", rt.Work(3));
  }
  if (rt.ShouldFail(call, 0.3) && call.force == Force::kNone) {
    span.SetAttribute("error.type", "ObjectNotFound");
    span.RecordException("ObjectNotFound", "object evicted from hot tier");
    return 404;
  }
  return 200;
}

int VaultStore(Runtime& rt, const Call& call) {
  ScopedSpan span(rt.tracer(), "storage.store", Runtime::ServerSpanOptions(call));
  span.SetAttributes({{"storage.tier", "hot"},
                      {"size_bytes", rt.Uniform(512, 65536)},
                      {"encryption", "AES-256-GCM"}});
  {
    ScopedSpan s(rt.tracer(), "encryption.encrypt");
    rt.Work(3);
  }
  rt.Work(10);
  if (rt.ShouldBeSlow(call, 0.5)) {
    ScopedSpan s(rt.tracer(), "storage.migrate");
    s.SetAttributes({{"from_tier", "hot"}, {"to_tier", "warm"}, {"size", rt.Uniform(1, 64) << 20}});
    rt.Work(300);
  }
  if (rt.Uniform01() < 0.02) {
    ScopedSpan s(rt.tracer(), "storage.snapshot");
    s.SetAttributes(
        {{"object_count", rt.Uniform(100, 5000)}, {"data_size", rt.Uniform(1, 900) << 20}});
    rt.Work(800);
  }
  return 200;
}

int Compile(Runtime& rt, const Call& call) {
  ScopedSpan span(rt.tracer(), "sigma.compile", Runtime::ServerSpanOptions(call));
  int tokens = rt.Uniform(50, 4000);
  span.SetAttribute("tokens", tokens);
  {
    ScopedSpan s(rt.tracer(), "sigma.parse");
    s.SetAttributes({{"input_size", tokens * 6}, {"token_count", tokens}});
    rt.Work(20);
  }
  {
    ScopedSpan s(rt.tracer(), "sigma.typecheck");
    bool bad = rt.ShouldFail(call, 0.5) && call.force == Force::kNone;
    s.SetAttributes({{"type_errors", bad ? 1 : 0}, {"warnings", rt.Uniform(0, 3)}});
    rt.Work(12);
    if (bad) {
      s.RecordException("TypeError", "expected tensor<f32>, found tensor<i8>");
      span.SetStatus(StatusCode::kError, "type check failed");
      return 422;
    }
  }
  {
    ScopedSpan s(rt.tracer(), "sigma.codegen");
    s.SetAttributes({{"target", "wasm32"}, {"optimization_level", 2}});
    rt.Work(40);
  }
  {
    ScopedSpan s(rt.tracer(), "sigma.wasm_compile");
    s.SetAttribute("wasm_size", rt.Uniform(10000, 400000));
    rt.Work(70);
  }
  {
    ScopedSpan s(rt.tracer(), "sigma.vm_exec");
    s.SetAttributes(
        {{"instructions", rt.Uniform(1000, 900000)}, {"stack_depth", rt.Uniform(4, 64)}});
    rt.Work(rt.ShouldBeSlow(call, 0.5) ? 600 : 15);
  }
  return 200;
}

}  // namespace

bool AddNeurectomyRoutes(std::string_view role, RoleRoutes* routes) {
  if (role == "ryot") {
    routes->emplace_back("/v1/inference", &Inference);
  } else if (role == "agents") {
    routes->emplace_back("/v1/agents/execute", &AgentExecute);
  } else if (role == "sigmavault") {
    routes->emplace_back("/v1/retrieve", &VaultRetrieve);
    routes->emplace_back("/v1/store", &VaultStore);
  } else if (role == "sigmalang") {
    routes->emplace_back("/v1/compile", &Compile);
  } else {
    return false;
  }
  return true;
}

}  // namespace ariadne::demo
