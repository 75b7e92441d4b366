// A small blocking HTTP/1.1 client for tests: one request per connection, raw bytes allowed,
// so tests can also send what no well-behaved client would (truncated bodies, bad headers).
#ifndef ARIADNE_TESTS_TESTING_HTTP_CLIENT_H_
#define ARIADNE_TESTS_TESTING_HTTP_CLIENT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ariadne::testing {

struct ClientResponse {
  int status = 0;  // 0 when the connection failed or the reply was not HTTP
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

ClientResponse HttpRequestRaw(uint16_t port, const std::string& raw_request,
                              int timeout_ms = 10'000);
ClientResponse HttpGet(uint16_t port, const std::string& target);
ClientResponse HttpPost(uint16_t port, const std::string& target, const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_TESTING_HTTP_CLIENT_H_
