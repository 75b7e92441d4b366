#include "tests/testing/run_command.h"

#include <cstdio>

#include <sys/wait.h>

namespace ariadne::testing {

std::string RunCommand(const std::string& command, int* exit_code) {
  *exit_code = -1;
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  int status = ::pclose(p);
  if (status != -1 && WIFEXITED(status)) *exit_code = WEXITSTATUS(status);
  return out;
}

}  // namespace ariadne::testing
