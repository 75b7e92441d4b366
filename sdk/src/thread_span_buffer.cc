#include "sdk/src/thread_span_buffer.h"

#include <algorithm>
#include <new>

namespace ariadne::sdk::internal {

constinit thread_local ThreadBufferCache t_buffer_cache{0, nullptr};

namespace {

constinit thread_local bool t_thread_exiting = false;

// Runs when the thread exits: hands each buffer to its processor if that is still alive.
class ThreadExitHook {
 public:
  struct Entry {
    uint64_t processor_id;
    std::shared_ptr<ThreadBufferRegistry> registry;
    ThreadSpanBuffer* buffer;
  };
  ~ThreadExitHook() {
    t_thread_exiting = true;
    t_buffer_cache = ThreadBufferCache{0, nullptr};
    for (Entry& e : entries_) {
      std::lock_guard<std::mutex> lock(e.registry->mu);
      if (e.registry->owner != nullptr) e.registry->on_thread_exit(e.registry->owner, e.buffer);
    }
  }
  ThreadSpanBuffer* Find(uint64_t processor_id) const noexcept {
    for (const Entry& e : entries_) {
      if (e.processor_id == processor_id) return e.buffer;
    }
    return nullptr;
  }
  // Forgets the entries of processors that are gone (their buffers were freed with them).
  void Prune() noexcept {
    std::erase_if(entries_, [](const Entry& e) {
      std::lock_guard<std::mutex> lock(e.registry->mu);
      return e.registry->owner == nullptr;
    });
  }
  std::vector<Entry>& entries() noexcept { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace

ThreadSpanBuffer* FindOrCreateThreadBuffer(
    uint64_t processor_id, const std::shared_ptr<ThreadBufferRegistry>& registry) noexcept {
  if (t_thread_exiting) return nullptr;
  static thread_local ThreadExitHook hook;
  if (ThreadSpanBuffer* b = hook.Find(processor_id)) {
    t_buffer_cache = ThreadBufferCache{processor_id, b};
    return b;
  }
  hook.Prune();
  auto* buffer = new (std::nothrow) ThreadSpanBuffer;
  if (buffer == nullptr) return nullptr;
  try {
    hook.entries().reserve(hook.entries().size() + 1);
    std::lock_guard<std::mutex> lock(registry->mu);
    if (registry->owner == nullptr) {
      delete buffer;
      return nullptr;
    }
    registry->buffers.push_back(buffer);
  } catch (...) {
    delete buffer;
    return nullptr;
  }
  hook.entries().push_back({processor_id, registry, buffer});  // reserved: cannot throw
  t_buffer_cache = ThreadBufferCache{processor_id, buffer};
  return buffer;
}

}  // namespace ariadne::sdk::internal
