// Jaeger Thrift decoding: the collector's HTTP body (a jaeger.Batch struct) and the agent's UDP
// Agent.emitBatch message, in Thrift's binary or compact protocol, into a SpanBatch.
//
// The bytes are untrusted. The reader (thrift_reader.h) checks every declared length and element
// count against the bytes that remain before it allocates anything, skips unknown fields of every
// type up to a fixed nesting depth, and never throws. A request whose framing is broken is refused
// whole (InvalidArgument); a span that is malformed on its own (zero span id, say) is rejected
// alone through DecodeResult::Reject and its neighbours are kept. The mapping from Jaeger to the
// model is the table in docs/formats/jaeger.md.
//
// Ownership: the body is copied once into the batch (SpanBatch::AdoptBuffer) and every string the
// batch keeps is a view into that copy, so `body` may be freed after the call. A failed decode
// removes the spans it added, leaving earlier spans of out->batch alone. Thread-safety: pure
// functions. Tested by jaeger_thrift_test.cc (goldens captured from jaeger-client 3.19.0,
// adversarial inputs) and jaeger_thrift_diff_test.cc (randomized batches serialized by Apache
// Thrift's generated code).
#ifndef ARIADNE_WIRE_JAEGER_JAEGER_THRIFT_H_
#define ARIADNE_WIRE_JAEGER_JAEGER_THRIFT_H_

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "wire/common/decode.h"

namespace ariadne {

enum class ThriftProtocol : uint8_t { kBinary, kCompact };

// Decodes a jaeger.Batch struct (POST /api/traces on the collector, application/x-thrift uses
// the binary protocol). Appends to out->batch.
[[nodiscard]] Status DecodeJaegerBatch(std::string_view body, ThriftProtocol protocol,
                                       const DecodeLimits& limits, DecodeResult* out);

// Decodes one UDP datagram carrying the Agent.emitBatch oneway call (port 6831: compact,
// 6832: binary): the message header, then the args struct whose field 1 is the Batch.
[[nodiscard]] Status DecodeJaegerAgentEmitBatch(std::string_view datagram, ThriftProtocol protocol,
                                                const DecodeLimits& limits, DecodeResult* out);

}  // namespace ariadne

#endif  // ARIADNE_WIRE_JAEGER_JAEGER_THRIFT_H_
