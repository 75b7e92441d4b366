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
      // Embedded storage
      {"fsync",
       OptionType::kString,
       "always",
       "When the embedded store acknowledges a write: after fdatasync (always, group commit), "
       "after the write with a sync every fsync_interval (interval), or never syncing (never)",
       {"always", "interval", "never"}},
      {"fsync_interval", OptionType::kDuration, "1s", "Sync period of --fsync interval"},
      {"retention_hot", OptionType::kDuration, "72h", "How long the embedded store keeps spans"},
      {"retention_archive", OptionType::kDuration, "30d",
       "How long archived traces (POST /api/archive/{traceID}) are kept"},
      {"archive_dir", OptionType::kString, "",
       "Directory of archived traces (empty: <data_dir>/archive)"},
      {"wal_segment_size", OptionType::kBytes, "64MiB", "WAL segment size before rotation"},
      {"block_max_spans", OptionType::kInt, "1000000", "Spans in the head before a block is cut"},
      {"block_max_size", OptionType::kBytes, "256MiB", "Head memory before a block is cut"},
      {"block_max_age", OptionType::kDuration, "15m", "Age of the head before a block is cut"},
      {"block_zstd_level", OptionType::kInt, "3", "zstd level of hot blocks"},
      {"archive_zstd_level", OptionType::kInt, "19", "zstd level of archive blocks"},
      // Query API and UI
      {"query_port", OptionType::kInt, "16686", "Port of the query API, UI, /health and /metrics"},
      {"http_threads", OptionType::kInt, "2", "Threads serving each HTTP listener"},
  };
}

}  // namespace ariadne
