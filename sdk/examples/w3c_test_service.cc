#include "sdk/examples/w3c_test_service.h"

#include <curl/curl.h>
#include <simdjson.h>

#include "ariadne/propagation/curl_carrier.h"
#include "ariadne/propagation/propagators.h"

namespace ariadne::examples {
namespace {

HttpServerOptions Options(uint16_t port) {
  HttpServerOptions o;
  o.name = "w3c-test-service";
  o.port = port;
  o.threads = 4;
  return o;
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

void PostJson(const std::string& url, const std::string& body, const trace::Context& ctx,
              propagation::TextMapPropagator& propagator) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  propagation::CurlHeaderCarrier carrier(&headers);
  propagator.Inject(ctx, carrier);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Discard);
  (void)curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
}

}  // namespace

W3CTestService::W3CTestService(uint16_t port) : server_(Options(port)) {
  sdk::TracerProviderOptions o;
  o.resource.Set("service.name", std::string("w3c-test-service"));
  provider_ = std::make_unique<sdk::SdkTracerProvider>(std::move(o));
  tracer_ = provider_->GetTracer("ariadne.w3c_test_service");
  server_.Route("POST", "/test", [this](HttpRequest&& req, HttpResponder respond) {
    Handle(std::move(req), std::move(respond));
  });
}

W3CTestService::~W3CTestService() { Stop(); }

Status W3CTestService::Start() { return server_.Start(); }
void W3CTestService::Stop() { server_.Stop(); }

void W3CTestService::Handle(HttpRequest&& req, HttpResponder respond) {
  auto propagator = propagation::MakeW3CTraceContextPropagator();
  propagation::HeaderVectorCarrier in(&req.headers);
  trace::Context parent = propagator->Extract(in, trace::Context());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(req.body).get(doc) != simdjson::SUCCESS || !doc.is_array()) {
    respond(HttpResponse::Text(400, "expected a JSON list of {url, arguments}\n"));
    return;
  }
  for (simdjson::dom::element item : doc.get_array()) {
    std::string_view url;
    if (item["url"].get_string().get(url) != simdjson::SUCCESS) continue;
    simdjson::dom::element args;
    std::string body = item["arguments"].get(args) == simdjson::SUCCESS ? simdjson::to_string(args)
                                                                        : std::string("[]");
    trace::StartSpanOptions o;
    o.parent = &parent;
    o.kind = trace::SpanKind::kClient;
    trace::Span span = tracer_.StartSpan("callback", o);
    PostJson(std::string(url), body, trace::Context(span.GetContext()), *propagator);
  }
  respond(HttpResponse::Text(200, "ok\n"));
}

}  // namespace ariadne::examples
