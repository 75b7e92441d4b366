// Seed 004 (Jeeves) over gRPC: the orchestrator's jeeves.v1.Orchestrator server, started by
// ariadne-demo-service beside the role's HTTP /health listener.
//
// Each ProcessRequest call extracts the W3C context from the call's metadata with the SDK's
// GrpcServerCarrier and runs the pipeline (seed_jeeves.cc) under a SERVER span with
// rpc.system=grpc. The gateway's side of the hop (a CLIENT span, context injected with
// GrpcClientCarrier) is in seed_jeeves.cc too. Ownership: the server keeps the Runtime alive;
// Start/Stop from one thread, calls are served on gRPC's threads (the Runtime is thread-safe).
// Covered end to end by demo/tests/seed_workflows_test.cc (the gRPC hop's span kinds, rpc.*
// attributes and trace id).
#ifndef ARIADNE_DEMO_SERVICE_SEED_JEEVES_H_
#define ARIADNE_DEMO_SERVICE_SEED_JEEVES_H_

#include <cstdint>
#include <memory>

#include "base/status.h"
#include "demo/service/demo_runtime.h"

namespace ariadne::demo {

class JeevesGrpcServer {
 public:
  explicit JeevesGrpcServer(std::shared_ptr<Runtime> runtime);
  ~JeevesGrpcServer();  // stops a running server
  JeevesGrpcServer(const JeevesGrpcServer&) = delete;
  JeevesGrpcServer& operator=(const JeevesGrpcServer&) = delete;

  // Listens on 127.0.0.1:port (0: any free port).
  [[nodiscard]] Status Start(uint16_t port);
  uint16_t port() const;
  // Finishes the calls in flight (up to 5 s), then stops.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ariadne::demo

#endif  // ARIADNE_DEMO_SERVICE_SEED_JEEVES_H_
