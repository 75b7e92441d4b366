// UI routes: serves the embedded single-page app on the query port (16686).
//
// "/" and the SPA's own paths (/search, /trace/{id}, /dependencies, /compare...) answer
// index.html (no-cache, so new builds are picked up); /assets/... answer the hashed Vite assets
// with a one-year immutable cache, the right Content-Type, and gzip when the client accepts it.
// A /trace/{hex id} page also carries `Link: </api/traces/{id}>; rel=preload; as=fetch`, so
// the browser fetches the trace while it loads the bundle (only plain hex IDs are echoed).
// Every UI response carries a strict Content-Security-Policy (scripts only from 'self') and
// nosniff, as a second line of defence behind the UI rendering all span data as text.
// Nothing else is registered, so /api/... stays with the query API.
// Call before HttpServer::Start(); the handlers are stateless and thread-safe.
// Covered by ui_routes_test.cc (and the playwright e2e suite, ui/e2e/).
#ifndef ARIADNE_UI_UI_ROUTES_H_
#define ARIADNE_UI_UI_ROUTES_H_

#include "server/api/http_server.h"

namespace ariadne {

// Registers the UI's GET routes on server.
void RegisterUiRoutes(HttpServer* server);

}  // namespace ariadne

#endif  // ARIADNE_UI_UI_ROUTES_H_
