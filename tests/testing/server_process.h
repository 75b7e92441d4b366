// ServerProcess: runs the real `ariadne` binary as a child process for integration tests.
//
// Start() forks and execs the binary with the given arguments (stdout and stderr go to a log
// file under the test's temp dir), then waits until GET /health on the query port answers.
// Kill(SIGKILL) simulates a crash; Stop() sends SIGTERM and waits for a clean exit.
//
// Sanitizer builds: the child inherits ASAN_/UBSAN_/TSAN_OPTIONS from the test preset, so a
// report makes the server exit, and Stop(), Kill() and the destructor also scan the new part of
// the log for a sanitizer report and fail the current gtest test (ADD_FAILURE) with it, so a
// finding in the server is never hidden behind a test that only checks its HTTP answers.
// Not thread-safe: one test thread drives one ServerProcess. Used by every integration test.
#ifndef ARIADNE_TESTS_TESTING_SERVER_PROCESS_H_
#define ARIADNE_TESTS_TESTING_SERVER_PROCESS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ariadne::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
uint16_t PickFreePort();

class ServerProcess {
 public:
  // binary: path of the ariadne binary (tests get it as ARIADNE_BINARY).
  explicit ServerProcess(std::string binary);
  ~ServerProcess();  // SIGKILLs a process still running

  // Runs `ariadne serve <args> --query-port <query_port()>`; false if /health does not answer
  // within timeout_ms or the process exits.
  bool Start(const std::vector<std::string>& args, int timeout_ms = 20'000);
  // SIGTERM and wait; returns the exit status (or -1 on timeout, after SIGKILL).
  int Stop(int timeout_ms = 20'000);
  // Sends sig and reaps the process.
  void Kill(int sig);
  bool running() const { return pid_ > 0; }
  uint16_t query_port() const { return query_port_; }
  pid_t pid() const { return pid_; }  // -1 when not running
  std::string log() const;            // what the process printed so far

 private:
  // Fails the current test if the log, from log_checked_ on, holds a sanitizer report.
  void CheckForSanitizerReport();

  std::string binary_;
  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t query_port_ = 0;
  size_t log_checked_ = 0;  // bytes of the log already scanned for sanitizer reports
};

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_TESTING_SERVER_PROCESS_H_
