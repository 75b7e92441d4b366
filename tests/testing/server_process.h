// ServerProcess: runs the real `ariadne` binary as a child process for integration tests.
//
// Start() forks and execs the binary with the given arguments (stdout and stderr go to a log
// file under the test's temp dir), then waits until GET /health on the query port answers.
// Kill(SIGKILL) simulates a crash; Stop() sends SIGTERM and waits for a clean exit.
#ifndef ARIADNE_TESTS_TESTING_SERVER_PROCESS_H_
#define ARIADNE_TESTS_TESTING_SERVER_PROCESS_H_

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
  std::string log() const;  // what the process printed so far

 private:
  std::string binary_;
  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t query_port_ = 0;
};

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_TESTING_SERVER_PROCESS_H_
