#include "ui/ui_routes.h"

#include <string>
#include <string_view>
#include <utility>

#include "ui/ui_assets.h"

namespace ariadne {
namespace {

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

const UiAsset* FindAsset(std::string_view path) {
  for (const UiAsset& asset : UiAssets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

bool AcceptsGzip(const HttpRequest& request) {
  std::string_view accept = request.Header("accept-encoding");
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.substr(0, 4) != "gzip" && item.substr(0, 1) != "*") continue;
    // "gzip;q=0" (or q=0.0...) refuses it; any other weight accepts it.
    size_t q = item.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view weight = item.substr(q + 2);
    return weight.find_first_not_of("0. ") != std::string_view::npos;
  }
  return false;
}

HttpResponse AssetResponse(const HttpRequest& request, const UiAsset& asset, bool immutable) {
  HttpResponse response;
  response.status = 200;
  response.content_type = std::string(asset.content_type);
  response.headers.emplace_back("Cache-Control",
                                immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Vary", "Accept-Encoding");
  if (!asset.gzip_data.empty() && AcceptsGzip(request)) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = std::string(asset.gzip_data);
  } else {
    response.body = std::string(asset.data);
  }
  return response;
}

// The trace ID of a /trace/{id} page when it is plain hex (1-32 digits), else empty.
std::string_view HexTraceIdOfPage(std::string_view path) {
  constexpr std::string_view kPrefix = "/trace/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string_view id = path.substr(kPrefix.size());
  if (!id.empty() && id.back() == '/') id.remove_suffix(1);
  if (id.empty() || id.size() > 32) return {};
  for (char c : id) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return {};
  }
  return id;
}

void ServeIndex(HttpRequest&& request, HttpResponder respond) {
  const UiAsset* index = FindAsset("/index.html");
  if (index == nullptr) {
    respond(HttpResponse::Text(404, "ui not embedded\n"));
    return;
  }
  HttpResponse response = AssetResponse(request, *index, /*immutable=*/false);
  // A trace page: let the browser request the trace while it loads the bundle (main.tsx's
  // fetch of the same URL takes the preloaded response). Only plain hex IDs are echoed.
  std::string_view trace_id = HexTraceIdOfPage(request.path);
  if (!trace_id.empty() && UiAssetsBuilt()) {
    response.headers.emplace_back(
        "Link", "</api/traces/" + std::string(trace_id) + ">; rel=preload; as=fetch; crossorigin");
  }
  respond(std::move(response));
}

void ServeAsset(HttpRequest&& request, HttpResponder respond) {
  const UiAsset* asset = FindAsset(request.path);
  if (asset == nullptr) {
    respond(HttpResponse::Text(404, "no such asset\n"));
    return;
  }
  respond(AssetResponse(request, *asset, /*immutable=*/true));
}

void ServeRootFile(HttpRequest&& request, HttpResponder respond) {
  const UiAsset* asset = FindAsset(request.path);
  if (asset == nullptr) {
    respond(HttpResponse::Text(404, "not found\n"));
    return;
  }
  respond(AssetResponse(request, *asset, /*immutable=*/false));
}

}  // namespace

void RegisterUiRoutes(HttpServer* server) {
  server->Route("GET", "/", ServeIndex);
  server->Route("GET", "/index.html", ServeIndex);
  server->Route("GET", "/favicon.svg", ServeRootFile);
  server->Route("GET", "/assets/", ServeAsset, /*prefix=*/true);
  server->Route("GET", "/static/", ServeAsset, /*prefix=*/true);
  // The SPA's pages (Jaeger's URL shapes), all answered by index.html.
  server->Route("GET", "/search", ServeIndex);
  server->Route("GET", "/trace/", ServeIndex, /*prefix=*/true);
  server->Route("GET", "/dependencies", ServeIndex);
  server->Route("GET", "/compare", ServeIndex, /*prefix=*/true);
}

}  // namespace ariadne
