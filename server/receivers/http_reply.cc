#include "server/receivers/http_reply.h"

namespace ariadne {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kOutOfRange:
      return 413;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kUnimplemented:
      return 501;
    default:
      return 500;
  }
}

void AddRetryAfter(HttpResponse* r) {
  if (r->status == 429 || r->status == 503) {
    r->headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  }
}

HttpResponse HttpErrorResponse(const Status& status) {
  HttpResponse r = HttpResponse::Text(HttpStatusFor(status.code()), std::string(status.message()));
  r.body.push_back('\n');
  AddRetryAfter(&r);
  return r;
}

std::string MediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string_view t = content_type.substr(0, semi);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  std::string out(t);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace ariadne
