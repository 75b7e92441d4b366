#include "server/storage/embedded/demo_workload.h"

#include <cmath>
#include <filesystem>
#include <future>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/env.h"
#include "server/storage/embedded/embedded_store_impl.h"

namespace ariadne::embedded_test {
namespace {

constexpr uint64_t kT0 = 1'700'000'000'000'000'000;

// A three-span trace: root [0, 100 ms), child [10, 60 ms) with one event at 20 ms, grandchild
// [20, 40 ms). The root carries request.id (different in every template) and http.method (the
// same everywhere).
SpanBatch Template(int n) {
  SpanBatch b;
  const uint32_t r = b.AddResource();
  const uint32_t a = b.AddAttribute("service.name", AnyValue::String("svc"));
  b.resources[r].attributes = Range{a, 1};
  b.RefreshServiceName(r);
  TraceId trace;
  trace.bytes[15] = static_cast<uint8_t>(n + 1);
  const uint64_t offsets[3] = {0, 10'000'000, 20'000'000};
  const uint64_t durations[3] = {100'000'000, 50'000'000, 20'000'000};
  for (uint32_t i = 0; i < 3; ++i) {
    const uint32_t row = b.AddSpan();
    b.spans.trace_id[row] = trace;
    b.spans.span_id[row].bytes[7] = static_cast<uint8_t>(i + 1);
    if (i > 0) b.spans.parent_span_id[row].bytes[7] = static_cast<uint8_t>(i);
    b.spans.name[row] = i == 0 ? "GET /" : "child";
    b.spans.start_time_unix_nano[row] = kT0 + offsets[i];
    b.spans.end_time_unix_nano[row] = kT0 + offsets[i] + durations[i];
  }
  const uint32_t first = b.AddAttribute(
      "request.id", AnyValue::String(b.Intern("req_" + std::to_string(1000 + n) + "_0123abcd")));
  b.AddAttribute("http.method", AnyValue::String("GET"));
  b.spans.attributes[0] = Range{first, 2};
  const uint32_t e = b.AddEvent();
  b.events.time_unix_nano[e] = kT0 + 20'000'000;
  b.events.name[e] = "retry";
  b.spans.events[1] = Range{e, 1};
  return b;
}

std::vector<SpanBatch> Templates(int count) {
  std::vector<SpanBatch> out;
  for (int i = 0; i < count; ++i) out.push_back(Template(i));
  return out;
}

TEST(DemoWorkload, FreshIdsWithParentLinksRemappedWithinTheTrace) {
  DemoWorkload w(Templates(10), {.first_arrival_ns = kT0, .traces_per_batch = 50}, 1);
  SpanBatch b = w.NextBatch();
  ASSERT_EQ(b.size(), 150u);
  std::set<std::string> trace_ids, span_ids;
  for (uint32_t t = 0; t < b.size(); t += 3) {
    EXPECT_TRUE(trace_ids.insert(std::string(b.spans.trace_id[t].AsBytes())).second);
    EXPECT_EQ(b.spans.trace_id[t + 1], b.spans.trace_id[t]);
    EXPECT_EQ(b.spans.trace_id[t + 2], b.spans.trace_id[t]);
    EXPECT_FALSE(b.spans.parent_span_id[t].IsValid());
    EXPECT_EQ(b.spans.parent_span_id[t + 1], b.spans.span_id[t]);
    EXPECT_EQ(b.spans.parent_span_id[t + 2], b.spans.span_id[t + 1]);
    for (uint32_t i = t; i < t + 3; ++i) {
      EXPECT_TRUE(span_ids.insert(std::string(b.spans.span_id[i].AsBytes())).second);
      SpanId template_id;
      template_id.bytes[7] = static_cast<uint8_t>(i - t + 1);
      EXPECT_NE(b.spans.span_id[i], template_id);
    }
  }
}

TEST(DemoWorkload, TracesArriveInOrderWithJitteredTimings) {
  const uint64_t gap = 1'000'000'000;
  DemoWorkload w(Templates(10),
                 {.first_arrival_ns = kT0, .mean_gap_ns = gap, .traces_per_batch = 400}, 2);
  SpanBatch b = w.NextBatch();
  uint64_t prev_root = 0;
  std::set<uint64_t> durations;
  for (uint32_t t = 0; t < b.size(); t += 3) {
    const uint64_t root = b.spans.start_time_unix_nano[t];
    EXPECT_GE(root, prev_root);
    prev_root = root;
    const uint64_t template_offsets[3] = {0, 10'000'000, 20'000'000};
    const uint64_t template_durations[3] = {100'000'000, 50'000'000, 20'000'000};
    for (uint32_t i = 0; i < 3; ++i) {
      const uint64_t offset = b.spans.start_time_unix_nano[t + i] - root;
      const uint64_t duration =
          b.spans.end_time_unix_nano[t + i] - b.spans.start_time_unix_nano[t + i];
      EXPECT_GE(offset, template_offsets[i] * 8 / 10);
      EXPECT_LE(offset, template_offsets[i] * 125 / 100);
      EXPECT_GE(duration, template_durations[i] * 8 / 10);
      EXPECT_LE(duration, template_durations[i] * 125 / 100);
      durations.insert(duration);
    }
    // Offsets are kept from the parent's start: the grandchild starts 10 ms x [0.8, 1.25] after
    // the child.
    const uint64_t from_parent =
        b.spans.start_time_unix_nano[t + 2] - b.spans.start_time_unix_nano[t + 1];
    EXPECT_GE(from_parent, 8'000'000u);
    EXPECT_LE(from_parent, 12'500'000u);
    const uint32_t e = b.spans.events[t + 1].begin;
    EXPECT_GE(b.events.time_unix_nano[e], b.spans.start_time_unix_nano[t + 1]);
    EXPECT_LE(b.events.time_unix_nano[e], b.spans.end_time_unix_nano[t + 1]);
  }
  EXPECT_GT(durations.size(), 1000u);  // jittered, not copies
  // 400 arrivals with a mean gap of 1 s span about 400 s.
  EXPECT_GT(prev_root - kT0, 300 * gap);
  EXPECT_LT(prev_root - kT0, 500 * gap);
}

TEST(DemoWorkload, RegeneratesPerRequestValuesAndKeepsTheOthers) {
  DemoWorkload w(Templates(10), {.first_arrival_ns = kT0, .traces_per_batch = 100}, 3);
  EXPECT_EQ(w.PerRequestKeys(), (std::set<std::string, std::less<>>{"request.id"}));
  SpanBatch b = w.NextBatch();
  std::set<std::string> ids;
  for (uint32_t t = 0; t < b.size(); t += 3) {
    const AnyValue* id = b.FindSpanAttribute(t, "request.id");
    const AnyValue* method = b.FindSpanAttribute(t, "http.method");
    ASSERT_NE(id, nullptr);
    ASSERT_NE(method, nullptr);
    EXPECT_EQ(method->str, "GET");
    // Same shape: "req_" + 4 digits + "_" + 8 hex characters.
    const std::string v(id->str);
    ASSERT_EQ(v.size(), 17u) << v;
    EXPECT_EQ(v.substr(0, 4), "req_");
    EXPECT_EQ(v[8], '_');
    for (size_t i = 4; i < 8; ++i) EXPECT_TRUE(v[i] >= '0' && v[i] <= '9') << v;
    for (size_t i = 9; i < 17; ++i) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(v[i])));
    ids.insert(v);
  }
  EXPECT_GT(ids.size(), 95u);  // 10 templates, yet (nearly) every trace has its own id
}

// The entropy floor counts exactly what the generator randomises, per trace of Template():
// 3 span ids, a trace id, the template choice, the arrival gap, two jittered start offsets
// (10 ms each; the root's is 0), three jittered durations and the regenerated request.id (4
// decimal digits and an 8-character hex run).
TEST(DemoWorkload, EntropyFloorSumsTheRandomisedParts) {
  DemoWorkload w(Templates(10),
                 {.first_arrival_ns = kT0, .mean_gap_ns = 1'000'000, .traces_per_batch = 5}, 1);
  ASSERT_EQ(w.Entropy().Total(), 0);
  (void)w.NextBatch();
  const DemoEntropy& e = w.Entropy();
  const double scale = std::log(1.25 / 0.8);
  EXPECT_DOUBLE_EQ(e.span_ids, 5 * 3 * 64);
  EXPECT_DOUBLE_EQ(e.trace_ids, 5 * 128);
  EXPECT_NEAR(e.templates, 5 * std::log2(10.0), 1e-9);
  EXPECT_NEAR(e.arrivals, 5 * std::log2(std::exp(1.0) * 1e6), 1e-9);
  EXPECT_NEAR(e.starts, 5 * 2 * std::log2(1e7 * scale), 1e-9);
  EXPECT_NEAR(e.durations, 5 * std::log2(1e8 * scale * 5e7 * scale * 2e7 * scale), 1e-6);
  EXPECT_NEAR(e.strings, 5 * (4 * std::log2(10.0) + 8 * 4), 1e-9);
  EXPECT_NEAR(
      e.Total(),
      e.span_ids + e.trace_ids + e.templates + e.arrivals + e.starts + e.durations + e.strings,
      1e-9);
}

TEST(DemoWorkload, FewTemplatesHaveNoPerRequestKeys) {
  DemoWorkload w(Templates(3), {}, 4);
  EXPECT_TRUE(w.PerRequestKeys().empty());
}

TEST(DemoWorkload, LoadsEveryTraceOfAStoreWithoutChangingIt) {
  const std::string dir = ::testing::TempDir() + "/demo_workload_capture";
  const std::string scratch = ::testing::TempDir() + "/demo_workload_scratch";
  std::filesystem::remove_all(dir);
  {
    EmbeddedStoreOptions o;
    o.data_dir = dir;
    o.background_threads = false;
    ManualClock clock(static_cast<int64_t>(kT0) + 3'600'000'000'000);
    EmbeddedStore store(o, Env::Default(), &clock);
    ASSERT_TRUE(store.Open().ok());
    for (int i = 0; i < 4; ++i) {
      std::promise<Status> appended;
      store.Append(Template(i), [&](Status s) { appended.set_value(std::move(s)); });
      const Status s = appended.get_future().get();
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
    store.Close();
  }
  std::map<std::string, uintmax_t> before;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) before[e.path().string()] = e.file_size();
  }
  auto templates = LoadTraceTemplates(dir, scratch);
  ASSERT_TRUE(templates.ok()) << templates.status().ToString();
  ASSERT_EQ(templates->size(), 4u);
  for (const SpanBatch& t : *templates) EXPECT_EQ(t.size(), 3u);
  std::map<std::string, uintmax_t> after;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) after[e.path().string()] = e.file_size();
  }
  EXPECT_EQ(after, before);
  EXPECT_FALSE(LoadTraceTemplates(dir + "-missing", scratch).ok());
}

}  // namespace
}  // namespace ariadne::embedded_test
