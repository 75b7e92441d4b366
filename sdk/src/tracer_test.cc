// SdkTracer and SpanData: sampling decisions, ids, limits, status rules, shutdown.
#include "ariadne/trace/tracer.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "ariadne/exporters/in_memory_exporter.h"
#include "ariadne/sdk/tracer_provider.h"

namespace ariadne::sdk {
namespace {

using trace::AttributeValue;
using trace::Span;
using trace::SpanContext;

struct Fixture {
  explicit Fixture(std::unique_ptr<Sampler> sampler = nullptr, SpanLimits limits = {}) {
    auto exporter = std::make_unique<exporters::InMemorySpanExporter>();
    store = exporter->GetStore();
    TracerProviderOptions o;
    o.sampler = std::move(sampler);
    o.limits = limits;
    o.processor = std::make_unique<SimpleSpanProcessor>(std::move(exporter));
    provider = std::make_unique<SdkTracerProvider>(std::move(o));
    tracer = provider->GetTracer("lib", "1.0");
  }
  std::shared_ptr<exporters::InMemorySpanStore> store;
  std::unique_ptr<SdkTracerProvider> provider;
  trace::Tracer tracer;
};

TEST(SdkTracer, RootSpanGetsRandomFlagAndValidIds) {
  Fixture f;
  Span s = f.tracer.StartSpan("root");
  EXPECT_TRUE(s.IsRecording());
  EXPECT_TRUE(s.GetContext().IsValid());
  EXPECT_EQ(s.GetContext().flags, trace::kFlagSampled | trace::kFlagRandom);
  s.End();
  auto spans = f.store->Take();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_FALSE(spans[0]->parent_span_id.IsValid());
  EXPECT_EQ(spans[0]->scope().name, "lib");
  EXPECT_EQ(spans[0]->scope().version, "1.0");
  EXPECT_GE(spans[0]->end_time_unix_nano, spans[0]->start_time_unix_nano);
}

TEST(SdkTracer, DefaultSamplerIsParentBasedSoAnUnsampledRemoteParentIsHonoured) {
  Fixture f;
  SpanContext remote;
  ASSERT_TRUE(trace::TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736", &remote.trace_id));
  ASSERT_TRUE(trace::SpanId::FromHex("00f067aa0ba902b7", &remote.span_id));
  remote.remote = true;
  remote.flags = 0;
  trace::Context parent(remote);
  trace::StartSpanOptions o;
  o.parent = &parent;
  Span s = f.tracer.StartSpan("child", o);
  EXPECT_FALSE(s.IsRecording());
  EXPECT_EQ(s.GetContext().trace_id, remote.trace_id);
  EXPECT_NE(s.GetContext().span_id, remote.span_id);
  EXPECT_TRUE(s.GetContext().span_id.IsValid());
  EXPECT_FALSE(s.GetContext().IsSampled());
  // The random flag is not set when the parent did not have it.
  EXPECT_EQ(s.GetContext().flags & trace::kFlagRandom, 0);
}

// AlwaysOn / AlwaysOff are decided without calling the sampler: the decision, the flags and the
// ids must be those the sampler's call gave.
TEST(SdkTracer, ConstantSamplersGiveTheSameSpansAsTheirCalls) {
  Fixture off(MakeAlwaysOffSampler());
  Span root = off.tracer.StartSpan("root");
  EXPECT_FALSE(root.IsRecording());
  EXPECT_TRUE(root.GetContext().IsValid());
  EXPECT_EQ(root.GetContext().flags, trace::kFlagRandom);
  EXPECT_FALSE(root.GetContext().remote);
  SpanContext sampled_remote = root.GetContext();
  sampled_remote.flags = trace::kFlagSampled;
  sampled_remote.remote = true;
  trace::Context parent(sampled_remote);
  trace::StartSpanOptions o;
  o.parent = &parent;
  Span child = off.tracer.StartSpan("child", o);
  EXPECT_FALSE(child.IsRecording());  // always_off ignores even a sampled parent
  EXPECT_EQ(child.GetContext().trace_id, sampled_remote.trace_id);
  EXPECT_NE(child.GetContext().span_id, sampled_remote.span_id);
  EXPECT_EQ(child.GetContext().flags, 0);
  EXPECT_FALSE(child.GetContext().remote);

  Fixture on(MakeAlwaysOnSampler());
  Span s = on.tracer.StartSpan("child", o);
  EXPECT_TRUE(s.IsRecording());
  EXPECT_EQ(s.GetContext().flags, trace::kFlagSampled);  // random only if the parent had it
  sampled_remote.flags = trace::kFlagRandom;  // an unsampled parent: always_on samples anyway
  parent = trace::Context(sampled_remote);
  Span t = on.tracer.StartSpan("child2", o);
  EXPECT_EQ(t.GetContext().flags, trace::kFlagSampled | trace::kFlagRandom);
  EXPECT_FALSE(t.GetContext().remote);
  s.End();
  t.End();
  auto spans = on.store->Take();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_TRUE(spans[1]->context.IsSampled());
  EXPECT_EQ(spans[1]->parent_span_id, sampled_remote.span_id);
  EXPECT_TRUE(spans[1]->parent_remote);
}

TEST(SdkTracer, ExplicitRootIgnoresTheCurrentSpan) {
  Fixture f;
  trace::ScopedSpan outer(f.tracer, "outer");
  trace::StartSpanOptions o;
  o.parent = &trace::kRoot;
  Span s = f.tracer.StartSpan("new-root", o);
  EXPECT_NE(s.GetContext().trace_id, outer.GetContext().trace_id);
}

TEST(SdkTracer, AttributeLimitsDropAndTruncate) {
  SpanLimits limits;
  limits.attribute_count = 2;
  limits.attribute_value_length = 3;
  limits.event_count = 1;
  Fixture f(nullptr, limits);
  {
    Span s = f.tracer.StartSpan("s");
    s.SetAttribute("a", "abcdef").SetAttribute("b", 1).SetAttribute("c", 2).SetAttribute("a", "xy");
    s.AddEvent("e1").AddEvent("e2");
  }
  auto spans = f.store->Take();
  ASSERT_EQ(spans.size(), 1u);
  ASSERT_EQ(spans[0]->attributes.size(), 2u);
  EXPECT_EQ(std::get<std::string>(spans[0]->attributes[0].value.ToOwned()), "xy");
  EXPECT_EQ(spans[0]->dropped_attributes_count, 1u);
  EXPECT_EQ(spans[0]->events.size(), 1u);
  EXPECT_EQ(spans[0]->dropped_events_count, 1u);
}

TEST(SdkTracer, LongStringsAreTruncatedToTheLengthLimit) {
  SpanLimits limits;
  limits.attribute_value_length = 3;
  Fixture f(nullptr, limits);
  { Span s = f.tracer.StartSpan("s", trace::SpanKind::kServer, {{"k", "abcdef"}}); }
  auto spans = f.store->Take();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(std::get<std::string>(spans[0]->attributes[0].value.ToOwned()), "abc");
  EXPECT_EQ(spans[0]->kind, trace::SpanKind::kServer);
}

TEST(SdkTracer, TruncationNeverSplitsAUtf8CodePoint) {
  SpanLimits limits;
  limits.attribute_value_length = 4;
  Fixture f(nullptr, limits);
  {
    // "aé€": 1 + 2 + 3 bytes; 4 bytes would end inside the euro sign.
    Span s =
        f.tracer.StartSpan("s", trace::SpanKind::kInternal, {{"start", "a\xC3\xA9\xE2\x82\xAC"}});
    s.SetAttribute("set", "a\xC3\xA9\xE2\x82\xAC");
    s.SetAttribute("ascii", "abcdef");
    std::vector<std::string> array = {"\xF0\x9F\x98\x80\xF0\x9F\x98\x80", "ab\xC3\xA9"};
    s.SetAttribute("array", std::span<const std::string>(array));
    trace::KeyValue event_attr{"e", "abc\xC3\xA9"};
    s.AddEvent("ev", 0, std::span<const trace::KeyValue>(&event_attr, 1));
  }
  auto spans = f.store->Take();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& d = *spans[0];
  ASSERT_EQ(d.attributes.size(), 4u);
  EXPECT_EQ(std::get<std::string>(d.attributes[0].value.ToOwned()), "a\xC3\xA9");
  EXPECT_EQ(std::get<std::string>(d.attributes[1].value.ToOwned()), "a\xC3\xA9");
  EXPECT_EQ(std::get<std::string>(d.attributes[2].value.ToOwned()), "abcd");  // exactly the limit
  EXPECT_EQ(std::get<std::vector<std::string>>(d.attributes[3].value.ToOwned()),
            (std::vector<std::string>{"\xF0\x9F\x98\x80", "ab\xC3\xA9"}));
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(std::get<std::string>(d.events[0].attributes[0].value), "abc");
}

TEST(SdkTracer, StatusOkIsFinalAndUnsetNeverOverrides) {
  Fixture f;
  {
    Span s = f.tracer.StartSpan("s");
    s.SetStatus(trace::StatusCode::kError, "bad");
    s.SetStatus(trace::StatusCode::kUnset);
    s.SetStatus(trace::StatusCode::kOk, "ignored");
    s.SetStatus(trace::StatusCode::kError, "again");
  }
  auto spans = f.store->Take();
  EXPECT_EQ(spans[0]->status_code, trace::StatusCode::kOk);
  EXPECT_EQ(spans[0]->status_message, "");
}

TEST(SdkTracer, UpdateNameLinksAndInvalidLinksIgnored) {
  Fixture f;
  SpanContext other;
  other.trace_id.bytes[0] = 1;
  other.span_id.bytes[0] = 2;
  {
    Span s = f.tracer.StartSpan("old");
    s.UpdateName("new");
    s.AddLink(other, {{"why", "batch"}});
    s.AddLink(SpanContext{});
  }
  auto spans = f.store->Take();
  EXPECT_EQ(spans[0]->name, "new");
  ASSERT_EQ(spans[0]->links.size(), 1u);
  EXPECT_EQ(spans[0]->links[0].context.trace_id, other.trace_id);
}

TEST(SdkTracer, AfterShutdownSpansDoNotRecord) {
  Fixture f;
  EXPECT_TRUE(f.provider->Shutdown());
  Span s = f.tracer.StartSpan("late");
  EXPECT_FALSE(s.IsRecording());
  EXPECT_FALSE(f.tracer.Enabled());
}

TEST(SdkTracer, SameScopeReturnsTheSameTracer) {
  Fixture f;
  EXPECT_EQ(f.provider->GetTracer("lib", "1.0").impl(), f.tracer.impl());
  EXPECT_NE(f.provider->GetTracer("other").impl(), f.tracer.impl());
}

TEST(SdkTracer, RecordOnlySpansAreNotExported) {
  class RecordOnly : public Sampler {
    SamplingDecision ShouldSample(const SamplingParams&) noexcept override {
      return SamplingDecision::kRecordOnly;
    }
    std::string Description() const override { return "RecordOnly"; }
  };
  Fixture f(std::make_unique<RecordOnly>());
  Span s = f.tracer.StartSpan("s");
  EXPECT_TRUE(s.IsRecording());
  EXPECT_FALSE(s.GetContext().IsSampled());
  s.End();
  EXPECT_EQ(f.store->size(), 0u);
}

TEST(SdkTracer, RecycledSpansCarryNoStaleData) {
  // SimpleSpanProcessor hands each span back to the provider's pool after the in-memory exporter
  // copied it, so every span below reuses the first one's storage.
  Fixture f;
  {
    Span a = f.tracer.StartSpan("a");
    a.SetAttribute("a.key.longer.than.fifteen", std::string(100, 'x'))
        .SetAttribute("n", 1)
        .SetAttribute("s", "str")
        .SetStatus(trace::StatusCode::kError, "bad")
        .AddEvent("e")
        .AddLink(SpanContext{trace::TraceId{{1}}, trace::SpanId{{2}}, 0, false, {}});
  }
  {
    Span b = f.tracer.StartSpan("b");
    b.SetAttribute("n", "now a string").SetAttribute("s", 2.5).SetAttribute("n", "replaced");
  }
  f.tracer.StartSpan("c").End();
  auto spans = f.store->Take();
  ASSERT_EQ(spans.size(), 3u);
  ASSERT_EQ(spans[0]->attributes.size(), 3u);
  EXPECT_EQ(spans[0]->links.size(), 1u);
  EXPECT_EQ(std::get<std::string>(spans[0]->attributes[0].value.ToOwned()), std::string(100, 'x'));
  const SpanData& b = *spans[1];
  EXPECT_EQ(b.name, "b");
  ASSERT_EQ(b.attributes.size(), 2u);
  EXPECT_EQ(b.attributes[0].key, "n");
  EXPECT_EQ(std::get<std::string>(b.attributes[0].value.ToOwned()), "replaced");
  EXPECT_EQ(b.attributes[1].key, "s");
  EXPECT_EQ(std::get<double>(b.attributes[1].value.ToOwned()), 2.5);
  EXPECT_EQ(b.status_code, trace::StatusCode::kUnset);
  EXPECT_TRUE(b.status_message.empty());
  EXPECT_TRUE(b.events.empty());
  EXPECT_TRUE(b.links.empty());
  const SpanData& c = *spans[2];
  EXPECT_TRUE(c.attributes.empty());
  EXPECT_EQ(c.attributes.begin(), c.attributes.end());
  EXPECT_GE(c.end_time_unix_nano, c.start_time_unix_nano);
  EXPECT_GT(c.start_time_unix_nano, 1'600'000'000'000'000'000u);  // a Unix time, not ticks
}

TEST(SdkTracer, ExplicitStartAndEndTimesAreKept) {
  Fixture f;
  trace::StartSpanOptions o;
  o.start_time_unix_nano = 1'700'000'000'000'000'000u;
  Span s = f.tracer.StartSpan("timed", o);
  s.End(1'700'000'000'000'000'500u);
  auto spans = f.store->Take();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0]->start_time_unix_nano, 1'700'000'000'000'000'000u);
  EXPECT_EQ(spans[0]->end_time_unix_nano, 1'700'000'000'000'000'500u);
}

// The list's contents as (key, value) pairs, in order.
std::vector<std::pair<std::string, OwnedValue>> Contents(const AttributeList& list) {
  std::vector<std::pair<std::string, OwnedValue>> out;
  for (AttributeRef a : list) out.emplace_back(std::string(a.key), a.value.ToOwned());
  return out;
}

using Pairs = std::vector<std::pair<std::string, OwnedValue>>;
constexpr uint32_t kNoCountLimit = 128;

TEST(AttributeList, StoresEveryTypeAndUnusualKeys) {
  AttributeList list;
  const bool bools[] = {true, false};
  const int64_t ints[] = {1, -2};
  const double doubles[] = {0.5};
  const std::string_view views[] = {"x", ""};
  const std::string strings[] = {"abc"};
  const std::string nul_key("a\0b", 3);
  EXPECT_TRUE(list.Set("b", true, kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("i", int64_t{-7}, kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("d", 2.25, kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("s", "", kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("", "empty key", kNoCountLimit, 0));
  EXPECT_TRUE(list.Set(nul_key, "\xff\x00", kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("a", std::span<const bool>(bools), kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("ai", std::span<const int64_t>(ints), kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("ad", std::span<const double>(doubles), kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("as", std::span<const std::string_view>(views), kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("ass", std::span<const std::string>(strings), kNoCountLimit, 0));
  EXPECT_TRUE(list.Set("a", int64_t{1}, kNoCountLimit, 0));  // "a\0b" is another key
  EXPECT_EQ(list.size(), 11u);
  EXPECT_EQ(Contents(list), (Pairs{{"b", true},
                                   {"i", int64_t{-7}},
                                   {"d", 2.25},
                                   {"s", std::string()},
                                   {"", std::string("empty key")},
                                   {nul_key, std::string("\xff")},  // a C string: ends at the NUL
                                   {"a", int64_t{1}},
                                   {"ai", std::vector<int64_t>{1, -2}},
                                   {"ad", std::vector<double>{0.5}},
                                   {"as", std::vector<std::string>{"x", ""}},
                                   {"ass", std::vector<std::string>{"abc"}}}));
  EXPECT_EQ(list[2].key, "d");
  EXPECT_EQ(list[2].value.type(), AttributeValueRef::Type::kDouble);
}

TEST(AttributeList, ReplacingAKeyKeepsOneEntryInPlaceWhateverTheNewSize) {
  AttributeList list;
  ASSERT_TRUE(list.Set("first", "1", kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("middle", int64_t{2}, kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("last", 3.0, kNoCountLimit, 0));
  const std::string long_value(300, 'l');  // beyond the first buffer: grows it mid-list
  const int64_t ints[] = {4, 5};
  const std::vector<std::pair<AttributeValue, OwnedValue>> values = {
      {AttributeValue(long_value), OwnedValue(long_value)},
      {AttributeValue("s"), OwnedValue(std::string("s"))},
      {AttributeValue(false), OwnedValue(false)},
      {AttributeValue(std::span<const int64_t>(ints)), OwnedValue(std::vector<int64_t>{4, 5})},
      {AttributeValue(std::span<const int64_t>(ints, 1)), OwnedValue(std::vector<int64_t>{4})},
      {AttributeValue(int64_t{9}), OwnedValue(int64_t{9})},
      {AttributeValue(""), OwnedValue(std::string())},
  };
  for (const auto& [view, owned] : values) {
    ASSERT_TRUE(list.Set("middle", view, /*count_limit=*/3, 0));
    EXPECT_EQ(Contents(list),
              (Pairs{{"first", std::string("1")}, {"middle", owned}, {"last", 3.0}}));
  }
}

TEST(AttributeList, KeysThatShareAFilterBitAreStillDistinct) {
  AttributeList list;  // same size and last byte: the same KeyBit
  ASSERT_TRUE(list.Set("xa", 1, kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("ya", 2, kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("ya", 3, kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("xa", 4, kNoCountLimit, 0));
  EXPECT_EQ(Contents(list), (Pairs{{"xa", int64_t{4}}, {"ya", int64_t{3}}}));
}

TEST(AttributeList, CountLimitDropsOnlyNewKeysAndLengthLimitCutsAtUtf8Boundaries) {
  AttributeList list;
  EXPECT_TRUE(list.Set("a", "abcdef", 2, 4));
  EXPECT_TRUE(list.Set("b", "\xC3\xA9\xC3\xA9\xC3\xA9", 2, 4));
  EXPECT_FALSE(list.Set("c", 1, 2, 4));               // a third key: dropped
  EXPECT_TRUE(list.Set("a", "a\xE2\x82\xAC", 2, 4));  // a replacement at the limit: kept
  const std::string_view array[] = {"long string", "\xF0\x9F\x98\x80"};
  EXPECT_TRUE(list.Set("b", std::span<const std::string_view>(array), 2, 4));
  EXPECT_FALSE(list.Set("d", true, 0, 0));
  EXPECT_EQ(Contents(list), (Pairs{{"a", std::string("a\xE2\x82\xAC")},
                                   {"b", std::vector<std::string>{"long", "\xF0\x9F\x98\x80"}}}));
  ASSERT_TRUE(list.Set("a", "abcdef", 2, 4));
  EXPECT_EQ(std::get<std::string>(list[0].value.ToOwned()), "abcd");
  ASSERT_TRUE(list.Set("a", "ab\xE2\x82\xAC", 2, 4));
  EXPECT_EQ(std::get<std::string>(list[0].value.ToOwned()), "ab");  // not into the euro sign
}

TEST(AttributeList, ClearKeepsTheBufferForLongerAndShorterRecordsAndFreesArrays) {
  AttributeList list;
  ASSERT_TRUE(list.Set("http.request.method", "GET", kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("http.response.status_code", 200, kNoCountLimit, 0));
  const size_t kept = list.capacity_bytes();
  const char* buffer = list.data();
  EXPECT_GE(kept, list.size_bytes());
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.begin(), list.end());
  EXPECT_EQ(list.capacity_bytes(), kept);
  // Other keys, longer and shorter, in another order; then the same key twice.
  ASSERT_TRUE(list.Set("status", "a longer value than before", kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("http.request.method.override", 1.5, kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("status", "x", kNoCountLimit, 0));
  EXPECT_EQ(list.data(), buffer);  // no reallocation
  EXPECT_EQ(Contents(list),
            (Pairs{{"status", std::string("x")}, {"http.request.method.override", 1.5}}));
  const double doubles[] = {1, 2, 3};
  ASSERT_TRUE(list.Set("array", std::span<const double>(doubles), kNoCountLimit, 0));
  EXPECT_GT(list.capacity_bytes(), kept);  // the array's side storage
  list.clear();
  EXPECT_EQ(list.capacity_bytes(), kept);  // freed on reuse
  ASSERT_TRUE(list.Set("array", 7, kNoCountLimit, 0));
  EXPECT_EQ(Contents(list), (Pairs{{"array", int64_t{7}}}));
}

// A key that alternates between an array and a scalar frees its array each time (the last array
// moves into the freed slot and its record follows), so the side storage stays bounded.
TEST(AttributeList, ArraysReplacedByScalarsAreFreedAndTheOthersStayIntact) {
  AttributeList list;
  const int64_t ints[] = {1, 2};
  const double doubles[] = {0.5};
  ASSERT_TRUE(list.Set("a", std::span<const int64_t>(ints), kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("b", std::span<const double>(doubles), kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("a", "scalar", kNoCountLimit, 0));  // frees slot 0: b's array moves there
  ASSERT_TRUE(list.Set("a", std::span<const int64_t>(ints), kNoCountLimit, 0));
  const size_t kept = list.capacity_bytes();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(list.Set("a", int64_t{i}, kNoCountLimit, 0));
    ASSERT_TRUE(list.Set("a", std::span<const int64_t>(ints), kNoCountLimit, 0));
  }
  EXPECT_EQ(list.capacity_bytes(), kept);
  EXPECT_EQ(Contents(list),
            (Pairs{{"a", std::vector<int64_t>{1, 2}}, {"b", std::vector<double>{0.5}}}));
  ASSERT_TRUE(list.Set("b", false, kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("a", 3.0, kNoCountLimit, 0));
  EXPECT_EQ(Contents(list), (Pairs{{"a", 3.0}, {"b", false}}));
}

TEST(AttributeList, CopiesHoldTheLiveRecordsAndMovesEmptyTheSource) {
  AttributeList list;
  const bool bools[] = {true};
  ASSERT_TRUE(list.Set("k", "v", kNoCountLimit, 0));
  ASSERT_TRUE(list.Set("a", std::span<const bool>(bools), kNoCountLimit, 0));
  AttributeList copy = list;
  EXPECT_EQ(copy.capacity_bytes(), list.size_bytes() + sizeof(OwnedValue));
  EXPECT_EQ(Contents(copy), Contents(list));
  ASSERT_TRUE(copy.Set("k", "w", kNoCountLimit, 0));  // the copy knows its keys
  EXPECT_EQ(copy.size(), 2u);
  EXPECT_EQ(std::get<std::string>(copy[0].value.ToOwned()), "w");
  ASSERT_TRUE(copy.Set("k", "v", kNoCountLimit, 0));
  AttributeList moved = std::move(list);
  EXPECT_EQ(Contents(moved), Contents(copy));
  ASSERT_TRUE(moved.Set("a", false, kNoCountLimit, 0));
  EXPECT_EQ(moved.size(), 2u);
  EXPECT_TRUE(list.empty());  // NOLINT(bugprone-use-after-move): moved-from state is defined
  ASSERT_TRUE(list.Set("after", 1, kNoCountLimit, 0));
  copy = list;
  EXPECT_EQ(Contents(copy), (Pairs{{"after", int64_t{1}}}));
}

TEST(SdkTracer, SpansWithLargeAttributesAreNotKeptForReuse) {
  Fixture f;
  {
    Span small = f.tracer.StartSpan("small");
    small.SetAttribute("k", std::string(100, 'v'));
  }
  {
    Span large = f.tracer.StartSpan("large");
    large.SetAttribute("k", std::string(10000, 'v'));
  }
  auto spans = f.store->Take();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_TRUE(spans[0]->recyclable());
  EXPECT_FALSE(spans[1]->recyclable());
  EXPECT_EQ(std::get<std::string>(spans[1]->attributes[0].value.ToOwned()).size(), 10000u);
}

}  // namespace
}  // namespace ariadne::sdk
