// The seed workflows against the live demo: starts `ariadne-demo` (ariadne serve with embedded
// storage, every demo service, traffic with a high error rate) on free ports, sends a few
// requests that force the interesting paths (x-demo-force), and checks through the Jaeger query
// API what each seed's users do: 004's slow-request investigation by jeeves.request.id, error
// attribution and token usage by agent; 000's error query on llm.inference; 001's slow GraphSAGE
// inferences, failed DAO proposals and slow mTLS handshakes; and that 004's gateway ->
// orchestrator hop is gRPC (span kinds, rpc.* attributes, one trace). Then SIGTERM stops
// everything.
// One test (one demo start) keeps the suite fast.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"

namespace ariadne::demo {
namespace {

using testing::HttpGet;
using testing::HttpPost;
using testing::PickFreePort;

struct JSpan {
  std::string trace_id, span_id, parent_id, operation, service;
  int64_t duration_us = 0;
  std::map<std::string, std::string> tags;  // values as text
  bool Error() const {
    auto it = tags.find("error");
    return it != tags.end() && it->second == "true";
  }
  double Number(const std::string& key) const {
    auto it = tags.find(key);
    return it == tags.end() ? -1 : std::atof(it->second.c_str());
  }
};
using JTrace = std::vector<JSpan>;

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

std::string TagText(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(std::string_view(value.get_string()));
    case simdjson::dom::element_type::BOOL:
      return bool(value.get_bool()) ? "true" : "false";
    case simdjson::dom::element_type::INT64:
      return std::to_string(int64_t(value.get_int64()));
    case simdjson::dom::element_type::UINT64:
      return std::to_string(uint64_t(value.get_uint64()));
    case simdjson::dom::element_type::DOUBLE:
      return std::to_string(double(value.get_double()));
    default:
      return simdjson::to_string(value);
  }
}

// Parses a /api/traces answer into traces of spans.
std::vector<JTrace> ParseTraces(const std::string& json) {
  std::vector<JTrace> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return out;
  simdjson::dom::array data;
  if (doc["data"].get_array().get(data) != simdjson::SUCCESS) return out;
  for (simdjson::dom::element t : data) {
    JTrace trace;
    simdjson::dom::object processes = t["processes"].get_object();
    for (simdjson::dom::element s : t["spans"].get_array()) {
      JSpan span;
      span.trace_id = std::string(std::string_view(s["traceID"].get_string()));
      span.span_id = std::string(std::string_view(s["spanID"].get_string()));
      span.operation = std::string(std::string_view(s["operationName"].get_string()));
      span.duration_us = int64_t(s["duration"].get_int64());
      std::string_view pid = s["processID"].get_string();
      span.service = std::string(std::string_view(processes[pid]["serviceName"].get_string()));
      simdjson::dom::array refs;
      if (s["references"].get_array().get(refs) == simdjson::SUCCESS) {
        for (simdjson::dom::element r : refs) {
          if (std::string_view(r["refType"].get_string()) == "CHILD_OF") {
            span.parent_id = std::string(std::string_view(r["spanID"].get_string()));
          }
        }
      }
      simdjson::dom::array tags;
      if (s["tags"].get_array().get(tags) == simdjson::SUCCESS) {
        for (simdjson::dom::element tag : tags) {
          span.tags[std::string(std::string_view(tag["key"].get_string()))] = TagText(tag["value"]);
        }
      }
      trace.push_back(std::move(span));
    }
    out.push_back(std::move(trace));
  }
  return out;
}

class DemoProcess {
 public:
  ~DemoProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool Start(const std::vector<std::string>& args, const std::string& log) {
    log_ = log;
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    return pid_ > 0;
  }
  std::string Output() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Waits until the output contains `text` (or the process exits).
  bool WaitFor(const std::string& text, int timeout_s) {
    for (int i = 0; i < timeout_s * 10; ++i) {
      if (Output().find(text) != std::string::npos) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // SIGTERM and wait; the exit code, or -1 on timeout.
  int Stop(int timeout_s) {
    kill(pid_, SIGTERM);
    for (int i = 0; i < timeout_s * 10; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  std::string log_;
};

class SeedWorkflows : public ::testing::Test {
 protected:
  std::vector<JTrace> Search(const std::string& query) {
    auto r = HttpGet(query_port_, "/api/traces?lookback=1h&limit=50&" + query);
    EXPECT_EQ(r.status, 200) << query << "\n" << r.body;
    return ParseTraces(r.body);
  }
  // Polls a search until it finds at least one trace whose first trace has min_spans spans
  // (each service exports in its own batches every 500 ms, so a trace may arrive in parts).
  std::vector<JTrace> SearchUntilFound(const std::string& query, size_t min_spans = 1,
                                       int timeout_s = 20) {
    std::vector<JTrace> found;
    for (int i = 0; i < timeout_s * 2; ++i) {
      found = Search(query);
      if (!found.empty() && found[0].size() >= min_spans) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return found;
  }
  uint16_t ServicePort(const std::string& role) {
    std::string out = demo_.Output();
    std::string key = "service " + role + " http://127.0.0.1:";
    size_t p = out.find(key);
    if (p == std::string::npos) return 0;
    return static_cast<uint16_t>(std::atoi(out.c_str() + p + key.size()));
  }
  int Send(const std::string& role, const std::string& path, const std::string& force,
           const std::string& request_id) {
    uint16_t port = ServicePort(role);
    EXPECT_NE(port, 0) << role;
    return HttpPost(port, path, "{}", {{"x-demo-force", force}, {"x-request-id", request_id}})
        .status;
  }

  uint16_t query_port_ = 0;
  DemoProcess demo_;
};

const JSpan* FindSpan(const JTrace& t, const std::string& id) {
  for (const JSpan& s : t) {
    if (s.span_id == id) return &s;
  }
  return nullptr;
}

std::string TagOr(const JSpan& s, const std::string& key) {
  auto it = s.tags.find(key);
  return it == s.tags.end() ? "<missing>" : it->second;
}

// 004's gateway -> orchestrator hop is real gRPC: a client span on the gateway and a server span
// on the orchestrator, child of it in the same trace, both with the RPC semantic conventions.
void ExpectGrpcHop(const JTrace& trace, const std::string& grpc_status_code) {
  const JSpan* client = nullptr;
  const JSpan* server = nullptr;
  for (const JSpan& s : trace) {
    if (s.operation != "jeeves.v1.Orchestrator/ProcessRequest") continue;
    if (s.service == "jeeves-gateway") client = &s;
    if (s.service == "jeeves-orchestrator") server = &s;
  }
  ASSERT_NE(client, nullptr);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->trace_id, client->trace_id);
  EXPECT_EQ(server->parent_id, client->span_id);
  for (const JSpan* s : {client, server}) {
    SCOPED_TRACE(s->service);
    EXPECT_EQ(TagOr(*s, "rpc.system"), "grpc");
    EXPECT_EQ(TagOr(*s, "rpc.service"), "jeeves.v1.Orchestrator");
    EXPECT_EQ(TagOr(*s, "rpc.method"), "ProcessRequest");
    EXPECT_EQ(TagOr(*s, "rpc.grpc.status_code"), grpc_status_code);
    EXPECT_EQ(s->Error(), grpc_status_code != "0");
  }
  EXPECT_EQ(TagOr(*client, "span.kind"), "client");
  EXPECT_EQ(TagOr(*server, "span.kind"), "server");
}

TEST_F(SeedWorkflows, EverySeedWorkflowIsAnsweredByTheQueryApiOfTheLiveDemo) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("ariadne-demo-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  query_port_ = PickFreePort();
  uint16_t otlp_port = PickFreePort();
  ASSERT_TRUE(demo_.Start(
      {ARIADNE_DEMO_BINARY, "--query-port", std::to_string(query_port_), "--otlp-http-port",
       std::to_string(otlp_port), "--data-dir", dir + "/data", "--rate", "6", "--error-rate", "0.3",
       "--slow-rate", "0.2", "--otlp-grpc-port=0", "--jaeger-compact-port=0",
       "--jaeger-binary-port=0", "--jaeger-http-port=0", "--zipkin-port=0"},
      dir + "/demo.log"));
  ASSERT_TRUE(demo_.WaitFor("ariadne-demo: ready", 60)) << demo_.Output();

  // Requests that take the interesting paths for sure (the traffic takes them at random too).
  std::string tag = std::to_string(getpid());
  const std::string slow_id = "req_slow_" + tag, error_id = "req_err_" + tag;
  EXPECT_EQ(Send("jeeves-gateway", "/api/v1/chat/messages", "slow", slow_id), 200);
  EXPECT_EQ(Send("jeeves-gateway", "/api/v1/chat/messages", "error", error_id), 502);
  EXPECT_EQ(Send("ryot", "/v1/inference", "error", "req_ryot_" + tag), 504);
  EXPECT_EQ(Send("x0tta6bl4", "/mape-k/cycle", "slow", "req_mapek_" + tag), 200);
  EXPECT_EQ(Send("x0tta6bl4", "/dao/proposal", "error", "req_dao_" + tag), 409);

  {
    SCOPED_TRACE("004: slow-request investigation by jeeves.request.id");
    auto traces = SearchUntilFound(
        "service=jeeves-gateway&tags=" + UrlEncode("{\"jeeves.request.id\":\"" + slow_id + "\"}"),
        11);  // 2 gateway + RPC, pipeline, 3 agents, 4 provider calls
    ASSERT_EQ(traces.size(), 1u);
    std::map<std::string, int> ops;
    const JSpan* timeout = nullptr;
    for (const JSpan& s : traces[0]) {
      ++ops[s.service + ":" + s.operation];
      if (s.tags.count("jeeves.llm.timeout") != 0) timeout = &s;
    }
    EXPECT_EQ(ops["jeeves-gateway:POST /api/v1/chat/messages"], 1);
    EXPECT_EQ(ops["jeeves-orchestrator:pipeline.execute"], 1);
    EXPECT_EQ(ops["jeeves-orchestrator:agent.process"], 3);
    EXPECT_EQ(ops["jeeves-orchestrator:llm.provider.call"], 4);  // critic retried once
    ASSERT_NE(timeout, nullptr);
    EXPECT_EQ(timeout->tags.at("jeeves.agent.name"), "critic");
    EXPECT_GE(timeout->duration_us, 1'500'000);
    ExpectGrpcHop(traces[0], "0");  // OK
  }
  {
    SCOPED_TRACE("004: error attribution to the failing span and its parent chain");
    auto traces = SearchUntilFound(
        "service=jeeves-orchestrator&operation=llm.provider.call&tags=" +
            UrlEncode("{\"error\":\"true\",\"jeeves.request.id\":\"" + error_id + "\"}"),
        6);  // 2 gateway + RPC, pipeline, planner, its provider call
    ASSERT_EQ(traces.size(), 1u);
    const JSpan* failing = nullptr;
    for (const JSpan& s : traces[0]) {
      if (s.operation == "llm.provider.call" && s.Error()) failing = &s;
    }
    ASSERT_NE(failing, nullptr);
    EXPECT_EQ(failing->tags.at("jeeves.agent.name"), "planner");
    std::vector<std::string> chain;
    for (const JSpan* s = failing; s != nullptr; s = FindSpan(traces[0], s->parent_id)) {
      chain.push_back(s->service + ":" + s->operation);
      if (s->parent_id.empty()) break;
    }
    std::vector<std::string> want = {"jeeves-orchestrator:llm.provider.call",
                                     "jeeves-orchestrator:agent.process",
                                     "jeeves-orchestrator:pipeline.execute",
                                     "jeeves-orchestrator:jeeves.v1.Orchestrator/ProcessRequest",
                                     "jeeves-gateway:jeeves.v1.Orchestrator/ProcessRequest",
                                     "jeeves-gateway:POST /api/v1/chat/messages"};
    EXPECT_EQ(chain, want);
    ExpectGrpcHop(traces[0], "13");  // INTERNAL: the pipeline failed
  }
  {
    SCOPED_TRACE("004: token usage by agent");
    auto traces = SearchUntilFound("service=jeeves-orchestrator&operation=llm.provider.call&tags=" +
                                   UrlEncode("{\"jeeves.agent.name\":\"planner\"}"));
    int with_tokens = 0;
    for (const JTrace& t : traces) {
      for (const JSpan& s : t) {
        if (s.operation != "llm.provider.call" || s.Error()) continue;
        if (s.tags.count("jeeves.llm.tokens.total") == 0) continue;
        ++with_tokens;
        EXPECT_EQ(s.Number("jeeves.llm.tokens.total"),
                  s.Number("jeeves.llm.tokens.prompt") + s.Number("jeeves.llm.tokens.completion"));
        EXPECT_GT(s.Number("jeeves.llm.cost_usd"), 0);
        EXPECT_FALSE(s.tags.at("jeeves.llm.model").empty());
      }
    }
    EXPECT_GT(with_tokens, 0);
  }
  {
    SCOPED_TRACE("000: failed slow inferences on ryot (the seed's Jaeger query)");
    auto traces = SearchUntilFound(
        "service=ryot&operation=llm.inference&minDuration=100ms&maxDuration=5s&tags=" +
        UrlEncode("{\"error\":\"true\"}"));
    ASSERT_FALSE(traces.empty());
    bool matching = false, crosses_services = false;
    for (const JTrace& t : traces) {
      for (const JSpan& s : t) {
        if (s.operation == "llm.inference" && s.Error() && s.duration_us >= 100'000 &&
            s.duration_us <= 5'000'000) {
          matching = true;
        }
        if (s.service == "sigmavault") crosses_services = true;
      }
    }
    EXPECT_TRUE(matching);
    EXPECT_TRUE(crosses_services);  // ryot -> agents -> sigmavault in one trace
  }
  {
    SCOPED_TRACE("001: slow GraphSAGE inferences, failed DAO proposals, mTLS >= 50 ms");
    auto ml = SearchUntilFound("service=x0tta6bl4&operation=ml.inference&minDuration=100ms&tags=" +
                               UrlEncode("{\"model\":\"graphsage\"}"));
    bool slow_inference = false;
    for (const JTrace& t : ml) {
      for (const JSpan& s : t) {
        if (s.operation == "ml.inference" && s.Number("latency_ms") >= 100) slow_inference = true;
      }
    }
    EXPECT_TRUE(slow_inference);
    auto dao = SearchUntilFound("service=x0tta6bl4&operation=dao.proposal_execute&tags=" +
                                UrlEncode("{\"success\":\"false\"}"));
    ASSERT_FALSE(dao.empty());
    for (const JSpan& s : dao[0]) {
      if (s.operation == "dao.proposal_execute") {
        EXPECT_EQ(s.tags.at("success"), "false");
        EXPECT_TRUE(s.Error());
      }
    }
    auto mtls =
        SearchUntilFound("service=x0tta6bl4&operation=spiffe.mtls_handshake&minDuration=50ms");
    bool slow_handshake = false;
    for (const JTrace& t : mtls) {
      for (const JSpan& s : t) {
        if (s.operation == "spiffe.mtls_handshake" && s.duration_us >= 50'000 &&
            s.Number("duration_ms") >= 50) {
          slow_handshake = true;
        }
      }
    }
    EXPECT_TRUE(slow_handshake);
  }
  {
    SCOPED_TRACE("every seed's services reach the server");
    auto r = HttpGet(query_port_, "/api/services");
    for (const char* service : {"ryot", "sigmalang", "sigmavault", "agents", "x0tta6bl4",
                                "continuum", "daena", "jeeves-gateway", "jeeves-orchestrator"}) {
      EXPECT_NE(r.body.find(std::string("\"") + service + "\""), std::string::npos)
          << service << " missing from " << r.body;
    }
  }
  {
    SCOPED_TRACE("the launcher prints links to interesting traces");
    EXPECT_TRUE(demo_.WaitFor("/trace/", 20)) << demo_.Output();
  }
  uint16_t gateway = ServicePort("jeeves-gateway");
  EXPECT_EQ(demo_.Stop(40), 0) << demo_.Output();
  EXPECT_EQ(HttpGet(gateway, "/health").status, 0);
  EXPECT_EQ(HttpGet(query_port_, "/health").status, 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ariadne::demo
