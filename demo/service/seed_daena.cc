// Seed 003 (Daena): an HTTP API request that runs a council round (scout -> debate -> commit),
// publishes on the message bus, reads and writes NBMF memory across tiers L1/L2/L3 and exchanges
// with an LLM (CAS hit, near-duplicate detection, cost). Failure point: the LLM exchange during
// the debate. Slow path: an L3 (cold) memory read.
#include <string>

#include "demo/service/demo_runtime.h"

namespace ariadne::demo {
namespace {

using trace::ScopedSpan;
using trace::SpanKind;
using trace::StatusCode;

void NbmfOp(Runtime& rt, const Call& call, const char* op) {
  ScopedSpan s(rt.tracer(), std::string("nbmf.") + op);
  bool cold = rt.ShouldBeSlow(call, 0.5);
  const char* tier = cold ? "L3" : (rt.Uniform01() < 0.7 ? "L1" : "L2");
  s.SetAttributes({{"nbmf.operation", op},
                   {"nbmf.item_id", "item-" + Runtime::RandomHex(6)},
                   {"nbmf.class", "decision"},
                   {"nbmf.tier", tier}});
  rt.Work(cold ? 250 : (tier[1] == '1' ? 1 : 8));
}

bool LlmExchange(Runtime& rt, const Call& call, const char* purpose) {
  ScopedSpan s(rt.tracer(), "llm.exchange", SpanKind::kClient);
  bool cas_hit = rt.Uniform01() < 0.35;
  s.SetAttributes({{"llm.model", "gpt-4o"},
                   {"llm.purpose", purpose},
                   {"cas.hit", cas_hit},
                   {"near_duplicate", !cas_hit && rt.Uniform01() < 0.2},
                   {"llm.cost_usd", cas_hit ? 0.0 : 0.0004 + rt.Uniform01() * 0.003}});
  rt.Work(cas_hit ? 2 : 80);
  if (!cas_hit && rt.ShouldFail(call)) {
    s.RecordException("RateLimitError", "429 from LLM provider");
    return false;
  }
  return true;
}

void Publish(Runtime& rt, const char* topic) {
  ScopedSpan s(rt.tracer(), "message_bus.publish", SpanKind::kProducer);
  s.SetAttributes({{"messaging.message.id", "msg-" + Runtime::RandomHex(10)},
                   {"messaging.destination.name", topic},
                   {"message.sender", "council"}});
  rt.Work(1);
}

int CouncilRound(Runtime& rt, const Call& call) {
  ScopedSpan http(rt.tracer(), "POST /api/v1/council/round", Runtime::ServerSpanOptions(call));
  http.SetAttributes({{"http.request.method", "POST"}, {"http.route", "/api/v1/council/round"}});
  static constexpr const char* kDepartments[] = {"engineering", "marketing", "finance"};
  ScopedSpan round(rt.tracer(), "council.round");
  round.SetAttributes({{"department", kDepartments[rt.Uniform(0, 2)]},
                       {"topic", "quarterly-roadmap"},
                       {"round_id", "round-" + Runtime::RandomHex(6)}});
  {
    ScopedSpan s(rt.tracer(), "council.scout");
    s.SetAttribute("council.phase", "scout");
    NbmfOp(rt, call, "read");
    LlmExchange(rt, call, "scout");
  }
  Publish(rt, "council.scout.done");
  bool ok = true;
  {
    ScopedSpan s(rt.tracer(), "council.debate");
    s.SetAttribute("council.phase", "debate");
    for (int i = 0; i < 2 && ok; ++i) ok = LlmExchange(rt, call, "debate");
    if (!ok) s.SetStatus(StatusCode::kError, "debate aborted");
  }
  if (!ok) {
    round.SetStatus(StatusCode::kError, "round failed");
    http.SetAttribute("http.response.status_code", 502);
    http.SetStatus(StatusCode::kError, "council round failed");
    return 502;
  }
  {
    ScopedSpan s(rt.tracer(), "council.commit");
    s.SetAttribute("council.phase", "commit");
    NbmfOp(rt, call, "write");
  }
  Publish(rt, "council.round.committed");
  http.SetAttribute("http.response.status_code", 200);
  return 200;
}

}  // namespace

bool AddDaenaRoutes(std::string_view role, RoleRoutes* routes) {
  if (role != "daena") return false;
  routes->emplace_back("/api/v1/council/round", &CouncilRound);
  return true;
}

}  // namespace ariadne::demo
