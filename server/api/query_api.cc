#include "server/api/query_api.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>
#include <memory>
#include <numeric>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "base/json_string.h"
#include "server/api/query_params.h"
#include "wire/jaeger/jaeger_ui_json.h"
#include "wire/otlp/otlp_json.h"

namespace ariadne {
namespace {

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Jaeger's structuredResponse with data already rendered as JSON.
HttpResponse Envelope(std::string data_json, size_t total) {
  std::string body = "{\"data\":" + data_json + ",\"total\":" + std::to_string(total) +
                     ",\"limit\":0,\"offset\":0,\"errors\":null}";
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse JaegerError(int code, std::string_view msg) {
  std::string body = "{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":" +
                     std::to_string(code) + ",\"msg\":";
  AppendJsonString(&body, msg);
  body += "}]}";
  return HttpResponse::Json(code, std::move(body));
}

HttpResponse JaegerStatusError(const Status& s) {
  int code = s.code() == StatusCode::kNotFound          ? 404
             : s.code() == StatusCode::kInvalidArgument ? 400
             : s.code() == StatusCode::kUnimplemented   ? 501
             : s.code() == StatusCode::kUnavailable     ? 503
                                                        : 500;
  return JaegerError(code, s.message());
}

HttpResponse V3Error(int http_code, int grpc_code, std::string_view msg) {
  std::string body = "{\"error\":{\"grpcCode\":" + std::to_string(grpc_code) +
                     ",\"httpCode\":" + std::to_string(http_code) + ",\"message\":";
  AppendJsonString(&body, msg);
  body += ",\"httpStatus\":";
  AppendJsonString(&body, http_code == 404   ? "Not Found"
                          : http_code == 400 ? "Bad Request"
                                             : "Internal Server Error");
  body += "}}";
  return HttpResponse::Json(http_code, std::move(body));
}

// The max_spans earliest-starting spans of trace (ties by position), in their original order.
SpanBatch KeepEarliestSpans(const SpanBatch& trace, size_t max_spans) {
  std::vector<uint32_t> rows(trace.size());
  std::iota(rows.begin(), rows.end(), 0u);
  const auto& start = trace.spans.start_time_unix_nano;
  auto earlier = [&](uint32_t a, uint32_t b) {
    return start[a] != start[b] ? start[a] < start[b] : a < b;
  };
  std::nth_element(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(max_spans), rows.end(),
                   earlier);
  rows.resize(max_spans);
  std::sort(rows.begin(), rows.end());
  SpanBatch out;
  SpanAppender append(&out);
  for (uint32_t row : rows) append.Append(trace, row);
  return out;
}

std::string TruncationWarning(size_t spans, size_t kept) {
  return "trace has " + std::to_string(spans) + " spans; only the " + std::to_string(kept) +
         " earliest are shown (max_spans_per_trace)";
}

// One Jaeger UI trace object, cut to max_spans spans with a trace-level warning if larger.
void AppendBoundedJaegerTrace(const SpanBatch& trace, size_t max_spans, std::string* out) {
  if (trace.size() <= max_spans) {
    AppendJaegerUiTrace(trace, out);
    return;
  }
  const std::string warning = TruncationWarning(trace.size(), max_spans);
  AppendJaegerUiTrace(KeepEarliestSpans(trace, max_spans), out, std::span(&warning, 1));
}

// a - b, saturated to the int64 range.
int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) {
    return b > 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  }
  return r;
}

std::string KindName(SpanKind k) {
  return k == SpanKind::kUnspecified ? "" : std::string(SpanKindName(k));
}

// Parses the JSON object of Jaeger's `tags` parameter: {"key":"value",...}. Non-string values
// are taken as their JSON text (Grafana sends numbers and booleans unquoted at times).
Status ParseTagsJson(const std::string& text,
                     std::vector<std::pair<std::string, std::string>>* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS) {
    return Status::InvalidArgument("malformed 'tags' parameter: not JSON: " + text);
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("malformed 'tags' parameter: not a JSON object: " + text);
  }
  for (auto field : obj) {
    std::string value;
    std::string_view sv;
    if (field.value.get_string().get(sv) == simdjson::SUCCESS) {
      value = std::string(sv);
    } else {
      value = simdjson::minify(field.value);
    }
    out->emplace_back(std::string(field.key), std::move(value));
  }
  return Status::Ok();
}

class QueryApi {
 public:
  QueryApi(SpanStore* store, QueryApiOptions o) : store_(store), o_(std::move(o)) {
    if (!o_.now_ns) o_.now_ns = SystemNowNs;
    if (o_.max_spans_per_trace == 0) {  // 0: no limit, as for the memory store
      o_.max_spans_per_trace = std::numeric_limits<size_t>::max();
    }
  }

  HttpResponse Services() {
    auto r = store_->GetServices();
    if (!r.ok()) return JaegerStatusError(r.status());
    std::string data = "[";
    for (size_t i = 0; i < r->size(); ++i) {
      if (i) data += ",";
      AppendJsonString(&data, (*r)[i]);
    }
    data += "]";
    return Envelope(std::move(data), r->size());
  }

  HttpResponse ServiceOperations(std::string_view service) {
    auto r = store_->GetOperations(service, std::nullopt);
    if (!r.ok()) return JaegerStatusError(r.status());
    std::set<std::string> names;
    for (const OperationInfo& op : *r) names.insert(op.name);
    std::string data = "[";
    bool first = true;
    for (const std::string& n : names) {
      if (!first) data += ",";
      first = false;
      AppendJsonString(&data, n);
    }
    data += "]";
    return Envelope(std::move(data), names.size());
  }

  // Shared by /api/operations and /api/v3/operations.
  StatusOr<std::vector<OperationInfo>> Operations(const QueryParams& p) {
    std::string service = p.Get("service");
    if (service.empty()) return Status::InvalidArgument("parameter 'service' is required");
    std::optional<SpanKind> kind;
    std::string kind_text = p.Get("spanKind");
    if (!kind_text.empty()) {
      SpanKind k;
      if (!ParseSpanKind(kind_text, &k)) {
        return Status::InvalidArgument("unsupported spanKind '" + kind_text +
                                       "': use server, client, producer, consumer or internal");
      }
      kind = k;
    }
    return store_->GetOperations(service, kind);
  }

  HttpResponse OperationsV1(const QueryParams& p) {
    auto r = Operations(p);
    if (!r.ok()) return JaegerStatusError(r.status());
    std::string data = "[";
    for (size_t i = 0; i < r->size(); ++i) {
      if (i) data += ",";
      data += "{\"name\":";
      AppendJsonString(&data, (*r)[i].name);
      data += ",\"spanKind\":";
      AppendJsonString(&data, KindName((*r)[i].kind));
      data += "}";
    }
    data += "]";
    return Envelope(std::move(data), r->size());
  }

  HttpResponse TraceById(std::string_view id_text) {
    TraceId id;
    if (!ParseApiTraceId(id_text, &id)) {
      return JaegerError(400, "cannot parse traceID param: '" + std::string(id_text) +
                                  "' is not a 1-32 digit hex or base64 trace id");
    }
    auto r = store_->GetTrace(id);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) return JaegerError(404, "trace not found");
      return JaegerStatusError(r.status());
    }
    // Rendered straight into the body: a 50,000-span trace is ~30 MB, not worth a second copy.
    std::string body = "{\"data\":[";
    AppendBoundedJaegerTrace(*r, o_.max_spans_per_trace, &body);
    body += "],\"total\":1,\"limit\":0,\"offset\":0,\"errors\":null}";
    return HttpResponse::Json(200, std::move(body));
  }

  StatusOr<TraceQuery> ParseSearch(const QueryParams& p) {
    TraceQuery q;
    q.service = p.Get("service");
    if (q.service.empty()) return Status::InvalidArgument("parameter 'service' is required");
    q.operation = p.Get("operation");
    if (!p.Get("spanKind").empty()) {
      SpanKind k;
      if (!ParseSpanKind(p.Get("spanKind"), &k)) {
        return Status::InvalidArgument("unsupported spanKind '" + p.Get("spanKind") + "'");
      }
      q.span_kind = k;
    }
    // Microseconds since the epoch; the nanoseconds must fit int64 (until 2262).
    auto parse_us = [&](const char* name, uint64_t* out) -> Status {
      std::string v = p.Get(name);
      if (v.empty()) return Status::Ok();
      uint64_t us = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), us);
      if (ec != std::errc() || ptr != v.data() + v.size()) {
        return Status::InvalidArgument("unable to parse param '" + std::string(name) + "': '" + v +
                                       "' is not a number of microseconds");
      }
      if (us > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / 1000) {
        return Status::InvalidArgument("unable to parse param '" + std::string(name) + "': '" + v +
                                       "' is out of range (after the year 2262)");
      }
      *out = us * 1000;
      return Status::Ok();
    };
    uint64_t now = static_cast<uint64_t>(std::max<int64_t>(0, o_.now_ns()));
    uint64_t end = now;
    uint64_t start = 0;
    Status s = parse_us("end", &end);
    if (!s.ok()) return s;
    // lookback (Jaeger UI: "1h", "2d", or "custom" next to start/end) is checked even when start
    // makes it moot, so that a typo is an error rather than a silently different window.
    uint64_t lookback = static_cast<uint64_t>(std::max<int64_t>(0, o_.default_lookback_ns));
    std::string lb = p.Get("lookback");
    if (!lb.empty() && lb != "custom") {
      auto d = ParseGoDuration(lb);
      if (!d.ok()) {
        return Status::InvalidArgument("unable to parse param 'lookback': " +
                                       std::string(d.status().message()));
      }
      if (*d <= 0) {
        return Status::InvalidArgument("unable to parse param 'lookback': '" + lb +
                                       "' is not a positive duration");
      }
      lookback = static_cast<uint64_t>(*d);
    }
    if (!p.Get("start").empty()) {
      s = parse_us("start", &start);
      if (!s.ok()) return s;
    } else {
      start = end > lookback ? end - lookback : 0;
    }
    q.start_min_ns = start;
    q.start_max_ns = end;
    for (const char* name : {"minDuration", "maxDuration"}) {
      std::string v = p.Get(name);
      if (v.empty()) continue;
      auto d = ParseGoDuration(v);
      if (!d.ok()) {
        return Status::InvalidArgument("unable to parse param '" + std::string(name) +
                                       "': " + std::string(d.status().message()));
      }
      if (*d < 0) {
        return Status::InvalidArgument("unable to parse param '" + std::string(name) +
                                       "': negative duration");
      }
      (std::string_view(name) == "minDuration" ? q.duration_min_ns : q.duration_max_ns) =
          static_cast<uint64_t>(*d);
    }
    if (q.duration_max_ns < q.duration_min_ns) {
      return Status::InvalidArgument("'maxDuration' should be greater than 'minDuration'");
    }
    q.limit = o_.default_limit;
    std::string limit = p.Get("limit");
    if (!limit.empty()) {
      size_t n = 0;
      auto [ptr, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), n);
      if (ec != std::errc() || ptr != limit.data() + limit.size()) {
        return Status::InvalidArgument("unable to parse param 'limit': '" + limit +
                                       "' is not a non-negative integer");
      }
      if (n > 0) q.limit = std::min(n, o_.max_limit);
    }
    for (const std::string& tag : p.GetAll("tag")) {
      size_t colon = tag.find(':');
      if (colon == std::string::npos) {
        return Status::InvalidArgument(
            "malformed 'tag' parameter, expecting key:value, received: " + tag);
      }
      q.tags.emplace_back(tag.substr(0, colon), tag.substr(colon + 1));
    }
    for (const std::string& tags : p.GetAll("tags")) {
      if (tags.empty()) continue;
      Status ts = ParseTagsJson(tags, &q.tags);
      if (!ts.ok()) return ts;
    }
    return q;
  }

  HttpResponse Search(const QueryParams& p) {
    std::vector<std::string> ids = p.GetAll("traceID");
    if (!ids.empty()) {
      if (ids.size() > o_.max_trace_ids) {
        return JaegerError(400, "too many traceID params: " + std::to_string(ids.size()) +
                                    " given, at most " + std::to_string(o_.max_trace_ids) +
                                    " per request");
      }
      std::vector<TraceId> unique;
      for (const std::string& text : ids) {
        TraceId id;
        if (!ParseApiTraceId(text, &id)) {
          return JaegerError(400, "cannot parse traceID param: '" + text + "'");
        }
        if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(id);
      }
      std::string data = "[";
      size_t n = 0;
      for (const TraceId& id : unique) {
        auto r = store_->GetTrace(id);
        if (!r.ok()) {
          // A missing trace is left out, as Jaeger does; a failing store is the answer.
          if (r.status().code() == StatusCode::kNotFound) continue;
          return JaegerStatusError(r.status());
        }
        if (n++) data += ",";
        AppendBoundedJaegerTrace(*r, o_.max_spans_per_trace, &data);
      }
      data += "]";
      if (n == 0) return JaegerError(404, "trace not found");
      return Envelope(std::move(data), n);
    }
    auto q = ParseSearch(p);
    if (!q.ok()) return JaegerStatusError(q.status());
    auto r = store_->FindTraces(*q);
    if (!r.ok()) return JaegerStatusError(r.status());
    std::string data = "[";
    for (size_t i = 0; i < r->size(); ++i) {
      if (i) data += ",";
      AppendBoundedJaegerTrace((*r)[i], o_.max_spans_per_trace, &data);
    }
    data += "]";
    return Envelope(std::move(data), r->size());
  }

  HttpResponse Dependencies(const QueryParams& p) {
    auto parse_ms = [&](const char* name, int64_t def, int64_t* out) -> Status {
      std::string v = p.Get(name);
      if (v.empty()) {
        *out = def;
        return Status::Ok();
      }
      int64_t ms = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
      if (ec != std::errc() || ptr != v.data() + v.size() || ms < 0) {
        return Status::InvalidArgument("unable to parse param '" + std::string(name) + "': '" + v +
                                       "' is not a number of milliseconds");
      }
      if (ms > std::numeric_limits<int64_t>::max() / 1'000'000) {  // nanoseconds must fit int64
        return Status::InvalidArgument("unable to parse param '" + std::string(name) + "': '" + v +
                                       "' is out of range (more than 292 years)");
      }
      *out = ms;
      return Status::Ok();
    };
    int64_t end_ms = 0;
    int64_t lookback_ms = 0;
    Status s = parse_ms("endTs", std::max<int64_t>(0, o_.now_ns()) / 1'000'000, &end_ms);
    if (s.ok()) s = parse_ms("lookback", int64_t{86400} * 1000, &lookback_ms);
    if (!s.ok()) return JaegerStatusError(s);
    auto r = store_->GetDependencies(static_cast<uint64_t>(end_ms) * 1'000'000,
                                     static_cast<uint64_t>(lookback_ms) * 1'000'000);
    if (!r.ok()) return JaegerStatusError(r.status());
    std::string service = p.Get("service");
    std::string data = "[";
    size_t n = 0;
    for (const DependencyLink& l : *r) {
      if (!service.empty() && l.parent != service && l.child != service) continue;
      if (n++) data += ",";
      data += "{\"parent\":";
      AppendJsonString(&data, l.parent);
      data += ",\"child\":";
      AppendJsonString(&data, l.child);
      data += ",\"callCount\":" + std::to_string(l.call_count);
      // Not in Jaeger's shape; Jaeger clients ignore it, our UI colours failing edges with it.
      data += ",\"errorCount\":" + std::to_string(l.error_count) + "}";
    }
    data += "]";
    return Envelope(std::move(data), n);
  }

  HttpResponse Archive(std::string_view id_text) {
    TraceId id;
    if (!ParseApiTraceId(id_text, &id)) {
      return JaegerError(400, "cannot parse traceID param: '" + std::string(id_text) + "'");
    }
    Status s = store_->ArchiveTrace(id);
    if (!s.ok()) {
      if (s.code() == StatusCode::kNotFound) return JaegerError(404, "trace not found");
      return JaegerStatusError(s);
    }
    return Envelope("[]", 0);
  }

  // ---- /api/v3 ----
  HttpResponse V3Services() {
    auto r = store_->GetServices();
    if (!r.ok()) return V3Error(500, 13, r.status().message());
    std::string body = "{\"services\":[";
    for (size_t i = 0; i < r->size(); ++i) {
      if (i) body += ",";
      AppendJsonString(&body, (*r)[i]);
    }
    body += "]}";
    return HttpResponse::Json(200, std::move(body));
  }

  HttpResponse V3Operations(const QueryParams& p) {
    auto r = Operations(p);
    if (!r.ok()) return V3Error(400, 3, r.status().message());
    std::string body = "{\"operations\":[";
    for (size_t i = 0; i < r->size(); ++i) {
      if (i) body += ",";
      body += "{\"name\":";
      AppendJsonString(&body, (*r)[i].name);
      body += ",\"spanKind\":";
      AppendJsonString(&body, KindName((*r)[i].kind));
      body += "}";
    }
    body += "]}";
    return HttpResponse::Json(200, std::move(body));
  }

  HttpResponse V3TraceById(std::string_view id_text) {
    TraceId id;
    if (!ParseApiTraceId(id_text, &id)) {
      return V3Error(400, 3, "malformed parameter trace_id: '" + std::string(id_text) + "'");
    }
    auto r = store_->GetTrace(id);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) return V3Error(404, 5, "trace not found");
      return V3Error(500, 13, r.status().message());
    }
    std::string body = "{\"result\":{\"resourceSpans\":";
    if (r->size() > o_.max_spans_per_trace) {
      AppendOtlpJsonResourceSpans(KeepEarliestSpans(*r, o_.max_spans_per_trace), &body);
    } else {
      AppendOtlpJsonResourceSpans(*r, &body);
    }
    body += "}}";
    return HttpResponse::Json(200, std::move(body));
  }

  HttpResponse V3Search(const QueryParams& p) {
    auto get = [&](const char* camel, const char* snake) {
      std::string v = p.Get(camel);
      return v.empty() ? p.Get(snake) : v;
    };
    TraceQuery q;
    q.service = get("query.serviceName", "query.service_name");
    if (q.service.empty()) return V3Error(400, 3, "service name must not be empty");
    q.operation = get("query.operationName", "query.operation_name");
    int64_t now = o_.now_ns();
    int64_t start = SaturatingSub(now, o_.default_lookback_ns);
    int64_t end = now;
    for (auto [camel, snake, out] :
         {std::tuple{"query.startTimeMin", "query.start_time_min", &start},
          std::tuple{"query.startTimeMax", "query.start_time_max", &end}}) {
      std::string v = get(camel, snake);
      if (v.empty()) continue;
      auto t = ParseRfc3339Nanos(v);
      if (!t.ok()) {
        return V3Error(
            400, 3,
            "malformed parameter " + std::string(camel) + ": " + std::string(t.status().message()));
      }
      *out = *t;
    }
    q.start_min_ns = start > 0 ? static_cast<uint64_t>(start) : 0;
    q.start_max_ns = end > 0 ? static_cast<uint64_t>(end) : 0;
    for (auto [camel, snake, out] :
         {std::tuple{"query.durationMin", "query.duration_min", &q.duration_min_ns},
          std::tuple{"query.durationMax", "query.duration_max", &q.duration_max_ns}}) {
      std::string v = get(camel, snake);
      if (v.empty()) continue;
      auto d = ParseGoDuration(v);
      if (!d.ok() || *d < 0) {
        return V3Error(400, 3, "malformed parameter " + std::string(camel) + ": '" + v + "'");
      }
      *out = static_cast<uint64_t>(*d);
    }
    q.limit = 100;
    std::string depth = get("query.searchDepth", "query.num_traces");
    if (!depth.empty()) {
      size_t n = 0;
      auto [ptr, ec] = std::from_chars(depth.data(), depth.data() + depth.size(), n);
      if (ec != std::errc() || ptr != depth.data() + depth.size()) {
        return V3Error(400, 3, "malformed parameter query.searchDepth: '" + depth + "'");
      }
      if (n > 0) q.limit = std::min(n, o_.max_limit);
    }
    std::string attrs = p.Get("query.attributes");
    if (!attrs.empty()) {
      Status s = ParseTagsJson(attrs, &q.tags);
      if (!s.ok()) return V3Error(400, 3, s.message());
    }
    auto r = store_->FindTraces(q);
    if (!r.ok()) return V3Error(500, 13, r.status().message());
    if (r->empty()) return V3Error(404, 5, "trace not found");
    // One ResourceSpans list for every trace: concatenate the arrays.
    std::string body = "{\"result\":{\"resourceSpans\":[";
    bool first = true;
    for (const SpanBatch& t : *r) {
      std::string arr;
      if (t.size() > o_.max_spans_per_trace) {
        AppendOtlpJsonResourceSpans(KeepEarliestSpans(t, o_.max_spans_per_trace), &arr);
      } else {
        AppendOtlpJsonResourceSpans(t, &arr);
      }
      if (arr.size() <= 2) continue;
      if (!first) body += ",";
      first = false;
      body.append(arr, 1, arr.size() - 2);
    }
    body += "]}}";
    return HttpResponse::Json(200, std::move(body));
  }

 private:
  SpanStore* store_;
  QueryApiOptions o_;
};

// "/api/services/{service}/operations" -> service (decoded), or "" if the path is not that.
std::string ServiceFromOperationsPath(std::string_view path) {
  constexpr std::string_view kPrefix = "/api/services/";
  constexpr std::string_view kSuffix = "/operations";
  if (path.size() <= kPrefix.size() + kSuffix.size()) return "";
  if (path.substr(path.size() - kSuffix.size()) != kSuffix) return "";
  return UrlDecode(path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size()),
                   false);
}

}  // namespace

void RegisterQueryApi(HttpServer* server, SpanStore* store, QueryApiOptions options) {
  auto api = std::make_shared<QueryApi>(store, std::move(options));
  server->Route("GET", "/api/services",
                [api](HttpRequest&&, HttpResponder respond) { respond(api->Services()); });
  server->Route(
      "GET", "/api/services/",
      [api](HttpRequest&& req, HttpResponder respond) {
        std::string service = ServiceFromOperationsPath(req.path);
        if (service.empty()) {
          respond(JaegerError(404, "404 page not found"));
          return;
        }
        respond(api->ServiceOperations(service));
      },
      /*prefix=*/true);
  server->Route("GET", "/api/operations", [api](HttpRequest&& req, HttpResponder respond) {
    respond(api->OperationsV1(QueryParams(req.query)));
  });
  server->Route("GET", "/api/traces", [api](HttpRequest&& req, HttpResponder respond) {
    respond(api->Search(QueryParams(req.query)));
  });
  server->Route(
      "GET", "/api/traces/",
      [api](HttpRequest&& req, HttpResponder respond) {
        respond(api->TraceById(
            UrlDecode(req.path.substr(std::string_view("/api/traces/").size()), false)));
      },
      true);
  server->Route("GET", "/api/dependencies", [api](HttpRequest&& req, HttpResponder respond) {
    respond(api->Dependencies(QueryParams(req.query)));
  });
  server->Route(
      "POST", "/api/archive/",
      [api](HttpRequest&& req, HttpResponder respond) {
        respond(api->Archive(
            UrlDecode(req.path.substr(std::string_view("/api/archive/").size()), false)));
      },
      true);
  server->Route("GET", "/api/v3/services",
                [api](HttpRequest&&, HttpResponder respond) { respond(api->V3Services()); });
  server->Route("GET", "/api/v3/operations", [api](HttpRequest&& req, HttpResponder respond) {
    respond(api->V3Operations(QueryParams(req.query)));
  });
  server->Route("GET", "/api/v3/traces", [api](HttpRequest&& req, HttpResponder respond) {
    respond(api->V3Search(QueryParams(req.query)));
  });
  server->Route(
      "GET", "/api/v3/traces/",
      [api](HttpRequest&& req, HttpResponder respond) {
        respond(api->V3TraceById(
            UrlDecode(req.path.substr(std::string_view("/api/v3/traces/").size()), false)));
      },
      true);
}

}  // namespace ariadne
