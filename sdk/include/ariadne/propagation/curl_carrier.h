// CurlHeaderCarrier: inject context into a libcurl request's header list.
//
//   curl_slist* headers = nullptr;
//   CurlHeaderCarrier carrier(&headers);
//   GlobalPropagator().Inject(Context::Current(), carrier);
//   curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);  // caller frees with curl_slist_free_all
//
// Inject-only (Get returns ""). Header-only: costs nothing unless included; link CURL::libcurl
// (target ariadne::propagation_curl). Tested by w3c_test_service_test.cc.
#ifndef ARIADNE_PROPAGATION_CURL_CARRIER_H_
#define ARIADNE_PROPAGATION_CURL_CARRIER_H_

#include <string>

#include <curl/curl.h>

#include "ariadne/propagation/text_map.h"

namespace ariadne::propagation {

class CurlHeaderCarrier final : public TextMapCarrier {
 public:
  explicit CurlHeaderCarrier(curl_slist** headers) : headers_(headers) {}
  std::string_view Get(std::string_view) const noexcept override { return {}; }
  void Set(std::string_view key, std::string_view value) noexcept override {
    try {
      std::string line;
      line.reserve(key.size() + value.size() + 2);
      line.append(key).append(": ").append(value);
      if (curl_slist* next = curl_slist_append(*headers_, line.c_str())) *headers_ = next;
    } catch (...) {
    }
  }

 private:
  curl_slist** headers_;
};

}  // namespace ariadne::propagation

#endif  // ARIADNE_PROPAGATION_CURL_CARRIER_H_
