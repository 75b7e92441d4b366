#include "server/storage/embedded/demo_workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <unordered_map>

#include "base/clock.h"
#include "base/env.h"
#include "server/query/trace_query.h"
#include "server/storage/embedded/embedded_store_impl.h"

namespace ariadne::embedded_test {
namespace {

// A template key is per-request when at least this many templates carry it and its values
// differ in at least half of them.
constexpr size_t kMinTemplatesForPerRequest = 8;
// A run of hex characters at least this long is an id (randomized); shorter runs are words.
constexpr size_t kMinHexRun = 8;

template <typename Id>
Id RandomId(std::mt19937_64* rng) {
  Id id;
  for (auto& b : id.bytes) b = static_cast<uint8_t>((*rng)());
  if (!id.IsValid()) id.bytes[0] = 1;
  return id;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

uint64_t Scale(uint64_t v, double factor) {
  const double scaled = static_cast<double>(v) * factor;
  return scaled >= 1.8e19 ? v : static_cast<uint64_t>(scaled);
}

}  // namespace

StatusOr<std::vector<SpanBatch>> LoadTraceTemplates(const std::string& data_dir,
                                                    const std::string& scratch_dir) {
  std::error_code ec;
  std::filesystem::remove_all(scratch_dir, ec);
  std::filesystem::create_directories(std::filesystem::path(scratch_dir).parent_path(), ec);
  std::filesystem::copy(data_dir, scratch_dir, std::filesystem::copy_options::recursive, ec);
  if (ec) return Status::NotFound("cannot copy " + data_dir + ": " + ec.message());
  EmbeddedStoreOptions o;
  o.data_dir = scratch_dir;
  o.background_threads = false;
  o.fsync = FsyncMode::kNever;
  o.hot_retention_ns = std::numeric_limits<int64_t>::max() / 4;
  o.archive_retention_ns = o.hot_retention_ns;
  EmbeddedStore store(o, Env::Default(), Clock::Real());
  if (Status s = store.Open(); !s.ok()) return s;
  TraceQuery q;
  q.limit = std::numeric_limits<size_t>::max();
  auto traces = store.FindTraces(q);
  store.Close();
  if (!traces.ok()) return traces.status();
  if (traces->empty()) return Status::NotFound("no traces in " + data_dir);
  return std::move(*traces);
}

DemoWorkload::DemoWorkload(std::vector<SpanBatch> templates, const DemoWorkloadOptions& options,
                           uint64_t seed)
    : templates_(std::move(templates)),
      options_(options),
      rng_(seed),
      next_arrival_ns_(options.first_arrival_ns) {
  ARIADNE_CHECK(!templates_.empty());
  // key -> (templates carrying it, distinct values over all templates)
  std::map<std::string, std::pair<size_t, std::set<std::string, std::less<>>>, std::less<>> keys;
  for (const SpanBatch& t : templates_) {
    std::set<std::string_view> in_template;
    auto note = [&](Range r) {
      for (uint32_t a = r.begin; a < r.end(); ++a) {
        const KeyValue& kv = t.attributes[a];
        if (kv.value.type != ValueType::kString) continue;
        auto& entry = keys[std::string(kv.key)];
        if (in_template.insert(kv.key).second) ++entry.first;
        entry.second.emplace(kv.value.str);
      }
    };
    for (uint32_t i = 0; i < t.size(); ++i) {
      note(t.spans.attributes[i]);
      for (uint32_t e = t.spans.events[i].begin; e < t.spans.events[i].end(); ++e) {
        note(t.events.attributes[e]);
      }
    }
  }
  for (const auto& [key, entry] : keys) {
    if (entry.first >= kMinTemplatesForPerRequest && entry.second.size() * 2 >= entry.first) {
      per_request_keys_.insert(key);
    }
  }
}

double DemoWorkload::Jitter() {
  std::uniform_real_distribution<double> d(std::log(options_.jitter_min),
                                           std::log(options_.jitter_max));
  return std::exp(d(rng_));
}

double DemoWorkload::JitterBits(uint64_t v) const {
  const double bits =
      std::log2(static_cast<double>(v) * std::log(options_.jitter_max / options_.jitter_min));
  return bits > 0 ? bits : 0;
}

std::string DemoWorkload::RandomLike(std::string_view shape) {
  std::string out(shape);
  size_t i = 0;
  while (i < out.size()) {
    size_t j = i;
    while (j < out.size() && IsAlnum(out[j])) ++j;
    bool hex_run = j - i >= kMinHexRun;
    for (size_t k = i; k < j && hex_run; ++k) hex_run = IsHex(out[k]);
    for (size_t k = i; k < j; ++k) {
      char& c = out[k];
      if (c >= '0' && c <= '9' && !hex_run) {
        c = static_cast<char>('0' + rng_() % 10);
        entropy_.strings += std::log2(10.0);
      } else if (hex_run) {
        const char* digits = c >= 'A' && c <= 'F' ? "0123456789ABCDEF" : "0123456789abcdef";
        c = digits[rng_() % 16];
        entropy_.strings += 4;
      }
    }
    i = j == i ? i + 1 : j;
  }
  return out;
}

void DemoWorkload::AppendTrace(SpanBatch* out) {
  const SpanBatch& t = templates_[rng_() % templates_.size()];
  std::exponential_distribution<double> gap(1.0 / static_cast<double>(options_.mean_gap_ns));
  next_arrival_ns_ += static_cast<uint64_t>(gap(rng_));
  entropy_.trace_ids += 128;
  entropy_.templates += std::log2(static_cast<double>(templates_.size()));
  entropy_.arrivals += std::max(
      0.0,
      std::log2(std::exp(1.0) * static_cast<double>(std::max<uint64_t>(options_.mean_gap_ns, 1))));
  uint64_t t0 = UINT64_MAX;
  for (uint64_t s : t.spans.start_time_unix_nano) t0 = std::min(t0, s);

  const uint32_t first = out->Append(t);
  const uint32_t end = first + static_cast<uint32_t>(t.size());
  SpanColumns& c = out->spans;
  const TraceId trace_id = RandomId<TraceId>(&rng_);
  std::unordered_map<SpanId, SpanId, IdHash> ids;
  auto remap = [&](const SpanId& old) {
    auto [it, inserted] = ids.try_emplace(old);
    if (inserted) it->second = RandomId<SpanId>(&rng_);
    return it->second;
  };
  std::unordered_map<std::string_view, std::string_view> values;
  auto regenerate = [&](Range r) {
    for (uint32_t a = r.begin; a < r.end(); ++a) {
      KeyValue& kv = out->attributes[a];
      if (kv.value.type != ValueType::kString || !options_.regenerate_per_request ||
          !per_request_keys_.contains(kv.key)) {
        continue;
      }
      auto [it, inserted] = values.try_emplace(kv.value.str);
      if (inserted) it->second = out->Intern(RandomLike(kv.value.str));
      kv.value.str = it->second;
    }
  };
  // New starts, parents before children: a span keeps its (jittered) offset from its parent's
  // start, so children stay close to their parents; roots (and spans whose parent is not in the
  // trace) keep theirs from the trace start.
  std::unordered_map<SpanId, uint32_t, IdHash> row_of;
  for (uint32_t i = first; i < end; ++i) row_of.emplace(c.span_id[i], i);
  std::vector<uint64_t> new_start(t.size(), 0);
  std::vector<bool> done(t.size(), false);
  std::vector<uint32_t> chain;
  for (uint32_t i = first; i < end; ++i) {
    // Walk up to the first span with a new start (or a root), then come back down.
    for (uint32_t j = i; !done[j - first];) {
      chain.push_back(j);
      auto parent = row_of.find(c.parent_span_id[j]);
      if (!c.parent_span_id[j].IsValid() || parent == row_of.end() ||
          chain.size() > t.size()) {  // a cycle in corrupt data: treat as a root
        break;
      }
      j = parent->second;
    }
    while (!chain.empty()) {
      const uint32_t j = chain.back();
      chain.pop_back();
      if (done[j - first]) continue;
      auto parent = row_of.find(c.parent_span_id[j]);
      const bool from_parent =
          c.parent_span_id[j].IsValid() && parent != row_of.end() && done[parent->second - first];
      const uint64_t base = from_parent ? c.start_time_unix_nano[parent->second] : t0;
      const uint64_t new_base = from_parent ? new_start[parent->second - first] : next_arrival_ns_;
      const uint64_t start = c.start_time_unix_nano[j];
      const double f = Jitter();
      entropy_.starts += JitterBits(start >= base ? start - base : base - start);
      new_start[j - first] =
          start >= base ? new_base + Scale(start - base, f) : new_base - Scale(base - start, f);
      done[j - first] = true;
    }
  }
  for (uint32_t i = first; i < end; ++i) {
    c.trace_id[i] = trace_id;
    c.span_id[i] = remap(c.span_id[i]);
    if (c.parent_span_id[i].IsValid()) c.parent_span_id[i] = remap(c.parent_span_id[i]);
    const uint64_t start = c.start_time_unix_nano[i];
    const uint64_t duration = c.end_time_unix_nano[i] > start ? c.end_time_unix_nano[i] - start : 0;
    const double duration_factor = Jitter();
    entropy_.span_ids += 64;
    entropy_.durations += JitterBits(duration);
    c.start_time_unix_nano[i] = new_start[i - first];
    c.end_time_unix_nano[i] = new_start[i - first] + Scale(duration, duration_factor);
    for (uint32_t e = c.events[i].begin; e < c.events[i].end(); ++e) {
      uint64_t& time = out->events.time_unix_nano[e];
      time = new_start[i - first] + (time > start ? Scale(time - start, duration_factor) : 0);
      regenerate(out->events.attributes[e]);
    }
    regenerate(c.attributes[i]);
  }
}

SpanBatch DemoWorkload::NextBatch() {
  SpanBatch out;
  for (int i = 0; i < options_.traces_per_batch; ++i) AppendTrace(&out);
  return out;
}

double DemoWorkload::MeanSpansPerTrace() const {
  size_t spans = 0;
  for (const SpanBatch& t : templates_) spans += t.size();
  return static_cast<double>(spans) / static_cast<double>(templates_.size());
}

std::string DemoWorkload::Describe() const {
  size_t spans = 0, attrs = 0, events = 0;
  std::set<std::string, std::less<>> services, operations;
  for (const SpanBatch& t : templates_) {
    spans += t.size();
    events += t.events.size();
    for (uint32_t i = 0; i < t.size(); ++i) {
      attrs += t.spans.attributes[i].count;
      services.emplace(t.ServiceName(i));
      operations.insert(std::string(t.ServiceName(i)) + "/" + std::string(t.spans.name[i]));
    }
  }
  std::string keys;
  for (const std::string& k : per_request_keys_) keys += (keys.empty() ? "" : ",") + k;
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "%zu templates, %zu spans (%.1f per trace), %zu services, %zu operations, "
                "%.2f attributes/span, %.2f events/span, per-request keys: ",
                templates_.size(), spans, MeanSpansPerTrace(), services.size(), operations.size(),
                static_cast<double>(attrs) / static_cast<double>(spans),
                static_cast<double>(events) / static_cast<double>(spans));
  return buf + keys;
}

}  // namespace ariadne::embedded_test
