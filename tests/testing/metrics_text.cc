#include "tests/testing/metrics_text.h"

#include <cstdlib>

namespace ariadne::testing {

int64_t MetricValue(const std::string& text, const std::string& name,
                    const std::vector<std::string>& labels) {
  size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string::npos) {
    const bool line_start = pos == 0 || text[pos - 1] == '\n';
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol;
    // Not a comment, and not a longer name that starts with this one.
    if (!line_start || line.size() <= name.size()) continue;
    if (line[name.size()] != ' ' && line[name.size()] != '{') continue;
    bool all = true;
    for (const std::string& l : labels) all = all && line.find(l) != std::string::npos;
    if (all) return std::strtoll(line.c_str() + line.rfind(' ') + 1, nullptr, 10);
  }
  return -1;
}

}  // namespace ariadne::testing
