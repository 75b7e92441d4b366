// IngestGate: admission control by concurrency and queue time, so that overload is refused at
// the server (429 / RESOURCE_EXHAUSTED) instead of queueing without bound in clients, gRPC flow
// control or the receivers' threads.
//
// At most max_concurrent requests are decoded and handed to the store at once (a "slot" is held
// from the start of decoding until SpanStore::Append returns). A request that finds every slot
// busy waits in a FIFO queue; it is refused (kQueueTimeout) once it has waited max_queue_wait,
// and refused at once (kQueueFull) when max_queued requests already wait. A request that finds a
// free slot and an empty queue runs on the caller's thread only with run_inline (tests, tools);
// otherwise every request runs on the gate's own worker threads (max_concurrent of them), which
// also refuse expired requests on time even when no slot frees up.
//
// Ownership: the gate owns its worker threads; its destructor lets them run what is queued,
// then joins them. Work callbacks must not throw. Thread-safety: every method is thread-safe.
// Tested by ingest_gate_test.cc and tests/integration/overload_test.cc.
#ifndef ARIADNE_SERVER_PIPELINE_INGEST_GATE_H_
#define ARIADNE_SERVER_PIPELINE_INGEST_GATE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ariadne {

struct IngestGateOptions {
  int max_concurrent = 0;                         // 0: max(4, hardware threads)
  std::chrono::milliseconds max_queue_wait{100};  // 0: refuse at once when every slot is busy
  size_t max_queued = 4096;                       // requests waiting for a slot
  // Run on the caller's thread when a slot is free and nobody waits. Off in the server: gRPC's
  // callback threads and the HTTP listeners' threads then only hand requests over, so a backlog
  // forms here, where it is measured and refused, instead of in gRPC's executor or the socket
  // buffers, where it is invisible (measured: 64 gRPC connections queued 115 ms per request
  // upstream of an inline gate and none in it).
  bool run_inline = false;
};

class IngestGate {
 public:
  enum class Outcome { kRun, kQueueFull, kQueueTimeout };
  // Called exactly once. With kRun the callee holds a slot and must call Leave() exactly once.
  using Work = std::function<void(Outcome)>;

  explicit IngestGate(IngestGateOptions options);
  ~IngestGate();
  IngestGate(const IngestGate&) = delete;
  IngestGate& operator=(const IngestGate&) = delete;

  void Enter(Work work);
  void Leave();

  int max_concurrent() const { return max_; }
  const IngestGateOptions& options() const { return options_; }
  size_t active() const;
  size_t queued() const;
  // Requests that had to wait in the queue (whatever became of them).
  uint64_t queued_total() const;

 private:
  struct Item {
    Work work;
    std::chrono::steady_clock::time_point deadline;
  };
  void WorkerLoop();

  const IngestGateOptions options_;
  const int max_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  int active_ = 0;
  uint64_t queued_total_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_PIPELINE_INGEST_GATE_H_
