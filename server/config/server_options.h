// The one table of every `ariadne serve` option: key, type, default and help text.
// Add an option here and it becomes a flag, an ARIADNE_* variable and a YAML key at once
// (see base/config.h). docs/configuration.md is generated from the same table by
// `ariadne config --help`.
#ifndef ARIADNE_SERVER_CONFIG_SERVER_OPTIONS_H_
#define ARIADNE_SERVER_CONFIG_SERVER_OPTIONS_H_

#include <vector>

#include "base/config.h"

namespace ariadne {

std::vector<OptionSpec> ServerOptionSpecs();

}  // namespace ariadne

#endif  // ARIADNE_SERVER_CONFIG_SERVER_OPTIONS_H_
