// libFuzzer target: Jaeger Thrift, compact protocol. Corpus: corpus/thrift_compact.
#include "wire/jaeger/jaeger_thrift_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ariadne::FuzzJaegerThrift(data, size, ariadne::ThriftProtocol::kCompact);
  return 0;
}
