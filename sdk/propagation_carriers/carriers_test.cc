// The header-only carriers: Beast round trip, curl injection, gRPC client metadata.
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "ariadne/propagation/beast_carrier.h"
#include "ariadne/propagation/curl_carrier.h"
#include "ariadne/propagation/grpc_carrier.h"
#include "ariadne/propagation/propagators.h"

namespace ariadne::propagation {
namespace {

const char* kTp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(BeastCarrier, ExtractsCaseInsensitivelyAndCombinesTracestate) {
  boost::beast::http::request<boost::beast::http::string_body> req;
  req.insert("TraceParent", kTp);
  req.insert("tracestate", "a=1");
  req.insert("tracestate", "b=2");
  BeastHeaderCarrier carrier(req);
  trace::Context ctx = MakeW3CTraceContextPropagator()->Extract(carrier, trace::Context());
  EXPECT_TRUE(ctx.span_context().IsValid());
  EXPECT_EQ(ctx.span_context().trace_state.header(), "a=1,b=2");
  boost::beast::http::response<boost::beast::http::string_body> resp;
  BeastHeaderCarrier out(resp);
  MakeW3CTraceContextPropagator()->Inject(ctx, out);
  EXPECT_EQ(std::string(resp["traceparent"]), kTp);
}

TEST(CurlCarrier, AppendsHeaderLines) {
  curl_slist* headers = nullptr;
  CurlHeaderCarrier carrier(&headers);
  std::vector<std::pair<std::string, std::string>> in = {{"traceparent", kTp}};
  HeaderVectorCarrier src(&in);
  trace::Context ctx = MakeW3CTraceContextPropagator()->Extract(src, trace::Context());
  MakeW3CTraceContextPropagator()->Inject(ctx, carrier);
  ASSERT_NE(headers, nullptr);
  EXPECT_EQ(std::string(headers->data), std::string("traceparent: ") + kTp);
  curl_slist_free_all(headers);
}

TEST(GrpcCarrier, ClientInjectDoesNotThrow) {
  grpc::ClientContext cctx;
  GrpcClientCarrier carrier(cctx);
  std::vector<std::pair<std::string, std::string>> in = {{"traceparent", kTp}};
  HeaderVectorCarrier src(&in);
  trace::Context ctx = MakeW3CTraceContextPropagator()->Extract(src, trace::Context());
  MakeW3CTraceContextPropagator()->Inject(ctx, carrier);
  SUCCEED();
}

}  // namespace
}  // namespace ariadne::propagation
