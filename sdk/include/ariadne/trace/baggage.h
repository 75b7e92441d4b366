// Baggage: an immutable set of name/value pairs (with optional metadata) propagated with the
// context (W3C baggage). Copying shares the storage; Set/Remove return a new Baggage. The empty
// Baggage holds no allocation. Names and values are case-sensitive. Header-only, noexcept:
// on allocation failure the operation returns the unchanged baggage. Tested by api_test.cc.
#ifndef ARIADNE_TRACE_BAGGAGE_H_
#define ARIADNE_TRACE_BAGGAGE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ariadne::trace {

struct BaggageEntry {
  std::string key;
  std::string value;
  std::string metadata;  // the opaque ";prop=x" part, without the leading ';'
};

class Baggage {
 public:
  Baggage() noexcept = default;

  bool empty() const noexcept { return entries_ == nullptr || entries_->empty(); }
  size_t size() const noexcept { return entries_ ? entries_->size() : 0; }
  std::optional<std::string_view> Get(std::string_view key) const noexcept {
    if (entries_) {
      for (const BaggageEntry& e : *entries_) {
        if (e.key == key) return std::string_view(e.value);
      }
    }
    return std::nullopt;
  }
  Baggage Set(std::string_view key, std::string_view value,
              std::string_view metadata = {}) const noexcept {
    try {
      auto next = std::make_shared<std::vector<BaggageEntry>>();
      if (entries_) {
        next->reserve(entries_->size() + 1);
        for (const BaggageEntry& e : *entries_) {
          if (e.key != key) next->push_back(e);
        }
      }
      next->push_back(BaggageEntry{std::string(key), std::string(value), std::string(metadata)});
      return Baggage(std::move(next));
    } catch (...) {
      return *this;
    }
  }
  Baggage Remove(std::string_view key) const noexcept {
    if (!Get(key)) return *this;
    try {
      auto next = std::make_shared<std::vector<BaggageEntry>>();
      for (const BaggageEntry& e : *entries_) {
        if (e.key != key) next->push_back(e);
      }
      return Baggage(std::move(next));
    } catch (...) {
      return *this;
    }
  }
  // In insertion order.
  const std::vector<BaggageEntry>& entries() const noexcept {
    static const std::vector<BaggageEntry> kEmpty;
    return entries_ ? *entries_ : kEmpty;
  }

 private:
  explicit Baggage(std::shared_ptr<const std::vector<BaggageEntry>> e) noexcept
      : entries_(std::move(e)) {}
  std::shared_ptr<const std::vector<BaggageEntry>> entries_;
};

}  // namespace ariadne::trace

#endif  // ARIADNE_TRACE_BAGGAGE_H_
