// The asset table used when the UI is not built (ARIADNE_BUILD_UI=OFF): one page saying so.
#include "ui/ui_assets.h"

namespace ariadne {
namespace {

constexpr std::string_view kPlaceholder =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ariadne</title>"
    "</head><body style=\"font-family:sans-serif;margin:3em\"><h1>Ariadne</h1>"
    "<p>The web UI was not built into this binary (configured with "
    "<code>-DARIADNE_BUILD_UI=OFF</code>). The query API is available under "
    "<a href=\"/api/services\">/api/services</a>.</p></body></html>\n";

constexpr UiAsset kAssets[] = {
    {"/index.html", "text/html; charset=utf-8", kPlaceholder, {}},
};

}  // namespace

std::span<const UiAsset> UiAssets() { return kAssets; }
bool UiAssetsBuilt() { return false; }

}  // namespace ariadne
