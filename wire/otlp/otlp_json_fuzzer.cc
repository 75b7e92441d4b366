// libFuzzer target: arbitrary bytes into the OTLP/JSON decoder. Any input must either decode or
// return an error; a decoded batch must re-encode and decode again to the same batch.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wire/otlp/otlp_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;  // NOLINT
  DecodeLimits limits;
  DecodeResult result;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!DecodeOtlpJson(in, limits, &result).ok()) return 0;
  std::string encoded;
  EncodeOtlpJson(result.batch, &encoded);
  DecodeResult again;
  if (!DecodeOtlpJson(encoded, limits, &again).ok()) std::abort();
  if (again.batch.size() != result.batch.size() || again.rejected_spans != 0) std::abort();
  if (DebugString(again.batch) != DebugString(result.batch)) std::abort();
  return 0;
}
