#include "demo/service/demo_runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include <curl/curl.h>

#include "ariadne/propagation/text_map.h"

namespace ariadne::demo {
namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}() ^
                                   std::hash<std::thread::id>{}(std::this_thread::get_id()));
  return rng;
}

size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

}  // namespace

Force ParseForce(std::string_view v) {
  if (v == "error") return Force::kError;
  if (v == "slow") return Force::kSlow;
  if (v == "ok") return Force::kOk;
  return Force::kNone;
}

std::string_view ForceName(Force f) {
  switch (f) {
    case Force::kError:
      return "error";
    case Force::kSlow:
      return "slow";
    case Force::kOk:
      return "ok";
    case Force::kNone:
      break;
  }
  return "";
}

bool Runtime::ShouldFail(const Call& call, double scale) const {
  if (call.force == Force::kError) return true;
  if (call.force != Force::kNone) return false;
  return Uniform01() < options_.error_rate * scale;
}

bool Runtime::ShouldBeSlow(const Call& call, double scale) const {
  if (call.force == Force::kSlow) return true;
  if (call.force != Force::kNone) return false;
  return Uniform01() < options_.slow_rate * scale;
}

double Runtime::Work(double median_ms, double spread) {
  std::lognormal_distribution<double> d(std::log(std::max(median_ms, 0.01)), spread);
  double ms = std::min(d(Rng()), median_ms * 10);
  SleepMs(ms);
  return ms;
}

void Runtime::SleepMs(double ms) {
  std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(ms * 1000)));
}

int Runtime::Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(Rng()); }

double Runtime::Uniform01() { return std::uniform_real_distribution<double>(0, 1)(Rng()); }

std::string Runtime::RandomHex(int chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < chars; ++i) s.push_back(kHex[Uniform(0, 15)]);
  return s;
}

trace::StartSpanOptions Runtime::ServerSpanOptions(const Call& call) {
  trace::StartSpanOptions o;
  o.kind = trace::SpanKind::kServer;
  o.parent = &call.parent;
  return o;
}

int Runtime::CallPeer(const Call& call, std::string_view peer, std::string_view path,
                      std::string_view span_name) const {
  auto it = options_.peers.find(peer);
  std::string url = it == options_.peers.end() ? std::string() : it->second + std::string(path);
  trace::Tracer tracer = tracer_;
  trace::ScopedSpan span(tracer, span_name, trace::SpanKind::kClient);
  span.SetAttributes({{"http.request.method", "POST"},
                      {"url.full", url},
                      {"peer.service", peer},
                      {"server.address", "127.0.0.1"}});
  std::vector<std::pair<std::string, std::string>> headers;
  propagation::HeaderVectorCarrier carrier(&headers);
  propagation::GlobalPropagator().Inject(trace::Context::Current(), carrier);
  if (call.force != Force::kNone) headers.emplace_back("x-demo-force", ForceName(call.force));
  headers.emplace_back("x-request-id", call.request_id);
  int status = url.empty() ? 0 : HttpCall("POST", url, headers);
  span.SetAttribute("http.response.status_code", status);
  if (status < 200 || status >= 300) {
    span.SetAttribute("error.type",
                      status == 0 ? std::string("connection_failed") : std::to_string(status));
    span.SetStatus(trace::StatusCode::kError, "peer " + std::string(peer) + " failed");
  }
  return status;
}

int HttpCall(const std::string& method, const std::string& url,
             const std::vector<std::pair<std::string, std::string>>& headers,
             std::string* response_body, long timeout_ms) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return 0;
  std::string body;
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "{}");
  }
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (response_body != nullptr) *response_body = std::move(body);
  return static_cast<int>(status);
}

std::vector<std::string> AllServiceRoles() {
  return {"sigmavault", "sigmalang",           "agents",        "ryot", "x0tta6bl4", "continuum",
          "daena",      "jeeves-orchestrator", "jeeves-gateway"};
}

bool RoleServesGrpc(std::string_view role) { return role == "jeeves-orchestrator"; }

std::string GrpcPeerKey(std::string_view role) { return std::string(role) + "-grpc"; }

std::vector<Scenario> TrafficScenarios() {
  return {{"jeeves-gateway", "/api/v1/chat/messages"},
          {"ryot", "/v1/inference"},
          {"x0tta6bl4", "/mape-k/cycle"},
          {"continuum", "/api/explore"},
          {"daena", "/api/v1/council/round"},
          {"jeeves-gateway", "/api/v1/chat/messages"},
          {"ryot", "/v1/inference"},
          {"x0tta6bl4", "/dao/proposal"},
          {"x0tta6bl4", "/spiffe/rotate"},
          {"x0tta6bl4", "/fl/round"},
          {"x0tta6bl4", "/ebpf/reload"},
          {"ryot", "/v1/inference"}};
}

}  // namespace ariadne::demo
