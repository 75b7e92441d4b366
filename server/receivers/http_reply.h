// HTTP answers shared by the HTTP receivers (OTLP/HTTP, Zipkin, Jaeger HTTP): how an ingest
// outcome becomes a status code, per the OTLP/HTTP specification.
//
//   OK                 -> the receiver's success code (200 OTLP, 202 Zipkin and Jaeger)
//   kInvalidArgument   -> 400 (malformed; must not be retried)
//   kOutOfRange        -> 413 (body too large, before or after decompression)
//   kResourceExhausted -> 429 with Retry-After (in-flight limit; retry later)
//   kUnavailable       -> 503 with Retry-After (store refusing or shutting down)
//   anything else      -> 500
// Also the media-type parsing every receiver needs. Pure functions; tested through
// otlp_http_receiver_test.cc and tests/integration/bad_input_test.cc.
#ifndef ARIADNE_SERVER_RECEIVERS_HTTP_REPLY_H_
#define ARIADNE_SERVER_RECEIVERS_HTTP_REPLY_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "server/api/http_server.h"

namespace ariadne {

// Seconds clients are told to wait after a 429 or 503.
inline constexpr int kRetryAfterSeconds = 1;

int HttpStatusFor(StatusCode code);
// A text/plain error answer for status, with Retry-After where retrying makes sense.
HttpResponse HttpErrorResponse(const Status& status);
// Adds Retry-After to r when its status is 429 or 503.
void AddRetryAfter(HttpResponse* r);
// "Application/JSON; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_RECEIVERS_HTTP_REPLY_H_
