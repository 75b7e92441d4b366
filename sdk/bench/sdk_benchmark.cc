// SDK hot-path benchmarks (docs/performance.md, "## SDK"):
//   BM_SampledSpan4Attrs      start + 4 attributes + end, sampled, batch processor -> null exporter
//   BM_SampledSpan4AttrsDefaultQueue  the same with the default queue (2048) instead of 65536
//   BM_UnsampledSpan4Attrs    the same span with an always_off sampler
//   BM_ParentAndScopedChild   a scoped parent and a scoped child (the pair)
//   BM_DisabledTracer         the no-op tracer (no SDK installed / OTEL_SDK_DISABLED)
//   BM_BatchEncodeOtlpProto   the OTLP/HTTP exporter's protobuf body for 512-span batches
//                             (direct SpanData -> protobuf encoding)
//   BM_BatchEncodeOtlpProtoViaSpanBatch  the previous path (SpanBatch + wire/otlp), for the ratio
//   BM_MemoryPerBufferedSpan  heap bytes held per finished span waiting for export
#include <algorithm>
#include <chrono>
#include <memory>

#include <benchmark/benchmark.h>
#include <malloc.h>

#include "ariadne/exporters/in_memory_exporter.h"
#include "ariadne/exporters/none_exporter.h"
#include "ariadne/exporters/otlp_http_exporter.h"
#include "ariadne/exporters/span_batch_convert.h"
#include "ariadne/sdk/batch_span_processor.h"
#include "ariadne/sdk/tracer_provider.h"
#include "ariadne/trace/tracer.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne {
namespace {

struct BatchSetup {
  explicit BatchSetup(std::unique_ptr<sdk::Sampler> sampler, size_t queue = 65536) {
    sdk::BatchSpanProcessorOptions o;
    o.max_queue_size = queue;
    o.max_export_batch_size = 512;
    auto p = std::make_unique<sdk::BatchSpanProcessor>(
        std::make_unique<exporters::NoneSpanExporter>(), o);
    bsp = p.get();
    sdk::TracerProviderOptions to;
    to.sampler = std::move(sampler);
    to.processor = std::move(p);
    provider = std::make_unique<sdk::SdkTracerProvider>(std::move(to));
    tracer = provider->GetTracer("bench");
  }
  sdk::BatchSpanProcessor* bsp;
  std::unique_ptr<sdk::SdkTracerProvider> provider;
  trace::Tracer tracer;
};

// The machine is shared (load averages of 8-20 while these run), so besides the usual mean the
// timing benchmarks report "best_ns": the fastest 256-iteration window seen, per iteration. A
// window that nobody preempted is what the code costs on a quiet core; the lead's quiet-machine
// re-run checks it against the plain Time/CPU columns.
class BestWindow {
 public:
  static constexpr int kWindow = 256;
  void Tick() {
    if (++count_ < kWindow) return;
    auto now = std::chrono::steady_clock::now();
    best_ = std::min(best_, std::chrono::duration<double, std::nano>(now - start_).count());
    start_ = now;
    count_ = 0;
  }
  void Report(benchmark::State& state, const char* name = "best_ns") const {
    state.counters[name] = best_ / kWindow;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double best_ = 1e300;
  int count_ = 0;
};

BatchSetup* g_sampled = nullptr;

void RunSampledSpan4Attrs(benchmark::State& state, size_t queue) {
  if (state.thread_index() == 0) g_sampled = new BatchSetup(sdk::MakeAlwaysOnSampler(), queue);
  // Threads start together after thread 0's setup (benchmark synchronises before the loop).
  BestWindow best;
  for (auto _ : state) {
    trace::Span s = g_sampled->tracer.StartSpan("GET /api/orders");
    s.SetAttribute("http.request.method", "GET")
        .SetAttribute("http.response.status_code", 200)
        .SetAttribute("server.duration", 1.5)
        .SetAttribute("cache.hit", true);
    s.End();
    best.Tick();
  }
  if (state.thread_index() == 0) best.Report(state);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    g_sampled->provider->ForceFlush();
    sdk::BatchSpanProcessorStats st = g_sampled->bsp->stats();
    state.counters["dropped"] = static_cast<double>(st.dropped_queue_full);
    state.counters["enqueued"] = static_cast<double>(st.enqueued);
    state.counters["avg_batch"] =
        st.export_calls ? static_cast<double>(st.exported_spans) / st.export_calls : 0;
    // Futex wakes of the export thread by the application's threads, per batch exported.
    state.counters["wakes_per_batch"] =
        st.export_calls ? static_cast<double>(st.producer_wakeups) / st.export_calls : 0;
  }
}

void BM_SampledSpan4Attrs(benchmark::State& state) { RunSampledSpan4Attrs(state, 65536); }
BENCHMARK(BM_SampledSpan4Attrs)->Threads(1)->Threads(2)->UseRealTime();

// The same with the specification's default queue (2048 spans, four batches).
void BM_SampledSpan4AttrsDefaultQueue(benchmark::State& state) {
  RunSampledSpan4Attrs(state, 2048);
}
BENCHMARK(BM_SampledSpan4AttrsDefaultQueue)->Threads(1)->Threads(2)->UseRealTime();

void BM_UnsampledSpan4Attrs(benchmark::State& state) {
  BatchSetup setup(sdk::MakeAlwaysOffSampler());
  BestWindow best;
  for (auto _ : state) {
    trace::Span s = setup.tracer.StartSpan("GET /api/orders");
    s.SetAttribute("http.request.method", "GET")
        .SetAttribute("http.response.status_code", 200)
        .SetAttribute("server.duration", 1.5)
        .SetAttribute("cache.hit", true);
    s.End();
    best.Tick();
  }
  best.Report(state);
}
BENCHMARK(BM_UnsampledSpan4Attrs);

void BM_ParentAndScopedChild(benchmark::State& state) {
  BatchSetup setup(sdk::MakeAlwaysOnSampler());
  BestWindow best;
  for (auto _ : state) {
    {
      trace::ScopedSpan parent(setup.tracer, "parent");
      trace::ScopedSpan child(setup.tracer, "child");
      benchmark::DoNotOptimize(child.GetContext());
    }
    best.Tick();
  }
  best.Report(state);
  setup.provider->ForceFlush();
  state.counters["dropped"] = static_cast<double>(setup.bsp->stats().dropped_queue_full);
}
BENCHMARK(BM_ParentAndScopedChild);

void BM_DisabledTracer(benchmark::State& state) {
  trace::Tracer tracer;  // what GetTracer returns with no SDK or OTEL_SDK_DISABLED=true
  benchmark::DoNotOptimize(&tracer);
  BestWindow best;
  for (auto _ : state) {
    trace::Span s = tracer.StartSpan("GET /api/orders");
    s.SetAttribute("http.request.method", "GET");
    s.End();
    best.Tick();
  }
  best.Report(state);
}
BENCHMARK(BM_DisabledTracer);

std::vector<std::unique_ptr<sdk::SpanData>> MakeSpans(sdk::SdkTracerProvider** keep, int n) {
  auto exporter = std::make_unique<exporters::InMemorySpanExporter>();
  auto store = exporter->GetStore();
  sdk::TracerProviderOptions o;
  o.processor = std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter));
  *keep = new sdk::SdkTracerProvider(std::move(o));
  trace::Tracer t = (*keep)->GetTracer("bench");
  for (int i = 0; i < n; ++i) {
    trace::Span s = t.StartSpan("GET /api/orders");
    s.SetAttribute("http.request.method", "GET")
        .SetAttribute("http.response.status_code", 200)
        .SetAttribute("server.duration", 1.5)
        .SetAttribute("cache.hit", true);
  }
  return store->Take();
}

void BM_BatchEncodeOtlpProto(benchmark::State& state) {
  sdk::SdkTracerProvider* provider;
  auto spans = MakeSpans(&provider, 512);
  exporters::OtlpHttpExporter exporter;
  std::string body;
  double best = 1e300;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    exporter.EncodeBody(spans, &body);
    benchmark::DoNotOptimize(body.data());
    best = std::min(
        best,
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["best_spans_per_s"] = 512 / best * 1e9;
  state.SetItemsProcessed(state.iterations() * 512);
  state.counters["bytes_per_span"] = static_cast<double>(body.size()) / 512;
  spans.clear();
  delete provider;
}
BENCHMARK(BM_BatchEncodeOtlpProto);

// The previous encoding path (SpanData -> SpanBatch -> wire/otlp), run beside the direct one so
// the ratio comes from one run on the same machine state.
void BM_BatchEncodeOtlpProtoViaSpanBatch(benchmark::State& state) {
  sdk::SdkTracerProvider* provider;
  auto spans = MakeSpans(&provider, 512);
  std::string body;
  double best = 1e300;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    SpanBatch batch;
    exporters::AppendToSpanBatch(spans, &batch);
    body.clear();
    EncodeOtlpProto(batch, &body);
    benchmark::DoNotOptimize(body.data());
    best = std::min(
        best,
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["best_spans_per_s"] = 512 / best * 1e9;
  state.SetItemsProcessed(state.iterations() * 512);
  state.counters["bytes_per_span"] = static_cast<double>(body.size()) / 512;
  spans.clear();
  delete provider;
}
BENCHMARK(BM_BatchEncodeOtlpProtoViaSpanBatch);

void BM_MemoryPerBufferedSpan(benchmark::State& state) {
  double per_span = 0;
  for (auto _ : state) {
    size_t before = mallinfo2().uordblks;
    sdk::SdkTracerProvider* provider;
    auto spans = MakeSpans(&provider, 10000);
    size_t after = mallinfo2().uordblks;
    per_span = (static_cast<double>(after) - static_cast<double>(before)) / 10000;
    spans.clear();
    delete provider;
  }
  state.counters["bytes_per_span"] = per_span;
  state.counters["sizeof_SpanData"] = sizeof(sdk::SpanData);
}
BENCHMARK(BM_MemoryPerBufferedSpan)->Iterations(3);

}  // namespace
}  // namespace ariadne
