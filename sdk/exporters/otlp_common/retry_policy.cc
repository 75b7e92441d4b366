#include "sdk/exporters/otlp_common/retry_policy.h"

#include <algorithm>
#include <cmath>

#include "ariadne/sdk/deadline.h"

namespace ariadne::exporters {

RetrySchedule::RetrySchedule(const RetryOptions& options, sdk::Deadline deadline) noexcept
    : options_(options), deadline_(deadline) {
  options_.max_attempts = std::max(1, options_.max_attempts);
  options_.initial_backoff = std::max(options_.initial_backoff, std::chrono::milliseconds(0));
  options_.max_backoff = std::max(options_.max_backoff, std::chrono::milliseconds(0));
  if (!(options_.backoff_multiplier >= 1.0)) options_.backoff_multiplier = 1.0;  // and NaN
  backoff_ms_ =
      static_cast<double>(std::min(options_.initial_backoff, options_.max_backoff).count());
}

RetrySchedule::Step RetrySchedule::Next(int attempts_made,
                                        std::optional<std::chrono::milliseconds> server_delay,
                                        uint64_t random, sdk::Deadline now) noexcept {
  Step step;
  if (attempts_made >= options_.max_attempts) {
    step.why_not = "retries exhausted";
    return step;
  }
  // Jitter in [0.5, 1.5) of the backoff; computed in double and bounded before the conversion,
  // which would be undefined for an out-of-range value.
  double max_ms = static_cast<double>(options_.max_backoff.count());
  double jittered = backoff_ms_ * (0.5 + static_cast<double>(random % 1000) / 1000.0);
  constexpr double kLargestWaitMs = 4e18;  // < INT64_MAX: the cast below stays defined
  step.wait = std::chrono::milliseconds(static_cast<int64_t>(std::min(jittered, kLargestWaitMs)));
  backoff_ms_ = std::min(max_ms, backoff_ms_ * options_.backoff_multiplier);
  if (server_delay) step.wait = std::max(*server_delay, std::chrono::milliseconds(0));
  // Compare with the time left rather than computing now + wait, which could overflow.
  if (deadline_ <= now || step.wait >= sdk::TimeLeft(deadline_, now)) {
    step.why_not = server_delay ? "the server's retry delay passes the export deadline"
                                : "retry would pass the export deadline";
    step.wait = std::chrono::milliseconds(0);
    return step;
  }
  step.retry = true;
  return step;
}

}  // namespace ariadne::exporters
