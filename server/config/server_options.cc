#include "server/config/server_options.h"

namespace ariadne {

std::vector<OptionSpec> ServerOptionSpecs() {
  return {
      // General
      {"listen_host", OptionType::kString, "127.0.0.1",
       "Address every listener binds to (0.0.0.0 to accept from other machines)"},
      {"log_level", OptionType::kString, "info", "Log level", {"debug", "info", "warn", "error"}},
      {"log_format", OptionType::kString, "text", "Log format", {"text", "json"}},
      // Storage
      {"storage", OptionType::kString, "memory", "Where spans are stored", {"embedded", "memory"}},
      {"data_dir", OptionType::kString, "./ariadne-data",
       "Directory of the embedded store (WAL and blocks)"},
      // Query API and UI
      {"query_port", OptionType::kInt, "16686", "Port of the query API, UI, /health and /metrics"},
      {"http_threads", OptionType::kInt, "2", "Threads serving each HTTP listener"},
  };
}

}  // namespace ariadne
