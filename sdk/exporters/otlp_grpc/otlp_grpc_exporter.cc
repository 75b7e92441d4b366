#include "ariadne/exporters/otlp_grpc_exporter.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/rpc_method.h>

#include "ariadne/exporters/otlp_proto_direct.h"
#include "ariadne/exporters/span_batch_convert.h"
#include "ariadne/sdk/deadline.h"
#include "ariadne/sdk/id_generator.h"
#include "base/logging.h"
#include "sdk/exporters/otlp_common/grpc_retry_info.h"
#include "sdk/exporters/otlp_common/retry_policy.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"

namespace ariadne::exporters {
namespace {

constexpr char kMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

// server_delay: the status's RetryInfo delay, if it carries one (ParseGrpcRetryInfo).
bool Retryable(const grpc::Status& s, std::optional<std::chrono::milliseconds> server_delay) {
  switch (s.error_code()) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      // Quota exhausted: only worth retrying when the server says when (OTLP spec).
      return server_delay.has_value();
    default:
      return false;
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

OtlpGrpcExporterOptions OtlpGrpcExporterOptions::FromConfig(const sdk::OtlpExporterConfig& c) {
  OtlpGrpcExporterOptions o;
  o.endpoint = c.endpoint;
  o.insecure = c.insecure;
  o.headers = c.headers;
  o.gzip = c.compression == "gzip";
  o.timeout = c.timeout;
  o.certificate = c.certificate;
  return o;
}

struct OtlpGrpcExporter::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::internal::RpcMethod> method;
};

OtlpGrpcExporter::OtlpGrpcExporter(OtlpGrpcExporterOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  try {
    std::string target = options_.endpoint;
    bool tls = !options_.insecure;
    if (target.rfind("http://", 0) == 0) {
      target = target.substr(7);
      tls = false;
    } else if (target.rfind("https://", 0) == 0) {
      target = target.substr(8);
      tls = true;
    }
    if (!target.empty() && target.back() == '/') target.pop_back();
    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (tls) {
      grpc::SslCredentialsOptions ssl;
      if (!options_.certificate.empty()) ssl.pem_root_certs = ReadFile(options_.certificate);
      creds = grpc::SslCredentials(ssl);
    } else {
      creds = grpc::InsecureChannelCredentials();
    }
    impl_->channel = grpc::CreateChannel(target, creds);
    impl_->method = std::make_unique<grpc::internal::RpcMethod>(
        kMethod, grpc::internal::RpcMethod::NORMAL_RPC, impl_->channel);
  } catch (...) {
    impl_->channel.reset();
  }
}

OtlpGrpcExporter::~OtlpGrpcExporter() { Shutdown(); }

void OtlpGrpcExporter::Shutdown() noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

OtlpGrpcExporterStats OtlpGrpcExporter::stats() const noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

sdk::ExportResult OtlpGrpcExporter::Export(std::span<const std::unique_ptr<sdk::SpanData>> spans,
                                           sdk::Deadline deadline) noexcept {
  if (spans.empty()) return sdk::ExportResult::kSuccess;
  auto fail = [&](std::string_view why, int code) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.failed_spans += spans.size();
    stats_.last_code = code;
    ARIADNE_LOG(kWarn, "otlp grpc export failed")
        .Field("endpoint", options_.endpoint)
        .Field("spans", spans.size())
        .Field("code", code)
        .Field("reason", why);
    return sdk::ExportResult::kFailure;
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_ || !impl_->channel) return fail("exporter shut down or not configured", 0);
  }
  std::string body;
  try {
    OtlpProtoSpanEncoder encoder;
    encoder.Encode(spans, &body);
  } catch (...) {
    return fail("encoding failed", 0);
  }
  RetrySchedule schedule({options_.max_attempts, options_.initial_backoff, options_.max_backoff,
                          options_.backoff_multiplier},
                         deadline);
  for (int attempt = 0;; ++attempt) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return fail("export deadline passed", 0);
    auto attempt_deadline = deadline;
    if (options_.timeout.count() > 0) {
      attempt_deadline = std::min(deadline, sdk::SaturatingDeadline(options_.timeout, now));
    }
    grpc::Status status;
    grpc::ByteBuffer response;
    try {
      grpc::ClientContext ctx;
      // Saturating: with no export timeout the deadline is Deadline::max(), and now + (max - now)
      // on the system clock would overflow. grpc++ reads time_point::max() as "no deadline".
      ctx.set_deadline(sdk::SaturatingDeadline<std::chrono::system_clock>(
          attempt_deadline - now, std::chrono::system_clock::now()));
      for (const auto& [k, v] : options_.headers) {
        std::string key = k;
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        ctx.AddMetadata(key, v);
      }
      if (options_.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
      grpc::Slice slice(body);
      grpc::ByteBuffer request(&slice, 1);
      status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
          impl_->channel.get(), *impl_->method, &ctx, request, &response);
    } catch (...) {
      return fail("grpc call threw", 0);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.requests;
      if (attempt > 0) ++stats_.retries;
      stats_.last_code = static_cast<int>(status.error_code());
    }
    if (status.ok()) {
      std::string bytes;
      std::vector<grpc::Slice> slices;
      if (response.Dump(&slices).ok()) {
        for (const grpc::Slice& s : slices) {
          bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
      }
      int64_t rejected = 0;
      std::string message;
      if (!DecodeExportTraceServiceResponse(bytes, &rejected, &message).ok()) rejected = 0;
      if (rejected > 0 || !message.empty()) {
        ARIADNE_LOG(kWarn, "otlp grpc partial success")
            .Field("rejected_spans", rejected)
            .Field("message", message);
      }
      std::lock_guard<std::mutex> lock(mu_);
      uint64_t rej = static_cast<uint64_t>(
          std::clamp<int64_t>(rejected, 0, static_cast<int64_t>(spans.size())));
      stats_.rejected_spans += rej;
      stats_.exported_spans += spans.size() - rej;
      return sdk::ExportResult::kSuccess;
    }
    std::optional<std::chrono::milliseconds> server_delay =
        ParseGrpcRetryInfo(status.error_details());
    if (!Retryable(status, server_delay)) {
      return fail(status.error_message(), status.error_code());
    }
    RetrySchedule::Step step = schedule.Next(attempt + 1, server_delay, sdk::RandomU64(),
                                             std::chrono::steady_clock::now());
    if (!step.retry) return fail(step.why_not, status.error_code());
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_until(lock, sdk::SaturatingDeadline(step.wait), [&] { return shutdown_; })) {
      lock.unlock();
      return fail("exporter shut down during backoff", status.error_code());
    }
  }
}

}  // namespace ariadne::exporters
