// OTLP/HTTP receiver: POST /v1/traces on the OTLP HTTP port (4318).
//
// Accepts application/x-protobuf (also application/protobuf) and application/json bodies,
// Content-Encoding identity, gzip, deflate or zstd (decompressed with a hard cap by the ingest
// pipeline). Answers per the OTLP specification: 200 with an ExportTraceServiceResponse in the
// request's format (partial success when spans were rejected), 400 with a google.rpc.Status
// body for malformed requests, 413 too large, 415 unsupported media type or encoding, 429 / 503
// with Retry-After when refusing. CORS for browser SDKs: requests whose Origin is in
// cors_allowed_origins ("*" allows any) get Access-Control-Allow-Origin, and OPTIONS preflights
// are answered 204.
//
// Thread-safety: the handlers run on the HTTP server's threads; the pipeline is thread-safe.
// The pipeline must outlive the server. Tested by otlp_http_receiver_test.cc and
// tests/integration/.
#ifndef ARIADNE_SERVER_RECEIVERS_OTLP_HTTP_RECEIVER_H_
#define ARIADNE_SERVER_RECEIVERS_OTLP_HTTP_RECEIVER_H_

#include <string>
#include <vector>

#include "server/api/http_server.h"
#include "server/pipeline/ingest.h"

namespace ariadne {

struct OtlpHttpOptions {
  std::vector<std::string> cors_allowed_origins;  // empty: no CORS headers
  std::vector<std::string> cors_allowed_headers;  // added to the defaults on preflight
};

void RegisterOtlpHttpRoutes(HttpServer* server, IngestPipeline* pipeline, OtlpHttpOptions options);

// google.rpc.Status {code, message} as protobuf bytes (the OTLP/HTTP error body).
std::string EncodeRpcStatusProto(int code, std::string_view message);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_RECEIVERS_OTLP_HTTP_RECEIVER_H_
