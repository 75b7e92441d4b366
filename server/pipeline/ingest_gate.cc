#include "server/pipeline/ingest_gate.h"

#include <algorithm>
#include <utility>

namespace ariadne {
namespace {

int ResolveMax(int configured) {
  if (configured > 0) return configured;
  int hw = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(4, hw);
}

}  // namespace

IngestGate::IngestGate(IngestGateOptions options)
    : options_(options), max_(ResolveMax(options.max_concurrent)) {
  workers_.reserve(static_cast<size_t>(max_));
  for (int i = 0; i < max_; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

IngestGate::~IngestGate() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void IngestGate::Enter(Work work) {
  std::unique_lock lock(mu_);
  bool free = queue_.empty() && active_ < max_;
  if (free && options_.run_inline) {
    ++active_;
    lock.unlock();
    work(Outcome::kRun);
    return;
  }
  if (!free && (options_.max_queue_wait.count() <= 0 || queue_.size() >= options_.max_queued)) {
    lock.unlock();
    work(Outcome::kQueueFull);
    return;
  }
  // A hand-over to a free slot is not waiting for one: it must not expire on a zero wait.
  auto wait =
      free ? std::max<std::chrono::milliseconds>(options_.max_queue_wait, std::chrono::seconds(1))
           : options_.max_queue_wait;
  queue_.push_back({std::move(work), std::chrono::steady_clock::now() + wait});
  if (!free) ++queued_total_;
  lock.unlock();
  cv_.notify_one();
}

void IngestGate::Leave() {
  bool wake;
  {
    std::lock_guard lock(mu_);
    --active_;
    wake = !queue_.empty();
  }
  if (wake) cv_.notify_one();
}

void IngestGate::WorkerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    // Refuse what waited too long (the queue is in deadline order).
    auto now = std::chrono::steady_clock::now();
    while (!queue_.empty() && queue_.front().deadline <= now) {
      Work work = std::move(queue_.front().work);
      queue_.pop_front();
      lock.unlock();
      work(Outcome::kQueueTimeout);
      lock.lock();
      now = std::chrono::steady_clock::now();
    }
    if (!queue_.empty() && active_ < max_) {
      Work work = std::move(queue_.front().work);
      queue_.pop_front();
      ++active_;
      bool more = !queue_.empty() && active_ < max_;
      lock.unlock();
      if (more) cv_.notify_one();
      work(Outcome::kRun);
      lock.lock();
      continue;
    }
    if (queue_.empty()) {
      if (stopping_) return;
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, queue_.front().deadline);
    }
  }
}

size_t IngestGate::active() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(active_);
}

size_t IngestGate::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

uint64_t IngestGate::queued_total() const {
  std::lock_guard lock(mu_);
  return queued_total_;
}

}  // namespace ariadne
