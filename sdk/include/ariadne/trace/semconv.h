// Semantic-convention attribute names (OpenTelemetry semconv, stable names where they exist)
// and small helpers for HTTP, RPC, database, messaging and LLM (gen_ai) calls.
// Header-only, noexcept. Tested by api_test.cc.
#ifndef ARIADNE_TRACE_SEMCONV_H_
#define ARIADNE_TRACE_SEMCONV_H_

#include <cstdint>
#include <string_view>

#include "ariadne/trace/span.h"

namespace ariadne::trace::semconv {

// HTTP
inline constexpr std::string_view kHttpRequestMethod = "http.request.method";
inline constexpr std::string_view kHttpResponseStatusCode = "http.response.status_code";
inline constexpr std::string_view kHttpRoute = "http.route";
inline constexpr std::string_view kUrlFull = "url.full";
inline constexpr std::string_view kUrlPath = "url.path";
inline constexpr std::string_view kServerAddress = "server.address";
inline constexpr std::string_view kServerPort = "server.port";
inline constexpr std::string_view kErrorType = "error.type";
// RPC
inline constexpr std::string_view kRpcSystem = "rpc.system";
inline constexpr std::string_view kRpcService = "rpc.service";
inline constexpr std::string_view kRpcMethod = "rpc.method";
inline constexpr std::string_view kRpcGrpcStatusCode = "rpc.grpc.status_code";
// Database
inline constexpr std::string_view kDbSystem = "db.system.name";
inline constexpr std::string_view kDbNamespace = "db.namespace";
inline constexpr std::string_view kDbOperationName = "db.operation.name";
inline constexpr std::string_view kDbQueryText = "db.query.text";
// Messaging
inline constexpr std::string_view kMessagingSystem = "messaging.system";
inline constexpr std::string_view kMessagingOperationType = "messaging.operation.type";
inline constexpr std::string_view kMessagingDestinationName = "messaging.destination.name";
inline constexpr std::string_view kMessagingMessageId = "messaging.message.id";
// LLM / generative AI
inline constexpr std::string_view kGenAiSystem = "gen_ai.system";
inline constexpr std::string_view kGenAiOperationName = "gen_ai.operation.name";
inline constexpr std::string_view kGenAiRequestModel = "gen_ai.request.model";
inline constexpr std::string_view kGenAiResponseModel = "gen_ai.response.model";
inline constexpr std::string_view kGenAiInputTokens = "gen_ai.usage.input_tokens";
inline constexpr std::string_view kGenAiOutputTokens = "gen_ai.usage.output_tokens";
inline constexpr std::string_view kGenAiTotalTokens = "gen_ai.usage.total_tokens";  // Ariadne
inline constexpr std::string_view kGenAiCostUsd = "gen_ai.usage.cost_usd";          // Ariadne

// Helpers take any span-like (Span, SpanRef, ScopedSpan).
template <typename S>
void HttpClient(S& span, std::string_view method, std::string_view url) noexcept {
  span.SetAttribute(kHttpRequestMethod, method).SetAttribute(kUrlFull, url);
}
template <typename S>
void HttpServer(S& span, std::string_view method, std::string_view route) noexcept {
  span.SetAttribute(kHttpRequestMethod, method).SetAttribute(kHttpRoute, route);
}
// Sets the status code; 5xx (and 4xx on clients) mark the span as an error.
template <typename S>
void HttpResponse(S& span, int status, bool client) noexcept {
  span.SetAttribute(kHttpResponseStatusCode, status);
  if (status >= 500 || (client && status >= 400)) span.SetStatus(StatusCode::kError);
}
template <typename S>
void Rpc(S& span, std::string_view system, std::string_view service,
         std::string_view method) noexcept {
  span.SetAttribute(kRpcSystem, system)
      .SetAttribute(kRpcService, service)
      .SetAttribute(kRpcMethod, method);
}
template <typename S>
void Db(S& span, std::string_view system, std::string_view operation,
        std::string_view query_text = {}) noexcept {
  span.SetAttribute(kDbSystem, system).SetAttribute(kDbOperationName, operation);
  if (!query_text.empty()) span.SetAttribute(kDbQueryText, query_text);
}
template <typename S>
void Messaging(S& span, std::string_view system, std::string_view operation,
               std::string_view destination) noexcept {
  span.SetAttribute(kMessagingSystem, system)
      .SetAttribute(kMessagingOperationType, operation)
      .SetAttribute(kMessagingDestinationName, destination);
}
template <typename S>
void LlmRequest(S& span, std::string_view system, std::string_view model) noexcept {
  span.SetAttribute(kGenAiSystem, system).SetAttribute(kGenAiRequestModel, model);
}
// Records prompt/completion tokens, their total, and the cost when known (cost_usd < 0: unknown).
template <typename S>
void LlmUsage(S& span, int64_t prompt_tokens, int64_t completion_tokens,
              double cost_usd = -1) noexcept {
  span.SetAttribute(kGenAiInputTokens, prompt_tokens)
      .SetAttribute(kGenAiOutputTokens, completion_tokens)
      .SetAttribute(kGenAiTotalTokens, prompt_tokens + completion_tokens);
  if (cost_usd >= 0) span.SetAttribute(kGenAiCostUsd, cost_usd);
}

}  // namespace ariadne::trace::semconv

#endif  // ARIADNE_TRACE_SEMCONV_H_
