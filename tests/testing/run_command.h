// RunCommand: runs a shell command to completion and returns what it printed (stdout and
// stderr together) and its exit code, for tests of the binary's start-up errors.
#ifndef ARIADNE_TESTS_TESTING_RUN_COMMAND_H_
#define ARIADNE_TESTS_TESTING_RUN_COMMAND_H_

#include <string>

namespace ariadne::testing {

// *exit_code is the command's exit status, or -1 when it could not be run or was killed by a
// signal. Wrap a command that might not end in `timeout N`.
std::string RunCommand(const std::string& command, int* exit_code);

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_TESTING_RUN_COMMAND_H_
