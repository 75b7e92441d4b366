// WaitFor: polls a condition until it holds or a timeout passes, for tests that wait on another
// thread or process (a counter reaching a value, a log line appearing). Timeouts are generous
// on purpose: only the failing case waits for them, and loaded CI machines and sanitizer builds
// are slow.
#ifndef ARIADNE_TESTS_TESTING_WAIT_FOR_H_
#define ARIADNE_TESTS_TESTING_WAIT_FOR_H_

#include <chrono>
#include <thread>

namespace ariadne::testing {

// Returns pred() once it holds or once timeout_ms has passed.
template <typename Pred>
bool WaitFor(Pred pred, int timeout_ms = 10'000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_TESTING_WAIT_FOR_H_
