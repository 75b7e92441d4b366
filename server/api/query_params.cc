#include "server/api/query_params.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace ariadne {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

QueryParams::QueryParams(std::string_view query) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key = UrlDecode(part.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : UrlDecode(part.substr(eq + 1));
    params_.emplace_back(std::move(key), std::move(value));
  }
}

std::string QueryParams::Get(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return v;
  }
  return "";
}

bool QueryParams::Has(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return true;
  }
  return false;
}

std::vector<std::string> QueryParams::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : params_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

StatusOr<int64_t> ParseGoDuration(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("time: invalid duration \"" + std::string(text) + "\"");
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return bad();
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == 0) return bad();
    double value = 0;
    std::string number(s.substr(0, i));
    if (number == "." || std::count(number.begin(), number.end(), '.') > 1) return bad();
    value = std::strtod(number.c_str(), nullptr);
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) ++u;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    double scale;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else if (unit == "d") {
      scale = 86400e9;
    } else {
      return bad();
    }
    total += value * scale;
  }
  if (total > 9.2e18) return bad();
  auto ns = static_cast<int64_t>(std::llround(total));
  return negative ? -ns : ns;
}

StatusOr<int64_t> ParseRfc3339Nanos(std::string_view s) {
  auto bad = [&] {
    return Status::InvalidArgument("cannot parse \"" + std::string(s) +
                                   "\" as RFC 3339 time (2006-01-02T15:04:05.999999999Z07:00)");
  };
  auto num = [&](size_t pos, size_t len, int* out) {
    if (pos + len > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int year, mon, day, hour, min, sec;
  if (s.size() < 20 || !num(0, 4, &year) || s[4] != '-' || !num(5, 2, &mon) || s[7] != '-' ||
      !num(8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, &hour) ||
      s[13] != ':' || !num(14, 2, &min) || s[16] != ':' || !num(17, 2, &sec)) {
    return bad();
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return bad();
  }
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        frac = frac * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad();
    while (digits < 9) {
      frac *= 10;
      ++digits;
    }
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!num(pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !num(pos + 4, 2, &om)) {
      return bad();
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  // Unix nanoseconds in int64 span 1677-09-21 to 2262-04-11; a time outside that is refused
  // rather than wrapped (fuzz/findings/query_params_rfc3339_year_1011_overflow.txt).
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_s;
  if (secs < 0 && frac > 0) {  // borrow a second so that the earliest instant itself fits
    secs += 1;
    frac -= 1'000'000'000;
  }
  int64_t ns = 0;
  if (__builtin_mul_overflow(secs, int64_t{1'000'000'000}, &ns) ||
      __builtin_add_overflow(ns, frac, &ns)) {
    return Status::InvalidArgument("time \"" + std::string(s) +
                                   "\" is out of range: supported times are 1677-09-21 to "
                                   "2262-04-11 UTC");
  }
  return ns;
}

bool ParseApiTraceId(std::string_view s, TraceId* out) {
  if (s.empty()) return false;
  if (s.size() <= 32 && TraceId::FromHex(s, out, /*allow_short=*/true)) return out->IsValid();
  if (TraceId::FromBase64(s, out)) return out->IsValid();
  return false;
}

}  // namespace ariadne
