// libFuzzer target: Jaeger Thrift, binary protocol. Corpus: corpus/thrift_binary.
#include "wire/jaeger/jaeger_thrift_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ariadne::FuzzJaegerThrift(data, size, ariadne::ThriftProtocol::kBinary);
  return 0;
}
