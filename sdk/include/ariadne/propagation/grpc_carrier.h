// gRPC carriers: inject into grpc::ClientContext metadata, extract from grpc::ServerContext
// client metadata (keys are lower-case in gRPC). Use them in a client/server interceptor or
// directly around a call:
//
//   grpc::ClientContext cctx;
//   GrpcClientCarrier out(cctx);
//   GlobalPropagator().Inject(Context::Current(), out);
//
//   GrpcServerCarrier in(*server_context);
//   Context parent = GlobalPropagator().Extract(in, Context());
//
// Header-only: costs nothing unless included; link gRPC::grpc++ (ariadne::propagation_grpc).
#ifndef ARIADNE_PROPAGATION_GRPC_CARRIER_H_
#define ARIADNE_PROPAGATION_GRPC_CARRIER_H_

#include <cctype>
#include <string>
#include <vector>

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include "ariadne/propagation/text_map.h"

namespace ariadne::propagation {

class GrpcClientCarrier final : public TextMapCarrier {
 public:
  explicit GrpcClientCarrier(grpc::ClientContext& context) : context_(context) {}
  std::string_view Get(std::string_view) const noexcept override { return {}; }
  void Set(std::string_view key, std::string_view value) noexcept override {
    try {
      std::string k(key);
      for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      context_.AddMetadata(k, std::string(value));
    } catch (...) {
    }
  }

 private:
  grpc::ClientContext& context_;
};

class GrpcServerCarrier final : public TextMapCarrier {
 public:
  explicit GrpcServerCarrier(const grpc::ServerContext& context) : context_(context) {}
  std::string_view Get(std::string_view key) const noexcept override {
    for (const auto& [k, v] : context_.client_metadata()) {
      if (EqualsIgnoreCase(std::string_view(k.data(), k.size()), key)) {
        return std::string_view(v.data(), v.size());
      }
    }
    return {};
  }
  std::vector<std::string_view> GetAll(std::string_view key) const noexcept override {
    std::vector<std::string_view> out;
    try {
      for (const auto& [k, v] : context_.client_metadata()) {
        if (EqualsIgnoreCase(std::string_view(k.data(), k.size()), key)) {
          out.emplace_back(v.data(), v.size());
        }
      }
    } catch (...) {
    }
    return out;
  }
  void Set(std::string_view, std::string_view) noexcept override {}

 private:
  const grpc::ServerContext& context_;
};

}  // namespace ariadne::propagation

#endif  // ARIADNE_PROPAGATION_GRPC_CARRIER_H_
