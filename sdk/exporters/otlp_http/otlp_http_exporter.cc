#include "ariadne/exporters/otlp_http_exporter.h"

#include <algorithm>
#include <cstring>

#include <curl/curl.h>
#include <zlib.h>

#include "ariadne/exporters/otlp_proto_direct.h"
#include "ariadne/exporters/span_batch_convert.h"
#include "ariadne/sdk/deadline.h"
#include "ariadne/sdk/id_generator.h"
#include "base/logging.h"
#include "sdk/exporters/otlp_common/retry_policy.h"
#include "wire/otlp/otlp_json.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne::exporters {
namespace {

using Clock = std::chrono::steady_clock;

std::once_flag curl_once;

struct Response {
  int status = 0;
  std::string body;
  std::string retry_after;
  size_t max_body = 0;
  bool body_too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  size_t len = size * n;
  if (r->body.size() + len > r->max_body) {
    r->body_too_large = true;
    return 0;  // aborts the transfer
  }
  r->body.append(data, len);
  return len;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size(); ++i) {
      char c = line[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kName[i]) match = false;
    }
    if (match) {
      std::string_view v = line.substr(kName.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) {
        v.remove_suffix(1);
      }
      r->retry_after.assign(v);
    }
  }
  return size * n;
}

bool RetryableStatus(int status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

bool RetryableCurlError(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool GzipCompress(std::string_view data, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return false;
  }
  out->resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END;
}

OtlpHttpExporterOptions OtlpHttpExporterOptions::FromConfig(const sdk::OtlpExporterConfig& c) {
  OtlpHttpExporterOptions o;
  o.endpoint = c.endpoint;
  o.json = c.protocol == "http/json";
  o.headers = c.headers;
  o.gzip = c.compression == "gzip";
  o.timeout = c.timeout;
  o.certificate = c.certificate;
  o.client_key = c.client_key;
  o.client_certificate = c.client_certificate;
  return o;
}

struct OtlpHttpExporter::Impl {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
};

OtlpHttpExporter::OtlpHttpExporter(OtlpHttpExporterOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->curl = curl_easy_init();
  impl_->headers =
      curl_slist_append(impl_->headers, options_.json ? "Content-Type: application/json"
                                                      : "Content-Type: application/x-protobuf");
  if (options_.gzip) impl_->headers = curl_slist_append(impl_->headers, "Content-Encoding: gzip");
  impl_->headers = curl_slist_append(impl_->headers, "User-Agent: Ariadne-OTLP-Exporter-Cpp/0.1.0");
  impl_->headers = curl_slist_append(impl_->headers, "Expect:");
  for (const auto& [k, v] : options_.headers) {
    std::string line = k + ": " + v;
    impl_->headers = curl_slist_append(impl_->headers, line.c_str());
  }
}

OtlpHttpExporter::~OtlpHttpExporter() {
  Shutdown();
  if (impl_->curl) curl_easy_cleanup(impl_->curl);
  curl_slist_free_all(impl_->headers);
}

void OtlpHttpExporter::Shutdown() noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_.store(true);
  cv_.notify_all();
}

OtlpHttpExporterStats OtlpHttpExporter::stats() const noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void OtlpHttpExporter::EncodeBody(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                                  std::string* body) const {
  body->clear();
  if (options_.json) {
    SpanBatch batch;
    AppendToSpanBatch(spans, &batch);
    EncodeOtlpJson(batch, body);
  } else {
    // Straight from SpanData into protobuf (same bytes as the SpanBatch path, no copy).
    OtlpProtoSpanEncoder encoder;
    encoder.Encode(spans, body);
  }
  if (options_.gzip) {
    std::string gz;
    if (GzipCompress(*body, &gz)) body->swap(gz);
  }
}

sdk::ExportResult OtlpHttpExporter::Export(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                                           sdk::Deadline deadline) noexcept {
  if (spans.empty()) return sdk::ExportResult::kSuccess;
  auto fail = [&](std::string_view why, int status) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.failed_spans += spans.size();
    stats_.last_status = status;
    ARIADNE_LOG(kWarn, "otlp export failed")
        .Field("endpoint", options_.endpoint)
        .Field("spans", spans.size())
        .Field("status", status)
        .Field("reason", why);
    return sdk::ExportResult::kFailure;
  };
  if (shutdown_.load() || impl_->curl == nullptr) return fail("exporter shut down", 0);
  std::string body;
  try {
    EncodeBody(spans, &body);
  } catch (...) {
    return fail("encoding failed", 0);
  }
  CURL* curl = impl_->curl;
  RetrySchedule schedule({options_.max_attempts, options_.initial_backoff, options_.max_backoff,
                          options_.backoff_multiplier},
                         deadline);
  for (int attempt = 0;; ++attempt) {
    auto now = Clock::now();
    if (now >= deadline) return fail("export deadline passed", 0);
    auto remaining = sdk::TimeLeft(deadline, now);
    auto attempt_timeout =
        options_.timeout.count() > 0 ? std::min(options_.timeout, remaining) : remaining;
    Response resp;
    resp.max_body = options_.max_response_bytes;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, options_.endpoint.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, impl_->headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, attempt_timeout.count())));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp);
    if (!options_.certificate.empty())
      curl_easy_setopt(curl, CURLOPT_CAINFO, options_.certificate.c_str());
    if (!options_.client_certificate.empty()) {
      curl_easy_setopt(curl, CURLOPT_SSLCERT, options_.client_certificate.c_str());
    }
    if (!options_.client_key.empty())
      curl_easy_setopt(curl, CURLOPT_SSLKEY, options_.client_key.c_str());
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.requests;
      if (attempt > 0) ++stats_.retries;
      stats_.last_status = static_cast<int>(status);
    }
    if (resp.body_too_large)
      return fail("response larger than the 4 MiB cap", static_cast<int>(status));
    if (rc == CURLE_OK && status >= 200 && status < 300) {
      int64_t rejected = 0;
      std::string message;
      Status st = options_.json ? DecodeOtlpJsonResponse(resp.body, &rejected, &message)
                                : DecodeExportTraceServiceResponse(resp.body, &rejected, &message);
      if (!st.ok()) rejected = 0;  // an unreadable success body is still a success
      if (rejected > 0 || !message.empty()) {
        ARIADNE_LOG(kWarn, "otlp partial success")
            .Field("rejected_spans", rejected)
            .Field("message", message);
      }
      std::lock_guard<std::mutex> lock(mu_);
      uint64_t rej = static_cast<uint64_t>(std::clamp<int64_t>(rejected, 0, spans.size()));
      stats_.rejected_spans += rej;
      stats_.exported_spans += spans.size() - rej;
      return sdk::ExportResult::kSuccess;
    }
    bool retryable =
        rc == CURLE_OK ? RetryableStatus(static_cast<int>(status)) : RetryableCurlError(rc);
    if (!retryable) {
      return fail(rc == CURLE_OK ? "non-retryable status" : curl_easy_strerror(rc),
                  static_cast<int>(status));
    }
    // Retry-After, when the server gives one, replaces the jittered backoff.
    RetrySchedule::Step step = schedule.Next(
        attempt + 1, ParseRetryAfter(resp.retry_after, std::chrono::system_clock::now()),
        sdk::RandomU64(), Clock::now());
    if (!step.retry) return fail(step.why_not, static_cast<int>(status));
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_until(lock, sdk::SaturatingDeadline(step.wait),
                       [&] { return shutdown_.load(); })) {
      lock.unlock();
      return fail("exporter shut down during backoff", static_cast<int>(status));
    }
  }
}

}  // namespace ariadne::exporters
