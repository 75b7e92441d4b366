// IngestStats: the self-metrics of the ingest path, rendered in Prometheus text format.
//
//   ariadne_receiver_requests_total{receiver,protocol,code}        requests answered, by status
//   ariadne_receiver_spans_accepted_total{receiver,protocol}        spans the store acknowledged
//   ariadne_receiver_spans_refused_total{receiver,protocol,reason}  spans refused whole with a
//       retryable error (reason: inflight_limit, store_unavailable)
//   ariadne_receiver_spans_dropped_total{receiver,protocol,reason}  spans lost for good (reason:
//       malformed: rejected by the decoder alone or with its request)
//   ariadne_receiver_requests_refused_total{receiver,protocol,reason} requests refused (reason:
//       inflight_limit, queue_timeout, queue_full, rate_limit, too_large, malformed,
//       unsupported_media_type, store_unavailable, shutting_down)
//   ariadne_receiver_request_duration_seconds{receiver} histogram of request handling time
//
// Counting happens once per request (not per span), under one mutex, so the cost is small next
// to decoding. Thread-safety: every method is thread-safe. Tested by ingest_stats_test.cc.
#ifndef ARIADNE_SERVER_PIPELINE_INGEST_STATS_H_
#define ARIADNE_SERVER_PIPELINE_INGEST_STATS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace ariadne {

class IngestStats {
 public:
  void CountRequest(std::string_view receiver, std::string_view protocol, int code);
  void CountAccepted(std::string_view receiver, std::string_view protocol, uint64_t spans);
  void CountRefused(std::string_view receiver, std::string_view protocol, std::string_view reason,
                    uint64_t spans);
  void CountDropped(std::string_view receiver, std::string_view protocol, std::string_view reason,
                    uint64_t spans);
  void CountRequestRefused(std::string_view receiver, std::string_view protocol,
                           std::string_view reason);
  void ObserveLatency(std::string_view receiver, double seconds);

  // Appends every metric in Prometheus text exposition format (with # HELP and # TYPE).
  void AppendPrometheus(std::string* out) const;

  // For tests: the value of one counter ("accepted", "refused", "dropped", "requests_refused"),
  // summed over the other labels when reason is empty.
  uint64_t Get(std::string_view metric, std::string_view receiver,
               std::string_view reason = "") const;

  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // receiver, protocol, label
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  void Add(std::map<Key, uint64_t>* m, std::string_view receiver, std::string_view protocol,
           std::string_view label, uint64_t n);

  mutable std::mutex mu_;
  std::map<Key, uint64_t> requests_;  // label: status code
  std::map<Key, uint64_t> accepted_;  // label: ""
  std::map<Key, uint64_t> refused_;   // label: reason
  std::map<Key, uint64_t> dropped_;   // label: reason
  std::map<Key, uint64_t> requests_refused_;
  std::map<std::string, Histogram, std::less<>> latency_;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_PIPELINE_INGEST_STATS_H_
