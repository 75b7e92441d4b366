// Demo workload: an endless stream of traces made from templates captured from `ariadne demo`,
// for the embedded store's benchmarks (bytes per span, search, lookups).
//
// Templates are the traces of a store written by a demo run (LoadTraceTemplates). Each generated
// trace is one template, picked uniformly at random, with:
//  - a fresh random trace id and fresh random span ids (parent links remapped to the new ids;
//    a parent outside the trace gets a fresh id too, the same for every span pointing at it);
//  - a new arrival time: traces arrive in time order, with exponential gaps of mean
//    mean_gap_ns (a Poisson process, like a live system's requests); the template's root start
//    moves there;
//  - every span's offset from its parent's start (a root's: from the trace start) and its
//    duration multiplied by independent factors drawn log-uniformly from [jitter_min,
//    jitter_max], new starts computed parents first, so timings are not copies and children stay
//    as close to their parents as in the template (events keep their relative position);
//  - the values of per-request string attributes (keys whose values differ in at least half of
//    the templates that carry them, e.g. request ids) replaced by random strings of the same shape
//    (digits stay digits, hex letters hex letters), consistently within the trace, so ids do not
//    compress better than real ones. Everything else (names, kinds, statuses, resources, other
//    attributes, events, links) is copied from the template.
// Thread-safety: a DemoWorkload is used by one thread. Tested by demo_workload_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_DEMO_WORKLOAD_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_DEMO_WORKLOAD_H_

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/span_batch.h"

namespace ariadne::embedded_test {

// Every trace of the embedded store in data_dir, one batch each. The store is copied to
// scratch_dir (wiped first) and opened there, so the capture itself is never modified.
[[nodiscard]] StatusOr<std::vector<SpanBatch>> LoadTraceTemplates(const std::string& data_dir,
                                                                  const std::string& scratch_dir);

// The information the generator adds to what its templates hold, in bits summed over every
// generated trace: what no lossless encoding of the generated spans can go below (the templates
// themselves, a few hundred kB, are shared by all traces and left out). Timings: a value v
// scaled by a factor log-uniform in [jitter_min, jitter_max] has about
// log2(v * ln(jitter_max / jitter_min)) bits of entropy (ns resolution; 0 when below 1).
struct DemoEntropy {
  double span_ids = 0;   // 64 per span
  double trace_ids = 0;  // 128 per trace
  double templates = 0;  // log2(template count) per trace
  double arrivals = 0;   // exponential gap: log2(e * mean gap in ns) per trace
  double starts = 0;     // jittered offsets from the parent's start (or the trace's)
  double durations = 0;  // jittered durations
  double strings = 0;    // random characters of per-request values: log2(10) per digit, 4 per hex
  double Total() const {
    return span_ids + trace_ids + templates + arrivals + starts + durations + strings;
  }
};

struct DemoWorkloadOptions {
  uint64_t first_arrival_ns = 1'700'000'000'000'000'000;
  uint64_t mean_gap_ns = 1'000'000;  // mean time between two trace arrivals
  double jitter_min = 0.8;
  double jitter_max = 1.25;
  int traces_per_batch = 8;
  // false: per-request values are copied like the rest (to measure what random ids cost).
  bool regenerate_per_request = true;
};

class DemoWorkload {
 public:
  // templates must not be empty; each holds one trace.
  DemoWorkload(std::vector<SpanBatch> templates, const DemoWorkloadOptions& options, uint64_t seed);

  // The next traces_per_batch traces, in arrival order.
  SpanBatch NextBatch();
  // Appends the next trace to *out.
  void AppendTrace(SpanBatch* out);

  double MeanSpansPerTrace() const;
  // The string attribute keys whose values are regenerated per trace.
  const std::set<std::string, std::less<>>& PerRequestKeys() const { return per_request_keys_; }
  // Bits of entropy added so far (DemoEntropy).
  const DemoEntropy& Entropy() const { return entropy_; }
  // One line: templates, spans, services, operations, attributes per span, per-request keys.
  std::string Describe() const;

 private:
  std::string RandomLike(std::string_view shape);
  double Jitter();
  // Entropy of a value v jittered by Jitter() (bits, >= 0).
  double JitterBits(uint64_t v) const;

  std::vector<SpanBatch> templates_;
  DemoWorkloadOptions options_;
  std::mt19937_64 rng_;
  uint64_t next_arrival_ns_;
  std::set<std::string, std::less<>> per_request_keys_;
  DemoEntropy entropy_;
};

}  // namespace ariadne::embedded_test

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_DEMO_WORKLOAD_H_
