// The Jaeger collector's HTTP receiver (POST /api/traces on 14268, application/x-thrift: a
// jaeger.Batch in Thrift's binary protocol) and Zipkin's (POST /api/v2/spans on 9411, JSON list
// of v2 spans, gzip allowed). Both answer 202 Accepted with an empty body, as Jaeger and Zipkin
// do; errors follow http_reply.h (400, 413, 415, 429/503 with Retry-After).
//
// Thread-safety: handlers run on the HTTP server's threads. The pipeline must outlive the
// servers. Tested by tests/integration/receivers_test.cc.
#ifndef ARIADNE_SERVER_RECEIVERS_JAEGER_ZIPKIN_HTTP_RECEIVERS_H_
#define ARIADNE_SERVER_RECEIVERS_JAEGER_ZIPKIN_HTTP_RECEIVERS_H_

#include "server/api/http_server.h"
#include "server/pipeline/ingest.h"

namespace ariadne {

void RegisterJaegerHttpRoutes(HttpServer* server, IngestPipeline* pipeline);
void RegisterZipkinRoutes(HttpServer* server, IngestPipeline* pipeline);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_RECEIVERS_JAEGER_ZIPKIN_HTTP_RECEIVERS_H_
