// Admission: the memory limit on data in flight. Every request reserves the bytes it will hold
// (its body, then its decompressed body and decoded batch) before it holds them; a reservation
// that would take the total above max_inflight_bytes is refused, so the receiver answers 429 /
// RESOURCE_EXHAUSTED with a retry hint instead of growing. The reservation is released when the
// store has acknowledged the batch (or the request failed).
//
// Ownership: an AdmissionTicket is a move-only handle; its destructor releases what it holds.
// The Admission object must outlive every ticket. Thread-safety: lock-free, any thread.
// Tested by admission_test.cc.
#ifndef ARIADNE_SERVER_PIPELINE_ADMISSION_H_
#define ARIADNE_SERVER_PIPELINE_ADMISSION_H_

#include <atomic>
#include <cstdint>

#include "base/status.h"

namespace ariadne {

class Admission;

class AdmissionTicket {
 public:
  AdmissionTicket() = default;
  AdmissionTicket(Admission* owner, uint64_t bytes) : owner_(owner), bytes_(bytes) {}
  AdmissionTicket(AdmissionTicket&& other) noexcept;
  AdmissionTicket& operator=(AdmissionTicket&& other) noexcept;
  AdmissionTicket(const AdmissionTicket&) = delete;
  AdmissionTicket& operator=(const AdmissionTicket&) = delete;
  ~AdmissionTicket();

  // Grows the reservation to `bytes` (never shrinks); ResourceExhausted if that would pass the
  // limit (the ticket then keeps what it had).
  [[nodiscard]] Status GrowTo(uint64_t bytes);
  // Sets the reservation to exactly `bytes` without checking the limit (to settle on the real
  // size of a batch that was already admitted).
  void SetTo(uint64_t bytes);
  void Release();
  uint64_t bytes() const { return bytes_; }

 private:
  Admission* owner_ = nullptr;
  uint64_t bytes_ = 0;
};

class Admission {
 public:
  explicit Admission(uint64_t max_inflight_bytes) : max_(max_inflight_bytes) {}

  // Reserves bytes, or ResourceExhausted naming the limit.
  [[nodiscard]] StatusOr<AdmissionTicket> Admit(uint64_t bytes);
  uint64_t inflight_bytes() const { return inflight_.load(std::memory_order_relaxed); }
  uint64_t max_inflight_bytes() const { return max_; }
  uint64_t refusals() const { return refusals_.load(std::memory_order_relaxed); }

 private:
  friend class AdmissionTicket;
  bool TryAdd(uint64_t bytes);
  void Sub(uint64_t bytes) { inflight_.fetch_sub(bytes, std::memory_order_relaxed); }
  void Add(uint64_t bytes) { inflight_.fetch_add(bytes, std::memory_order_relaxed); }

  const uint64_t max_;
  std::atomic<uint64_t> inflight_{0};
  std::atomic<uint64_t> refusals_{0};
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_PIPELINE_ADMISSION_H_
