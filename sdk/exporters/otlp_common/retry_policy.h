// RetrySchedule: the retry policy the OTLP exporters share (HTTP and gRPC; OTLP spec "Retrying").
//
// The exporters own the attempt (and which failures are retryable); after each retryable failure
// they ask Next() whether to try again and how long to wait first. Waits are exponential backoff
// (initial_backoff, times backoff_multiplier after each retry, at most max_backoff) with jitter in
// [0.5, 1.5) of the backoff. A delay the server asked for (HTTP Retry-After, gRPC RetryInfo)
// replaces the jittered wait. No retry when the attempts are used up or when the wait would end
// at or after the export deadline — a server asking for more time than the export has left gets
// a failure now, not a sleep until the deadline. All arithmetic saturates: a huge server delay, a
// huge max_backoff or a Deadline::max() cannot overflow. Options are sanitised (attempts >= 1,
// multiplier >= 1, negative durations are 0).
// Pure (no clock reads, no randomness of its own: the caller passes both). Not thread-safe: one
// schedule per Export call. Tested by retry_policy_test.cc.
#ifndef ARIADNE_SDK_EXPORTERS_OTLP_COMMON_RETRY_POLICY_H_
#define ARIADNE_SDK_EXPORTERS_OTLP_COMMON_RETRY_POLICY_H_

#include <chrono>
#include <cstdint>
#include <optional>

#include "ariadne/sdk/exporter.h"

namespace ariadne::exporters {

struct RetryOptions {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{5000};
  double backoff_multiplier = 1.5;
};

class RetrySchedule {
 public:
  struct Step {
    bool retry = false;
    std::chrono::milliseconds wait{0};  // before the next attempt, when retry
    const char* why_not = "";           // when !retry: for the exporter's log line
  };

  RetrySchedule(const RetryOptions& options, sdk::Deadline deadline) noexcept;

  int max_attempts() const noexcept { return options_.max_attempts; }

  // After a retryable failure of the attempt number `attempts_made` (1 for the first).
  // server_delay: what the server asked for, if anything. random: a uniform 64-bit value (the
  // jitter). now: the steady clock.
  Step Next(int attempts_made, std::optional<std::chrono::milliseconds> server_delay,
            uint64_t random, sdk::Deadline now) noexcept;

 private:
  RetryOptions options_;
  sdk::Deadline deadline_;
  double backoff_ms_;  // the next un-jittered backoff
};

}  // namespace ariadne::exporters

#endif  // ARIADNE_SDK_EXPORTERS_OTLP_COMMON_RETRY_POLICY_H_
