// Query-string and value parsing for the query API: percent-decoding, repeated parameters, Go
// durations (as Jaeger's minDuration/maxDuration/lookback take them), RFC 3339 times (api/v3),
// trace ids in hex (short Jaeger ids left-padded) or base64.
//
// Pure functions; errors are InvalidArgument with a message naming the parameter's text.
// Tested by query_params_test.cc.
#ifndef ARIADNE_SERVER_API_QUERY_PARAMS_H_
#define ARIADNE_SERVER_API_QUERY_PARAMS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/ids.h"

namespace ariadne {

// Decodes %XX escapes and, when plus_is_space, '+' as a space. Invalid escapes stay as they are.
std::string UrlDecode(std::string_view s, bool plus_is_space = true);

class QueryParams {
 public:
  explicit QueryParams(std::string_view query);  // the part after '?', still encoded
  // The first value of name, or "" (Has tells absent from empty).
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::vector<std::string> GetAll(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// Go's time.ParseDuration: "1.5h", "300ms", "-2m", "1h2m3s", units ns, us, µs, ms, s, m, h;
// "0" alone is allowed. Also accepts "d" (days), which Jaeger UI's lookback sends.
[[nodiscard]] StatusOr<int64_t> ParseGoDuration(std::string_view s);

// RFC 3339 with optional fractional seconds and Z or +hh:mm offset, to Unix nanoseconds. Times
// whose nanoseconds do not fit int64 (before 1677-09-21T00:12:43.145224192Z or after
// 2262-04-11T23:47:16.854775807Z) are InvalidArgument.
[[nodiscard]] StatusOr<int64_t> ParseRfc3339Nanos(std::string_view s);

// A trace id as the API takes it: 1 to 32 hex digits (left-padded) or base64 of 16 bytes.
bool ParseApiTraceId(std::string_view s, TraceId* out);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_API_QUERY_PARAMS_H_
