// SpanLimits: the OpenTelemetry span and attribute limits (defaults from the spec; 0 length
// means unlimited). FromEnvironment lives in env_config.h. Values. Tested by tracer_test.cc.
#ifndef ARIADNE_SDK_SPAN_LIMITS_H_
#define ARIADNE_SDK_SPAN_LIMITS_H_

#include <cstdint>

namespace ariadne::sdk {

struct SpanLimits {
  uint32_t attribute_count = 128;  // OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT / OTEL_ATTRIBUTE_COUNT_LIMIT
  uint32_t attribute_value_length = 0;   // OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT / ..., 0 = none
  uint32_t event_count = 128;            // OTEL_SPAN_EVENT_COUNT_LIMIT
  uint32_t link_count = 128;             // OTEL_SPAN_LINK_COUNT_LIMIT
  uint32_t event_attribute_count = 128;  // OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT
  uint32_t link_attribute_count = 128;   // OTEL_LINK_ATTRIBUTE_COUNT_LIMIT
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_SPAN_LIMITS_H_
