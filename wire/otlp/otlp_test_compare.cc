#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "wire/otlp/otlp_test_util.h"

namespace ariadne::otlp_test {

namespace {

void ExpectValueMatches(const SpanBatch& b, const AnyValue& v, const pb::AnyValue& p,
                        const std::string& where) {
  switch (p.value_case()) {
    case pb::AnyValue::kStringValue:
      ASSERT_EQ(v.type, ValueType::kString) << where;
      EXPECT_EQ(v.str, p.string_value()) << where;
      break;
    case pb::AnyValue::kBoolValue:
      ASSERT_EQ(v.type, ValueType::kBool) << where;
      EXPECT_EQ(v.bool_value, p.bool_value()) << where;
      break;
    case pb::AnyValue::kIntValue:
      ASSERT_EQ(v.type, ValueType::kInt) << where;
      EXPECT_EQ(v.int_value, p.int_value()) << where;
      break;
    case pb::AnyValue::kDoubleValue:
      ASSERT_EQ(v.type, ValueType::kDouble) << where;
      {
        double expected = p.double_value();
        EXPECT_EQ(std::memcmp(&v.double_value, &expected, sizeof(double)), 0) << where;
      }
      break;
    case pb::AnyValue::kBytesValue:
      ASSERT_EQ(v.type, ValueType::kBytes) << where;
      EXPECT_EQ(v.str, p.bytes_value()) << where;
      break;
    case pb::AnyValue::kArrayValue: {
      ASSERT_EQ(v.type, ValueType::kArray) << where;
      ASSERT_EQ(v.children.count, static_cast<uint32_t>(p.array_value().values_size())) << where;
      for (uint32_t i = 0; i < v.children.count; ++i) {
        ExpectValueMatches(b, b.array_values[v.children.begin + i], p.array_value().values(i),
                           where + "[" + std::to_string(i) + "]");
      }
      break;
    }
    case pb::AnyValue::kKvlistValue: {
      ASSERT_EQ(v.type, ValueType::kKvList) << where;
      ASSERT_EQ(v.children.count, static_cast<uint32_t>(p.kvlist_value().values_size())) << where;
      for (uint32_t i = 0; i < v.children.count; ++i) {
        const KeyValue& kv = b.kvlist_values[v.children.begin + i];
        EXPECT_EQ(kv.key, p.kvlist_value().values(i).key()) << where;
        ExpectValueMatches(b, kv.value, p.kvlist_value().values(i).value(),
                           where + "." + std::string(kv.key));
      }
      break;
    }
    case pb::AnyValue::VALUE_NOT_SET:
      EXPECT_EQ(v.type, ValueType::kEmpty) << where;
      break;
  }
}

template <typename List>
void ExpectAttributesMatch(const SpanBatch& b, Range r, const List& attrs,
                           const std::string& where) {
  ASSERT_EQ(r.count, static_cast<uint32_t>(attrs.size())) << where;
  for (uint32_t i = 0; i < r.count; ++i) {
    const KeyValue& kv = b.attributes[r.begin + i];
    EXPECT_EQ(kv.key, attrs[i].key()) << where;
    ExpectValueMatches(b, kv.value, attrs[i].value(), where + " attr " + attrs[i].key());
  }
}

}  // namespace

void ExpectBatchMatches(const SpanBatch& b, const pb::ExportTraceServiceRequest& req) {
  uint32_t row = 0;
  for (const pb::ResourceSpans& rs : req.resource_spans()) {
    for (const pb::ScopeSpans& ss : rs.scope_spans()) {
      for (const pb::Span& s : ss.spans()) {
        std::string where = "span " + std::to_string(row);
        ASSERT_LT(row, b.size()) << where;
        const Resource& res = b.resources[b.spans.resource_index[row]];
        ExpectAttributesMatch(b, res.attributes, rs.resource().attributes(), where + " resource");
        EXPECT_EQ(res.dropped_attributes_count, rs.resource().dropped_attributes_count());
        EXPECT_EQ(res.schema_url, rs.schema_url()) << where;
        const Scope& sc = b.scopes[b.spans.scope_index[row]];
        EXPECT_EQ(sc.name, ss.scope().name()) << where;
        EXPECT_EQ(sc.version, ss.scope().version()) << where;
        ExpectAttributesMatch(b, sc.attributes, ss.scope().attributes(), where + " scope");
        EXPECT_EQ(sc.dropped_attributes_count, ss.scope().dropped_attributes_count()) << where;
        EXPECT_EQ(sc.schema_url, ss.schema_url()) << where;

        EXPECT_EQ(b.spans.trace_id[row].AsBytes(), s.trace_id()) << where;
        EXPECT_EQ(b.spans.span_id[row].AsBytes(), s.span_id()) << where;
        if (s.parent_span_id().empty()) {
          EXPECT_FALSE(b.spans.parent_span_id[row].IsValid()) << where;
        } else {
          EXPECT_EQ(b.spans.parent_span_id[row].AsBytes(), s.parent_span_id()) << where;
        }
        EXPECT_EQ(b.spans.trace_state[row], s.trace_state()) << where;
        EXPECT_EQ(b.spans.name[row], s.name()) << where;
        EXPECT_EQ(static_cast<int>(b.spans.kind[row]), s.kind()) << where;
        EXPECT_EQ(b.spans.start_time_unix_nano[row], s.start_time_unix_nano()) << where;
        EXPECT_EQ(b.spans.end_time_unix_nano[row], s.end_time_unix_nano()) << where;
        ExpectAttributesMatch(b, b.spans.attributes[row], s.attributes(), where);
        EXPECT_EQ(b.spans.dropped_attributes_count[row], s.dropped_attributes_count()) << where;
        Range ev = b.spans.events[row];
        ASSERT_EQ(ev.count, static_cast<uint32_t>(s.events_size())) << where;
        for (uint32_t i = 0; i < ev.count; ++i) {
          const pb::Event& e = s.events(static_cast<int>(i));
          uint32_t e_row = ev.begin + i;
          EXPECT_EQ(b.events.time_unix_nano[e_row], e.time_unix_nano()) << where;
          EXPECT_EQ(b.events.name[e_row], e.name()) << where;
          ExpectAttributesMatch(b, b.events.attributes[e_row], e.attributes(), where + " event");
          EXPECT_EQ(b.events.dropped_attributes_count[e_row], e.dropped_attributes_count());
        }
        EXPECT_EQ(b.spans.dropped_events_count[row], s.dropped_events_count()) << where;
        Range lk = b.spans.links[row];
        ASSERT_EQ(lk.count, static_cast<uint32_t>(s.links_size())) << where;
        for (uint32_t i = 0; i < lk.count; ++i) {
          const pb::Link& l = s.links(static_cast<int>(i));
          uint32_t l_row = lk.begin + i;
          EXPECT_EQ(b.links.trace_id[l_row].AsBytes(), l.trace_id()) << where;
          EXPECT_EQ(b.links.span_id[l_row].AsBytes(), l.span_id()) << where;
          EXPECT_EQ(b.links.trace_state[l_row], l.trace_state()) << where;
          ExpectAttributesMatch(b, b.links.attributes[l_row], l.attributes(), where + " link");
          EXPECT_EQ(b.links.dropped_attributes_count[l_row], l.dropped_attributes_count());
          EXPECT_EQ(b.links.flags[l_row], l.flags()) << where;
        }
        EXPECT_EQ(b.spans.dropped_links_count[row], s.dropped_links_count()) << where;
        EXPECT_EQ(static_cast<int>(b.spans.status_code[row]), s.status().code()) << where;
        EXPECT_EQ(b.spans.status_message[row], s.status().message()) << where;
        EXPECT_EQ(b.spans.flags[row], s.flags()) << where;
        ++row;
      }
    }
  }
  EXPECT_EQ(row, b.size());
}

}  // namespace ariadne::otlp_test
