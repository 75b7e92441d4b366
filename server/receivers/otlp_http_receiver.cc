#include "server/receivers/otlp_http_receiver.h"

#include <memory>
#include <utility>

#include "base/json_string.h"
#include "server/receivers/http_reply.h"
#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"
#include "wire/otlp/proto_wire.h"

namespace ariadne {
namespace {

constexpr std::string_view kReceiver = "otlp_http";

// gRPC status codes (google.rpc.Code) for the error bodies.
int RpcCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return 3;
    case StatusCode::kOutOfRange:
    case StatusCode::kResourceExhausted:
      return 8;
    case StatusCode::kUnavailable:
      return 14;
    default:
      return 13;
  }
}

bool OriginAllowed(const OtlpHttpOptions& o, std::string_view origin) {
  if (origin.empty()) return false;
  for (const std::string& allowed : o.cors_allowed_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

void AddCors(const OtlpHttpOptions& o, const HttpRequest& req, HttpResponse* r) {
  std::string_view origin = req.Header("origin");
  if (!OriginAllowed(o, origin)) return;
  r->headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  r->headers.emplace_back("Vary", "Origin");
}

}  // namespace

std::string EncodeRpcStatusProto(int code, std::string_view message) {
  std::string out;
  if (code != 0) {
    out.push_back(0x08);  // field 1, varint
    proto_wire::AppendVarint(&out, static_cast<uint64_t>(code));
  }
  if (!message.empty()) proto_wire::AppendLenField(&out, 2, message);
  return out;
}

void RegisterOtlpHttpRoutes(HttpServer* server, IngestPipeline* pipeline, OtlpHttpOptions options) {
  auto opts = std::make_shared<OtlpHttpOptions>(std::move(options));
  server->Route("OPTIONS", "/v1/traces", [opts](HttpRequest&& req, HttpResponder respond) {
    HttpResponse r;
    r.status = 204;
    if (OriginAllowed(*opts, req.Header("origin"))) {
      AddCors(*opts, req, &r);
      r.headers.emplace_back("Access-Control-Allow-Methods", "POST, OPTIONS");
      std::string headers = "Content-Type, Content-Encoding, X-Requested-With";
      for (const std::string& h : opts->cors_allowed_headers) headers += ", " + h;
      r.headers.emplace_back("Access-Control-Allow-Headers", headers);
      r.headers.emplace_back("Access-Control-Max-Age", "7200");
    }
    respond(std::move(r));
  });
  server->Route("POST", "/v1/traces", [opts, pipeline](HttpRequest&& req, HttpResponder respond) {
    IngestStats* stats = pipeline->stats();
    std::string media = MediaType(req.Header("content-type"));
    bool json = media == "application/json";
    bool proto = media == "application/x-protobuf" || media == "application/protobuf";
    auto reply_error = [&](int code, std::string_view protocol, std::string message) {
      HttpResponse r = HttpResponse::Text(code, std::move(message) + "\n");
      AddCors(*opts, req, &r);
      stats->CountRequest(kReceiver, protocol, code);
      respond(std::move(r));
    };
    if (!json && !proto) {
      stats->CountRequestRefused(kReceiver, "unknown", "unsupported_media_type");
      reply_error(415, "unknown",
                  "unsupported Content-Type '" + std::string(req.Header("content-type")) +
                      "': POST /v1/traces takes application/x-protobuf or application/json");
      return;
    }
    std::string_view protocol = json ? "json" : "protobuf";
    ContentEncoding encoding;
    if (!ParseContentEncoding(req.Header("content-encoding"), &encoding)) {
      stats->CountRequestRefused(kReceiver, protocol, "unsupported_media_type");
      reply_error(415, protocol,
                  "unsupported Content-Encoding '" + std::string(req.Header("content-encoding")) +
                      "': use gzip, deflate, zstd or none");
      return;
    }
    IngestDecoder decode;
    if (json) {
      decode = [](std::string&& body, const DecodeLimits& limits, DecodeResult* out) {
        return DecodeOtlpJson(body, limits, out);
      };
    } else {
      decode = [](std::string&& body, const DecodeLimits& limits, DecodeResult* out) {
        return DecodeOtlpProto(std::move(body), limits, out);
      };
    }
    std::string origin(req.Header("origin"));
    HttpRequest cors_req;
    if (!origin.empty()) cors_req.headers.emplace_back("origin", origin);
    pipeline->Ingest(kReceiver, protocol, std::move(req.body), encoding, decode,
                     [opts, stats, json, protocol, cors_req = std::move(cors_req),
                      respond = std::move(respond)](IngestReply reply) {
                       HttpResponse r;
                       if (reply.status.ok()) {
                         r.status = 200;
                         if (json) {
                           r.content_type = "application/json";
                           EncodeOtlpJsonResponse(static_cast<int64_t>(reply.rejected),
                                                  reply.error_message, &r.body);
                         } else {
                           r.content_type = "application/x-protobuf";
                           EncodeExportTraceServiceResponse(static_cast<int64_t>(reply.rejected),
                                                            reply.error_message, &r.body);
                         }
                       } else {
                         r.status = HttpStatusFor(reply.status.code());
                         int rpc = RpcCodeFor(reply.status.code());
                         if (json) {
                           r.content_type = "application/json";
                           r.body = "{\"code\":" + std::to_string(rpc) + ",\"message\":";
                           AppendJsonString(&r.body, reply.status.message());
                           r.body += "}";
                         } else {
                           r.content_type = "application/x-protobuf";
                           r.body = EncodeRpcStatusProto(rpc, reply.status.message());
                         }
                         AddRetryAfter(&r);
                       }
                       AddCors(*opts, cors_req, &r);
                       stats->CountRequest(kReceiver, protocol, r.status);
                       respond(std::move(r));
                     });
  });
  server->Route("", "/v1/traces", [](HttpRequest&&, HttpResponder respond) {
    HttpResponse r = HttpResponse::Text(405, "use POST for /v1/traces\n");
    r.headers.emplace_back("Allow", "POST, OPTIONS");
    respond(std::move(r));
  });
}

}  // namespace ariadne
