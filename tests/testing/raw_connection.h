// RawConnection: one client TCP connection to 127.0.0.1 for tests that need what HttpRequestRaw
// cannot do: hold many connections open at once, send a request a byte at a time, send headers
// and wait for the answer without ever sending the body, and see when the server closes.
// HttpRequestRaw (http_client.h) is built on it.
//
// Blocking with explicit timeouts (poll); never throws. Not thread-safe. Closes in the destructor.
#ifndef ARIADNE_TESTS_TESTING_RAW_CONNECTION_H_
#define ARIADNE_TESTS_TESTING_RAW_CONNECTION_H_

#include <cstdint>
#include <string>

#include <sys/types.h>

namespace ariadne::testing {

class RawConnection {
 public:
  RawConnection() = default;
  ~RawConnection();
  RawConnection(RawConnection&& other) noexcept;
  RawConnection& operator=(RawConnection&& other) noexcept;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Connects (the kernel completes the handshake even before the server accepts).
  bool Connect(uint16_t port);
  // Sends every byte; false if the connection failed.
  bool Send(const std::string& data);
  // Reads until the server closes the connection (or resets it) or timeout_ms passes, and
  // returns what arrived. *closed says whether the server closed it within the time.
  std::string ReadUntilClosed(int timeout_ms, bool* closed);
  // Reads until `marker` arrived, the server closed, or timeout_ms passed.
  std::string ReadUntil(const std::string& marker, int timeout_ms);
  // Waits up to timeout_ms for bytes and appends them to *out. Returns how many arrived, 0 when
  // the server closed (or reset) the connection, -1 on timeout or when not connected.
  ssize_t ReadSome(int timeout_ms, std::string* out);
  void Close();
  bool connected() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_TESTING_RAW_CONNECTION_H_
