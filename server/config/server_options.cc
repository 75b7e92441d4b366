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
      {"storage",
       OptionType::kString,
       "embedded",
       "Where spans are stored",
       {"embedded", "memory"}},
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
      {"block_zstd_level", OptionType::kInt, "4", "zstd level of hot blocks (1-22)"},
      {"compaction_zstd_level", OptionType::kInt, "9",
       "zstd level of blocks written by compaction (1-22)"},
      {"archive_zstd_level", OptionType::kInt, "19", "zstd level of archive blocks (1-22)"},
      {"block_page_spans", OptionType::kInt, "1024",
       "Spans per block page, the unit a trace lookup decompresses (1-65536; a trace is never "
       "split, so a larger trace gets a page of its own)"},
      // Receivers (a port of 0 binds any free port; the log says which)
      {"otlp_grpc_enabled", OptionType::kBool, "true", "Receive OTLP over gRPC"},
      {"otlp_grpc_port", OptionType::kInt, "4317", "Port of the OTLP/gRPC receiver"},
      {"otlp_http_enabled", OptionType::kBool, "true", "Receive OTLP over HTTP (POST /v1/traces)"},
      {"otlp_http_port", OptionType::kInt, "4318", "Port of the OTLP/HTTP receiver"},
      {"cors_allowed_origins", OptionType::kString, "",
       "Comma-separated origins allowed to POST /v1/traces from browsers (* for any; empty: no "
       "CORS)"},
      {"jaeger_compact_enabled", OptionType::kBool, "true",
       "Receive Jaeger Thrift compact emitBatch datagrams over UDP"},
      {"jaeger_compact_port", OptionType::kInt, "6831", "UDP port of Jaeger Thrift compact"},
      {"jaeger_binary_enabled", OptionType::kBool, "true",
       "Receive Jaeger Thrift binary emitBatch datagrams over UDP"},
      {"jaeger_binary_port", OptionType::kInt, "6832", "UDP port of Jaeger Thrift binary"},
      {"jaeger_http_enabled", OptionType::kBool, "true",
       "Receive Jaeger Thrift over HTTP (POST /api/traces)"},
      {"jaeger_http_port", OptionType::kInt, "14268", "Port of the Jaeger HTTP receiver"},
      {"zipkin_enabled", OptionType::kBool, "true", "Receive Zipkin v2 JSON (POST /api/v2/spans)"},
      {"zipkin_port", OptionType::kInt, "9411", "Port of the Zipkin receiver"},
      {"grpc_max_concurrent_streams", OptionType::kInt, "100",
       "Calls one OTLP/gRPC connection may have in progress at once (HTTP/2 streams; at least 1)"},
      {"grpc_max_connection_idle", OptionType::kDuration, "5m",
       "An OTLP/gRPC connection without calls for this long is closed (0: never)"},
      {"grpc_max_connection_age", OptionType::kDuration, "30m",
       "An OTLP/gRPC connection older than this is asked to reconnect (GOAWAY) and closed 60s "
       "later (0: never)"},
      // Admission and limits
      {"max_request_bytes", OptionType::kBytes, "64MiB",
       "Largest request body, checked before and after decompression (413 beyond)"},
      {"max_inflight_bytes", OptionType::kBytes, "256MiB",
       "Memory for requests being received, decoded and stored; beyond it requests are refused "
       "with 429 / RESOURCE_EXHAUSTED and a retry hint"},
      {"max_concurrent_ingests", OptionType::kInt, "0",
       "Requests decoded and stored at once over all receivers (0: max(4, CPU threads)); more "
       "wait in a queue"},
      {"max_queue_wait", OptionType::kDuration, "100ms",
       "How long a request may wait for an ingest slot; beyond it is refused with 429 / "
       "RESOURCE_EXHAUSTED and a retry hint (0: refuse at once when every slot is busy)"},
      {"max_queued_requests", OptionType::kInt, "4096",
       "Requests waiting for an ingest slot; beyond it requests are refused at once with 429 / "
       "RESOURCE_EXHAUSTED"},
      {"max_spans_per_second", OptionType::kDouble, "0",
       "Spans per second accepted over all receivers (0: no limit); beyond it requests are "
       "refused with 429 / RESOURCE_EXHAUSTED and a retry hint"},
      {"max_span_attributes", OptionType::kInt, "128",
       "Attributes kept per span, event, link or resource (the rest are dropped and counted)"},
      {"max_attribute_value_bytes", OptionType::kBytes, "16KiB",
       "String and bytes attribute values are truncated to this length"},
      {"max_name_bytes", OptionType::kBytes, "1KiB",
       "Span, event and scope names, scope versions and attribute keys are truncated to this "
       "length"},
      {"max_span_events", OptionType::kInt, "128", "Events kept per span"},
      {"max_span_links", OptionType::kInt, "128", "Links kept per span"},
      // Memory storage
      {"memory_max_spans", OptionType::kInt, "1000000",
       "Spans the memory store keeps; the oldest traces are evicted first"},
      {"memory_max_bytes", OptionType::kBytes, "256MiB",
       "Bytes the memory store keeps; the oldest traces are evicted first"},
      // Query
      {"query_lookback", OptionType::kDuration, "48h",
       "Search window of /api/traces when the request gives no start"},
      {"query_max_limit", OptionType::kInt, "10000", "Largest number of traces one search returns"},
      {"max_spans_per_trace", OptionType::kInt, "100000",
       "Spans per trace: the memory store keeps at most this many (later ones are dropped and "
       "counted), and the query API returns at most this many (the earliest, with a warning on "
       "the Jaeger API); 0: no limit, negative values are refused"},
      {"shutdown_timeout", OptionType::kDuration, "10s",
       "How long SIGTERM waits for in-flight requests before closing"},
      // Query API and UI
      {"query_port", OptionType::kInt, "16686", "Port of the query API, UI, /health and /metrics"},
      {"query_max_request_bytes", OptionType::kBytes, "64KiB",
       "Largest request body on the query port (413 beyond, before it is read)"},
      {"http_threads", OptionType::kInt, "2", "Threads serving each HTTP listener (at least 1)"},
      {"http_max_connections", OptionType::kInt, "1024",
       "Open connections per HTTP listener (at least 1); at the cap a new one replaces the oldest "
       "idle keep-alive connection, or is answered 503 and closed when none is idle; lowered at "
       "startup to fit the file descriptor limit"},
      {"http_header_timeout", OptionType::kDuration, "10s",
       "A new HTTP connection must send its first request's headers within this (at least 1ms)"},
      {"http_idle_timeout", OptionType::kDuration, "60s",
       "An HTTP keep-alive connection waiting longer for its next request, or a request body or "
       "answer taking longer to transfer, is closed (at least 1ms)"},
  };
}

}  // namespace ariadne
