// MetricValue: reads one sample out of the Prometheus text that GET /metrics returns, for tests
// that check a counter or gauge of the real server.
#ifndef ARIADNE_TESTS_TESTING_METRICS_TEXT_H_
#define ARIADNE_TESTS_TESTING_METRICS_TEXT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ariadne::testing {

// The value of the first sample of metric `name` whose labels include every one of `labels`
// (each as rendered, e.g. `listener="query"`), or -1 when there is none: a missing metric never
// reads as 0.
int64_t MetricValue(const std::string& text, const std::string& name,
                    const std::vector<std::string>& labels = {});

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_TESTING_METRICS_TEXT_H_
