// The header-only API: no-op behaviour without an SDK, context hand-off, helpers, semconv.
#include <array>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "ariadne/exporters/in_memory_exporter.h"
#include "ariadne/sdk/tracer_provider.h"
#include "ariadne/trace/helpers.h"
#include "ariadne/trace/semconv.h"
#include "ariadne/trace/tracer.h"

namespace ariadne::trace {
namespace {

SpanContext RemoteContext(uint8_t flags) {
  SpanContext sc;
  EXPECT_TRUE(TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736", &sc.trace_id));
  EXPECT_TRUE(SpanId::FromHex("00f067aa0ba902b7", &sc.span_id));
  sc.flags = flags;
  sc.remote = true;
  return sc;
}

TEST(NoopApi, SpansFromADefaultTracerDoNotRecordAndCarryNoContext) {
  Tracer tracer;
  Span span = tracer.StartSpan("op");
  EXPECT_FALSE(span.IsRecording());
  EXPECT_FALSE(span.GetContext().IsValid());
  span.SetAttribute("k", 1).AddEvent("e").SetStatus(StatusCode::kError, "x");
  span.End();
}

TEST(NoopApi, NoopTracerPropagatesTheParentContext) {
  Tracer tracer;
  Context parent(RemoteContext(kFlagSampled));
  ContextScope scope(parent);
  Span span = tracer.StartSpan("op");
  EXPECT_FALSE(span.IsRecording());
  EXPECT_EQ(span.GetContext().trace_id, parent.span_context().trace_id);
}

TEST(NoopApi, GlobalProviderIsNoopUntilSet) {
  Tracer t = GetTracer("lib");
  EXPECT_FALSE(t.Enabled());
  EXPECT_FALSE(t.StartSpan("x").IsRecording());
}

TEST(AttributeValue, ConvertsEveryType) {
  EXPECT_EQ(AttributeValue(true).type(), AttributeValue::Type::kBool);
  EXPECT_EQ(AttributeValue(7).type(), AttributeValue::Type::kInt);
  EXPECT_EQ(AttributeValue(7u).int_value(), 7);
  EXPECT_EQ(AttributeValue(1.5).type(), AttributeValue::Type::kDouble);
  EXPECT_EQ(AttributeValue("s").string_value(), "s");
  std::string str = "abc";
  EXPECT_EQ(AttributeValue(str).string_value(), "abc");
  std::array<int64_t, 2> ints = {1, 2};
  EXPECT_EQ(AttributeValue(std::span<const int64_t>(ints)).int_array().size(), 2u);
  std::vector<std::string> strs = {"a", "b"};
  EXPECT_EQ(AttributeValue(std::span<const std::string>(strs)).type(),
            AttributeValue::Type::kStdStringArray);
}

class WithSdk : public ::testing::Test {
 protected:
  WithSdk() {
    auto exporter = std::make_unique<exporters::InMemorySpanExporter>();
    store_ = exporter->GetStore();
    sdk::TracerProviderOptions o;
    o.processor = std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter));
    provider_ = std::make_unique<sdk::SdkTracerProvider>(std::move(o));
    tracer_ = provider_->GetTracer("test");
  }
  std::shared_ptr<exporters::InMemorySpanStore> store_;
  std::unique_ptr<sdk::SdkTracerProvider> provider_;
  Tracer tracer_;
};

TEST_F(WithSdk, ScopedSpanBecomesTheParentOfSpansStartedInside) {
  SpanContext outer_ctx;
  {
    ScopedSpan outer(tracer_, "outer");
    outer_ctx = outer.GetContext();
    EXPECT_EQ(CurrentSpan().GetContext(), outer_ctx);
    Span inner = tracer_.StartSpan("inner");
    EXPECT_EQ(inner.GetContext().trace_id, outer_ctx.trace_id);
  }
  EXPECT_FALSE(CurrentSpan().GetContext().IsValid());
  auto inner = store_->FindByName("inner");
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0].parent_span_id, outer_ctx.span_id);
}

TEST_F(WithSdk, ContextHandsOffToAnotherThread) {
  Context captured;
  SpanContext parent;
  {
    ScopedSpan s(tracer_, "request");
    parent = s.GetContext();
    captured = Context::Current();
  }
  std::thread worker([&] {
    ContextScope scope(captured);
    Span child = tracer_.StartSpan("work");
  });
  worker.join();
  auto work = store_->FindByName("work");
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].context.trace_id, parent.trace_id);
  EXPECT_EQ(work[0].parent_span_id, parent.span_id);
}

TEST_F(WithSdk, TraceCallRecordsExceptionsAndRethrows) {
  EXPECT_THROW(TraceCall(tracer_, "fails", [] { throw std::runtime_error("boom"); }),
               std::runtime_error);
  auto spans = store_->FindByName("fails");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].status_code, StatusCode::kError);
  ASSERT_EQ(spans[0].events.size(), 1u);
  EXPECT_EQ(spans[0].events[0].name, "exception");
}

TEST_F(WithSdk, TraceCallWithArgsRecordsArgumentsAndResult) {
  int r = TraceCallWithArgs(
      tracer_, "add", [](int a, int b) { return a + b; }, 2, 3);
  EXPECT_EQ(r, 5);
  auto spans = store_->FindByName("add");
  ASSERT_EQ(spans.size(), 1u);
  std::map<std::string, sdk::OwnedValue> attrs;
  for (auto a : spans[0].attributes) attrs[std::string(a.key)] = a.value.ToOwned();
  EXPECT_EQ(std::get<int64_t>(attrs["code.arg.0"]), 2);
  EXPECT_EQ(std::get<int64_t>(attrs["code.arg.1"]), 3);
  EXPECT_EQ(std::get<int64_t>(attrs["code.result"]), 5);
}

std::atomic<int> g_slow_calls{0};

TEST_F(WithSdk, SlowSpanGuardMarksOnlySlowSpans) {
  SetSlowSpanHandler([](std::string_view, double, double) { ++g_slow_calls; });
  {
    Span fast = tracer_.StartSpan("fast");
    SlowSpanGuard g(fast, std::chrono::hours(1));
  }
  {
    Span slow = tracer_.StartSpan("slow");
    SlowSpanGuard g(slow, std::chrono::nanoseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  SetSlowSpanHandler(nullptr);
  EXPECT_EQ(g_slow_calls.load(), 1);
  auto slow = store_->FindByName("slow");
  ASSERT_EQ(slow.size(), 1u);
  ASSERT_EQ(slow[0].attributes.size(), 1u);
  EXPECT_EQ(slow[0].attributes[0].key, "ariadne.slow");
  EXPECT_TRUE(store_->FindByName("fast")[0].attributes.empty());
}

TEST_F(WithSdk, LlmHelperRecordsTokensAndCost) {
  {
    Span s = tracer_.StartSpan("chat");
    semconv::LlmRequest(s, "openai", "gpt-x");
    semconv::LlmUsage(s, 100, 20, 0.01);
  }
  auto spans = store_->FindByName("chat");
  ASSERT_EQ(spans.size(), 1u);
  bool found_total = false;
  for (auto a : spans[0].attributes) {
    if (a.key == semconv::kGenAiTotalTokens) {
      found_total = true;
      EXPECT_EQ(std::get<int64_t>(a.value.ToOwned()), 120);
    }
  }
  EXPECT_TRUE(found_total);
}

}  // namespace
}  // namespace ariadne::trace
