#include "server/pipeline/admission.h"

#include <string>
#include <utility>

namespace ariadne {

AdmissionTicket::AdmissionTicket(AdmissionTicket&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

AdmissionTicket& AdmissionTicket::operator=(AdmissionTicket&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

AdmissionTicket::~AdmissionTicket() { Release(); }

Status AdmissionTicket::GrowTo(uint64_t bytes) {
  if (owner_ == nullptr || bytes <= bytes_) return Status::Ok();
  if (!owner_->TryAdd(bytes - bytes_)) {
    return Status::ResourceExhausted("in-flight data limit of " +
                                     std::to_string(owner_->max_inflight_bytes()) +
                                     " bytes reached (--max-inflight-bytes); retry later");
  }
  bytes_ = bytes;
  return Status::Ok();
}

void AdmissionTicket::SetTo(uint64_t bytes) {
  if (owner_ == nullptr) return;
  if (bytes > bytes_) {
    owner_->Add(bytes - bytes_);
  } else {
    owner_->Sub(bytes_ - bytes);
  }
  bytes_ = bytes;
}

void AdmissionTicket::Release() {
  if (owner_ != nullptr && bytes_ > 0) owner_->Sub(bytes_);
  bytes_ = 0;
}

bool Admission::TryAdd(uint64_t bytes) {
  uint64_t cur = inflight_.load(std::memory_order_relaxed);
  do {
    if (cur + bytes > max_) {
      refusals_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  } while (!inflight_.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
  return true;
}

StatusOr<AdmissionTicket> Admission::Admit(uint64_t bytes) {
  if (!TryAdd(bytes)) {
    return Status::ResourceExhausted("in-flight data limit of " + std::to_string(max_) +
                                     " bytes reached (--max-inflight-bytes); retry later");
  }
  return AdmissionTicket(this, bytes);
}

}  // namespace ariadne
