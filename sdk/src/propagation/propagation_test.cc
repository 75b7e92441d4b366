// Propagators. The W3C cases are ported from w3c/trace-context test/test.py (TraceContextTest,
// AdvancedTest and TraceContext2Test): each case gives the incoming headers and whether the
// trace must be continued (same trace id) or restarted, and which tracestate must go out.
#include <gtest/gtest.h>

#include "ariadne/propagation/propagators.h"

namespace ariadne::propagation {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kTid = "12345678901234567890123456789012";
const std::string kPid = "1234567890123456";
const std::string kValid = "00-" + kTid + "-" + kPid + "-01";

trace::Context ExtractW3C(Headers h) {
  HeaderVectorCarrier c(&h);
  return MakeW3CTraceContextPropagator()->Extract(c, trace::Context());
}
bool Continues(Headers h) {
  trace::Context ctx = ExtractW3C(std::move(h));
  return ctx.span_context().IsValid() && ctx.span_context().trace_id.ToHex() == kTid;
}
bool ContinuesTp(const std::string& tp) { return Continues({{"traceparent", tp}}); }
std::string TraceStateOut(Headers h) {
  return std::string(ExtractW3C(std::move(h)).span_context().trace_state.header());
}
std::string TsOut(std::vector<std::string> tracestates) {
  Headers h = {{"traceparent", kValid}};
  for (auto& t : tracestates) h.push_back({"tracestate", t});
  return TraceStateOut(h);
}

TEST(TraceParent, ValidHeaderContinuesTheTrace) {
  trace::Context ctx = ExtractW3C({{"traceparent", kValid}});
  EXPECT_TRUE(ctx.span_context().IsValid());
  EXPECT_TRUE(ctx.span_context().remote);
  EXPECT_TRUE(ctx.span_context().IsSampled());
  EXPECT_EQ(ctx.span_context().span_id.ToHex(), kPid);
}

TEST(TraceParent, MissingOrDuplicatedHeaderRestarts) {
  EXPECT_FALSE(Continues({}));
  EXPECT_FALSE(Continues({{"traceparent", kValid}, {"traceparent", kValid}}));
}

TEST(TraceParent, HeaderNameIsCaseInsensitiveButExact) {
  EXPECT_TRUE(Continues({{"TraceParent", kValid}}));
  EXPECT_TRUE(Continues({{"TRACEPARENT", kValid}}));
  EXPECT_FALSE(Continues({{"trace-parent", kValid}}));
  EXPECT_FALSE(Continues({{"trace_parent", kValid}}));
}

TEST(TraceParent, Version00MustBeExactly55Characters) {
  EXPECT_FALSE(ContinuesTp(kValid + "."));
  EXPECT_FALSE(ContinuesTp(kValid + "-what-the-future-will-be-like"));
}

TEST(TraceParent, HigherVersionsAcceptTrailingDashData) {
  std::string cc = "cc-" + kTid + "-" + kPid + "-01";
  EXPECT_TRUE(ContinuesTp(cc));
  EXPECT_TRUE(ContinuesTp(cc + "-what-the-future-will-be-like"));
  EXPECT_FALSE(ContinuesTp(cc + ".what-the-future-will-be-like"));
  // Re-emitted at version 00.
  trace::Context ctx = ExtractW3C({{"traceparent", cc}});
  EXPECT_EQ(FormatTraceParent(ctx.span_context()).substr(0, 3), "00-");
}

TEST(TraceParent, InvalidVersionsRestart) {
  EXPECT_FALSE(ContinuesTp("ff-" + kTid + "-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp(".0-" + kTid + "-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("0.-" + kTid + "-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("000-" + kTid + "-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("0000-" + kTid + "-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("0-" + kTid + "-" + kPid + "-01"));
}

TEST(TraceParent, InvalidTraceIdsRestart) {
  EXPECT_FALSE(ContinuesTp("00-00000000000000000000000000000000-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("00-.2345678901234567890123456789012-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("00-1234567890123456789012345678901.-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("00-ABCDEF78901234567890123456789012-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "1-" + kPid + "-01"));
  EXPECT_FALSE(ContinuesTp("00-" + kTid.substr(1) + "-" + kPid + "-01"));
}

TEST(TraceParent, InvalidParentIdsRestart) {
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-0000000000000000-01"));
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-.234567890123456-01"));
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-123456789012345.-01"));
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-" + kPid + "1-01"));
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-" + kPid.substr(1) + "-01"));
}

TEST(TraceParent, InvalidFlagsRestart) {
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-" + kPid + "-.0"));
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-" + kPid + "-0."));
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-" + kPid + "-001"));
  EXPECT_FALSE(ContinuesTp("00-" + kTid + "-" + kPid + "-0"));
}

TEST(TraceParent, OptionalWhitespaceIsIgnored) {
  std::string tp = "00-" + kTid + "-" + kPid + "-00";
  EXPECT_TRUE(ContinuesTp(" " + tp));
  EXPECT_TRUE(ContinuesTp("\t" + tp));
  EXPECT_TRUE(ContinuesTp(tp + " "));
  EXPECT_TRUE(ContinuesTp("\t " + tp + "\t "));
}

TEST(TraceParent, SampledAndRandomFlagsPropagateOthersCleared) {
  trace::Context ctx = ExtractW3C({{"traceparent", "00-" + kTid + "-" + kPid + "-ff"}});
  EXPECT_EQ(ctx.span_context().flags, trace::kFlagSampled | trace::kFlagRandom);
  ctx = ExtractW3C({{"traceparent", "00-" + kTid + "-" + kPid + "-02"}});  // TraceContext2Test
  EXPECT_EQ(ctx.span_context().flags, trace::kFlagRandom);
  EXPECT_EQ(FormatTraceParent(ctx.span_context()), "00-" + kTid + "-" + kPid + "-02");
}

TEST(TraceState, NotParsedWithoutAValidTraceparent) {
  trace::Context ctx = ExtractW3C({{"tracestate", "foo=1"}});
  EXPECT_TRUE(ctx.span_context().trace_state.empty());
  ctx = ExtractW3C({{"traceparent", "ff-" + kTid + "-" + kPid + "-01"}, {"tracestate", "foo=1"}});
  EXPECT_TRUE(ctx.span_context().trace_state.empty());
}

TEST(TraceState, MultipleHeadersAreCombinedAndEmptyOnesAccepted) {
  EXPECT_EQ(TsOut({"foo=1", "bar=2"}), "foo=1,bar=2");
  EXPECT_EQ(TsOut({"foo=1", ""}), "foo=1");
  EXPECT_EQ(TsOut({""}), "");
  EXPECT_EQ(TraceStateOut({{"traceparent", kValid}, {"trace-state", "foo=1"}}), "");
  EXPECT_EQ(TraceStateOut({{"traceparent", kValid}, {"TraceState", "foo=1"}}), "foo=1");
}

TEST(TraceState, OwsAndEmptyMembersAreAllowed) {
  EXPECT_EQ(TsOut({"foo=1 \t , \t bar=2, \t baz=3"}), "foo=1,bar=2,baz=3");
  EXPECT_EQ(TsOut({"foo=1,,bar=2"}), "foo=1,bar=2");
}

TEST(TraceState, InvalidTraceStateIsDroppedButTraceparentKept) {
  for (const char* bad :
       {"foo=1,foo=1", "foo =1", "FOO=1", "foo.bar=1", "foo@=1,bar=2", "@foo=1,bar=2",
        "foo@@bar=1,bar=2", "foo@bar@baz=1,bar=2", "foo=bar=baz", "foo=,bar=3", "foo"}) {
    Headers h = {{"traceparent", kValid}, {"tracestate", bad}};
    EXPECT_TRUE(Continues(h)) << bad;
    EXPECT_EQ(TraceStateOut(h), "") << bad;
  }
}

TEST(TraceState, AllAllowedCharacters) {
  std::string key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
  std::string value;
  for (char c = 0x20; c < 0x7f; ++c) {
    if (c != ',' && c != '=') value.push_back(c);
  }
  value = value.substr(1);  // no leading... keep printable, last char non-space
  EXPECT_EQ(TsOut({key + "=" + value}), key + "=" + value);
  EXPECT_EQ(TsOut({"foo@bar=1"}), "foo@bar=1");
}

TEST(TraceState, MemberCountLimitIs32) {
  std::string ts;
  for (int i = 0; i < 32; ++i) ts += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  EXPECT_EQ(TsOut({ts}), ts);
  EXPECT_EQ(TsOut({ts + ",k32=v"}), "");
}

TEST(TraceState, KeyLengthLimits) {
  std::string k256 = "a" + std::string(255, 'b');
  EXPECT_EQ(TsOut({k256 + "=1"}), k256 + "=1");
  EXPECT_EQ(TsOut({k256 + "b=1"}), "");
  std::string tenant241 = "t" + std::string(240, 'x');
  std::string system14 = "s" + std::string(13, 'y');
  EXPECT_EQ(TsOut({tenant241 + "@" + system14 + "=1"}), tenant241 + "@" + system14 + "=1");
  EXPECT_EQ(TsOut({tenant241 + "x@" + system14 + "=1"}), "");
  EXPECT_EQ(TsOut({tenant241 + "@" + system14 + "y=1"}), "");
}

TEST(TraceState, InjectTruncatesTo512DroppingLongEntriesFirst) {
  std::string long_entry = "big=" + std::string(200, 'x');
  std::string ts = "a=1," + long_entry;
  for (int i = 0; i < 30; ++i) ts += ",k" + std::to_string(i) + "=" + std::string(10, 'v');
  ASSERT_GT(ts.size(), 512u);
  std::string out = TruncateTraceState(ts, 512);
  EXPECT_LE(out.size(), 512u);
  EXPECT_EQ(out.find("big="), std::string::npos);
  EXPECT_EQ(out.substr(0, 4), "a=1,");
  // Short enough after dropping the long entry: every other entry kept.
  EXPECT_NE(out.find("k29="), std::string::npos);
}

TEST(W3CPropagator, InjectWritesTraceparentAndTracestate) {
  trace::Context ctx = ExtractW3C({{"traceparent", kValid}, {"tracestate", "foo=1"}});
  Headers out;
  HeaderVectorCarrier c(&out);
  MakeW3CTraceContextPropagator()->Inject(ctx, c);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].second, kValid);
  EXPECT_EQ(out[1].second, "foo=1");
  Headers none;
  HeaderVectorCarrier c2(&none);
  MakeW3CTraceContextPropagator()->Inject(trace::Context(), c2);
  EXPECT_TRUE(none.empty());
}

TEST(Baggage, RoundTripsWithPercentEncodingAndProperties) {
  Headers in = {{"baggage", "userId=alice, serverNode = DF%2028 ,isProduction=false;p=1"}};
  HeaderVectorCarrier c(&in);
  trace::Context ctx = MakeW3CBaggagePropagator()->Extract(c, trace::Context());
  EXPECT_EQ(ctx.baggage().Get("userId").value_or(""), "alice");
  EXPECT_EQ(ctx.baggage().Get("serverNode").value_or(""), "DF 28");
  EXPECT_EQ(ctx.baggage().entries()[2].metadata, "p=1");
  Headers out;
  HeaderVectorCarrier oc(&out);
  MakeW3CBaggagePropagator()->Inject(ctx, oc);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].second, "userId=alice,serverNode=DF%2028,isProduction=false;p=1");
}

TEST(Baggage, BadMembersAreSkippedWhole) {
  trace::Baggage b = ParseBaggage({"good=1,bad key=2,=3,noeq,pct=%zz,also=ok"});
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.Get("also").value_or(""), "ok");
}

TEST(Baggage, InjectNeverExceeds8192BytesAndKeepsWholeMembers) {
  trace::Baggage b;
  for (int i = 0; i < 100; ++i) b = b.Set("key" + std::to_string(i), std::string(100, 'v'));
  std::string h = FormatBaggage(b);
  EXPECT_LE(h.size(), kMaxBaggageBytes);
  EXPECT_EQ(ParseBaggage({h}).size(), static_cast<size_t>(std::count(h.begin(), h.end(), ',') + 1));
}

TEST(B3, SingleHeaderRoundTrip) {
  Headers in = {{"b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"}};
  HeaderVectorCarrier c(&in);
  auto p = MakeB3Propagator();
  trace::Context ctx = p->Extract(c, trace::Context());
  EXPECT_EQ(ctx.span_context().trace_id.ToHex(), "80f198ee56343ba864fe8b2a57d3eff7");
  EXPECT_TRUE(ctx.span_context().IsSampled());
  Headers out;
  HeaderVectorCarrier oc(&out);
  p->Inject(ctx, oc);
  EXPECT_EQ(out[0].second, "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1");
}

TEST(B3, ShortTraceIdsAreWidenedAndBadOnesRejected) {
  Headers in = {{"b3", "64fe8b2a57d3eff7-e457b5a2e4d86bd1-0"}};
  HeaderVectorCarrier c(&in);
  trace::Context ctx = MakeB3Propagator()->Extract(c, trace::Context());
  EXPECT_EQ(ctx.span_context().trace_id.ToHex(), "000000000000000064fe8b2a57d3eff7");
  EXPECT_FALSE(ctx.span_context().IsSampled());
  Headers bad = {{"b3", "xyz-e457b5a2e4d86bd1-1"}};
  HeaderVectorCarrier bc(&bad);
  EXPECT_FALSE(MakeB3Propagator()->Extract(bc, trace::Context()).span_context().IsValid());
}

TEST(B3, MultiHeaderRoundTrip) {
  Headers in = {{"X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7"},
                {"X-B3-SpanId", "e457b5a2e4d86bd1"},
                {"X-B3-Sampled", "1"}};
  HeaderVectorCarrier c(&in);
  auto p = MakeB3MultiPropagator();
  trace::Context ctx = p->Extract(c, trace::Context());
  ASSERT_TRUE(ctx.span_context().IsValid());
  EXPECT_TRUE(ctx.span_context().IsSampled());
  Headers out;
  HeaderVectorCarrier oc(&out);
  p->Inject(ctx, oc);
  EXPECT_EQ(out, in);
}

TEST(Jaeger, ExtractsShortIdsAndUrlEncodedColonsAndBaggage) {
  Headers in = {{"uber-trace-id", "abc%3Adef%3A0%3A1"}};
  HeaderVectorCarrier c(&in);
  auto p = MakeJaegerPropagator();
  trace::Context ctx = p->Extract(c, trace::Context());
  EXPECT_EQ(ctx.span_context().trace_id.ToHex(), "00000000000000000000000000000abc");
  EXPECT_EQ(ctx.span_context().span_id.ToHex(), "0000000000000def");
  EXPECT_TRUE(ctx.span_context().IsSampled());
  Headers out;
  HeaderVectorCarrier oc(&out);
  p->Inject(ctx.WithBaggage(trace::Baggage().Set("k", "v")), oc);
  EXPECT_EQ(out[0].second, "00000000000000000000000000000abc:0000000000000def:0:1");
  EXPECT_EQ(out[1].first, "uberctx-k");
  Headers bad = {{"uber-trace-id", "abc:def:0"}};
  HeaderVectorCarrier bc(&bad);
  EXPECT_FALSE(p->Extract(bc, trace::Context()).span_context().IsValid());
}

TEST(PropagatorList, DeduplicatesWarnsAndHonoursNone) {
  std::vector<std::string> warnings;
  auto p = MakePropagatorsFromList("TraceContext, baggage,tracecontext,xray", &warnings);
  EXPECT_EQ(p->Fields(), (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("xray"), std::string::npos);
  EXPECT_TRUE(MakePropagatorsFromList("none", &warnings)->Fields().empty());
  EXPECT_EQ(MakePropagatorsFromList("", &warnings)->Fields().size(), 3u);
}

TEST(PropagatorList, CompositeExtractsEveryFormat) {
  std::vector<std::string> warnings;
  auto p = MakePropagatorsFromList("b3multi,tracecontext,baggage", &warnings);
  Headers in = {{"traceparent", kValid}, {"baggage", "a=b"}};
  HeaderVectorCarrier c(&in);
  trace::Context ctx = p->Extract(c, trace::Context());
  EXPECT_EQ(ctx.span_context().trace_id.ToHex(), kTid);
  EXPECT_EQ(ctx.baggage().Get("a").value_or(""), "b");
}

}  // namespace
}  // namespace ariadne::propagation
