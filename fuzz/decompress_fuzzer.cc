// libFuzzer target: the receivers' request decompression (server/pipeline/ingest.h Decompress:
// identity, gzip, deflate, zstd with a hard output cap) and the Content-Encoding header parser.
// Any input must give OK, InvalidArgument (not valid for the encoding) or OutOfRange (over the
// cap); an OK output never exceeds the cap, and identity returns the input unchanged.
//
// Input: byte 0 picks the encoding (low 2 bits) and the cap (next bits: 0 bytes to 256 KiB), the
// rest is the body. Corpus: corpus/decompress (gzip, deflate, zstd and plain seeds).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_checks.h"
#include "server/pipeline/ingest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;  // NOLINT
  if (size == 0) return 0;
  static constexpr ContentEncoding kEncodings[] = {
      ContentEncoding::kIdentity, ContentEncoding::kGzip, ContentEncoding::kDeflate,
      ContentEncoding::kZstd};
  const ContentEncoding encoding = kEncodings[data[0] & 3];
  const uint64_t cap = (data[0] >> 2) == 0 ? 0 : uint64_t{1} << ((data[0] >> 2) % 19);
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  ContentEncoding parsed;
  (void)ParseContentEncoding(body.substr(0, 64), &parsed);

  std::string out;
  Status s = Decompress(body, encoding, cap, &out);
  if (s.ok()) {
    FUZZ_CHECK(out.size() <= cap);
    if (encoding == ContentEncoding::kIdentity) FUZZ_CHECK(out == body);
  } else {
    FUZZ_CHECK(s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kOutOfRange);
  }
  return 0;
}
