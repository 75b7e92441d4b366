#include "sdk/exporters/otlp_common/grpc_retry_info.h"

#include <algorithm>
#include <cstdint>

#include "wire/otlp/proto_wire.h"

namespace ariadne::exporters {
namespace {

using proto_wire::Cursor;

constexpr std::string_view kRetryInfoType = "google.rpc.RetryInfo";

// Skips a field value of wire type wt; false on truncation or a group.
bool SkipValue(Cursor& c, uint32_t wt) {
  uint64_t u64;
  uint32_t u32;
  std::string_view bytes;
  switch (wt) {
    case proto_wire::kVarint:
      return proto_wire::ReadVarint(c, &u64);
    case proto_wire::kI64:
      return proto_wire::ReadFixed64(c, &u64);
    case proto_wire::kLen:
      return proto_wire::ReadLen(c, &bytes);
    case proto_wire::kI32:
      return proto_wire::ReadFixed32(c, &u32);
    default:
      return false;
  }
}

// Walks the fields of one message: read(cursor, field, wire type, &handled) may consume the value
// (and set handled); the values it leaves are skipped. False if read() or a skip fails.
template <typename Read>
bool ForEachField(std::string_view message, Read read) {
  Cursor c(message);
  while (c.left() > 0) {
    uint32_t field, wt;
    if (!proto_wire::ReadTag(c, &field, &wt)) return false;
    bool handled = false;
    if (!read(c, field, wt, &handled)) return false;
    if (!handled && !SkipValue(c, wt)) return false;
  }
  return true;
}

bool ReadLenIf(Cursor& c, uint32_t wt, std::string_view* out, bool* handled) {
  if (wt != proto_wire::kLen) return true;  // wrong type: skipped like an unknown field
  *handled = true;
  return proto_wire::ReadLen(c, out);
}

bool ReadVarintIf(Cursor& c, uint32_t wt, uint64_t* out, bool* handled) {
  if (wt != proto_wire::kVarint) return true;
  *handled = true;
  return proto_wire::ReadVarint(c, out);
}

std::optional<std::chrono::milliseconds> DecodeDuration(std::string_view bytes) {
  uint64_t seconds_raw = 0, nanos_raw = 0;
  bool ok = ForEachField(bytes, [&](Cursor& c, uint32_t field, uint32_t wt, bool* handled) {
    if (field == 1) return ReadVarintIf(c, wt, &seconds_raw, handled);
    if (field == 2) return ReadVarintIf(c, wt, &nanos_raw, handled);
    return true;
  });
  if (!ok) return std::nullopt;
  // int64 and int32 are two's complement varints (negative int32 is sign-extended to 64 bits).
  auto seconds = static_cast<int64_t>(seconds_raw);
  auto nanos = static_cast<int64_t>(static_cast<int32_t>(nanos_raw));
  if (seconds < 0 || (seconds == 0 && nanos <= 0)) return std::chrono::milliseconds(0);
  constexpr int64_t kCapSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryInfoDelay).count();
  if (seconds >= kCapSeconds) return kMaxRetryInfoDelay;
  nanos = std::clamp<int64_t>(nanos, 0, 999'999'999);
  int64_t ms = seconds * 1000 + (nanos + 999'999) / 1'000'000;
  return std::min(kMaxRetryInfoDelay, std::chrono::milliseconds(ms));
}

// The delay in one Any detail if it is a RetryInfo; *is_retry_info says whether it was.
bool DecodeAny(std::string_view any, bool* is_retry_info, std::chrono::milliseconds* delay) {
  std::string_view type_url, value;
  bool ok = ForEachField(any, [&](Cursor& c, uint32_t field, uint32_t wt, bool* handled) {
    if (field == 1) return ReadLenIf(c, wt, &type_url, handled);
    if (field == 2) return ReadLenIf(c, wt, &value, handled);
    return true;
  });
  if (!ok) return false;
  size_t slash = type_url.rfind('/');
  std::string_view type = slash == std::string_view::npos ? type_url : type_url.substr(slash + 1);
  *is_retry_info = type == kRetryInfoType;
  if (!*is_retry_info) return true;
  std::string_view duration;  // absent: a delay of 0
  ok = ForEachField(value, [&](Cursor& c, uint32_t field, uint32_t wt, bool* handled) {
    if (field == 1) return ReadLenIf(c, wt, &duration, handled);
    return true;
  });
  if (!ok) return false;
  std::optional<std::chrono::milliseconds> d = DecodeDuration(duration);
  if (!d) return false;
  *delay = *d;
  return true;
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseGrpcRetryInfo(std::string_view status_details) {
  std::optional<std::chrono::milliseconds> found;
  bool ok =
      ForEachField(status_details, [&](Cursor& c, uint32_t field, uint32_t wt, bool* handled) {
        if (field != 3) return true;
        std::string_view any;
        if (!ReadLenIf(c, wt, &any, handled)) return false;
        if (!*handled) return true;
        bool is_retry_info = false;
        std::chrono::milliseconds delay{0};
        if (!DecodeAny(any, &is_retry_info, &delay)) return false;
        if (is_retry_info && !found) found = delay;
        return true;
      });
  if (!ok) return std::nullopt;
  return found;
}

}  // namespace ariadne::exporters
