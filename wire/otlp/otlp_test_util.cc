#include "wire/otlp/otlp_test_util.h"

#include <cstring>

namespace ariadne::otlp_test {
namespace {

int Uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

std::string RandomText(std::mt19937_64& rng, int max_len) {
  int n = Uniform(rng, 0, max_len);
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(Uniform(rng, 0x20, 0x7E)));
  return s;
}

std::string RandomBytes(std::mt19937_64& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(Uniform(rng, 0, 255)));
  return s;
}

std::string NonZeroId(std::mt19937_64& rng, int n) {
  std::string s = RandomBytes(rng, n);
  s[0] = static_cast<char>(s[0] | 1);
  return s;
}

void RandomValue(std::mt19937_64& rng, int depth, pb::AnyValue* v);

void RandomKeyValue(std::mt19937_64& rng, int depth, pb::KeyValue* kv) {
  kv->set_key(RandomText(rng, 12));
  RandomValue(rng, depth, kv->mutable_value());
}

void RandomValue(std::mt19937_64& rng, int depth, pb::AnyValue* v) {
  int kind = Uniform(rng, 0, depth > 0 ? 7 : 5);
  switch (kind) {
    case 0:
      v->set_string_value(RandomText(rng, 20));
      break;
    case 1:
      v->set_bool_value(Uniform(rng, 0, 1) == 1);
      break;
    case 2:
      v->set_int_value(static_cast<int64_t>(rng()) >> Uniform(rng, 0, 63));
      break;
    case 3:
      v->set_double_value(std::uniform_real_distribution<double>(-1e9, 1e9)(rng));
      break;
    case 4:
      v->set_bytes_value(RandomBytes(rng, Uniform(rng, 0, 10)));
      break;
    case 5:
      break;  // no member of the oneof set
    case 6: {
      auto* arr = v->mutable_array_value();
      int n = Uniform(rng, 0, 3);
      for (int i = 0; i < n; ++i) RandomValue(rng, depth - 1, arr->add_values());
      break;
    }
    default: {
      auto* list = v->mutable_kvlist_value();
      int n = Uniform(rng, 0, 3);
      for (int i = 0; i < n; ++i) RandomKeyValue(rng, depth - 1, list->add_values());
      break;
    }
  }
}

template <typename M>
void RandomAttributes(std::mt19937_64& rng, const RandomOptions& o, M* msg) {
  int n = Uniform(rng, 0, o.max_attributes);
  for (int i = 0; i < n; ++i) RandomKeyValue(rng, o.max_depth, msg->add_attributes());
}

uint32_t MaybeCount(std::mt19937_64& rng) {
  return Uniform(rng, 0, 3) == 0 ? static_cast<uint32_t>(Uniform(rng, 1, 100000)) : 0;
}

void FillSpan(std::mt19937_64& rng, const RandomOptions& o, const std::string& trace_id,
              pb::Span* s) {
  s->set_trace_id(trace_id);
  s->set_span_id(NonZeroId(rng, 8));
  if (Uniform(rng, 0, 2) != 0) s->set_parent_span_id(NonZeroId(rng, 8));
  if (Uniform(rng, 0, 3) == 0) s->set_trace_state("k=" + RandomText(rng, 6));
  s->set_name(RandomText(rng, 16));
  s->set_kind(Uniform(rng, 0, 5));
  s->set_start_time_unix_nano(rng());
  s->set_end_time_unix_nano(rng());
  RandomAttributes(rng, o, s);
  s->set_dropped_attributes_count(MaybeCount(rng));
  int events = Uniform(rng, 0, o.max_events);
  for (int i = 0; i < events; ++i) {
    pb::Event* e = s->add_events();
    e->set_time_unix_nano(rng());
    e->set_name(RandomText(rng, 10));
    RandomAttributes(rng, o, e);
    e->set_dropped_attributes_count(MaybeCount(rng));
  }
  s->set_dropped_events_count(MaybeCount(rng));
  int links = Uniform(rng, 0, o.max_links);
  for (int i = 0; i < links; ++i) {
    pb::Link* l = s->add_links();
    l->set_trace_id(NonZeroId(rng, 16));
    l->set_span_id(NonZeroId(rng, 8));
    if (Uniform(rng, 0, 2) == 0) l->set_trace_state("a=" + RandomText(rng, 5));
    RandomAttributes(rng, o, l);
    l->set_dropped_attributes_count(MaybeCount(rng));
    l->set_flags(static_cast<uint32_t>(Uniform(rng, 0, 0x3FF)));
  }
  s->set_dropped_links_count(MaybeCount(rng));
  if (Uniform(rng, 0, 2) != 0) {
    s->mutable_status()->set_code(Uniform(rng, 0, 2));
    if (Uniform(rng, 0, 1) == 0) s->mutable_status()->set_message(RandomText(rng, 12));
    if (s->status().code() == 0 && s->status().message().empty()) s->clear_status();
  }
  s->set_flags(static_cast<uint32_t>(Uniform(rng, 0, 0x3FF)));
}

}  // namespace

pb::ExportTraceServiceRequest RandomRequest(std::mt19937_64& rng, const RandomOptions& o) {
  pb::ExportTraceServiceRequest req;
  int resources = Uniform(rng, 1, o.max_resources);
  for (int r = 0; r < resources; ++r) {
    pb::ResourceSpans* rs = req.add_resource_spans();
    if (Uniform(rng, 0, 4) != 0) {
      auto* res = rs->mutable_resource();
      res->add_attributes()->set_key("service.name");
      res->mutable_attributes(0)->mutable_value()->set_string_value("svc-" + RandomText(rng, 5));
      RandomAttributes(rng, o, res);
      res->set_dropped_attributes_count(MaybeCount(rng));
    }
    if (Uniform(rng, 0, 1) == 0)
      rs->set_schema_url("https://opentelemetry.io/schemas/1.2" +
                         std::to_string(Uniform(rng, 0, 9)));
    int scopes = Uniform(rng, 1, o.max_scopes);
    for (int s = 0; s < scopes; ++s) {
      pb::ScopeSpans* ss = rs->add_scope_spans();
      if (Uniform(rng, 0, 4) != 0) {
        auto* scope = ss->mutable_scope();
        scope->set_name("lib-" + RandomText(rng, 6));
        if (Uniform(rng, 0, 1) == 0) scope->set_version("1." + std::to_string(Uniform(rng, 0, 9)));
        RandomAttributes(rng, o, scope);
        scope->set_dropped_attributes_count(MaybeCount(rng));
        if (scope->ByteSizeLong() == 0) ss->clear_scope();
      }
      if (Uniform(rng, 0, 2) == 0) ss->set_schema_url("s" + RandomText(rng, 4));
      int spans = Uniform(rng, 0, o.max_spans);
      std::string trace_id = NonZeroId(rng, 16);
      for (int i = 0; i < spans; ++i) FillSpan(rng, o, trace_id, ss->add_spans());
    }
  }
  return req;
}

pb::ExportTraceServiceRequest RealisticRequest() {
  std::mt19937_64 rng(42);
  pb::ExportTraceServiceRequest req;
  pb::ResourceSpans* rs = req.add_resource_spans();
  auto* res = rs->mutable_resource();
  const char* res_keys[] = {"service.name",
                            "service.version",
                            "service.instance.id",
                            "host.name",
                            "host.arch",
                            "os.type",
                            "process.pid",
                            "telemetry.sdk.name",
                            "telemetry.sdk.version",
                            "deployment.environment"};
  for (int i = 0; i < 10; ++i) {
    pb::KeyValue* kv = res->add_attributes();
    kv->set_key(res_keys[i]);
    if (i == 6) {
      kv->mutable_value()->set_int_value(12345);
    } else {
      kv->mutable_value()->set_string_value(i == 0 ? "checkout" : "value-" + std::to_string(i));
    }
  }
  pb::ScopeSpans* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("io.opentelemetry.http");
  ss->mutable_scope()->set_version("1.21.0");
  std::string trace_id = NonZeroId(rng, 16);
  for (int i = 0; i < 512; ++i) {
    if (i % 16 == 0) trace_id = NonZeroId(rng, 16);
    pb::Span* s = ss->add_spans();
    s->set_trace_id(trace_id);
    s->set_span_id(NonZeroId(rng, 8));
    if (i % 16 != 0) s->set_parent_span_id(NonZeroId(rng, 8));
    s->set_name(i % 3 == 0 ? "GET /api/cart/{id}" : "SELECT shop.orders");
    s->set_kind(i % 3 == 0 ? 2 : 3);
    s->set_start_time_unix_nano(1700000000000000000ull + i * 1000);
    s->set_end_time_unix_nano(1700000000000000000ull + i * 1000 + 52000);
    auto add_str = [&](const char* k, std::string v) {
      pb::KeyValue* kv = s->add_attributes();
      kv->set_key(k);
      kv->mutable_value()->set_string_value(std::move(v));
    };
    add_str("http.request.method", "GET");
    add_str("url.path", "/api/cart/" + std::to_string(i));
    add_str("url.scheme", "https");
    add_str("server.address", "cart.internal.example.com");
    add_str("network.protocol.version", "1.1");
    add_str("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36");
    add_str("db.system", "postgresql");
    pb::KeyValue* port = s->add_attributes();
    port->set_key("server.port");
    port->mutable_value()->set_int_value(8443);
    pb::KeyValue* code = s->add_attributes();
    code->set_key("http.response.status_code");
    code->mutable_value()->set_int_value(200);
    pb::KeyValue* sampled = s->add_attributes();
    sampled->set_key("app.cache_hit");
    sampled->mutable_value()->set_bool_value(i % 2 == 0);
    if (i % 4 == 0) {
      pb::Event* e = s->add_events();
      e->set_time_unix_nano(1700000000000000000ull + i * 1000 + 100);
      e->set_name("exception");
      pb::KeyValue* kv = e->add_attributes();
      kv->set_key("exception.message");
      kv->mutable_value()->set_string_value("connection reset by peer");
    }
    s->mutable_status()->set_code(i % 10 == 0 ? 2 : 0);
    if (s->status().code() == 0) s->clear_status();
    s->set_flags(0x101);
  }
  return req;
}

}  // namespace ariadne::otlp_test
