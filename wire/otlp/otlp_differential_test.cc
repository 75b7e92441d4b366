// Differential tests: our hand-written OTLP codec against libprotobuf (generated from our own
// testdata/otlp_trace_test.proto) on randomized requests, plus adversarial inputs.
#include <random>
#include <string>

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"
#include "wire/otlp/otlp_test_util.h"

namespace ariadne {
namespace {

namespace pb = otlp_test::pb;
using google::protobuf::util::MessageDifferencer;

constexpr int kRounds = 300;

TEST(OtlpDifferential, DecoderAgreesWithLibprotobufOnRandomRequests) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < kRounds; ++round) {
    pb::ExportTraceServiceRequest req = otlp_test::RandomRequest(rng);
    std::string bytes = req.SerializeAsString();
    DecodeResult result;
    ASSERT_TRUE(DecodeOtlpProto(bytes, DecodeLimits(), &result).ok()) << "round " << round;
    EXPECT_EQ(result.rejected_spans, 0u);
    otlp_test::ExpectBatchMatches(result.batch, req);
    if (HasFailure()) {
      ADD_FAILURE() << "round " << round << ": " << req.DebugString();
      return;
    }
  }
}

TEST(OtlpDifferential, EncoderOutputParsesWithLibprotobufToTheSameMessage) {
  std::mt19937_64 rng(2);
  for (int round = 0; round < kRounds; ++round) {
    pb::ExportTraceServiceRequest req = otlp_test::RandomRequest(rng);
    DecodeResult result;
    ASSERT_TRUE(DecodeOtlpProto(req.SerializeAsString(), DecodeLimits(), &result).ok());
    std::string encoded;
    EncodeOtlpProto(result.batch, &encoded);
    pb::ExportTraceServiceRequest parsed;
    ASSERT_TRUE(parsed.ParseFromString(encoded)) << "round " << round;
    // Our encoder omits a ResourceSpans/ScopeSpans without spans (nothing refers to it).
    pb::ExportTraceServiceRequest expected = req;
    for (int r = expected.resource_spans_size() - 1; r >= 0; --r) {
      auto* rs = expected.mutable_resource_spans(r);
      for (int s = rs->scope_spans_size() - 1; s >= 0; --s) {
        if (rs->scope_spans(s).spans_size() == 0) rs->mutable_scope_spans()->DeleteSubrange(s, 1);
      }
      if (rs->scope_spans_size() == 0) expected.mutable_resource_spans()->DeleteSubrange(r, 1);
    }
    std::string diff;
    MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(expected, parsed)) << "round " << round << "\n" << diff;
    if (HasFailure()) return;
  }
}

TEST(OtlpDifferential, JsonRoundTripPreservesRandomRequests) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < kRounds / 3; ++round) {
    pb::ExportTraceServiceRequest req = otlp_test::RandomRequest(rng);
    DecodeResult from_proto;
    ASSERT_TRUE(DecodeOtlpProto(req.SerializeAsString(), DecodeLimits(), &from_proto).ok());
    std::string json;
    EncodeOtlpJson(from_proto.batch, &json);
    DecodeResult from_json;
    Status st = DecodeOtlpJson(json, DecodeLimits(), &from_json);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << json;
    EXPECT_EQ(DebugString(from_json.batch), DebugString(from_proto.batch)) << json;
    std::string a, b;
    EncodeOtlpProto(from_proto.batch, &a);
    EncodeOtlpProto(from_json.batch, &b);
    EXPECT_EQ(a, b) << json;
    if (HasFailure()) return;
  }
}

TEST(OtlpDifferential, PartialSuccessResponseMatchesLibprotobuf) {
  std::string ours;
  EncodeExportTraceServiceResponse(7, "2 spans had bad ids", &ours);
  pb::ExportTraceServiceResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(ours));
  EXPECT_EQ(parsed.partial_success().rejected_spans(), 7);
  EXPECT_EQ(parsed.partial_success().error_message(), "2 spans had bad ids");

  pb::ExportTraceServiceResponse theirs;
  theirs.mutable_partial_success()->set_rejected_spans(3);
  theirs.mutable_partial_success()->set_error_message("x");
  int64_t rejected = 0;
  std::string message;
  ASSERT_TRUE(
      DecodeExportTraceServiceResponse(theirs.SerializeAsString(), &rejected, &message).ok());
  EXPECT_EQ(rejected, 3);
  EXPECT_EQ(message, "x");

  std::string empty;
  EncodeExportTraceServiceResponse(0, "", &empty);
  EXPECT_TRUE(empty.empty());
}

// Every prefix of a valid request either decodes or fails cleanly (never crashes, never reads
// past the end: the sanitizer build checks the latter).
TEST(OtlpDifferential, EveryTruncationFailsCleanlyOrDecodes) {
  std::mt19937_64 rng(4);
  pb::ExportTraceServiceRequest req = otlp_test::RandomRequest(rng);
  std::string bytes = req.SerializeAsString();
  int failures = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    DecodeResult result;
    Status st = DecodeOtlpProto(std::string_view(bytes.data(), n), DecodeLimits(), &result);
    if (!st.ok()) {
      ++failures;
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
      EXPECT_TRUE(result.batch.empty());
    }
  }
  EXPECT_GT(failures, 0);
}

TEST(OtlpDifferential, RandomByteFlipsNeverCrashAndAgreeWithLibprotobufOnSuccess) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 complaints are expected here
  std::mt19937_64 rng(5);
  int agreed = 0;
  for (int round = 0; round < 2000; ++round) {
    pb::ExportTraceServiceRequest req = otlp_test::RandomRequest(rng, {1, 1, 2, 3, 1, 1, 2});
    std::string bytes = req.SerializeAsString();
    if (bytes.empty()) continue;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    DecodeResult result;
    Status st = DecodeOtlpProto(bytes, DecodeLimits(), &result);
    pb::ExportTraceServiceRequest theirs;
    bool they_parse = theirs.ParseFromString(bytes);
    // libprotobuf (proto3) also rejects invalid UTF-8 in strings, which we repair instead;
    // when both accept, spans with valid ids must agree field for field.
    if (st.ok() && they_parse && result.rejected_spans == 0) {
      bool all_ids_valid = true;
      for (const auto& rs : theirs.resource_spans()) {
        for (const auto& ss : rs.scope_spans()) {
          for (const auto& s : ss.spans()) {
            if (s.kind() < 0 || s.kind() > 5 || s.status().code() < 0 || s.status().code() > 2) {
              all_ids_valid = false;
            }
            for (const auto& l : s.links()) {
              if (l.trace_id().size() != 16 || l.span_id().size() != 8) all_ids_valid = false;
            }
          }
        }
      }
      if (!all_ids_valid) continue;
      otlp_test::ExpectBatchMatches(result.batch, theirs);
      if (HasFailure()) return;
      ++agreed;
    }
  }
  EXPECT_GT(agreed, 0);
}

std::string Tag(uint32_t field, uint32_t wt) {
  std::string s;
  uint64_t v = (static_cast<uint64_t>(field) << 3) | wt;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}

std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}

TEST(OtlpAdversarial, HugeDeclaredLengthIsRejectedWithoutAllocating) {
  // resource_spans declaring 2^62 bytes, followed by almost nothing.
  std::string bytes = Tag(1, 2) + std::string("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x3F", 9) + "ab";
  DecodeResult result;
  Status st = DecodeOtlpProto(bytes, DecodeLimits(), &result);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("exceeds the input"), std::string_view::npos) << st.message();
}

TEST(OtlpAdversarial, OverlongVarintIsRejected) {
  std::string bytes = Tag(1, 2) + std::string(11, '\x80') + "\x01";
  DecodeResult result;
  EXPECT_EQ(DecodeOtlpProto(bytes, DecodeLimits(), &result).code(), StatusCode::kInvalidArgument);
}

TEST(OtlpAdversarial, DeepNestingIsRejectedAtTheDepthLimit) {
  auto nest = [](int depth) {
    pb::AnyValue v;
    v.set_int_value(1);
    for (int i = 0; i < depth; ++i) {
      pb::AnyValue outer;
      *outer.mutable_array_value()->add_values() = v;
      v = outer;
    }
    pb::ExportTraceServiceRequest req;
    pb::Span* s = req.add_resource_spans()->add_scope_spans()->add_spans();
    s->set_trace_id(std::string(16, '\x01'));
    s->set_span_id(std::string(8, '\x02'));
    pb::KeyValue* kv = s->add_attributes();
    kv->set_key("deep");
    *kv->mutable_value() = v;
    return req.SerializeAsString();
  };
  DecodeLimits limits;
  limits.max_value_depth = 8;
  DecodeResult ok;
  EXPECT_TRUE(DecodeOtlpProto(nest(8), limits, &ok).ok());
  EXPECT_EQ(ok.batch.size(), 1u);
  DecodeResult deep;
  Status st = DecodeOtlpProto(nest(9), limits, &deep);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("nested too deeply"), std::string_view::npos);
  // Far beyond any stack: 2000 levels must fail at the limit, not overflow the stack.
  std::string value = "\x18\x01";  // AnyValue{int_value: 1}
  for (int i = 0; i < 2000; ++i) {
    std::string arr = Tag(1, 2) + Varint(value.size()) + value;  // ArrayValue{values}
    value = Tag(5, 2) + Varint(arr.size()) + arr;                // AnyValue{array_value}
  }
  std::string kv = Tag(1, 2) + "\x01k" + Tag(2, 2) + Varint(value.size()) + value;
  std::string span = Tag(1, 2) + "\x10" + std::string(16, '\x01') + Tag(2, 2) + "\x08" +
                     std::string(8, '\x02') + Tag(9, 2) + Varint(kv.size()) + kv;
  std::string scope = Tag(2, 2) + Varint(span.size()) + span;
  std::string rs = Tag(2, 2) + Varint(scope.size()) + scope;
  DecodeResult huge;
  Status bomb = DecodeOtlpProto(Tag(1, 2) + Varint(rs.size()) + rs, limits, &huge);
  EXPECT_EQ(bomb.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bomb.message().find("nested too deeply"), std::string_view::npos) << bomb.message();
}

TEST(OtlpAdversarial, WrongWireTypesForKnownFieldsAreSkippedLikeUnknownFields) {
  pb::ExportTraceServiceRequest req;
  pb::Span* s = req.add_resource_spans()->add_scope_spans()->add_spans();
  s->set_trace_id(std::string(16, '\x01'));
  s->set_span_id(std::string(8, '\x02'));
  s->set_name("n");
  std::string span = s->SerializeAsString();
  // name (5) as a varint, kind (6) as LEN, start time (7) as fixed32: all skipped.
  span += Tag(5, 0) + "\x05" + Tag(6, 2) + "\x01x" + Tag(7, 5) + "abcd";
  std::string scope = Tag(2, 2) + static_cast<char>(span.size()) + span;
  std::string rs = Tag(2, 2) + static_cast<char>(scope.size()) + scope;
  std::string bytes = Tag(1, 2) + static_cast<char>(rs.size()) + rs;
  DecodeResult result;
  ASSERT_TRUE(DecodeOtlpProto(bytes, DecodeLimits(), &result).ok());
  ASSERT_EQ(result.batch.size(), 1u);
  EXPECT_EQ(result.batch.spans.name[0], "n");
  EXPECT_EQ(result.batch.spans.kind[0], SpanKind::kUnspecified);
  EXPECT_EQ(result.batch.spans.start_time_unix_nano[0], 0u);
}

TEST(OtlpAdversarial, InvalidWireTypesAndUnterminatedGroupsAreErrors) {
  for (std::string bytes :
       {Tag(1, 6), Tag(1, 7), Tag(2, 4), Tag(2, 3) + Tag(3, 0) + "\x01", std::string("\x00", 1)}) {
    DecodeResult result;
    EXPECT_EQ(DecodeOtlpProto(bytes, DecodeLimits(), &result).code(), StatusCode::kInvalidArgument);
  }
  // A well-formed group is skipped.
  DecodeResult result;
  EXPECT_TRUE(
      DecodeOtlpProto(Tag(2, 3) + Tag(3, 0) + "\x01" + Tag(2, 4), DecodeLimits(), &result).ok());
}

}  // namespace
}  // namespace ariadne
