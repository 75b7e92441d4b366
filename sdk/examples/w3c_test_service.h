// W3CTestService: the service shape the w3c/trace-context conformance harness drives.
// `POST /test` takes a JSON list of {"url": ..., "arguments": [...]}; for each entry it starts a
// client span whose parent is the context extracted from the incoming traceparent/tracestate,
// and POSTs `arguments` (as JSON) to `url` with the span's context injected — so every callback
// carries the inherited trace id (or a new one when the input was invalid) and its own parent
// id. Runs on server/api's HttpServer bound to 127.0.0.1; callbacks use libcurl with
// CurlHeaderCarrier. Thread-safe. Tested by w3c_test_service_test.cc; run the real harness with
// `w3c_test_service --port 5000` and `python test.py http://127.0.0.1:5000/test`.
#ifndef ARIADNE_SDK_EXAMPLES_W3C_TEST_SERVICE_H_
#define ARIADNE_SDK_EXAMPLES_W3C_TEST_SERVICE_H_

#include <cstdint>
#include <memory>

#include "ariadne/sdk/tracer_provider.h"
#include "base/status.h"
#include "server/api/http_server.h"

namespace ariadne::examples {

class W3CTestService {
 public:
  explicit W3CTestService(uint16_t port = 0);
  ~W3CTestService();
  [[nodiscard]] Status Start();
  void Stop();
  uint16_t port() const { return server_.port(); }

 private:
  void Handle(HttpRequest&& request, HttpResponder respond);
  std::unique_ptr<sdk::SdkTracerProvider> provider_;
  trace::Tracer tracer_;
  HttpServer server_;
};

}  // namespace ariadne::examples

#endif  // ARIADNE_SDK_EXAMPLES_W3C_TEST_SERVICE_H_
