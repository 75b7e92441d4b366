#include "tests/testing/http_client.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "tests/testing/raw_connection.h"

namespace ariadne::testing {

std::string ClientResponse::Header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return "";
}

namespace {

// Parses a complete response; returns false if more bytes are needed.
bool Parse(const std::string& data, bool eof, ClientResponse* out) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  ClientResponse r;
  size_t line_end = data.find("\r\n");
  std::string status_line = data.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return eof;
  r.status = std::atoi(status_line.c_str() + 9);
  size_t pos = line_end + 2;
  long content_length = -1;
  bool chunked = false;
  while (pos < end) {
    size_t nl = data.find("\r\n", pos);
    std::string line = data.substr(pos, nl - pos);
    pos = nl + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "content-length") content_length = std::atol(value.c_str());
    if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
    r.headers.emplace_back(name, value);
  }
  std::string rest = data.substr(end + 4);
  if (chunked) {
    std::string body;
    size_t p = 0;
    while (true) {
      size_t nl = rest.find("\r\n", p);
      if (nl == std::string::npos) return eof;
      size_t n = std::strtoul(rest.c_str() + p, nullptr, 16);
      if (n == 0) break;
      if (nl + 2 + n > rest.size()) return eof;
      body.append(rest, nl + 2, n);
      p = nl + 2 + n + 2;
    }
    r.body = body;
  } else if (content_length >= 0) {
    if (rest.size() < static_cast<size_t>(content_length)) return eof;
    r.body = rest.substr(0, static_cast<size_t>(content_length));
  } else {
    if (!eof) return false;
    r.body = rest;
  }
  *out = std::move(r);
  return true;
}

}  // namespace

ClientResponse HttpRequestRaw(uint16_t port, const std::string& raw, int timeout_ms) {
  ClientResponse out;
  RawConnection c;
  if (!c.Connect(port)) return out;
  c.Send(raw);  // may fail part way: the server may answer (413) before reading everything
  std::string data;
  while (true) {
    ssize_t n = c.ReadSome(timeout_ms, &data);
    if (n < 0) break;
    if (n == 0) {
      Parse(data, true, &out);
      break;
    }
    if (Parse(data, false, &out)) break;
  }
  return out;
}

ClientResponse HttpGet(uint16_t port, const std::string& target) {
  return HttpRequestRaw(
      port, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
}

ClientResponse HttpPost(uint16_t port, const std::string& target, const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string raw = "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) raw += k + ": " + v + "\r\n";
  raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  raw += body;
  return HttpRequestRaw(port, raw);
}

}  // namespace ariadne::testing
