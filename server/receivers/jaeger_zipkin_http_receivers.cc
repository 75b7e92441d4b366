#include "server/receivers/jaeger_zipkin_http_receivers.h"

#include <string>
#include <utility>

#include "server/receivers/http_reply.h"
#include "wire/jaeger/jaeger_thrift.h"
#include "wire/zipkin/zipkin_json.h"

namespace ariadne {
namespace {

// The common body of both handlers once the media type and encoding are known.
void IngestAndAnswer(IngestPipeline* pipeline, std::string_view receiver, std::string_view protocol,
                     HttpRequest&& req, ContentEncoding encoding, const IngestDecoder& decode,
                     HttpResponder respond) {
  IngestStats* stats = pipeline->stats();
  std::string recv(receiver);
  std::string proto(protocol);
  pipeline->Ingest(receiver, protocol, std::move(req.body), encoding, decode,
                   [stats, recv, proto, respond = std::move(respond)](IngestReply reply) {
                     HttpResponse r;
                     if (reply.status.ok()) {
                       r.status = 202;
                       if (reply.rejected > 0) {
                         r.body = "rejected " + std::to_string(reply.rejected) +
                                  " spans: " + reply.error_message + "\n";
                       }
                     } else {
                       r = HttpErrorResponse(reply.status);
                     }
                     stats->CountRequest(recv, proto, r.status);
                     respond(std::move(r));
                   });
}

void Refuse415(IngestStats* stats, std::string_view receiver, std::string message,
               const HttpResponder& respond) {
  stats->CountRequestRefused(receiver, "unknown", "unsupported_media_type");
  stats->CountRequest(receiver, "unknown", 415);
  respond(HttpResponse::Text(415, std::move(message) + "\n"));
}

}  // namespace

void RegisterJaegerHttpRoutes(HttpServer* server, IngestPipeline* pipeline) {
  server->Route("POST", "/api/traces", [pipeline](HttpRequest&& req, HttpResponder respond) {
    std::string media = MediaType(req.Header("content-type"));
    if (media != "application/x-thrift" && media != "application/vnd.apache.thrift.binary") {
      Refuse415(pipeline->stats(), "jaeger_http",
                "unsupported Content-Type '" + std::string(req.Header("content-type")) +
                    "': POST /api/traces takes application/x-thrift (binary protocol)",
                respond);
      return;
    }
    ContentEncoding encoding;
    if (!ParseContentEncoding(req.Header("content-encoding"), &encoding)) {
      Refuse415(pipeline->stats(), "jaeger_http", "unsupported Content-Encoding", respond);
      return;
    }
    IngestAndAnswer(
        pipeline, "jaeger_http", "thrift_binary", std::move(req), encoding,
        [](std::string&& body, const DecodeLimits& limits, DecodeResult* out) {
          return DecodeJaegerBatch(body, ThriftProtocol::kBinary, limits, out);
        },
        std::move(respond));
  });
}

void RegisterZipkinRoutes(HttpServer* server, IngestPipeline* pipeline) {
  server->Route("POST", "/api/v2/spans", [pipeline](HttpRequest&& req, HttpResponder respond) {
    std::string media = MediaType(req.Header("content-type"));
    if (!media.empty() && media != "application/json") {
      Refuse415(pipeline->stats(), "zipkin",
                "unsupported Content-Type '" + std::string(req.Header("content-type")) +
                    "': POST /api/v2/spans takes application/json (Zipkin v2 JSON)",
                respond);
      return;
    }
    ContentEncoding encoding;
    if (!ParseContentEncoding(req.Header("content-encoding"), &encoding)) {
      Refuse415(pipeline->stats(), "zipkin", "unsupported Content-Encoding", respond);
      return;
    }
    IngestAndAnswer(
        pipeline, "zipkin", "json", std::move(req), encoding,
        [](std::string&& body, const DecodeLimits& limits, DecodeResult* out) {
          return DecodeZipkinJson(body, limits, out);
        },
        std::move(respond));
  });
}

}  // namespace ariadne
