#include "ui/ui_routes.h"

#include <string>

#include <zlib.h>

#include "gtest/gtest.h"
#include "server/api/http_server.h"
#include "tests/testing/http_client.h"
#include "ui/ui_assets.h"

namespace ariadne {
namespace {

using ::ariadne::testing::HttpGet;
using ::ariadne::testing::HttpRequestRaw;

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "<init failed>";
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "<corrupt>";
}

const UiAsset& IndexAsset() {
  for (const UiAsset& a : UiAssets()) {
    if (a.path == "/index.html") return a;
  }
  ADD_FAILURE() << "no index.html";
  return UiAssets()[0];
}

class UiRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options);
    RegisterUiRoutes(server_.get());
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }
  std::string Raw(const std::string& target, const std::string& extra_headers) {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra_headers +
           "\r\n";
  }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(UiRoutesTest, RootAndSpaPathsServeIndexHtmlUncached) {
  for (const char* target : {"/", "/search?service=a&lookback=1h", "/trace/0123456789abcdef",
                             "/trace/0af7651916cd43dd8448eb211c80319c?uiFind=b7ad6b7169203331",
                             "/dependencies", "/compare?a=1&b=2", "/index.html"}) {
    auto r = HttpGet(server_->port(), target);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.body, IndexAsset().data) << target;
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8") << target;
    EXPECT_EQ(r.Header("cache-control"), "no-cache") << target;
    EXPECT_NE(r.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  }
}

TEST_F(UiRoutesTest, TracePagesPreloadTheirTraceOnlyForHexIds) {
  auto r = HttpGet(server_->port(), "/trace/00ff3A9c?uiFind=abc");
  ASSERT_EQ(r.status, 200);
  if (UiAssetsBuilt()) {
    EXPECT_EQ(r.Header("link"), "</api/traces/00ff3A9c>; rel=preload; as=fetch; crossorigin");
  }
  for (const char* target : {"/trace/abc...def", "/trace/%3Cscript%3E", "/trace/abc%3E%3B",
                             "/trace/", "/search", "/trace/0123456789abcdef0123456789abcdef0"}) {
    auto other = HttpGet(server_->port(), target);
    EXPECT_EQ(other.Header("link"), "") << target;
  }
}

TEST_F(UiRoutesTest, AssetsAreServedWithTypeAndLongCache) {
  for (const UiAsset& asset : UiAssets()) {
    if (asset.path.substr(0, 8) != "/assets/") continue;
    auto r = HttpGet(server_->port(), std::string(asset.path));
    EXPECT_EQ(r.status, 200) << asset.path;
    EXPECT_EQ(r.body, asset.data) << asset.path;
    EXPECT_EQ(r.Header("content-type"), asset.content_type);
    EXPECT_NE(r.Header("cache-control").find("immutable"), std::string::npos);
    EXPECT_EQ(r.Header("content-encoding"), "");
  }
}

TEST_F(UiRoutesTest, GzipIsSentOnlyWhenAccepted) {
  int compressed = 0;
  for (const UiAsset& asset : UiAssets()) {
    if (asset.gzip_data.empty()) continue;
    ++compressed;
    std::string path(asset.path);
    auto gz = HttpRequestRaw(server_->port(), Raw(path, "Accept-Encoding: br, gzip, deflate\r\n"));
    EXPECT_EQ(gz.status, 200) << path;
    EXPECT_EQ(gz.Header("content-encoding"), "gzip") << path;
    EXPECT_EQ(Gunzip(gz.body), asset.data) << path;
    auto refused = HttpRequestRaw(server_->port(), Raw(path, "Accept-Encoding: gzip;q=0\r\n"));
    EXPECT_EQ(refused.Header("content-encoding"), "") << path;
    EXPECT_EQ(refused.body, asset.data) << path;
  }
  if (UiAssetsBuilt()) {
    EXPECT_GT(compressed, 0) << "the built UI should have compressible assets";
  }
}

TEST_F(UiRoutesTest, UnknownAssetsAndOtherPathsAreNotServed) {
  EXPECT_EQ(HttpGet(server_->port(), "/assets/nope-123.js").status, 404);
  EXPECT_EQ(HttpGet(server_->port(), "/api/services").status, 404);
  EXPECT_EQ(HttpGet(server_->port(), "/etc/passwd").status, 404);
  EXPECT_EQ(HttpGet(server_->port(), "/assets/../index.html").status, 404);
}

TEST(UiAssetsTest, TableHasUniqueRootedPathsAndIndex) {
  int index = 0;
  auto assets = UiAssets();
  for (size_t i = 0; i < assets.size(); ++i) {
    EXPECT_EQ(assets[i].path.substr(0, 1), "/");
    if (assets[i].path == "/index.html") ++index;
    for (size_t j = i + 1; j < assets.size(); ++j) EXPECT_NE(assets[i].path, assets[j].path);
  }
  EXPECT_EQ(index, 1);
  if (!UiAssetsBuilt()) {
    EXPECT_NE(IndexAsset().data.find("not built"), std::string_view::npos);
  }
}

}  // namespace
}  // namespace ariadne
