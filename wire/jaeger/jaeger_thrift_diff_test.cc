// Differential test: randomized jaeger.Batch values are serialized by Apache Thrift's generated
// C++ code (from the jaeger-idl in the jaeger-client npm package, generated at build time) with
// TBinaryProtocol and TCompactProtocol, decoded by our reader, and every field is compared with
// what the mapping in docs/formats/jaeger.md says it must become. Also checks that Apache Thrift
// and our decoder agree on the payloads captured from jaeger-client. Built only when the npm
// package and Apache Thrift are installed.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "gtest/gtest.h"
#include "jaeger_types.h"
#include "wire/jaeger/jaeger_thrift.h"

namespace ariadne {
namespace {

namespace jt = ::jaegertracing::thrift;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TCompactProtocol;
using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TMemoryBuffer;

std::string Serialize(const jt::Batch& batch, ThriftProtocol protocol, bool as_agent_message) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  std::unique_ptr<TProtocol> proto;
  if (protocol == ThriftProtocol::kBinary) {
    proto = std::make_unique<TBinaryProtocol>(buffer);
  } else {
    proto = std::make_unique<TCompactProtocol>(buffer);
  }
  if (as_agent_message) {
    // What Agent.emitBatch's generated client writes: the message, then the args struct.
    proto->writeMessageBegin("emitBatch", apache::thrift::protocol::T_ONEWAY, 0);
    proto->writeStructBegin("Agent_emitBatch_args");
    proto->writeFieldBegin("batch", apache::thrift::protocol::T_STRUCT, 1);
    batch.write(proto.get());
    proto->writeFieldEnd();
    proto->writeFieldStop();
    proto->writeStructEnd();
    proto->writeMessageEnd();
  } else {
    batch.write(proto.get());
  }
  return buffer->getBufferAsString();
}

class Random {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  uint64_t U64() { return rng_(); }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin() { return Int(0, 1) == 1; }
  std::string Bytes(int max_len) {
    std::string s(static_cast<size_t>(Int(0, max_len)), '\0');
    for (char& c : s) c = static_cast<char>(Int(0, 255));
    return s;
  }
  std::string Text(int max_len) {
    static const char* const kPieces[] = {
        "a",  "Z", "0", " ", "_", ".", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        "\"", "<", "\n"};
    std::string s;
    int n = Int(0, max_len);
    for (int i = 0; i < n; ++i) s += kPieces[Int(0, 11)];
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

jt::Tag RandomTag(Random& r, const std::string& key) {
  jt::Tag t;
  t.__set_key(key);
  switch (r.Int(0, 4)) {
    case 0:
      t.__set_vType(jt::TagType::STRING);
      t.__set_vStr(r.Text(20));
      break;
    case 1:
      t.__set_vType(jt::TagType::DOUBLE);
      t.__set_vDouble(static_cast<double>(static_cast<int64_t>(r.U64())) / 1e6);
      break;
    case 2:
      t.__set_vType(jt::TagType::BOOL);
      t.__set_vBool(r.Coin());
      break;
    case 3:
      t.__set_vType(jt::TagType::LONG);
      t.__set_vLong(static_cast<int64_t>(r.U64()));
      break;
    default:
      t.__set_vType(jt::TagType::BINARY);
      t.__set_vBinary(r.Bytes(16));
      break;
  }
  return t;
}

std::vector<jt::Tag> RandomTags(Random& r, int max) {
  std::vector<jt::Tag> tags;
  int n = r.Int(0, max);
  for (int i = 0; i < n; ++i) tags.push_back(RandomTag(r, "k" + std::to_string(i) + r.Text(3)));
  return tags;
}

int64_t NonZero(Random& r) {
  int64_t v = static_cast<int64_t>(r.U64());
  return v == 0 ? 1 : v;
}

jt::Batch RandomBatch(Random& r) {
  jt::Batch batch;
  jt::Process process;
  process.__set_serviceName(r.Text(12));
  if (r.Coin()) process.__set_tags(RandomTags(r, 5));
  batch.__set_process(process);
  std::vector<jt::Span> spans;
  int n = r.Int(0, 12);
  for (int i = 0; i < n; ++i) {
    jt::Span s;
    s.__set_traceIdLow(NonZero(r));
    s.__set_traceIdHigh(r.Coin() ? 0 : static_cast<int64_t>(r.U64()));
    s.__set_spanId(NonZero(r));
    s.__set_parentSpanId(r.Int(0, 2) == 0 ? 0 : NonZero(r));
    s.__set_operationName(r.Text(15));
    s.__set_flags(r.Int(0, 3));
    s.__set_startTime(static_cast<int64_t>(r.U64() % (uint64_t{1} << 52)));
    s.__set_duration(static_cast<int64_t>(r.U64() % 10'000'000));
    if (r.Coin()) {
      std::vector<jt::SpanRef> refs;
      int nr = r.Int(0, 3);
      for (int k = 0; k < nr; ++k) {
        jt::SpanRef ref;
        ref.__set_refType(r.Coin() ? jt::SpanRefType::CHILD_OF : jt::SpanRefType::FOLLOWS_FROM);
        bool same_trace = r.Coin();
        ref.__set_traceIdLow(same_trace ? s.traceIdLow : NonZero(r));
        ref.__set_traceIdHigh(same_trace ? s.traceIdHigh : static_cast<int64_t>(r.U64()));
        ref.__set_spanId(k == 0 && r.Coin() && s.parentSpanId != 0 ? s.parentSpanId : NonZero(r));
        refs.push_back(ref);
      }
      s.__set_references(refs);
    }
    if (r.Coin()) {
      std::vector<jt::Tag> tags = RandomTags(r, 8);
      if (r.Int(0, 3) == 0) {
        jt::Tag kind;
        kind.__set_key("span.kind");
        kind.__set_vType(jt::TagType::STRING);
        kind.__set_vStr(r.Coin() ? "client" : "server");
        tags.push_back(kind);
      }
      s.__set_tags(tags);
    }
    if (r.Coin()) {
      std::vector<jt::Log> logs;
      int nl = r.Int(0, 3);
      for (int k = 0; k < nl; ++k) {
        jt::Log log;
        log.__set_timestamp(static_cast<int64_t>(r.U64() % (uint64_t{1} << 52)));
        std::vector<jt::Tag> fields = RandomTags(r, 4);
        int naming = r.Int(0, 2);
        if (naming > 0) {
          jt::Tag name;
          name.__set_key(naming == 1 ? "event" : "message");
          name.__set_vType(jt::TagType::STRING);
          name.__set_vStr(r.Text(10));
          fields.insert(fields.begin() + r.Int(0, static_cast<int>(fields.size())), name);
        }
        log.__set_fields(fields);
        logs.push_back(log);
      }
      s.__set_logs(logs);
    }
    spans.push_back(s);
  }
  batch.__set_spans(spans);
  return batch;
}

// Compares a tag with a decoded attribute.
void ExpectTag(const jt::Tag& t, const KeyValue& kv) {
  EXPECT_EQ(kv.key, t.key);
  switch (t.vType) {
    case jt::TagType::STRING:
      EXPECT_EQ(kv.value.type, ValueType::kString);
      EXPECT_EQ(kv.value.str, t.vStr);
      break;
    case jt::TagType::DOUBLE:
      EXPECT_EQ(kv.value.type, ValueType::kDouble);
      EXPECT_EQ(kv.value.double_value, t.vDouble);
      break;
    case jt::TagType::BOOL:
      EXPECT_EQ(kv.value.type, ValueType::kBool);
      EXPECT_EQ(kv.value.bool_value, t.vBool);
      break;
    case jt::TagType::LONG:
      EXPECT_EQ(kv.value.type, ValueType::kInt);
      EXPECT_EQ(kv.value.int_value, t.vLong);
      break;
    case jt::TagType::BINARY:
      EXPECT_EQ(kv.value.type, ValueType::kBytes);
      EXPECT_EQ(kv.value.str, t.vBinary);
      break;
  }
}

bool IsSpanKindTag(const jt::Tag& t) {
  SpanKind k;
  return t.key == "span.kind" && t.vType == jt::TagType::STRING && ParseSpanKind(t.vStr, &k);
}

TraceId Tid(int64_t high, int64_t low) {
  return TraceId::FromHighLow(static_cast<uint64_t>(high), static_cast<uint64_t>(low));
}
SpanId Sid(int64_t v) { return SpanId::FromHighLow(0, static_cast<uint64_t>(v)); }

// Checks every field of `got` against the mapping applied to `want` (spans in order).
void ExpectSameBatch(const jt::Batch& want, const SpanBatch& got) {
  ASSERT_EQ(got.size(), want.spans.size());
  for (size_t i = 0; i < want.spans.size(); ++i) {
    SCOPED_TRACE("span " + std::to_string(i));
    const jt::Span& w = want.spans[i];
    const SpanColumns& g = got.spans;
    EXPECT_EQ(g.trace_id[i], Tid(w.traceIdHigh, w.traceIdLow));
    EXPECT_EQ(g.span_id[i], Sid(w.spanId));
    EXPECT_EQ(g.name[i], w.operationName);
    EXPECT_EQ(g.flags[i], static_cast<uint32_t>(w.flags) & 0xff);
    EXPECT_EQ(g.start_time_unix_nano[i], static_cast<uint64_t>(w.startTime) * 1000);
    EXPECT_EQ(g.end_time_unix_nano[i] - g.start_time_unix_nano[i],
              static_cast<uint64_t>(w.duration) * 1000);

    // Process.
    const Resource& res = got.resources[g.resource_index[i]];
    EXPECT_EQ(res.service_name, want.process.serviceName);
    ASSERT_EQ(res.attributes.count, want.process.tags.size() + 1);
    for (size_t k = 0; k < want.process.tags.size(); ++k) {
      ExpectTag(want.process.tags[k], got.attributes[res.attributes.begin + 1 + k]);
    }

    // Parent and links.
    SpanId parent = Sid(w.parentSpanId);
    bool parent_taken = false;
    std::vector<std::pair<const jt::SpanRef*, bool>> links;
    for (const jt::SpanRef& ref : w.references) {
      bool child_of = ref.refType == jt::SpanRefType::CHILD_OF;
      if (child_of && !parent_taken &&
          (w.parentSpanId == 0 ||
           (Sid(ref.spanId) == Sid(w.parentSpanId) &&
            Tid(ref.traceIdHigh, ref.traceIdLow) == Tid(w.traceIdHigh, w.traceIdLow)))) {
        parent = Sid(ref.spanId);
        parent_taken = true;
        continue;
      }
      links.push_back({&ref, child_of});
    }
    EXPECT_EQ(g.parent_span_id[i], parent);
    ASSERT_EQ(g.links[i].count, links.size());
    for (size_t k = 0; k < links.size(); ++k) {
      uint32_t l = g.links[i].begin + static_cast<uint32_t>(k);
      EXPECT_EQ(got.links.trace_id[l],
                Tid(links[k].first->traceIdHigh, links[k].first->traceIdLow));
      EXPECT_EQ(got.links.span_id[l], Sid(links[k].first->spanId));
      EXPECT_EQ(got.links.attributes[l].count, links[k].second ? 1u : 0u);
    }

    // Tags (span.kind claimed).
    SpanKind kind = SpanKind::kUnspecified;
    std::vector<const jt::Tag*> kept;
    for (const jt::Tag& t : w.tags) {
      if (IsSpanKindTag(t)) {
        ParseSpanKind(t.vStr, &kind);
      } else {
        kept.push_back(&t);
      }
    }
    EXPECT_EQ(g.kind[i], kind);
    ASSERT_EQ(g.attributes[i].count, kept.size());
    for (size_t k = 0; k < kept.size(); ++k) {
      ExpectTag(*kept[k], got.attributes[g.attributes[i].begin + k]);
    }

    // Logs → events.
    ASSERT_EQ(g.events[i].count, w.logs.size());
    for (size_t k = 0; k < w.logs.size(); ++k) {
      uint32_t e = g.events[i].begin + static_cast<uint32_t>(k);
      const jt::Log& log = w.logs[k];
      EXPECT_EQ(got.events.time_unix_nano[e], static_cast<uint64_t>(log.timestamp) * 1000);
      std::string name;
      int name_index = -1;
      for (size_t f = 0; f < log.fields.size(); ++f) {
        if (log.fields[f].key == "event" && log.fields[f].vType == jt::TagType::STRING) {
          name = log.fields[f].vStr;
          name_index = static_cast<int>(f);
          break;
        }
      }
      if (name_index < 0) {
        for (size_t f = 0; f < log.fields.size(); ++f) {
          if (log.fields[f].key == "message" && log.fields[f].vType == jt::TagType::STRING) {
            name = log.fields[f].vStr;
            name_index = static_cast<int>(f);
            break;
          }
        }
      }
      EXPECT_EQ(got.events.name[e], name);
      Range attrs = got.events.attributes[e];
      ASSERT_EQ(attrs.count, log.fields.size() - (name_index >= 0 ? 1 : 0));
      uint32_t a = attrs.begin;
      for (size_t f = 0; f < log.fields.size(); ++f) {
        if (static_cast<int>(f) == name_index) continue;
        ExpectTag(log.fields[f], got.attributes[a++]);
      }
    }
  }
}

TEST(JaegerThriftDiff, RandomBatchesDecodeLikeApacheThriftWrote) {
  Random r(20261122);
  for (int iter = 0; iter < 400; ++iter) {
    jt::Batch batch = RandomBatch(r);
    for (ThriftProtocol p : {ThriftProtocol::kBinary, ThriftProtocol::kCompact}) {
      for (bool agent : {false, true}) {
        SCOPED_TRACE("iteration " + std::to_string(iter) +
                     (p == ThriftProtocol::kBinary ? " binary" : " compact") +
                     (agent ? " agent" : " collector"));
        std::string bytes = Serialize(batch, p, agent);
        DecodeResult out;
        Status s = agent ? DecodeJaegerAgentEmitBatch(bytes, p, DecodeLimits(), &out)
                         : DecodeJaegerBatch(bytes, p, DecodeLimits(), &out);
        ASSERT_TRUE(s.ok()) << s.ToString();
        EXPECT_EQ(out.rejected_spans, 0u);
        ExpectSameBatch(batch, out.batch);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(JaegerThriftDiff, TruncatedRandomBatchesFailCleanly) {
  Random r(7);
  for (int iter = 0; iter < 100; ++iter) {
    jt::Batch batch = RandomBatch(r);
    for (ThriftProtocol p : {ThriftProtocol::kBinary, ThriftProtocol::kCompact}) {
      std::string bytes = Serialize(batch, p, false);
      size_t cut = static_cast<size_t>(r.Int(0, static_cast<int>(bytes.size()) - 1));
      DecodeResult out;
      EXPECT_FALSE(DecodeJaegerBatch(bytes.substr(0, cut), p, DecodeLimits(), &out).ok());
      EXPECT_EQ(out.batch.size(), 0u);
    }
  }
}

TEST(JaegerThriftDiff, ApacheThriftAndWeAgreeOnTheJaegerClientPayload) {
  std::ifstream in(std::string(ARIADNE_JAEGER_TESTDATA) + "/jaeger_http_batch.bin",
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  ASSERT_FALSE(body.empty());
  auto buffer = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(body.data()),
                                                static_cast<uint32_t>(body.size()));
  TBinaryProtocol proto(buffer);
  jt::Batch batch;
  batch.read(&proto);
  DecodeResult out;
  ASSERT_TRUE(DecodeJaegerBatch(body, ThriftProtocol::kBinary, DecodeLimits(), &out).ok());
  // Our decoder also claims error=true; drop it from the expectation the way the mapping does.
  for (jt::Span& s : batch.spans) {
    std::vector<jt::Tag> tags;
    for (const jt::Tag& t : s.tags) {
      if (!(t.key == "error" && t.vType == jt::TagType::BOOL && t.vBool)) tags.push_back(t);
    }
    s.tags = tags;
  }
  ExpectSameBatch(batch, out.batch);
}

// Not a check: with ARIADNE_WRITE_JAEGER_CORPUS=<dir> set, writes a few Apache-serialized random
// batches as fuzz seeds (<dir>/thrift_binary, <dir>/thrift_compact). How corpus/ was made.
TEST(JaegerThriftDiff, WritesFuzzSeedsWhenAsked) {
  const char* dir = std::getenv("ARIADNE_WRITE_JAEGER_CORPUS");
  if (dir == nullptr) GTEST_SKIP() << "ARIADNE_WRITE_JAEGER_CORPUS not set";
  Random r(99);
  for (int i = 0; i < 6; ++i) {
    jt::Batch batch = RandomBatch(r);
    for (ThriftProtocol p : {ThriftProtocol::kBinary, ThriftProtocol::kCompact}) {
      std::string sub = p == ThriftProtocol::kBinary ? "/thrift_binary/" : "/thrift_compact/";
      for (bool agent : {false, true}) {
        std::ofstream out(
            std::string(dir) + sub + (agent ? "agent_" : "batch_") + std::to_string(i) + ".bin",
            std::ios::binary);
        out << Serialize(batch, p, agent);
      }
    }
  }
}

}  // namespace
}  // namespace ariadne
