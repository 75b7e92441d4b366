// TextMapCarrier and TextMapPropagator: how context crosses process boundaries in headers.
//
// A carrier adapts a header container; Get must match names case-insensitively (HTTP) and
// GetAll returns every value of a repeated header (tracestate and baggage are combined across
// headers, a repeated traceparent is invalid). Propagators never throw and never store a
// partially parsed value: on bad input Extract returns the base context unchanged.
// HeaderVectorCarrier adapts std::vector<std::pair<std::string, std::string>>.
// Thread-compatible. Tested by propagation_test.cc.
#ifndef ARIADNE_PROPAGATION_TEXT_MAP_H_
#define ARIADNE_PROPAGATION_TEXT_MAP_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ariadne/trace/context.h"

namespace ariadne::propagation {

class TextMapCarrier {
 public:
  virtual ~TextMapCarrier() = default;
  // The first value of the header, or "" if absent.
  virtual std::string_view Get(std::string_view key) const noexcept = 0;
  // Every value of the header, in order (default: Get's value when non-empty).
  virtual std::vector<std::string_view> GetAll(std::string_view key) const noexcept {
    std::vector<std::string_view> out;
    std::string_view v = Get(key);
    if (!v.empty()) {
      try {
        out.push_back(v);
      } catch (...) {
      }
    }
    return out;
  }
  // Replaces any existing value.
  virtual void Set(std::string_view key, std::string_view value) noexcept = 0;
};

class TextMapPropagator {
 public:
  virtual ~TextMapPropagator() = default;
  virtual void Inject(const trace::Context& context, TextMapCarrier& carrier) noexcept = 0;
  virtual trace::Context Extract(const TextMapCarrier& carrier,
                                 const trace::Context& base) noexcept = 0;
  // The header names this propagator reads and writes.
  virtual std::vector<std::string> Fields() const = 0;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept;

class HeaderVectorCarrier final : public TextMapCarrier {
 public:
  explicit HeaderVectorCarrier(std::vector<std::pair<std::string, std::string>>* headers)
      : headers_(headers) {}
  std::string_view Get(std::string_view key) const noexcept override;
  std::vector<std::string_view> GetAll(std::string_view key) const noexcept override;
  void Set(std::string_view key, std::string_view value) noexcept override;

 private:
  std::vector<std::pair<std::string, std::string>>* headers_;
};

// Inject/extract with the process-wide propagator (default: tracecontext + baggage; replaced by
// SetGlobalPropagator, e.g. from OTEL_PROPAGATORS).
TextMapPropagator& GlobalPropagator() noexcept;
void SetGlobalPropagator(std::shared_ptr<TextMapPropagator> propagator) noexcept;

}  // namespace ariadne::propagation

#endif  // ARIADNE_PROPAGATION_TEXT_MAP_H_
