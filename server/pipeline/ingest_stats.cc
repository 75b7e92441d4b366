#include "server/pipeline/ingest_stats.h"

#include <cstdio>

namespace ariadne {

void IngestStats::Add(std::map<Key, uint64_t>* m, std::string_view receiver,
                      std::string_view protocol, std::string_view label, uint64_t n) {
  std::lock_guard lock(mu_);
  (*m)[Key(std::string(receiver), std::string(protocol), std::string(label))] += n;
}

void IngestStats::CountRequest(std::string_view receiver, std::string_view protocol, int code) {
  Add(&requests_, receiver, protocol, std::to_string(code), 1);
}
void IngestStats::CountAccepted(std::string_view receiver, std::string_view protocol,
                                uint64_t spans) {
  Add(&accepted_, receiver, protocol, "", spans);
}
void IngestStats::CountRefused(std::string_view receiver, std::string_view protocol,
                               std::string_view reason, uint64_t spans) {
  Add(&refused_, receiver, protocol, reason, spans);
}
void IngestStats::CountDropped(std::string_view receiver, std::string_view protocol,
                               std::string_view reason, uint64_t spans) {
  Add(&dropped_, receiver, protocol, reason, spans);
}
void IngestStats::CountRequestRefused(std::string_view receiver, std::string_view protocol,
                                      std::string_view reason) {
  Add(&requests_refused_, receiver, protocol, reason, 1);
}

void IngestStats::ObserveLatency(std::string_view receiver, double seconds) {
  std::lock_guard lock(mu_);
  auto it = latency_.find(receiver);
  if (it == latency_.end()) it = latency_.emplace(std::string(receiver), Histogram{}).first;
  Histogram& h = it->second;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

namespace {

void AppendCounter(const char* name, const char* help, const char* label_name,
                   const std::map<std::tuple<std::string, std::string, std::string>, uint64_t>& m,
                   std::string* out) {
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" counter\n");
  for (const auto& [key, value] : m) {
    const auto& [receiver, protocol, label] = key;
    out->append(name).append("{receiver=\"").append(receiver);
    out->append("\",protocol=\"").append(protocol).append("\"");
    if (label_name != nullptr)
      out->append(",").append(label_name).append("=\"").append(label).append("\"");
    out->append("} ").append(std::to_string(value)).append("\n");
  }
}

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

void IngestStats::AppendPrometheus(std::string* out) const {
  std::lock_guard lock(mu_);
  AppendCounter("ariadne_receiver_requests_total", "Requests answered, by status code", "code",
                requests_, out);
  AppendCounter("ariadne_receiver_spans_accepted_total", "Spans acknowledged by the store", nullptr,
                accepted_, out);
  AppendCounter("ariadne_receiver_spans_refused_total",
                "Spans refused with a retryable error, by reason", "reason", refused_, out);
  AppendCounter("ariadne_receiver_spans_dropped_total", "Spans lost for good, by reason", "reason",
                dropped_, out);
  AppendCounter("ariadne_receiver_requests_refused_total", "Requests refused, by reason", "reason",
                requests_refused_, out);
  const char* name = "ariadne_receiver_request_duration_seconds";
  out->append("# HELP ").append(name).append(" Time from request to answer\n");
  out->append("# TYPE ").append(name).append(" histogram\n");
  for (const auto& [receiver, h] : latency_) {
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      out->append(name).append("_bucket{receiver=\"").append(receiver).append("\",le=\"");
      out->append(FormatDouble(kLatencyBuckets[i])).append("\"} ");
      out->append(std::to_string(h.buckets[i])).append("\n");
    }
    out->append(name).append("_bucket{receiver=\"").append(receiver).append("\",le=\"+Inf\"} ");
    out->append(std::to_string(h.count)).append("\n");
    out->append(name).append("_sum{receiver=\"").append(receiver).append("\"} ");
    out->append(FormatDouble(h.sum)).append("\n");
    out->append(name).append("_count{receiver=\"").append(receiver).append("\"} ");
    out->append(std::to_string(h.count)).append("\n");
  }
}

uint64_t IngestStats::Get(std::string_view metric, std::string_view receiver,
                          std::string_view reason) const {
  std::lock_guard lock(mu_);
  const std::map<Key, uint64_t>* m = metric == "accepted"  ? &accepted_
                                     : metric == "refused" ? &refused_
                                     : metric == "dropped" ? &dropped_
                                                           : &requests_refused_;
  uint64_t sum = 0;
  for (const auto& [key, value] : *m) {
    if (std::get<0>(key) != receiver) continue;
    if (!reason.empty() && std::get<2>(key) != reason) continue;
    sum += value;
  }
  return sum;
}

}  // namespace ariadne
