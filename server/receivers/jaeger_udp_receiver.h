// Jaeger agent UDP receiver: Agent.emitBatch datagrams on 6831 (Thrift compact) and 6832 (Thrift
// binary), as jaeger-client libraries send them.
//
// One thread runs both sockets (Boost.Asio). UDP has no way to push back, so a datagram the
// pipeline refuses (in-flight limit, store refusing) or cannot decode is dropped and counted
// (ariadne_receiver_requests_refused_total and _spans_dropped_total, receiver jaeger_udp).
// Datagrams are at most 65,000 bytes, the size jaeger-client never exceeds.
//
// Ownership: owns its sockets and thread; the pipeline must outlive it. Thread-safety: Start and
// Stop from one thread. Tested by tests/integration/receivers_test.cc.
#ifndef ARIADNE_SERVER_RECEIVERS_JAEGER_UDP_RECEIVER_H_
#define ARIADNE_SERVER_RECEIVERS_JAEGER_UDP_RECEIVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/pipeline/ingest.h"

namespace ariadne {

class JaegerUdpReceiver {
 public:
  // A port of kOff leaves that protocol off; 0 binds a free port (tests).
  static constexpr int kOff = -1;
  JaegerUdpReceiver(IngestPipeline* pipeline, std::string host, int compact_port, int binary_port);
  ~JaegerUdpReceiver();
  JaegerUdpReceiver(const JaegerUdpReceiver&) = delete;
  JaegerUdpReceiver& operator=(const JaegerUdpReceiver&) = delete;

  [[nodiscard]] Status Start();
  uint16_t compact_port() const;
  uint16_t binary_port() const;
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_RECEIVERS_JAEGER_UDP_RECEIVER_H_
