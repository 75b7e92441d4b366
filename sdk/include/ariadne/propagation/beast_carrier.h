// BeastHeaderCarrier: extract from / inject into Boost.Beast messages (anything with
// beast::http::fields-like find/set/equal_range: request<>, response<>, fields).
//
//   BeastHeaderCarrier carrier(req);            // incoming request
//   Context ctx = GlobalPropagator().Extract(carrier, Context());
//
// Header-only template: costs nothing unless included; link Boost::headers
// (target ariadne::propagation_beast). Names are case-insensitive in Beast already.
#ifndef ARIADNE_PROPAGATION_BEAST_CARRIER_H_
#define ARIADNE_PROPAGATION_BEAST_CARRIER_H_

#include <string>
#include <vector>

#include <boost/beast/core/string.hpp>

#include "ariadne/propagation/text_map.h"

namespace ariadne::propagation {

template <typename Message>
class BeastHeaderCarrier final : public TextMapCarrier {
 public:
  explicit BeastHeaderCarrier(Message& message) : message_(message) {}
  std::string_view Get(std::string_view key) const noexcept override {
    try {
      auto it = message_.find(Bv(key));
      if (it == message_.end()) return {};
      auto v = it->value();
      return std::string_view(v.data(), v.size());
    } catch (...) {
      return {};
    }
  }
  std::vector<std::string_view> GetAll(std::string_view key) const noexcept override {
    std::vector<std::string_view> out;
    try {
      auto range = message_.equal_range(Bv(key));
      for (auto it = range.first; it != range.second; ++it) {
        auto v = it->value();
        out.emplace_back(v.data(), v.size());
      }
    } catch (...) {
    }
    return out;
  }
  void Set(std::string_view key, std::string_view value) noexcept override {
    try {
      message_.set(Bv(key), Bv(value));
    } catch (...) {
    }
  }

 private:
  static boost::beast::string_view Bv(std::string_view s) noexcept {
    return boost::beast::string_view(s.data(), s.size());
  }
  Message& message_;
};

}  // namespace ariadne::propagation

#endif  // ARIADNE_PROPAGATION_BEAST_CARRIER_H_
