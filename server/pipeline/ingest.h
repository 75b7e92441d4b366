// IngestPipeline: the path every receiver shares, from a request body to the store's answer.
//
//   body ─ admission (reserve body bytes) ─ gate (a slot, or wait in the queue, or 429) ─
//   decompress (hard cap) ─ admission (grow to the decompressed size) ─ decode (limits) ─ settle
//   the reservation on the batch's real size ─ SpanStore::Append ─ done(reply) ─ reservation
//   released
//
// The reply says what the receiver must answer, independent of the protocol: OK (maybe with
// partially rejected spans), kInvalidArgument (malformed: 400 / INVALID_ARGUMENT), kOutOfRange
// (too large after decompression: 413), kResourceExhausted (in-flight limit: 429 /
// RESOURCE_EXHAUSTED, retry) or kUnavailable (the store refused: 503 / UNAVAILABLE, retry).
// Every outcome is counted in IngestStats, with latency. The gate (ingest_gate.h) bounds how many
// requests are decoded at once and how long a request may wait for that: beyond, the request
// is refused with kResourceExhausted (reasons queue_timeout, queue_full), so overload is refused
// at the server instead of queueing in clients and transport flow control.
//
// Memory: a request holds its reservation until the store calls done, so the sum of bodies,
// decompressed bodies and decoded batches in flight stays under max_inflight_bytes, except that
// a decompression in progress may exceed it by at most max_request_bytes per request before it
// is checked. Thread-safety: Ingest may be called from any thread concurrently; `done` runs on
// the caller's thread, a gate worker's (when the request waited) or the store's. Tested by
// ingest_test.cc.
#ifndef ARIADNE_SERVER_PIPELINE_INGEST_H_
#define ARIADNE_SERVER_PIPELINE_INGEST_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"
#include "server/pipeline/admission.h"
#include "server/pipeline/ingest_gate.h"
#include "server/pipeline/ingest_stats.h"
#include "server/storage/span_store.h"
#include "wire/common/decode.h"

namespace ariadne {

enum class ContentEncoding : uint8_t { kIdentity, kGzip, kDeflate, kZstd };

// Parses a Content-Encoding header value ("", "identity", "gzip", "x-gzip", "deflate", "zstd").
bool ParseContentEncoding(std::string_view header, ContentEncoding* out);

// Decompresses `in` into *out, refusing (OutOfRange) as soon as the output would pass max_bytes:
// a bomb costs at most max_bytes. InvalidArgument if the data is not valid for the encoding.
[[nodiscard]] Status Decompress(std::string_view in, ContentEncoding encoding, uint64_t max_bytes,
                                std::string* out);

struct IngestOptions {
  DecodeLimits limits;
  uint64_t max_request_bytes = uint64_t{64} << 20;    // after decompression
  uint64_t max_inflight_bytes = uint64_t{256} << 20;  // all requests together
  // Spans per second accepted over all receivers (token bucket, one second of burst); 0 = no
  // limit. While the bucket is empty requests are refused before decoding (429 /
  // RESOURCE_EXHAUSTED, reason rate_limit); a request that empties it is still accepted whole.
  double max_spans_per_second = 0;
  // Concurrency and queue-time limits (ingest_gate.h).
  IngestGateOptions gate;
};

struct IngestReply {
  Status status;              // see the header comment for the codes
  uint64_t accepted = 0;      // spans stored
  uint64_t rejected = 0;      // spans rejected alone as malformed (partial success)
  std::string error_message;  // why they were rejected
};

using IngestDecoder =
    std::function<Status(std::string&& body, const DecodeLimits& limits, DecodeResult* out)>;

class IngestPipeline {
 public:
  IngestPipeline(SpanStore* store, IngestOptions options, IngestStats* stats);

  void Ingest(std::string_view receiver, std::string_view protocol, std::string body,
              ContentEncoding encoding, const IngestDecoder& decode,
              std::function<void(IngestReply)> done);

  // Stops intake: every later Ingest is answered kUnavailable ("shutting down").
  void StopIntake() { stopping_.store(true); }

  const IngestOptions& options() const { return options_; }
  const Admission& admission() const { return admission_; }
  const IngestGate& gate() const { return gate_; }
  IngestStats* stats() { return stats_; }
  SpanStore* store() { return store_; }

 private:
  SpanStore* store_;
  const IngestOptions options_;
  IngestStats* stats_;
  Admission admission_;
  std::atomic<bool> stopping_{false};
  struct Request {
    std::chrono::steady_clock::time_point started;
    std::string receiver;
    std::string protocol;
    std::string body;
    ContentEncoding encoding = ContentEncoding::kIdentity;
    IngestDecoder decode;
    std::function<void(IngestReply)> done;
    AdmissionTicket ticket;
  };
  void Process(Request* req);
  void Refuse(Request* req, Status status, std::string_view reason);
  void Finish(Request* req, IngestReply reply);
  // Token bucket of max_spans_per_second.
  bool RateAllows();
  void RateCharge(uint64_t spans);
  std::mutex rate_mu_;
  double tokens_ = 0;
  std::chrono::steady_clock::time_point refilled_ = std::chrono::steady_clock::now();
  // Last: destroyed first, so its workers finish queued requests while everything they use lives.
  IngestGate gate_;
};

}  // namespace ariadne

#endif  // ARIADNE_SERVER_PIPELINE_INGEST_H_
