// Arguments that make `ariadne serve` bind every receiver to a free port, so integration tests
// can run in parallel with each other and with a server on the default ports. Tests that need a
// receiver's port pass an explicit one (PickFreePort) after these; the last flag wins.
#ifndef ARIADNE_TESTS_INTEGRATION_TEST_ARGS_H_
#define ARIADNE_TESTS_INTEGRATION_TEST_ARGS_H_

#include <string>
#include <vector>

namespace ariadne::testing {

inline std::vector<std::string> AnyPortArgs(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--otlp-grpc-port=0",      "--otlp-http-port=0",
                                   "--jaeger-compact-port=0", "--jaeger-binary-port=0",
                                   "--jaeger-http-port=0",    "--zipkin-port=0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_INTEGRATION_TEST_ARGS_H_
