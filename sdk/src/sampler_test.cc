// Samplers: ratio statistics and monotonicity, the parent-based matrix, id generation.
#include "ariadne/sdk/sampler.h"

#include <set>

#include <gtest/gtest.h>

#include "ariadne/sdk/id_generator.h"

namespace ariadne::sdk {
namespace {

SamplingDecision Decide(Sampler& s, const trace::SpanContext* parent, const trace::TraceId& id) {
  SamplingParams p{parent, id, "op", trace::SpanKind::kInternal, {}, {}};
  return s.ShouldSample(p);
}

TEST(IdGenerator, IdsAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    trace::TraceId t = NewTraceId();
    trace::SpanId s = NewSpanId();
    EXPECT_TRUE(t.IsValid());
    EXPECT_TRUE(s.IsValid());
    seen.insert(t.ToHex());
  }
  EXPECT_EQ(seen.size(), 1000u);
}

// The tracer's combined call draws the same numbers in the same order as NewTraceId then
// NewSpanId, and lays the trace id out big-endian like NewTraceId (whatever store it uses).
TEST(IdGenerator, TraceAndSpanIdTogetherMatchTheSeparateCalls) {
  for (uint64_t seed : {1u, 99u, 12345u}) {
    SeedThreadRandom(seed);
    trace::TraceId t1 = NewTraceId();
    trace::SpanId s1 = NewSpanId();
    SeedThreadRandom(seed);
    trace::TraceId t2;
    trace::SpanId s2;
    NewTraceAndSpanId(&t2, &s2);
    EXPECT_EQ(t1, t2);
    EXPECT_EQ(s1, s2);
    EXPECT_TRUE(t2.IsValid());
    EXPECT_TRUE(s2.IsValid());
    NewTraceAndSpanId(&t2, &s2);
    EXPECT_NE(t1, t2);
    EXPECT_NE(s1, s2);
  }
}

TEST(Sampler, ConstantDecisionOnlyForSamplersThatIgnoreTheirInput) {
  EXPECT_EQ(ConstantSamplingDecision(*MakeAlwaysOnSampler()), SamplingDecision::kRecordAndSample);
  EXPECT_EQ(ConstantSamplingDecision(*MakeAlwaysOffSampler()), SamplingDecision::kDrop);
  EXPECT_EQ(ConstantSamplingDecision(*MakeTraceIdRatioSampler(1.0)), std::nullopt);
  EXPECT_EQ(ConstantSamplingDecision(*MakeParentBasedSampler(MakeAlwaysOnSampler())), std::nullopt);
  EXPECT_EQ(ConstantSamplingDecision(*MakeParentBasedSampler(MakeAlwaysOffSampler())),
            std::nullopt);
}

TEST(TraceIdRatio, SampledFractionMatchesTheRatio) {
  SeedThreadRandom(42);
  auto sampler = MakeTraceIdRatioSampler(0.25);
  int sampled = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) {
    if (Decide(*sampler, nullptr, NewTraceId()) == SamplingDecision::kRecordAndSample) ++sampled;
  }
  // 0.25 ± 5 standard deviations (sd = sqrt(n p (1-p)) ≈ 87).
  EXPECT_NEAR(sampled, n / 4, 5 * 87);
}

TEST(TraceIdRatio, HigherRatioSamplesASupersetAndIsDeterministic) {
  SeedThreadRandom(7);
  for (int i = 0; i < 5000; ++i) {
    trace::TraceId id = NewTraceId();
    bool low = TraceIdRatioSamples(id, 0.1);
    bool high = TraceIdRatioSamples(id, 0.5);
    if (low) {
      EXPECT_TRUE(high);
    }
    EXPECT_EQ(low, TraceIdRatioSamples(id, 0.1));
  }
}

TEST(TraceIdRatio, ZeroAndOneAndDescription) {
  trace::TraceId id = NewTraceId();
  EXPECT_EQ(Decide(*MakeTraceIdRatioSampler(0), nullptr, id), SamplingDecision::kDrop);
  EXPECT_EQ(Decide(*MakeTraceIdRatioSampler(1), nullptr, id), SamplingDecision::kRecordAndSample);
  EXPECT_EQ(MakeTraceIdRatioSampler(0.5)->Description(), "TraceIdRatioBased{0.5}");
  trace::TraceId max_low;
  for (int i = 8; i < 16; ++i) max_low.bytes[i] = 0xff;
  EXPECT_FALSE(TraceIdRatioSamples(max_low, 0.999999));
  trace::TraceId zero_low;
  zero_low.bytes[0] = 1;
  EXPECT_TRUE(TraceIdRatioSamples(zero_low, 0.000001));
}

// A sampler that records which delegate was asked.
class Tag : public Sampler {
 public:
  Tag(int id, int* last) : id_(id), last_(last) {}
  SamplingDecision ShouldSample(const SamplingParams&) noexcept override {
    *last_ = id_;
    return SamplingDecision::kRecordOnly;
  }
  std::string Description() const override { return "Tag"; }

 private:
  int id_;
  int* last_;
};

TEST(ParentBased, EachParentKindGoesToItsDelegate) {
  int last = -1;
  ParentBasedOptions o;
  o.root = std::make_unique<Tag>(0, &last);
  o.remote_parent_sampled = std::make_unique<Tag>(1, &last);
  o.remote_parent_not_sampled = std::make_unique<Tag>(2, &last);
  o.local_parent_sampled = std::make_unique<Tag>(3, &last);
  o.local_parent_not_sampled = std::make_unique<Tag>(4, &last);
  auto s = MakeParentBasedSampler(std::move(o));
  trace::TraceId id = NewTraceId();
  trace::SpanContext p;
  p.trace_id = id;
  p.span_id = NewSpanId();
  struct Case {
    bool has_parent, remote, sampled;
    int expected;
  } cases[] = {{false, false, false, 0},
               {true, true, true, 1},
               {true, true, false, 2},
               {true, false, true, 3},
               {true, false, false, 4}};
  for (const Case& c : cases) {
    p.remote = c.remote;
    p.flags = c.sampled ? trace::kFlagSampled : 0;
    last = -1;
    Decide(*s, c.has_parent ? &p : nullptr, id);
    EXPECT_EQ(last, c.expected) << c.has_parent << c.remote << c.sampled;
  }
}

TEST(ParentBased, DefaultDelegatesFollowTheParent) {
  auto s = MakeParentBasedSampler(MakeAlwaysOffSampler());
  trace::TraceId id = NewTraceId();
  trace::SpanContext p;
  p.trace_id = id;
  p.span_id = NewSpanId();
  EXPECT_EQ(Decide(*s, nullptr, id), SamplingDecision::kDrop);
  for (bool remote : {false, true}) {
    p.remote = remote;
    p.flags = trace::kFlagSampled;
    EXPECT_EQ(Decide(*s, &p, id), SamplingDecision::kRecordAndSample);
    p.flags = 0;
    EXPECT_EQ(Decide(*s, &p, id), SamplingDecision::kDrop);
  }
  // An invalid parent counts as no parent.
  trace::SpanContext invalid;
  EXPECT_EQ(Decide(*s, &invalid, id), SamplingDecision::kDrop);
  EXPECT_NE(s->Description().find("root:AlwaysOffSampler"), std::string::npos);
}

}  // namespace
}  // namespace ariadne::sdk
