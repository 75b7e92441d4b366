#include "server/pipeline/ingest.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

namespace ariadne {

bool ParseContentEncoding(std::string_view h, ContentEncoding* out) {
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
  auto eq = [&](std::string_view want) {
    if (h.size() != want.size()) return false;
    for (size_t i = 0; i < h.size(); ++i) {
      char c = h[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != want[i]) return false;
    }
    return true;
  };
  if (h.empty() || eq("identity")) {
    *out = ContentEncoding::kIdentity;
  } else if (eq("gzip") || eq("x-gzip")) {
    *out = ContentEncoding::kGzip;
  } else if (eq("deflate")) {
    *out = ContentEncoding::kDeflate;
  } else if (eq("zstd")) {
    *out = ContentEncoding::kZstd;
  } else {
    return false;
  }
  return true;
}

namespace {

Status TooLarge(uint64_t max_bytes) {
  return Status::OutOfRange("decompressed request body larger than " + std::to_string(max_bytes) +
                            " bytes (--max-request-bytes)");
}

// True if s starts with a zlib header (RFC 1950: CM = 8, CMF*256 + FLG divisible by 31) or the
// gzip magic bytes.
bool HasZlibOrGzipHeader(std::string_view s) {
  if (s.size() < 2) return false;
  auto cmf = static_cast<uint8_t>(s[0]), flg = static_cast<uint8_t>(s[1]);
  if (cmf == 0x1f && flg == 0x8b) return true;
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

// "gzip": gzip members (RFC 1952). "deflate": per RFC 9110 (8.4.1.2) the zlib format (RFC 1950);
// some clients send a raw deflate stream (RFC 1951) instead, so a body that does not start with
// a zlib (or gzip) header is inflated as raw deflate.
Status Inflate(std::string_view in, bool gzip, uint64_t max_bytes, std::string* out) {
  z_stream zs{};
  // windowBits: 15 + 16 gzip only; 15 + 32 zlib or gzip, from the header; -15 raw deflate.
  int window_bits = gzip ? 15 + 16 : HasZlibOrGzipHeader(in) ? 15 + 32 : -15;
  if (inflateInit2(&zs, window_bits) != Z_OK) {
    return Status::Internal("zlib: inflateInit2 failed");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[64 * 1024];
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof(buf) - zs.avail_out;
    if (out->size() + produced > max_bytes) {
      inflateEnd(&zs);
      return TooLarge(max_bytes);
    }
    out->append(buf, produced);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (allowed by RFC 1952): continue with the next one.
      if (gzip && zs.avail_in > 0) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc != Z_OK) {
      inflateEnd(&zs);
      return Status::InvalidArgument(std::string(gzip ? "gzip" : "deflate") +
                                     " body is corrupt: " + (zs.msg ? zs.msg : "inflate failed"));
    }
    if (zs.avail_in == 0 && produced == 0) {
      inflateEnd(&zs);
      return Status::InvalidArgument(std::string(gzip ? "gzip" : "deflate") + " body is truncated");
    }
  }
  inflateEnd(&zs);
  return Status::Ok();
}

// Frames whose window is larger than 2^23 bytes (8 MiB) are refused: zstd levels 1-19 never
// use more (only --ultra levels and --long do), and the decoder allocates the window up front.
constexpr int kZstdMaxWindowLog = 23;

Status ZstdError(size_t code) {
  if (ZSTD_getErrorCode(code) == ZSTD_error_frameParameter_windowTooLarge) {
    return Status::InvalidArgument("zstd body needs a window larger than " +
                                   std::to_string((1u << kZstdMaxWindowLog) >> 20) +
                                   " MiB (compress without --ultra or --long)");
  }
  return Status::InvalidArgument(std::string("zstd body is corrupt: ") + ZSTD_getErrorName(code));
}

Status Unzstd(std::string_view in, uint64_t max_bytes, std::string* out) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (dctx == nullptr) return Status::Internal("zstd: cannot create a context");
  // The frame header declares the window the decoder allocates; refuse big ones before that.
  if (ZSTD_isError(ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, kZstdMaxWindowLog))) {
    ZSTD_freeDCtx(dctx);
    return Status::Internal("zstd: cannot set the window limit");
  }
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  char buf[64 * 1024];
  size_t last = 1;
  while (input.pos < input.size) {
    ZSTD_outBuffer output{buf, sizeof(buf), 0};
    last = ZSTD_decompressStream(dctx, &output, &input);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(dctx);
      return ZstdError(last);
    }
    if (out->size() + output.pos > max_bytes) {
      ZSTD_freeDCtx(dctx);
      return TooLarge(max_bytes);
    }
    out->append(buf, output.pos);
  }
  // Flush what the decoder still holds.
  while (last != 0) {
    ZSTD_outBuffer output{buf, sizeof(buf), 0};
    last = ZSTD_decompressStream(dctx, &output, &input);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(dctx);
      return ZstdError(last);
    }
    if (out->size() + output.pos > max_bytes) {
      ZSTD_freeDCtx(dctx);
      return TooLarge(max_bytes);
    }
    out->append(buf, output.pos);
    if (output.pos == 0 && last != 0) {
      ZSTD_freeDCtx(dctx);
      return Status::InvalidArgument("zstd body is truncated");
    }
  }
  ZSTD_freeDCtx(dctx);
  return Status::Ok();
}

}  // namespace

Status Decompress(std::string_view in, ContentEncoding encoding, uint64_t max_bytes,
                  std::string* out) {
  out->clear();
  switch (encoding) {
    case ContentEncoding::kIdentity:
      if (in.size() > max_bytes) return TooLarge(max_bytes);
      out->assign(in);
      return Status::Ok();
    case ContentEncoding::kGzip:
      return Inflate(in, true, max_bytes, out);
    case ContentEncoding::kDeflate:
      return Inflate(in, false, max_bytes, out);
    case ContentEncoding::kZstd:
      return Unzstd(in, max_bytes, out);
  }
  return Status::Internal("unknown encoding");
}

IngestPipeline::IngestPipeline(SpanStore* store, IngestOptions options, IngestStats* stats)
    : store_(store),
      options_(options),
      stats_(stats),
      admission_(options.max_inflight_bytes),
      tokens_(options.max_spans_per_second),
      gate_(options.gate) {}

bool IngestPipeline::RateAllows() {
  if (options_.max_spans_per_second <= 0) return true;
  std::lock_guard lock(rate_mu_);
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - refilled_).count();
  refilled_ = now;
  tokens_ =
      std::min(options_.max_spans_per_second, tokens_ + elapsed * options_.max_spans_per_second);
  return tokens_ > 0;
}

void IngestPipeline::RateCharge(uint64_t spans) {
  if (options_.max_spans_per_second <= 0) return;
  std::lock_guard lock(rate_mu_);
  tokens_ -= static_cast<double>(spans);
}

void IngestPipeline::Ingest(std::string_view receiver, std::string_view protocol, std::string body,
                            ContentEncoding encoding, const IngestDecoder& decode,
                            std::function<void(IngestReply)> done) {
  auto req = std::make_shared<Request>();
  req->started = std::chrono::steady_clock::now();
  req->receiver = std::string(receiver);
  req->protocol = std::string(protocol);
  req->encoding = encoding;
  req->done = std::move(done);
  if (stopping_.load()) {
    Refuse(req.get(), Status::Unavailable("shutting down"), "shutting_down");
    return;
  }
  if (body.size() > options_.max_request_bytes) {
    Refuse(req.get(),
           Status::OutOfRange("request body larger than " +
                              std::to_string(options_.max_request_bytes) +
                              " bytes (--max-request-bytes)"),
           "too_large");
    return;
  }
  if (!RateAllows()) {
    Refuse(req.get(),
           Status::ResourceExhausted("ingest rate limit of " +
                                     std::to_string(options_.max_spans_per_second) +
                                     " spans/s reached (--max-spans-per-second); retry later"),
           "rate_limit");
    return;
  }
  auto ticket = admission_.Admit(body.size());
  if (!ticket.ok()) {
    Refuse(req.get(), ticket.status(), "inflight_limit");
    return;
  }
  req->ticket = std::move(*ticket);
  req->body = std::move(body);
  req->decode = decode;
  gate_.Enter([this, req](IngestGate::Outcome outcome) {
    switch (outcome) {
      case IngestGate::Outcome::kRun:
        Process(req.get());
        gate_.Leave();
        return;
      case IngestGate::Outcome::kQueueFull:
        Refuse(req.get(),
               Status::ResourceExhausted(
                   "server overloaded: " + std::to_string(gate_.max_concurrent()) +
                   " requests being ingested and the queue is full (--max-queued-requests); "
                   "retry later"),
               "queue_full");
        return;
      case IngestGate::Outcome::kQueueTimeout:
        Refuse(req.get(),
               Status::ResourceExhausted("server overloaded: waited " +
                                         std::to_string(gate_.options().max_queue_wait.count()) +
                                         " ms for an ingest slot (--max-queue-wait); retry later"),
               "queue_timeout");
        return;
    }
  });
}

void IngestPipeline::Finish(Request* req, IngestReply reply) {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - req->started).count();
  stats_->ObserveLatency(req->receiver, seconds);
  auto done = std::move(req->done);
  done(std::move(reply));
}

void IngestPipeline::Refuse(Request* req, Status status, std::string_view reason) {
  req->ticket.Release();
  req->body.clear();
  req->body.shrink_to_fit();
  stats_->CountRequestRefused(req->receiver, req->protocol, reason);
  IngestReply reply;
  reply.status = std::move(status);
  Finish(req, std::move(reply));
}

void IngestPipeline::Process(Request* req) {
  std::string body = std::move(req->body);
  AdmissionTicket* ticket = &req->ticket;
  if (req->encoding != ContentEncoding::kIdentity) {
    std::string plain;
    Status s = Decompress(body, req->encoding, options_.max_request_bytes, &plain);
    if (!s.ok()) {
      Refuse(req, s, s.code() == StatusCode::kOutOfRange ? "too_large" : "malformed");
      return;
    }
    body.clear();
    body.shrink_to_fit();
    Status grow = ticket->GrowTo(plain.size() * 2);
    if (!grow.ok()) {
      Refuse(req, grow, "inflight_limit");
      return;
    }
    body = std::move(plain);
  } else {
    Status grow = ticket->GrowTo(body.size() * 2);
    if (!grow.ok()) {
      Refuse(req, grow, "inflight_limit");
      return;
    }
  }
  DecodeResult result;
  Status s = req->decode(std::move(body), options_.limits, &result);
  if (!s.ok()) {
    Refuse(req, s.code() == StatusCode::kInvalidArgument ? s : Status::InvalidArgument(s.message()),
           "malformed");
    return;
  }
  const std::string& recv = req->receiver;
  const std::string& proto = req->protocol;
  if (result.rejected_spans > 0) {
    stats_->CountDropped(recv, proto, "malformed", result.rejected_spans);
  }
  IngestReply reply;
  reply.rejected = result.rejected_spans;
  reply.error_message = std::move(result.error_message);
  uint64_t spans = result.batch.size();
  RateCharge(spans);
  if (spans == 0) {
    ticket->Release();
    Finish(req, std::move(reply));
    return;
  }
  ticket->SetTo(result.batch.MemoryBytes());
  // The store may answer on another thread after this returns: it gets its own handle on the
  // request (the caller's may be gone by then).
  auto held = std::make_shared<AdmissionTicket>(std::move(*ticket));
  auto shared_reply = std::make_shared<IngestReply>(std::move(reply));
  auto owned = std::make_shared<Request>();
  owned->started = req->started;
  owned->receiver = recv;
  owned->protocol = proto;
  owned->done = std::move(req->done);
  store_->Append(
      std::move(result.batch), [this, held, shared_reply, spans, owned](Status st) mutable {
        held->Release();
        if (st.ok()) {
          stats_->CountAccepted(owned->receiver, owned->protocol, spans);
          shared_reply->accepted = spans;
        } else {
          stats_->CountRefused(owned->receiver, owned->protocol, "store_unavailable", spans);
          stats_->CountRequestRefused(owned->receiver, owned->protocol, "store_unavailable");
          shared_reply->status =
              st.code() == StatusCode::kUnavailable ? st : Status::Unavailable(st.ToString());
        }
        Finish(owned.get(), std::move(*shared_reply));
      });
}

}  // namespace ariadne
