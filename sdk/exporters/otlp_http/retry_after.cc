// Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date, the latter in any of the
// three forms section 5.6.7 makes recipients accept (IMF-fixdate, RFC 850, asctime). Parsed by
// hand: strptime is locale-dependent and timegm/from_time_t overflow on far dates.
#include <array>
#include <cctype>
#include <cstdint>

#include "ariadne/exporters/otlp_http_exporter.h"

namespace ariadne::exporters {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

// A cursor over the header value; every Take* consumes on success only.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return s_.empty(); }
  bool Take(std::string_view lit) {
    if (s_.substr(0, lit.size()) != lit) return false;
    s_.remove_prefix(lit.size());
    return true;
  }
  // Exactly n digits.
  bool TakeDigits(size_t n, int* out) {
    if (s_.size() < n) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s_[i]))) return false;
      v = v * 10 + (s_[i] - '0');
    }
    s_.remove_prefix(n);
    *out = v;
    return true;
  }
  template <size_t N>
  bool TakeOneOf(const std::array<std::string_view, N>& names, int* index) {
    for (size_t i = 0; i < N; ++i) {
      if (Take(names[i])) {
        *index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }

 private:
  std::string_view s_;
};

bool TakeTime(Cursor& c, int* h, int* m, int* s) {
  return c.TakeDigits(2, h) && c.Take(":") && c.TakeDigits(2, m) && c.Take(":") &&
         c.TakeDigits(2, s) && *h <= 23 && *m <= 59 && *s <= 60;  // 60: a leap second
}

std::optional<std::chrono::system_clock::time_point> ParseHttpDate(
    std::string_view v, std::chrono::system_clock::time_point now) {
  int day_name = 0, day = 0, month = 0, year = 0, h = 0, m = 0, s = 0;
  Cursor c(v);
  bool ok = false;
  if (c.TakeOneOf(kLongDays, &day_name)) {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT".
    ok = c.Take(", ") && c.TakeDigits(2, &day) && c.Take("-") && c.TakeOneOf(kMonths, &month) &&
         c.Take("-") && c.TakeDigits(2, &year) && c.Take(" ") && TakeTime(c, &h, &m, &s) &&
         c.Take(" GMT") && c.done();
    if (ok) {
      // A two-digit year more than 50 years in the future is the latest past year with those
      // digits (RFC 9110 section 5.6.7).
      int this_year = static_cast<int>(
          std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
      year += this_year - this_year % 100;
      if (year > this_year + 50) year -= 100;
    }
  } else if (c.TakeOneOf(kDays, &day_name)) {
    if (c.Take(", ")) {
      // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
      ok = c.TakeDigits(2, &day) && c.Take(" ") && c.TakeOneOf(kMonths, &month) && c.Take(" ") &&
           c.TakeDigits(4, &year) && c.Take(" ") && TakeTime(c, &h, &m, &s) && c.Take(" GMT") &&
           c.done();
    } else if (c.Take(" ")) {
      // asctime: "Sun Nov  6 08:49:37 1994".
      ok = c.TakeOneOf(kMonths, &month) && c.Take(" ") &&
           (c.Take(" ") ? c.TakeDigits(1, &day) : c.TakeDigits(2, &day)) && c.Take(" ") &&
           TakeTime(c, &h, &m, &s) && c.Take(" ") && c.TakeDigits(4, &year) && c.done();
    }
  }
  if (!ok) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(year),
                                  std::chrono::month(static_cast<unsigned>(month + 1)),
                                  std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  // Years 0000-9999 in seconds are far inside system_clock's range (about +-292 years in
  // nanoseconds would not be, so compute in seconds and compare before converting).
  std::chrono::sys_seconds when = std::chrono::sys_days(ymd) + std::chrono::hours(h) +
                                  std::chrono::minutes(m) + std::chrono::seconds(s);
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(std::chrono::sys_seconds(
      std::clamp(when, std::chrono::time_point_cast<std::chrono::seconds>(now),
                 std::chrono::time_point_cast<std::chrono::seconds>(now) +
                     std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryAfter) +
                     std::chrono::seconds(1))));
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view v, std::chrono::system_clock::time_point now) {
  if (v.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(v.front()))) {
    // delay-seconds: 1*DIGIT, any length; saturates at the cap.
    int64_t seconds = 0;
    constexpr int64_t kCapSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryAfter).count();
    for (char c : v) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      seconds = std::min<int64_t>(kCapSeconds, seconds * 10 + (c - '0'));
    }
    return std::chrono::milliseconds(std::chrono::seconds(seconds));
  }
  std::optional<std::chrono::system_clock::time_point> when = ParseHttpDate(v, now);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::milliseconds(0);
  return std::min(kMaxRetryAfter,
                  std::chrono::duration_cast<std::chrono::milliseconds>(*when - now));
}

}  // namespace ariadne::exporters
