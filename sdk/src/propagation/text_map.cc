#include "ariadne/propagation/text_map.h"

#include <atomic>
#include <mutex>

#include "ariadne/propagation/propagators.h"

namespace ariadne::propagation {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view HeaderVectorCarrier::Get(std::string_view key) const noexcept {
  for (const auto& [k, v] : *headers_) {
    if (EqualsIgnoreCase(k, key)) return v;
  }
  return {};
}

std::vector<std::string_view> HeaderVectorCarrier::GetAll(std::string_view key) const noexcept {
  std::vector<std::string_view> out;
  try {
    for (const auto& [k, v] : *headers_) {
      if (EqualsIgnoreCase(k, key)) out.push_back(v);
    }
  } catch (...) {
  }
  return out;
}

void HeaderVectorCarrier::Set(std::string_view key, std::string_view value) noexcept {
  try {
    for (auto& [k, v] : *headers_) {
      if (EqualsIgnoreCase(k, key)) {
        v.assign(value);
        return;
      }
    }
    headers_->emplace_back(std::string(key), std::string(value));
  } catch (...) {
  }
}

namespace {
struct GlobalPropagatorState {
  std::mutex mu;
  std::vector<std::shared_ptr<TextMapPropagator>> keep_alive;
  std::atomic<TextMapPropagator*> current{nullptr};
};
GlobalPropagatorState& State() {
  static GlobalPropagatorState* s = [] {
    auto* st = new GlobalPropagatorState();
    std::vector<std::string> ignored;
    std::shared_ptr<TextMapPropagator> def = MakePropagatorsFromList("", &ignored);
    st->keep_alive.push_back(def);
    st->current.store(def.get());
    return st;
  }();
  return *s;
}
}  // namespace

TextMapPropagator& GlobalPropagator() noexcept { return *State().current.load(); }

void SetGlobalPropagator(std::shared_ptr<TextMapPropagator> propagator) noexcept {
  if (!propagator) return;
  GlobalPropagatorState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  try {
    s.keep_alive.push_back(propagator);
  } catch (...) {
    return;
  }
  s.current.store(propagator.get());
}

}  // namespace ariadne::propagation
