#include "ariadne/exporters/console_exporter.h"

#include <gtest/gtest.h>

#include "ariadne/sdk/tracer_provider.h"

namespace ariadne::exporters {
namespace {

TEST(ConsoleExporter, PrintsNameIdsAttributesAndEvents) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* mem = open_memstream(&buf, &len);
  ASSERT_NE(mem, nullptr);
  {
    sdk::TracerProviderOptions o;
    o.processor =
        std::make_unique<sdk::SimpleSpanProcessor>(std::make_unique<ConsoleSpanExporter>(mem));
    sdk::SdkTracerProvider provider(std::move(o));
    trace::Tracer t = provider.GetTracer("console-test");
    trace::Span s = t.StartSpan("GET /users", trace::SpanKind::kServer);
    s.SetAttribute("http.request.method", "GET").SetAttribute("n", 3);
    s.AddEvent("cache miss", {{"key", "u:1"}});
    s.SetStatus(trace::StatusCode::kError, "boom");
    s.End();
  }
  std::fclose(mem);
  std::string out(buf, len);
  free(buf);
  EXPECT_NE(out.find("span \"GET /users\""), std::string::npos) << out;
  EXPECT_NE(out.find("kind=server"), std::string::npos) << out;
  EXPECT_NE(out.find("http.request.method = \"GET\""), std::string::npos) << out;
  EXPECT_NE(out.find("n = 3"), std::string::npos) << out;
  EXPECT_NE(out.find("\"cache miss\" key=\"u:1\""), std::string::npos) << out;
  EXPECT_NE(out.find("status=error message=\"boom\""), std::string::npos) << out;
}

TEST(ConsoleExporter, FormatsArrays) {
  EXPECT_EQ(FormatOwnedValue(sdk::OwnedValue(std::vector<int64_t>{1, 2})), "[1, 2]");
  EXPECT_EQ(FormatOwnedValue(sdk::OwnedValue(std::vector<bool>{true})), "[true]");
}

}  // namespace
}  // namespace ariadne::exporters
