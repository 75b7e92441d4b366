// UI assets embedded in the binary: the files of the Vite build (ui/dist), each with its raw
// bytes and, when smaller, a gzip-compressed copy.
//
// The table is generated at build time by ui/tools/ui_embed.cc into ui_assets_generated.cc;
// with ARIADNE_BUILD_UI=OFF (sanitizer presets) ui_assets_placeholder.cc provides a single
// index.html that says the UI was not built. Data is static and immutable: thread-safe.
// Invariants: paths start with '/', are unique, and "/index.html" is always present.
// Covered by ui_routes_test.cc.
#ifndef ARIADNE_UI_UI_ASSETS_H_
#define ARIADNE_UI_UI_ASSETS_H_

#include <cstddef>
#include <span>
#include <string_view>

namespace ariadne {

struct UiAsset {
  std::string_view path;          // "/index.html", "/assets/index-3f9a.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view data;          // raw bytes
  std::string_view gzip_data;     // gzip-compressed bytes, empty when not worth it
};

// Every embedded asset.
std::span<const UiAsset> UiAssets();
// True when the real UI was built and embedded (false: the placeholder page).
bool UiAssetsBuilt();

}  // namespace ariadne

#endif  // ARIADNE_UI_UI_ASSETS_H_
