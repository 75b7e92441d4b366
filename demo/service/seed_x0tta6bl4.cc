// Seed 001 (x0tta6bl4): one mesh node's self-healing loop and its side workflows, all in the
// service "x0tta6bl4" with the seed's attribute names. Workflows (routes): the MAPE-K cycle
// (monitor, analyze with a GraphSAGE ml.inference, plan, execute with mesh routing/forwarding and
// an mTLS handshake, knowledge with a ledger commit), a DAO proposal, SPIFFE SVID rotation, a
// federated-learning round and an eBPF program reload.
// Failure point: dao.proposal_execute (success=false). Slow paths: GraphSAGE inference >= 100 ms,
// mTLS handshake >= 50 ms.
#include <string>

#include "demo/service/demo_runtime.h"

namespace ariadne::demo {
namespace {

using trace::ScopedSpan;
using trace::SpanKind;
using trace::StatusCode;

std::string NodeId() { return "node-" + std::to_string(Runtime::Uniform(1, 12)); }

void MtlsHandshake(Runtime& rt, const Call& call, const std::string& client,
                   const std::string& server) {
  ScopedSpan s(rt.tracer(), "spiffe.mtls_handshake", SpanKind::kClient);
  double ms = 0;
  if (rt.ShouldBeSlow(call)) {
    rt.SleepMs(55);  // a cold handshake: certificate chain fetch and verification
    ms = 55 + rt.Work(25);
  } else {
    ms = rt.Work(12);
  }
  s.SetAttributes({{"client", client}, {"server", server}, {"duration_ms", ms}});
}

int MapeKCycle(Runtime& rt, const Call& call) {
  std::string node = NodeId();
  ScopedSpan cycle(rt.tracer(), "mape_k.cycle", Runtime::ServerSpanOptions(call));
  cycle.SetAttribute("node_id", node);
  {
    ScopedSpan s(rt.tracer(), "mape_k.monitor");
    s.SetAttributes({{"node_id", node}, {"metrics_count", rt.Uniform(50, 300)}});
    ScopedSpan d(rt.tracer(), "mesh.node_discovery");
    d.SetAttributes({{"node_id", node}, {"nodes_discovered", rt.Uniform(2, 9)}});
    rt.Work(8);
  }
  int anomalies = rt.Uniform(0, 4);
  {
    ScopedSpan s(rt.tracer(), "mape_k.analyze");
    s.SetAttributes({{"node_id", node},
                     {"anomalies_detected", anomalies},
                     {"confidence", 0.6 + rt.Uniform01() * 0.39}});
    ScopedSpan ml(rt.tracer(), "ml.inference");
    bool slow = rt.ShouldBeSlow(call);
    if (slow) rt.SleepMs(100);  // a large neighbourhood to aggregate
    double latency = slow ? 100 + rt.Work(60) : rt.Work(22);
    ml.SetAttributes({{"model", "graphsage"}, {"input_size", 1024}, {"latency_ms", latency}});
  }
  int actions = anomalies > 0 ? rt.Uniform(1, 3) : 0;
  {
    ScopedSpan s(rt.tracer(), "mape_k.plan");
    s.SetAttributes({{"node_id", node}, {"actions_planned", actions}});
    ScopedSpan r(rt.tracer(), "mesh.route_calculation");
    std::string dest = NodeId();
    r.SetAttributes({{"source_node", node}, {"destination", dest}, {"hops", rt.Uniform(1, 5)}});
    rt.Work(5);
  }
  {
    ScopedSpan s(rt.tracer(), "mape_k.execute");
    std::string peer = NodeId();
    MtlsHandshake(rt, call, node, peer);
    ScopedSpan f(rt.tracer(), "mesh.message_forwarding", SpanKind::kProducer);
    f.SetAttributes({{"source_node", node},
                     {"destination", peer},
                     {"message_id", "msg-" + Runtime::RandomHex(12)}});
    rt.Work(4);
    s.SetAttributes({{"node_id", node}, {"actions_executed", actions}, {"success", true}});
  }
  {
    ScopedSpan s(rt.tracer(), "mape_k.knowledge");
    s.SetAttributes({{"node_id", node}, {"insights_stored", rt.Uniform(0, 2)}});
    ScopedSpan tx(rt.tracer(), "ledger.transaction_commit");
    tx.SetAttributes({{"tx_id", "tx-" + Runtime::RandomHex(10)},
                      {"tx_type", "healing_record"},
                      {"size_bytes", rt.Uniform(128, 2048)}});
    rt.Work(6);
  }
  return 200;
}

int DaoProposal(Runtime& rt, const Call& call) {
  std::string id = "prop-" + std::to_string(rt.Uniform(100, 999));
  ScopedSpan root(rt.tracer(), "dao.governance", Runtime::ServerSpanOptions(call));
  {
    ScopedSpan s(rt.tracer(), "dao.proposal_create");
    s.SetAttributes({{"proposal_id", id}, {"proposal_type", "budget_allocation"}});
    rt.Work(5);
  }
  for (int i = 0; i < 3; ++i) {
    ScopedSpan s(rt.tracer(), "dao.vote_cast");
    s.SetAttributes({{"proposal_id", id},
                     {"voter", "voter-" + std::to_string(i + 1)},
                     {"vote", rt.Uniform01() < 0.7 ? "yes" : "no"}});
    rt.Work(3);
  }
  bool fail = rt.ShouldFail(call, 2.0);
  {
    ScopedSpan s(rt.tracer(), "dao.proposal_execute");
    s.SetAttributes({{"proposal_id", id}, {"success", !fail}});
    rt.Work(10);
    if (fail) s.RecordException("QuorumNotReached", "proposal " + id + " lacks quorum");
  }
  if (!fail) {
    ScopedSpan b(rt.tracer(), "ledger.block_creation");
    b.SetAttributes({{"block_height", rt.Uniform(10000, 20000)}, {"tx_count", rt.Uniform(1, 60)}});
    rt.Work(8);
  } else {
    root.SetStatus(StatusCode::kError, "proposal failed");
  }
  return fail ? 409 : 200;
}

int SpiffeRotate(Runtime& rt, const Call& call) {
  std::string node = NodeId();
  ScopedSpan root(rt.tracer(), "spiffe.rotation", Runtime::ServerSpanOptions(call));
  {
    ScopedSpan s(rt.tracer(), "spiffe.svid_fetch", SpanKind::kClient);
    s.SetAttributes({{"node_id", node}, {"ttl_seconds", 3600}});
    rt.Work(9);
  }
  {
    ScopedSpan s(rt.tracer(), "spiffe.svid_renewal");
    bool fail = rt.ShouldFail(call, 0.5) && call.force == Force::kNone;
    s.SetAttributes({{"node_id", node}, {"success", !fail}});
    rt.Work(6);
    if (fail) s.RecordException("SvidRenewalError", "workload API unavailable");
  }
  MtlsHandshake(rt, call, node, "spire-server");
  return 200;
}

int FlRound(Runtime& rt, const Call& call) {
  int round = rt.Uniform(1, 50);
  ScopedSpan root(rt.tracer(), "fl.round", Runtime::ServerSpanOptions(call));
  root.SetAttribute("round_num", round);
  for (int c = 1; c <= 3; ++c) {
    std::string client = "client-" + std::to_string(c);
    {
      ScopedSpan s(rt.tracer(), "fl.local_training");
      s.SetAttributes({{"client_id", client}, {"round_num", round}, {"epochs", 3}});
      ScopedSpan t(rt.tracer(), "ml.training");
      t.SetAttributes(
          {{"model", "rag_embedding"}, {"epoch", 3}, {"loss", 0.1 + rt.Uniform01() * 0.2}});
      rt.Work(20);
    }
    ScopedSpan u(rt.tracer(), "fl.model_upload", SpanKind::kClient);
    u.SetAttributes({{"client_id", client}, {"model_size_bytes", 1024 * 1024}});
    rt.Work(6);
  }
  ScopedSpan a(rt.tracer(), "fl.model_aggregation");
  a.SetAttributes({{"round_num", round}, {"client_count", 3}});
  rt.Work(15);
  (void)call;
  return 200;
}

int EbpfReload(Runtime& rt, const Call& call) {
  ScopedSpan root(rt.tracer(), "ebpf.reload", Runtime::ServerSpanOptions(call));
  {
    ScopedSpan s(rt.tracer(), "ebpf.program_compile");
    s.SetAttributes({{"program", "network_monitor"}, {"kernel_version", "5.10.0"}});
    rt.Work(30);
  }
  {
    ScopedSpan s(rt.tracer(), "ebpf.program_execute");
    s.SetAttributes({{"program", "network_monitor"}, {"event_count", rt.Uniform(100, 5000)}});
    rt.Work(10);
  }
  ScopedSpan k(rt.tracer(), "ebpf.kprobe_trigger");
  k.SetAttributes({{"probe", "tcp_connect"}, {"function", "tcp_v4_connect"}});
  rt.Work(1);
  (void)call;
  return 200;
}

}  // namespace

bool AddX0tta6bl4Routes(std::string_view role, RoleRoutes* routes) {
  if (role != "x0tta6bl4") return false;
  routes->emplace_back("/mape-k/cycle", &MapeKCycle);
  routes->emplace_back("/dao/proposal", &DaoProposal);
  routes->emplace_back("/spiffe/rotate", &SpiffeRotate);
  routes->emplace_back("/fl/round", &FlRound);
  routes->emplace_back("/ebpf/reload", &EbpfReload);
  return true;
}

}  // namespace ariadne::demo
