#include "server/receivers/otlp_grpc_receiver.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>

#include "base/logging.h"
#include "server/receivers/http_reply.h"
#include "wire/otlp/otlp_proto_decoder.h"
#include "wire/otlp/otlp_proto_encoder.h"
#include "wire/otlp/proto_wire.h"

namespace ariadne {
namespace {

constexpr std::string_view kReceiver = "otlp_grpc";
constexpr uint64_t kMinResourceQuotaBytes = uint64_t{16} << 20;
constexpr std::string_view kExportMethod =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

grpc::Status ToGrpcStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return grpc::Status::OK;
    case StatusCode::kInvalidArgument:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(s.message()));
    case StatusCode::kOutOfRange:
    case StatusCode::kResourceExhausted: {
      std::string msg(s.message());
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, msg,
                          EncodeRetryStatusDetails(8, msg, kRetryAfterSeconds));
    }
    case StatusCode::kUnavailable: {
      std::string msg(s.message());
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, msg,
                          EncodeRetryStatusDetails(14, msg, kRetryAfterSeconds));
    }
    default:
      return grpc::Status(grpc::StatusCode::INTERNAL, std::string(s.message()));
  }
}

class ExportReactor : public grpc::ServerGenericBidiReactor {
 public:
  ExportReactor(grpc::GenericCallbackServerContext* ctx, IngestPipeline* pipeline)
      : ctx_(ctx), pipeline_(pipeline) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
      return;
    }
    if (ctx_->method() != kExportMethod) {
      Finish(grpc::Status(
          grpc::StatusCode::UNIMPLEMENTED,
          "unknown method " + ctx_->method() + "; this port serves " + std::string(kExportMethod)));
      return;
    }
    std::string bytes;
    bytes.reserve(request_.Length());
    std::vector<grpc::Slice> slices;
    if (!request_.Dump(&slices).ok()) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "cannot read the request"));
      return;
    }
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    request_.Clear();
    IngestStats* stats = pipeline_->stats();
    pipeline_->Ingest(
        kReceiver, "protobuf", std::move(bytes), ContentEncoding::kIdentity,
        [](std::string&& body, const DecodeLimits& limits, DecodeResult* out) {
          return DecodeOtlpProto(std::move(body), limits, out);
        },
        [this, stats](IngestReply reply) {
          if (!reply.status.ok()) {
            grpc::Status st = ToGrpcStatus(reply.status);
            stats->CountRequest(kReceiver, "protobuf", static_cast<int>(st.error_code()));
            Finish(st);
            return;
          }
          std::string out;
          EncodeExportTraceServiceResponse(static_cast<int64_t>(reply.rejected),
                                           reply.error_message, &out);
          grpc::Slice slice(out);
          response_ = grpc::ByteBuffer(&slice, 1);
          stats->CountRequest(kReceiver, "protobuf", 0);
          StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
        });
  }

  void OnDone() override { delete this; }

 private:
  grpc::GenericCallbackServerContext* ctx_;
  IngestPipeline* pipeline_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

class ExportService : public grpc::CallbackGenericService {
 public:
  explicit ExportService(IngestPipeline* pipeline) : pipeline_(pipeline) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new ExportReactor(ctx, pipeline_);
  }

 private:
  IngestPipeline* pipeline_;
};

}  // namespace

std::string EncodeRetryStatusDetails(int code, std::string_view message, int retry_seconds) {
  using proto_wire::AppendLenField;
  using proto_wire::AppendVarint;
  std::string duration;
  duration.push_back(0x08);  // field 1, varint
  AppendVarint(&duration, static_cast<uint64_t>(retry_seconds));
  std::string retry_info;
  AppendLenField(&retry_info, 1, duration);
  std::string any;
  AppendLenField(&any, 1, "type.googleapis.com/google.rpc.RetryInfo");
  AppendLenField(&any, 2, retry_info);
  std::string status;
  status.push_back(0x08);
  AppendVarint(&status, static_cast<uint64_t>(code));
  AppendLenField(&status, 2, message);
  AppendLenField(&status, 3, any);
  return status;
}

struct OtlpGrpcReceiver::Impl {
  explicit Impl(IngestPipeline* p) : pipeline(p), service(p) {}
  IngestPipeline* pipeline;
  ExportService service;
  std::unique_ptr<grpc::Server> server;
};

OtlpGrpcReceiver::OtlpGrpcReceiver(IngestPipeline* pipeline, OtlpGrpcOptions options)
    : impl_(std::make_unique<Impl>(pipeline)), options_(std::move(options)), port_(options_.port) {}

OtlpGrpcReceiver::~OtlpGrpcReceiver() { Stop(); }

Status OtlpGrpcReceiver::Start() {
  grpc::ServerBuilder builder;
  int selected = 0;
  // IPv6 literals need brackets in a gRPC address.
  const std::string& host = options_.host;
  bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  std::string addr = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port_);
  builder.AddListeningPort(addr, grpc::InsecureServerCredentials(), &selected);
  uint64_t max = impl_->pipeline->options().max_request_bytes;
  builder.SetMaxReceiveMessageSize(max > INT32_MAX ? INT32_MAX : static_cast<int>(max));
  // The pipeline's in-flight budget plus room for one largest message (a quota below one
  // message would stall every call): without a quota, gRPC's buffers for messages still
  // arriving are unbounded across connections.
  // gRPC also needs buffers of its own per connection, hence the floor.
  uint64_t budget =
      std::max(impl_->pipeline->options().max_inflight_bytes + max, kMinResourceQuotaBytes);
  grpc::ResourceQuota quota("otlp_grpc");
  quota.Resize(static_cast<size_t>(budget));
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             std::max(1, options_.max_concurrent_streams));
  auto ms = [](std::chrono::milliseconds d) {
    return static_cast<int>(std::min<int64_t>(d.count(), INT32_MAX));
  };
  if (options_.max_connection_idle.count() > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, ms(options_.max_connection_idle));
  }
  if (options_.max_connection_age.count() > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, ms(options_.max_connection_age));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               ms(std::chrono::milliseconds(kConnectionAgeGrace)));
  }
  // gRPC sets SO_REUSEPORT by default: a second server would silently share the port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterCallbackGenericService(&impl_->service);
  impl_->server = builder.BuildAndStart();
  if (impl_->server == nullptr || selected == 0) {
    impl_->server.reset();
    return Status::Unavailable("otlp_grpc: cannot listen on " + addr +
                               " (address in use or not available)");
  }
  port_ = static_cast<uint16_t>(selected);
  return Status::Ok();
}

void OtlpGrpcReceiver::Stop() {
  if (impl_->server == nullptr) return;
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
  impl_->server->Wait();
  impl_->server.reset();
}

}  // namespace ariadne
