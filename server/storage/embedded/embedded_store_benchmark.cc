// Benchmarks of the embedded store on the real file system (Env::Default()).
//
//   build/t/server/storage/embedded/embedded_store_benchmark --benchmark_filter=<name>
// Data goes to $ARIADNE_BENCH_DIR (default /tmp/ariadne-embedded-bench), wiped first. The
// read benchmarks (BM_BytesPerSpan, BM_TraceById, BM_SearchLastHour) share a store of
// $ARIADNE_BENCH_SPANS spans (default 2,000,000) arriving over the last hour, from one of two
// workloads ($ARIADNE_BENCH_WORKLOAD):
//  - demo (the default when $ARIADNE_BENCH_DEMO_DIR is set): traces made from templates, the
//    traces of a store written by `ariadne demo` (demo_workload.h has the rules: fresh ids,
//    Poisson arrivals in time order over the hour, offsets and durations jittered x[0.8, 1.25],
//    per-request attribute values regenerated). Capture the templates with
//      ariadne demo --data-dir /tmp/demo-cap --duration 120 --query-port 26687
//          --otlp-http-port 24319 --otlp-grpc-port=0 --zipkin-port=0
//    (default traffic: 5 requests/s, 5% errors, 5% slow; any free ports) and run with
//    ARIADNE_BENCH_DEMO_DIR=/tmp/demo-cap. The capture is copied before it is opened.
//    BM_BytesPerSpan reports the workload's entropy floor (floor_* counters, DemoEntropy);
//    ARIADNE_BENCH_DEMO_FIXED_IDS=1 copies per-request values instead of randomising them.
//  - random (the default otherwise): embedded_test::RandomBatch with DemoLike() options,
//    uniformly random names, attributes, durations and start times (the generator of the
//    figures before 2026-12-03; nearly incompressible timings).
// BM_BytesPerSpan also rebuilds the loaded blocks as compaction would (compacted_* counters);
// ARIADNE_BENCH_PAGE_SPANS and ARIADNE_BENCH_REBUILD_LEVEL change that rebuild's page size and
// zstd level (what-if measurements of the store's options, nothing is written).
// Peak RSS is reported as the peak_rss_mib counter: run one benchmark per process to attribute
// it. Results: docs/performance.md#embedded-store.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "server/storage/embedded/block.h"
#include "server/storage/embedded/demo_workload.h"
#include "server/storage/embedded/embedded_store_impl.h"
#include "server/storage/embedded/test_util.h"

namespace ariadne {
namespace {

using embedded_test::RandomBatch;

// CPU time of the calling thread, in microseconds (wall time on a shared machine mostly measures
// waiting for a core; both are reported).
double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double PeakRssMib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

std::string BenchDir(const std::string& name) {
  const char* base = std::getenv("ARIADNE_BENCH_DIR");
  std::string dir = std::string(base ? base : "/tmp/ariadne-embedded-bench") + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

uint64_t SpanCount() {
  const char* n = std::getenv("ARIADNE_BENCH_SPANS");
  return n ? std::strtoull(n, nullptr, 10) : 2'000'000;
}

embedded_test::RandomBatchOptions DemoLike() {
  embedded_test::RandomBatchOptions o;
  o.traces = 12;
  o.max_spans_per_trace = 16;
  o.rich = false;
  o.base_time_ns = static_cast<uint64_t>(Clock::Real()->NowUnixNanos()) - 3'600'000'000'000;
  o.time_spread_ns = 3'500'000'000'000;
  return o;
}

// The workload of the shared read store: demo templates or RandomBatch (see the top).
struct Workload {
  bool demo = false;
  std::function<SpanBatch()> next;
  // Demo: the generator's entropy so far (the floor of any lossless encoding).
  std::function<embedded_test::DemoEntropy()> entropy;
};

Workload MakeWorkload() {
  const char* dir = std::getenv("ARIADNE_BENCH_DEMO_DIR");
  const char* kind = std::getenv("ARIADNE_BENCH_WORKLOAD");
  const std::string name = kind ? kind : (dir ? "demo" : "random");
  Workload w;
  if (name == "random") {
    auto rng = std::make_shared<std::mt19937_64>(2);
    w.next = [rng] { return RandomBatch(rng.get(), DemoLike()); };
    return w;
  }
  if (name != "demo" || dir == nullptr) {
    std::fprintf(stderr,
                 "ARIADNE_BENCH_WORKLOAD=%s: use random, or demo with "
                 "ARIADNE_BENCH_DEMO_DIR=<a demo data dir>\n",
                 name.c_str());
    std::abort();
  }
  auto templates = embedded_test::LoadTraceTemplates(dir, BenchDir("templates"));
  if (!templates.ok()) {
    std::fprintf(stderr, "demo templates: %s\n", templates.status().ToString().c_str());
    std::abort();
  }
  embedded_test::DemoWorkloadOptions o;
  const uint64_t hour = 3'600'000'000'000;
  o.first_arrival_ns = static_cast<uint64_t>(Clock::Real()->NowUnixNanos()) - hour;
  // Spread the expected number of traces over 3,500 s of the hour.
  size_t template_spans = 0;
  for (const SpanBatch& t : *templates) template_spans += t.size();
  const double traces = static_cast<double>(SpanCount()) * static_cast<double>(templates->size()) /
                        static_cast<double>(template_spans);
  o.mean_gap_ns = static_cast<uint64_t>(3.5e12 / std::max(1.0, traces));
  // ARIADNE_BENCH_DEMO_FIXED_IDS=1: per-request values copied from the templates, not random
  // (the difference in size is what the random ids cost; compare with floor_strings).
  const char* fixed_ids = std::getenv("ARIADNE_BENCH_DEMO_FIXED_IDS");
  o.regenerate_per_request = fixed_ids == nullptr || std::string(fixed_ids) != "1";
  auto gen = std::make_shared<embedded_test::DemoWorkload>(std::move(*templates), o, 2);
  std::fprintf(stderr, "demo workload: %s\n", gen->Describe().c_str());
  w.demo = true;
  w.next = [gen] { return gen->NextBatch(); };
  w.entropy = [gen] { return gen->Entropy(); };
  return w;
}

// Appends asynchronously with up to `window` batches in flight (like many receiver threads).
class Inflight {
 public:
  explicit Inflight(int window) : window_(window) {}
  void Append(SpanStore* store, SpanBatch batch) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ < window_; });
    ++in_flight_;
    lock.unlock();
    store->Append(std::move(batch), [this](Status s) {
      if (!s.ok()) failures_.fetch_add(1);
      std::lock_guard l(mu_);
      --in_flight_;
      cv_.notify_all();
    });
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
  }
  int failures() const { return failures_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int window_;
  int in_flight_ = 0;
  std::atomic<int> failures_{0};
};

// Ingest with group commit and fdatasync per commit (fsync=always, the default).
void BM_IngestGroupCommit(benchmark::State& state) {
  EmbeddedStoreOptions o;
  o.data_dir = BenchDir("ingest");
  o.background_threads = false;
  o.fsync = static_cast<FsyncMode>(state.range(1));
  EmbeddedStore store(o, Env::Default(), Clock::Real());
  if (!store.Open().ok()) state.SkipWithError("open failed");
  std::mt19937_64 rng(1);
  std::vector<SpanBatch> batches;
  uint64_t spans = 0;
  for (int i = 0; i < 200; ++i) {
    batches.push_back(RandomBatch(&rng, DemoLike()));
    spans += batches.back().size();
  }
  Inflight inflight(static_cast<int>(state.range(0)));
  uint64_t total = 0;
  for (auto _ : state) {
    // Two producers, like the receivers' HTTP threads: each copies (as a decoder would build)
    // and appends half of the batches.
    std::vector<std::thread> producers;
    for (size_t p = 0; p < 2; ++p) {
      producers.emplace_back([&, p] {
        for (size_t i = p; i < batches.size(); i += 2) inflight.Append(&store, batches[i].Clone());
      });
    }
    for (auto& t : producers) t.join();
    inflight.Wait();
    total += spans;
  }
  state.SetItemsProcessed(static_cast<int64_t>(total));
  state.counters["failures"] = inflight.failures();
  state.counters["peak_rss_mib"] = PeakRssMib();
  store.Close();
}
BENCHMARK(BM_IngestGroupCommit)
    ->Args({64, static_cast<int>(FsyncMode::kAlways)})
    ->Args({256, static_cast<int>(FsyncMode::kAlways)})
    ->Args({64, static_cast<int>(FsyncMode::kNever)})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

struct Loaded {
  std::unique_ptr<EmbeddedStore> store;
  std::vector<TraceId> ids;
  uint64_t spans = 0;
  double bytes_per_span = 0;
  double load_seconds = 0;
  bool demo = false;
  int append_failures = 0;  // refused appends: the figures would not cover every span
  std::string dir;
  // When loading began: both workloads' spans start in the hour before it. Searches ask for the
  // hour before it too, not before the wall clock (loading 100 M spans takes longer than an hour
  // leaves room for).
  uint64_t now_ns = 0;
  // Demo workload: queries that match stored spans (service, operation; a string attribute).
  std::vector<std::pair<std::string, std::string>> service_ops;
  std::vector<std::pair<std::string, std::string>> service_tags;
  embedded_test::DemoEntropy entropy;  // demo workload: bits the generator added
};

// A store of SpanCount() demo-like spans, cut into blocks of 1M spans (the default).
Loaded& Store() {
  static Loaded* loaded = [] {
    auto* l = new Loaded;
    EmbeddedStoreOptions o;
    o.data_dir = BenchDir("read");
    l->dir = o.data_dir;
    o.background_threads = false;
    o.fsync = FsyncMode::kNever;
    l->store = std::make_unique<EmbeddedStore>(o, Env::Default(), Clock::Real());
    if (!l->store->Open().ok()) std::abort();
    std::mt19937_64 rng(2);
    l->now_ns = static_cast<uint64_t>(Clock::Real()->NowUnixNanos());
    Workload workload = MakeWorkload();
    l->demo = workload.demo;
    auto begin = std::chrono::steady_clock::now();
    Inflight inflight(16);
    while (l->spans < SpanCount()) {
      SpanBatch b = workload.next();
      l->spans += b.size();
      if (rng() % 16 == 0) {
        l->ids.push_back(b.spans.trace_id[0]);
        const uint32_t row = static_cast<uint32_t>(rng() % b.size());
        l->service_ops.emplace_back(b.ServiceName(row), b.spans.name[row]);
        for (uint32_t a = b.spans.attributes[row].begin; a < b.spans.attributes[row].end(); ++a) {
          const KeyValue& kv = b.attributes[a];
          if (kv.value.type != ValueType::kString) continue;
          l->service_tags.emplace_back(std::string(b.ServiceName(row)),
                                       std::string(kv.key) + "=" + std::string(kv.value.str));
          break;
        }
      }
      inflight.Append(l->store.get(), std::move(b));
      if (l->store->Stats().spans >= (l->store->BlockCount() + 1) * o.block_max_spans) {
        inflight.Wait();
        if (!l->store->CutHead().ok()) std::abort();
      }
    }
    inflight.Wait();
    if (workload.entropy) l->entropy = workload.entropy();
    if (!l->store->CutHead().ok()) std::abort();
    l->append_failures = inflight.failures();
    l->load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    StoreStats s = l->store->Stats();
    l->bytes_per_span = static_cast<double>(s.bytes) / static_cast<double>(s.spans);
    return l;
  }();
  return *loaded;
}

void Percentiles(benchmark::State& state, std::vector<double>* us, const std::string& prefix = "") {
  std::sort(us->begin(), us->end());
  if (us->empty()) return;
  state.counters[prefix + "p50_us"] = (*us)[us->size() / 2];
  state.counters[prefix + "p99_us"] = (*us)[us->size() * 99 / 100];
}

// The share of a block's pages whose token filter admits a token they do not hold (random
// tokens: almost surely in no page).
double FalsePageRate(const embedded::BlockMeta& meta) {
  std::mt19937_64 rng(7);
  uint64_t asked = 0, maybe = 0;
  for (int i = 0; i < 200; ++i) {
    const embedded::TokenProbe probe = meta.ProbeToken(rng());
    for (size_t p = 0; p < meta.pages.size(); ++p, ++asked) maybe += meta.PageMayHave(probe, p);
  }
  return static_cast<double>(maybe) / static_cast<double>(std::max<uint64_t>(1, asked));
}

// The blocks of the loaded store rebuilt at compaction's zstd level (what compaction writes for
// the same rows; nothing is written), and where their bytes go per column (ARIADNE_BENCH_COLUMNS
// set: col_* counters, each column compressed alone at zstd 3 without the page dictionary, so
// they show which fields carry entropy rather than adding up to the block). The first block is
// also cut again in the current format and in formats 4 and 3 (cut_cpu_ns_per_span*) and each of
// its pages read alone from a file (page_read_cpu_us*: thread CPU per page, same rows, same
// process).
void MeasureBlocks(benchmark::State& state, Loaded& l) {
  const std::string dir = l.dir + "/blocks";
  const char* level_env = std::getenv("ARIADNE_BENCH_REBUILD_LEVEL");
  const int level = level_env ? std::atoi(level_env) : EmbeddedStoreOptions().compaction_zstd_level;
  double rebuild_cpu_us = 0;
  const bool columns = std::getenv("ARIADNE_BENCH_COLUMNS") != nullptr;
  uint64_t rebuilt = 0;
  // ARIADNE_BENCH_ARCHIVE set: also rebuilt at the archive tier's level (zstd 19, slow).
  const bool archive = std::getenv("ARIADNE_BENCH_ARCHIVE") != nullptr;
  uint64_t archived = 0;
  const char* page_env = std::getenv("ARIADNE_BENCH_PAGE_SPANS");
  const uint32_t compacted_page_spans =
      page_env ? static_cast<uint32_t>(std::atoi(page_env)) : embedded::kPageSpans;
  uint64_t trace_ids = 0, trace_bloom = 0, page_blooms = 0, page_dicts = 0;
  // The token population of the pages (what the page token filters hold): (token, page) pairs
  // by the number of pages of its block the token is in; distinct tokens per block.
  uint64_t pages = 0, pairs = 0, pairs_1 = 0, pairs_2_7 = 0, pairs_8_63 = 0, pairs_64 = 0;
  uint64_t block_tokens = 0, common_tokens = 0, fuse_pairs = 0, blocks = 0;
  double absent_rate_sum = 0;  // random tokens: pages the filters do not exclude
  double filter_build_us = 0;
  uint64_t distinct_lists = 0;           // distinct page lists of the common tokens
  std::vector<double> false_page_rate;   // the same for the first block in each format
  std::vector<double> build_cpu_us;      // per span
  std::vector<double> page_read_cpu_us;  // per page
  std::map<std::string, uint64_t> by_column;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    uint64_t id;
    if (!embedded::ParseBlockFileName(e.path().filename().string(), &id)) continue;
    auto meta = embedded::ReadBlockMeta(Env::Default(), e.path().string());
    if (!meta.ok()) std::abort();
    auto body = embedded::ReadBlockBody(Env::Default(), e.path().string(), *meta);
    if (!body.ok()) std::abort();
    trace_ids += 16 * meta->traces.size();
    if (meta->version < embedded::kDerivedTraceStartVersion) {
      trace_bloom += 8 * meta->bloom.size();  // stored (format 6 rebuilds it at open)
    }
    page_dicts += meta->page_dict_stored_bytes;
    for (const embedded::BlockPage& p : meta->pages) page_blooms += 8 * p.bloom.size();
    if (meta->version >= embedded::kPageTokenFilterVersion) {
      std::string filter;
      meta->page_filter.Encode(&filter);
      page_blooms += filter.size();
      common_tokens += meta->page_filter.common_tokens();
      distinct_lists += meta->page_filter.distinct_postings();
    }
    absent_rate_sum += FalsePageRate(*meta);
    {
      std::map<uint64_t, uint32_t> pages_of;
      std::vector<std::vector<uint64_t>> page_tokens;
      for (size_t p = 0; p < meta->pages.size(); ++p) {
        auto page = embedded::ReadBlockPage(Env::Default(), e.path().string(), *meta, p);
        if (!page.ok()) std::abort();
        page_tokens.push_back(embedded::PageTokens(*page));
        for (uint64_t t : page_tokens.back()) pages_of[t]++;
      }
      // CPU of building the block's filter from its pages' tokens (part of a head cut).
      const double f0 = ThreadCpuUs();
      const embedded::PageTokenFilter filter = embedded::PageTokenFilter::Build(
          page_tokens, std::vector<bool>(page_tokens.size(), false));
      filter_build_us += ThreadCpuUs() - f0;
      benchmark::DoNotOptimize(filter.fuse_bytes());
      for (const auto& [token, n] : pages_of) {
        pairs += n;
        (n == 1 ? pairs_1 : n < 8 ? pairs_2_7 : n < 64 ? pairs_8_63 : pairs_64) += n;
      }
      block_tokens += pages_of.size();
      pages += meta->pages.size();
      ++blocks;
    }
    const std::vector<embedded::RowRef> rows = embedded::OrderForBlock({&*body});
    embedded::BlockMeta m;
    const double b0 = ThreadCpuUs();
    rebuilt += embedded::BuildBlock(rows, level, &m, compacted_page_spans).size();
    rebuild_cpu_us += ThreadCpuUs() - b0;
    fuse_pairs += m.page_filter.fuse_pairs();
    if (archive) {
      embedded::BlockMeta a;
      archived += embedded::BuildBlock(rows, EmbeddedStoreOptions().archive_zstd_level, &a).size();
    }
    if (build_cpu_us.empty()) {  // the first block: CPU of a head cut (zstd 3), formats 5, 4, 3
      for (uint32_t version : {embedded::kBlockVersion, 4u, 3u}) {
        embedded::BlockMeta cut;
        const double c0 = ThreadCpuUs();
        const std::string bytes = embedded::BuildBlock(rows, EmbeddedStoreOptions().zstd_level,
                                                       &cut, embedded::kPageSpans, version);
        build_cpu_us.push_back((ThreadCpuUs() - c0) / static_cast<double>(rows.size()));
        // Then every page of it read alone (what a trace lookup that misses the page cache
        // pays: checksum, decompression, decoding, checks against the metadata).
        const std::string path = l.dir + "/page-read.blk";
        if (!Env::Default()->WriteFileAtomically(path, bytes).ok()) std::abort();
        auto read_meta = embedded::ReadBlockMeta(Env::Default(), path);
        if (!read_meta.ok()) std::abort();
        false_page_rate.push_back(FalsePageRate(*read_meta));
        // The least of three passes (the machine is shared: the others measure its noise).
        double best = 1e300;
        for (int pass = 0; pass < 3; ++pass) {
          const double r0 = ThreadCpuUs();
          for (size_t p = 0; p < read_meta->pages.size(); ++p) {
            auto page = embedded::ReadBlockPage(Env::Default(), path, *read_meta, p);
            if (!page.ok()) std::abort();
            benchmark::DoNotOptimize(page->size());
          }
          best = std::min(best, ThreadCpuUs() - r0);
        }
        page_read_cpu_us.push_back(best / static_cast<double>(read_meta->pages.size()));
        std::filesystem::remove(path);
      }
    }
    if (columns) {
      for (const auto& [name, bytes] :
           embedded::BlockColumnBytes(rows, EmbeddedStoreOptions().zstd_level)) {
        by_column[name] += bytes;
      }
    }
  }
  const double spans = static_cast<double>(l.spans);
  state.counters["compacted_bytes_per_span"] = static_cast<double>(rebuilt) / spans;
  state.counters["compacted_cpu_ns_per_span"] = rebuild_cpu_us * 1e3 / spans;
  if (archive) state.counters["archive_bytes_per_span"] = static_cast<double>(archived) / spans;
  if (build_cpu_us.size() == 3) {
    state.counters["cut_cpu_ns_per_span"] = build_cpu_us[0] * 1e3;
    state.counters["cut_cpu_ns_per_span_format4"] = build_cpu_us[1] * 1e3;
    state.counters["cut_cpu_ns_per_span_format3"] = build_cpu_us[2] * 1e3;
    state.counters["page_read_cpu_us"] = page_read_cpu_us[0];
    state.counters["page_read_cpu_us_format4"] = page_read_cpu_us[1];
    state.counters["page_read_cpu_us_format3"] = page_read_cpu_us[2];
  }
  // Parts of the metadata (as stored, per span): trace ids of the trace index, its bloom filter,
  // the pages' token filters (format 5: the block's PageTokenFilter; before: a bloom filter per
  // page), the page dictionaries.
  state.counters["meta_trace_ids"] = static_cast<double>(trace_ids) / spans;
  state.counters["meta_trace_bloom"] = static_cast<double>(trace_bloom) / spans;
  state.counters["meta_page_blooms"] = static_cast<double>(page_blooms) / spans;
  state.counters["meta_page_dicts"] = static_cast<double>(page_dicts) / spans;
  const double all_pairs = static_cast<double>(std::max<uint64_t>(1, pairs));
  state.counters["tokens_per_page"] = static_cast<double>(pairs) / static_cast<double>(pages);
  state.counters["tokens_per_block"] =
      static_cast<double>(block_tokens) / static_cast<double>(blocks);
  state.counters["token_pairs_in_1_page"] = static_cast<double>(pairs_1) / all_pairs;
  state.counters["token_pairs_in_2_7_pages"] = static_cast<double>(pairs_2_7) / all_pairs;
  state.counters["token_pairs_in_8_63_pages"] = static_cast<double>(pairs_8_63) / all_pairs;
  state.counters["token_pairs_in_64_pages"] = static_cast<double>(pairs_64) / all_pairs;
  state.counters["filter_common_tokens_per_block"] =
      static_cast<double>(common_tokens) / static_cast<double>(blocks);
  state.counters["filter_fuse_pairs_share"] = static_cast<double>(fuse_pairs) / all_pairs;
  state.counters["filter_distinct_lists_per_block"] =
      static_cast<double>(distinct_lists) / static_cast<double>(blocks);
  state.counters["filter_build_cpu_ns_per_span"] = filter_build_us * 1e3 / spans;
  state.counters["filter_false_page_rate"] = absent_rate_sum / static_cast<double>(blocks);
  if (false_page_rate.size() == 3) {
    state.counters["filter_false_page_rate_format4"] = false_page_rate[1];  // page blooms
  }
  for (const auto& [name, bytes] : by_column) {
    state.counters["col_" + name] = static_cast<double>(bytes) / spans;
  }
}

void BM_BytesPerSpan(benchmark::State& state) {
  Loaded& l = Store();
  for (auto _ : state) benchmark::DoNotOptimize(l.store->Stats());
  MeasureBlocks(state, l);
  state.counters["demo_workload"] = l.demo ? 1 : 0;
  state.counters["append_failures"] = l.append_failures;
  state.counters["spans"] = static_cast<double>(l.spans);
  state.counters["bytes_per_span"] = l.bytes_per_span;
  state.counters["blocks"] = static_cast<double>(l.store->BlockCount());
  state.counters["load_spans_per_s"] = static_cast<double>(l.spans) / l.load_seconds;
  state.counters["peak_rss_mib"] = PeakRssMib();
  if (l.demo) {  // the entropy floor of the demo workload, B/span (DemoEntropy)
    const double bytes = 8.0 * static_cast<double>(l.spans);
    const embedded_test::DemoEntropy& e = l.entropy;
    state.counters["floor_bytes_per_span"] = e.Total() / bytes;
    state.counters["floor_span_ids"] = e.span_ids / bytes;
    state.counters["floor_trace_ids"] = e.trace_ids / bytes;
    state.counters["floor_templates"] = e.templates / bytes;
    state.counters["floor_arrivals"] = e.arrivals / bytes;
    state.counters["floor_starts"] = e.starts / bytes;
    state.counters["floor_durations"] = e.durations / bytes;
    state.counters["floor_strings"] = e.strings / bytes;
  }
}
BENCHMARK(BM_BytesPerSpan)->Iterations(1);

void BM_TraceById(benchmark::State& state) {
  Loaded& l = Store();
  std::mt19937_64 rng(3);
  std::vector<double> us, cpu_us;
  for (auto _ : state) {
    const TraceId& id = l.ids[rng() % l.ids.size()];
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = ThreadCpuUs();
    auto trace = l.store->GetTrace(id);
    cpu_us.push_back(ThreadCpuUs() - c0);
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (!trace.ok()) state.SkipWithError("trace missing");
  }
  Percentiles(state, &us);
  Percentiles(state, &cpu_us, "cpu_");
  state.counters["peak_rss_mib"] = PeakRssMib();
}
BENCHMARK(BM_TraceById)->Iterations(2000)->Unit(benchmark::kMicrosecond);

void BM_SearchLastHour(benchmark::State& state) {
  Loaded& l = Store();
  std::mt19937_64 rng(4);
  const char* services[] = {"frontend", "cart", "checkout", "payment", "db"};
  const char* ops[] = {"GET /", "POST /cart", "charge", "SELECT", "render", "publish"};
  std::vector<double> us, cpu_us;
  for (auto _ : state) {
    TraceQuery q;
    q.start_min_ns = l.now_ns - 3'600'000'000'000;
    q.start_max_ns = l.now_ns;
    q.limit = 20;
    if (l.demo) {
      // Conditions taken from stored spans, so every query has an answer.
      if (state.range(0) == 0 || l.service_tags.empty()) {
        const auto& [service, op] = l.service_ops[rng() % l.service_ops.size()];
        q.service = service;
        q.operation = op;
      } else {
        const auto& [service, tag] = l.service_tags[rng() % l.service_tags.size()];
        q.service = service;
        const size_t eq = tag.find('=');
        q.tags.emplace_back(tag.substr(0, eq), tag.substr(eq + 1));
      }
    } else if (state.range(0) == 0) {
      q.service = services[rng() % 5];
      q.operation = ops[rng() % 6];
      q.duration_min_ns = 100'000'000;
    } else {
      q.tags.emplace_back("user.id", "v" + std::to_string(rng() % 20));
      q.service = services[rng() % 5];
    }
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = ThreadCpuUs();
    auto found = l.store->FindTraces(q);
    cpu_us.push_back(ThreadCpuUs() - c0);
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (!found.ok() || found->empty()) state.SkipWithError("no result");
  }
  Percentiles(state, &us);
  Percentiles(state, &cpu_us, "cpu_");
  state.counters["peak_rss_mib"] = PeakRssMib();
}
BENCHMARK(BM_SearchLastHour)->Arg(0)->Arg(1)->Iterations(20)->Unit(benchmark::kMillisecond);

// Restart: open a store whose WAL holds $ARIADNE_BENCH_WAL_MIB MiB (default 1024) of records,
// with the default head limits (block_max_spans 1 M): replay indexes it, without decoding, into
// frozen heads (lazy_records.h). The WAL is written by a child process, so peak_rss_mib is the
// reopening process's alone (the replayed WAL bytes included); open_cpu_s is the process CPU time
// (every thread) of Open(). Then the first GetTrace and GetServices are timed (first_get_trace_ms,
// get_services_ms), and with ARIADNE_BENCH_SEARCH=1 one search (search_ms).
void BM_RestartWithWal(benchmark::State& state) {
  const char* mib_env = std::getenv("ARIADNE_BENCH_WAL_MIB");
  const uint64_t wal_bytes = (mib_env ? std::strtoull(mib_env, nullptr, 10) : 1024) << 20;
  EmbeddedStoreOptions o;
  const char* base = std::getenv("ARIADNE_BENCH_DIR");
  o.data_dir = std::string(base ? base : "/tmp/ariadne-embedded-bench") + "/restart";
  o.background_threads = false;  // nothing is cut while writing, nor while timing Open()
  o.fsync = FsyncMode::kNever;
  // ARIADNE_BENCH_KEEP_WAL=1 reopens the WAL a previous run left (the timed Open() cuts no
  // block, so the WAL stays as it was) instead of writing a new one.
  // The batches the WAL is written from (the same every run, so a kept WAL holds them too).
  auto make_pool = [] {
    std::mt19937_64 rng(5);
    std::vector<SpanBatch> pool;
    for (int i = 0; i < 64; ++i) pool.push_back(RandomBatch(&rng, DemoLike()));
    return pool;
  };
  const char* keep = std::getenv("ARIADNE_BENCH_KEEP_WAL");
  if (keep == nullptr || std::string(keep) != "1" ||
      !std::filesystem::exists(o.data_dir + "/wal")) {
    o.data_dir = BenchDir("restart");
    const pid_t child = fork();
    if (child < 0) std::abort();
    if (child == 0) {
      EmbeddedStore store(o, Env::Default(), Clock::Real());
      if (!store.Open().ok()) std::_Exit(1);
      std::mt19937_64 rng(5);
      const std::vector<SpanBatch> pool = make_pool();
      Inflight inflight(16);
      uint64_t written = 0, spans = 0;
      while (written < wal_bytes) {
        const SpanBatch& b = pool[rng() % pool.size()];
        spans += b.size();
        written += b.size() * 70;  // estimate; the real size is reported below
        inflight.Append(&store, b.Clone());
        if (spans % 100000 < b.size()) {
          inflight.Wait();
          written = 0;
          for (const auto& e : std::filesystem::directory_iterator(o.data_dir + "/wal")) {
            written += e.file_size();
          }
        }
      }
      inflight.Wait();
      store.Close();
      std::_Exit(inflight.failures() == 0 ? 0 : 1);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("writing the WAL failed");
      return;
    }
  }
  uint64_t on_disk = 0;
  for (const auto& e : std::filesystem::directory_iterator(o.data_dir + "/wal")) {
    on_disk += e.file_size();
  }
  auto process_cpu_s = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_s();
    EmbeddedStore store(o, Env::Default(), Clock::Real());
    if (!store.Open().ok()) state.SkipWithError("open failed");
    state.counters["restart_s"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.counters["open_cpu_s"] = process_cpu_s() - c0;
    state.counters["spans_replayed"] = static_cast<double>(store.Stats().spans);
    // The first reads after open, on the replayed heads (records decoded on demand). In this
    // workload a trace id recurs in every 64th batch, so one trace has ~1/770 of all spans.
    const std::vector<SpanBatch> probe_pool = make_pool();
    const SpanBatch& probe = probe_pool[0];
    auto timed_ms = [](auto&& fn) {
      auto r0 = std::chrono::steady_clock::now();
      fn();
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r0)
          .count();
    };
    size_t trace_spans = 0;
    state.counters["first_get_trace_ms"] = timed_ms([&] {
      auto t = store.GetTrace(probe.spans.trace_id[0]);
      trace_spans = t.ok() ? t->size() : 0;
    });
    state.counters["first_get_trace_spans"] = static_cast<double>(trace_spans);
    state.counters["get_services_ms"] = timed_ms([&] { (void)store.GetServices(); });
    // ARIADNE_BENCH_SEARCH=1: also one search for a service (decodes every replayed record that
    // may hold it: slow until the heads are blocks).
    const char* search = std::getenv("ARIADNE_BENCH_SEARCH");
    if (search != nullptr && std::string(search) == "1") {
      TraceQuery q;
      q.service = std::string(probe.ServiceName(0));
      state.counters["search_ms"] = timed_ms([&] { (void)store.FindTraces(q); });
    }
    // ARIADNE_BENCH_FLUSH=1: then write every replayed head as a block (what the maintenance
    // thread does after a restart), to compare block building with the ingest rate.
    const char* flush = std::getenv("ARIADNE_BENCH_FLUSH");
    if (flush != nullptr && std::string(flush) == "1") {
      state.counters["frozen_heads"] = static_cast<double>(store.FrozenHeadCount());
      auto f0 = std::chrono::steady_clock::now();
      const double fc0 = ThreadCpuUs();
      if (!store.CutHead().ok()) state.SkipWithError("cut failed");
      const double cpu_s = (ThreadCpuUs() - fc0) / 1e6;
      state.counters["flush_s"] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - f0).count();
      state.counters["flush_spans_per_cpu_s"] = static_cast<double>(store.Stats().spans) / cpu_s;
    }
  }
  state.counters["wal_mib"] = static_cast<double>(on_disk) / (1 << 20);
  state.counters["peak_rss_mib"] = PeakRssMib();
}
BENCHMARK(BM_RestartWithWal)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace ariadne
