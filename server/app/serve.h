// `ariadne serve`: builds every stage from the configuration, runs until SIGINT or SIGTERM,
// then stops intake, finishes in-flight requests, flushes and returns the exit code.
#ifndef ARIADNE_SERVER_APP_SERVE_H_
#define ARIADNE_SERVER_APP_SERVE_H_

#include "base/config.h"

namespace ariadne {

int RunServe(const Config& config);

}  // namespace ariadne

#endif  // ARIADNE_SERVER_APP_SERVE_H_
