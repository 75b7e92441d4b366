// Quick start: configure tracing from OTEL_* variables, trace a request with nested spans,
// helpers and semantic conventions, and propagate context to an outgoing call.
//
//   OTEL_SERVICE_NAME=quickstart OTEL_TRACES_EXPORTER=console ./ariadne_sdk_quickstart
//   OTEL_SERVICE_NAME=quickstart ./ariadne_sdk_quickstart       # OTLP/HTTP to localhost:4318
#include <chrono>
#include <cstdio>
#include <thread>

#include "ariadne/propagation/propagators.h"
#include "ariadne/sdk/autoconfig.h"
#include "ariadne/trace/helpers.h"
#include "ariadne/trace/semconv.h"
#include "ariadne/trace/tracer.h"

namespace {

using namespace ariadne;

int LookupPrice(int item) {
  trace::Tracer tracer = trace::GetTracer("quickstart.db");
  trace::ScopedSpan span(tracer, "SELECT price", trace::SpanKind::kClient);
  trace::semconv::Db(span, "postgresql", "SELECT", "SELECT price FROM items WHERE id = $1");
  return 100 + item;
}

void HandleRequest() {
  trace::Tracer tracer = trace::GetTracer("quickstart", "1.0");
  trace::ScopedSpan request(tracer, "GET /checkout", trace::SpanKind::kServer);
  trace::semconv::HttpServer(request, "GET", "/checkout");

  int total = trace::TraceCallWithArgs(
      tracer, "sum_prices", [](int a, int b) { return LookupPrice(a) + LookupPrice(b); }, 1, 2);
  request.SetAttribute("order.total", total);

  {
    trace::ScopedSpan llm(tracer, "chat completion", trace::SpanKind::kClient);
    trace::SlowSpanGuard guard(llm, std::chrono::milliseconds(50), "chat completion");
    trace::semconv::LlmRequest(llm, "openai", "gpt-4o-mini");
    trace::semconv::LlmUsage(llm, 812, 64, 0.0004);
  }

  // Hand the context to a worker thread.
  trace::Context ctx = trace::Context::Current();
  std::thread worker([ctx, &tracer] {
    trace::ContextScope scope(ctx);
    trace::ScopedSpan s(tracer, "send receipt", trace::SpanKind::kProducer);
    trace::semconv::Messaging(s, "kafka", "send", "receipts");
  });
  worker.join();

  // Propagate to an outgoing HTTP call.
  std::vector<std::pair<std::string, std::string>> headers;
  propagation::HeaderVectorCarrier carrier(&headers);
  propagation::GlobalPropagator().Inject(trace::Context::Current(), carrier);
  for (const auto& [k, v] : headers) std::printf("outgoing header %s: %s\n", k.c_str(), v.c_str());
  request.SetStatus(trace::StatusCode::kOk);
}

}  // namespace

int main() {
  std::shared_ptr<sdk::SdkTracerProvider> provider = sdk::InitTracingFromEnvironment();
  HandleRequest();
  if (provider) provider->Shutdown();  // flushes what is buffered
  return 0;
}
