#include "ariadne/sdk/sampler.h"

#include <cmath>
#include <cstdio>

namespace ariadne::sdk {
namespace {

class AlwaysOn final : public Sampler {
 public:
  SamplingDecision ShouldSample(const SamplingParams&) noexcept override {
    return SamplingDecision::kRecordAndSample;
  }
  std::string Description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOff final : public Sampler {
 public:
  SamplingDecision ShouldSample(const SamplingParams&) noexcept override {
    return SamplingDecision::kDrop;
  }
  std::string Description() const override { return "AlwaysOffSampler"; }
};

uint64_t ThresholdFor(double ratio) {
  if (!(ratio > 0)) return 0;  // also NaN
  if (ratio >= 1) return uint64_t{1} << 63;
  return static_cast<uint64_t>(ratio * 9223372036854775808.0);  // ratio * 2^63
}

class TraceIdRatio final : public Sampler {
 public:
  explicit TraceIdRatio(double ratio)
      : ratio_(std::isnan(ratio) ? 0 : std::fmin(1.0, std::fmax(0.0, ratio))),
        threshold_(ThresholdFor(ratio_)) {}
  SamplingDecision ShouldSample(const SamplingParams& p) noexcept override {
    return Samples(p.trace_id) ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
  }
  std::string Description() const override {
    char buf[64];
    std::snprintf(buf, sizeof buf, "TraceIdRatioBased{%g}", ratio_);
    return buf;
  }
  bool Samples(const trace::TraceId& id) const noexcept {
    if (ratio_ >= 1) return true;
    uint64_t low = 0;
    for (int i = 8; i < 16; ++i) low = (low << 8) | id.bytes[i];
    return (low >> 1) < threshold_;
  }

 private:
  double ratio_;
  uint64_t threshold_;
};

class ParentBased final : public Sampler {
 public:
  explicit ParentBased(ParentBasedOptions o) : o_(std::move(o)) {
    if (!o_.root) o_.root = MakeAlwaysOnSampler();
    if (!o_.remote_parent_sampled) o_.remote_parent_sampled = MakeAlwaysOnSampler();
    if (!o_.remote_parent_not_sampled) o_.remote_parent_not_sampled = MakeAlwaysOffSampler();
    if (!o_.local_parent_sampled) o_.local_parent_sampled = MakeAlwaysOnSampler();
    if (!o_.local_parent_not_sampled) o_.local_parent_not_sampled = MakeAlwaysOffSampler();
  }
  SamplingDecision ShouldSample(const SamplingParams& p) noexcept override {
    const trace::SpanContext* parent = p.parent;
    if (parent == nullptr || !parent->IsValid()) return o_.root->ShouldSample(p);
    if (parent->remote) {
      return parent->IsSampled() ? o_.remote_parent_sampled->ShouldSample(p)
                                 : o_.remote_parent_not_sampled->ShouldSample(p);
    }
    return parent->IsSampled() ? o_.local_parent_sampled->ShouldSample(p)
                               : o_.local_parent_not_sampled->ShouldSample(p);
  }
  std::string Description() const override {
    return "ParentBased{root:" + o_.root->Description() +
           ",remoteParentSampled:" + o_.remote_parent_sampled->Description() +
           ",remoteParentNotSampled:" + o_.remote_parent_not_sampled->Description() +
           ",localParentSampled:" + o_.local_parent_sampled->Description() +
           ",localParentNotSampled:" + o_.local_parent_not_sampled->Description() + "}";
  }

 private:
  ParentBasedOptions o_;
};

}  // namespace

std::optional<SamplingDecision> ConstantSamplingDecision(const Sampler& sampler) noexcept {
  if (dynamic_cast<const AlwaysOn*>(&sampler) != nullptr) {
    return SamplingDecision::kRecordAndSample;
  }
  if (dynamic_cast<const AlwaysOff*>(&sampler) != nullptr) return SamplingDecision::kDrop;
  return std::nullopt;
}

bool TraceIdRatioSamples(const trace::TraceId& id, double ratio) noexcept {
  return TraceIdRatio(ratio).Samples(id);
}

std::unique_ptr<Sampler> MakeAlwaysOnSampler() { return std::make_unique<AlwaysOn>(); }
std::unique_ptr<Sampler> MakeAlwaysOffSampler() { return std::make_unique<AlwaysOff>(); }
std::unique_ptr<Sampler> MakeTraceIdRatioSampler(double ratio) {
  return std::make_unique<TraceIdRatio>(ratio);
}
std::unique_ptr<Sampler> MakeParentBasedSampler(ParentBasedOptions options) {
  return std::make_unique<ParentBased>(std::move(options));
}
std::unique_ptr<Sampler> MakeParentBasedSampler(std::unique_ptr<Sampler> root) {
  ParentBasedOptions o;
  o.root = std::move(root);
  return MakeParentBasedSampler(std::move(o));
}

}  // namespace ariadne::sdk
