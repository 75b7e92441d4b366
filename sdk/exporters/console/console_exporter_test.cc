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
  EXPECT_EQ(FormatValue(sdk::OwnedValue(std::vector<int64_t>{1, 2})), "[1, 2]");
  EXPECT_EQ(FormatValue(sdk::OwnedValue(std::vector<bool>{true})), "[true]");
}

// Every byte an application (or whoever feeds it) controls is printed escaped: no control
// character, no C1 control, no invalid UTF-8 reaches the terminal.
TEST(ConsoleExporter, EscapesTerminalControlsInEveryField) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* mem = open_memstream(&buf, &len);
  ASSERT_NE(mem, nullptr);
  {
    sdk::TracerProviderOptions o;
    o.processor =
        std::make_unique<sdk::SimpleSpanProcessor>(std::make_unique<ConsoleSpanExporter>(mem));
    sdk::SdkTracerProvider provider(std::move(o));
    trace::Tracer t = provider.GetTracer("scope\x1b]0;pwned\x07");
    trace::Span s = t.StartSpan("name\x1b[2J");
    s.SetAttribute("key\x1b[31m",
                   "value\x9b"
                   "2J\xC2\x9b");
    std::vector<std::string> arr = {"\x1b[0m"};
    s.SetAttribute("arr", std::span<const std::string>(arr));
    s.AddEvent("event\r", {{"ek\n", "ev\x7f"}});
    s.SetStatus(trace::StatusCode::kError, "msg\x1b");
    s.End();
  }
  std::fclose(mem);
  std::string out(buf, len);
  free(buf);
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    EXPECT_TRUE(c == '\n' || (c >= 0x20 && c < 0x7f))
        << "byte " << int(c) << " at " << i << ": " << out;
  }
  EXPECT_NE(out.find("span \"name\\x1b[2J\""), std::string::npos) << out;
  EXPECT_NE(out.find("scope=scope\\x1b]0;pwned\\x07"), std::string::npos) << out;
  EXPECT_NE(out.find("key\\x1b[31m = \"value\\x9b2J\\u009b\""), std::string::npos) << out;
  EXPECT_NE(out.find("arr = [\"\\x1b[0m\"]"), std::string::npos) << out;
  EXPECT_NE(out.find("\"event\\x0d\" ek\\x0a=\"ev\\x7f\""), std::string::npos) << out;
  EXPECT_NE(out.find("message=\"msg\\x1b\""), std::string::npos) << out;
}

}  // namespace
}  // namespace ariadne::exporters
