// Real clients from npm (OpenTelemetry JS exporters, its Zipkin exporter, jaeger-client) send a
// trace to the real `ariadne serve` (send_trace.js); the query API must return it with the right
// structure (parent/child, links), types, services, events and durations.
//
// Needs tests/interop/node_modules (tools/install-deps.sh runs `npm ci` here); without it every
// test fails with a message saying so.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/stat.h>

#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"

namespace ariadne {
namespace {

using testing::HttpGet;
using testing::PickFreePort;
using testing::ServerProcess;

std::string RunCommand(const std::string& cmd, int* code) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    *code = -1;
    return out;
  }
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  int status = ::pclose(p);
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

struct Ports {
  uint16_t otlp_http, otlp_grpc, zipkin, jaeger_http, jaeger_udp;
};

class InteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ports_ = {PickFreePort(), PickFreePort(), PickFreePort(), PickFreePort(), PickFreePort()};
    server_ = new ServerProcess(ARIADNE_BINARY);
    bool ok = server_->Start(
        {"--storage=memory", "--otlp-http-port=" + std::to_string(ports_.otlp_http),
         "--otlp-grpc-port=" + std::to_string(ports_.otlp_grpc),
         "--zipkin-port=" + std::to_string(ports_.zipkin),
         "--jaeger-http-port=" + std::to_string(ports_.jaeger_http),
         "--jaeger-binary-port=" + std::to_string(ports_.jaeger_udp), "--jaeger-compact-port=0"});
    if (!ok) {
      std::fprintf(stderr, "server did not start:\n%s\n", server_->log().c_str());
      delete server_;
      server_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_EQ(server_->Stop(), 0);
    }
    delete server_;
    server_ = nullptr;
  }

  // Sends with `client` and returns the trace JSON from /api/traces/{id} once it has 2 spans.
  std::string SendAndFetch(const std::string& client, uint16_t port, const std::string& service) {
    struct stat st;
    std::string dir = ARIADNE_INTEROP_DIR;
    if (::stat((dir + "/node_modules").c_str(), &st) != 0) {
      ADD_FAILURE() << dir << "/node_modules is missing: run tools/install-deps.sh (it runs "
                    << "`npm ci` in tests/interop) before the interop tests";
      return "";
    }
    if (server_ == nullptr) {
      ADD_FAILURE() << "the server did not start";
      return "";
    }
    int code = 0;
    std::string out = RunCommand(
        "node " + dir + "/send_trace.js " + client + " " + std::to_string(port) + " " + service,
        &code);
    if (code != 0) {
      ADD_FAILURE() << "send_trace.js " << client << " failed:\n" << out;
      return "";
    }
    size_t at = out.find("TRACE_ID=");
    if (at == std::string::npos) {
      ADD_FAILURE() << "no trace id in:\n" << out;
      return "";
    }
    std::string id = out.substr(at + 9);
    id = id.substr(0, id.find_first_of("\r\n"));
    std::string body;
    for (int i = 0; i < 100; ++i) {
      auto r = HttpGet(server_->query_port(), "/api/traces/" + id);
      if (r.status == 200 && r.body.find("interop-child") != std::string::npos &&
          r.body.find("interop-parent") != std::string::npos) {
        return r.body;
      }
      body = r.body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "trace " << id << " from " << client << " never had both spans: " << body;
    return "";
  }

  struct Expect {
    bool typed_attributes = true;  // int64/float64/bool kept (not Zipkin: string tags)
    bool resource_tags = true;     // resource attributes become process tags
    bool link = true;              // links become FOLLOWS_FROM references
  };

  void Check(const std::string& json, const std::string& service, Expect e) {
    if (json.empty()) return;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
    simdjson::dom::element trace = doc["data"].at(0);
    simdjson::dom::array spans = trace["spans"].get_array();
    ASSERT_EQ(spans.size(), 2u) << json;
    simdjson::dom::element parent, child;
    for (simdjson::dom::element s : spans) {
      std::string_view name = s["operationName"].get_string();
      (name == "interop-parent" ? parent : child) = s;
    }
    std::string_view parent_id = parent["spanID"].get_string();
    // Structure: the child refers to the parent.
    bool child_of = false;
    for (simdjson::dom::element ref : child["references"].get_array()) {
      if (std::string_view(ref["refType"].get_string()) == "CHILD_OF" &&
          std::string_view(ref["spanID"].get_string()) == parent_id) {
        child_of = true;
      }
    }
    EXPECT_TRUE(child_of) << json;
    if (e.link) {
      bool follows = false;
      for (simdjson::dom::element ref : parent["references"].get_array()) {
        if (std::string_view(ref["refType"].get_string()) == "FOLLOWS_FROM") follows = true;
      }
      EXPECT_TRUE(follows) << "link lost: " << json;
    }
    // Durations, in microseconds.
    EXPECT_NEAR(static_cast<double>(int64_t(parent["duration"].get_int64())), 50000, 1000) << json;
    EXPECT_NEAR(static_cast<double>(int64_t(child["duration"].get_int64())), 20000, 1000) << json;
    int64_t offset =
        int64_t(child["startTime"].get_int64()) - int64_t(parent["startTime"].get_int64());
    EXPECT_NEAR(static_cast<double>(offset), 10000, 1000) << json;
    // Service and resource.
    std::string_view pid = parent["processID"].get_string();
    simdjson::dom::element process = trace["processes"][pid];
    EXPECT_EQ(std::string_view(process["serviceName"].get_string()), service);
    if (e.resource_tags) {
      bool env = false;
      for (simdjson::dom::element t : process["tags"].get_array()) {
        if (std::string_view(t["key"].get_string()) == "deployment.environment") env = true;
      }
      EXPECT_TRUE(env) << "resource attributes lost: " << json;
    }
    // Attribute types.
    auto tag = [](simdjson::dom::element span, std::string_view key) -> simdjson::dom::element {
      for (simdjson::dom::element t : span["tags"].get_array()) {
        if (std::string_view(t["key"].get_string()) == key) return t;
      }
      return simdjson::dom::element();
    };
    simdjson::dom::element i = tag(parent, "attr.int");
    simdjson::dom::element d = tag(parent, "attr.double");
    simdjson::dom::element b = tag(parent, "attr.bool");
    simdjson::dom::element s = tag(parent, "attr.string");
    ASSERT_EQ(s.type(), simdjson::dom::element_type::OBJECT) << json;
    EXPECT_EQ(std::string_view(s["value"].get_string()), "hello");
    ASSERT_EQ(i.type(), simdjson::dom::element_type::OBJECT) << json;
    if (e.typed_attributes) {
      EXPECT_EQ(std::string_view(i["type"].get_string()), "int64") << json;
      EXPECT_EQ(int64_t(i["value"].get_int64()), 42);
      EXPECT_EQ(std::string_view(d["type"].get_string()), "float64") << json;
      EXPECT_EQ(double(d["value"].get_double()), 3.5);
      EXPECT_EQ(std::string_view(b["type"].get_string()), "bool") << json;
      EXPECT_TRUE(bool(b["value"].get_bool()));
    }
    // The child's error status.
    simdjson::dom::element err = tag(child, "error");
    ASSERT_EQ(err.type(), simdjson::dom::element_type::OBJECT) << "error lost: " << json;
    // The event.
    EXPECT_NE(json.find("cache.miss"), std::string::npos) << "event lost: " << json;
  }

  static ServerProcess* server_;
  static Ports ports_;
};

ServerProcess* InteropTest::server_ = nullptr;
Ports InteropTest::ports_;

TEST_F(InteropTest, OtlpHttpProtobuf) {
  Check(SendAndFetch("otlp-proto", ports_.otlp_http, "interop-otlp-proto"), "interop-otlp-proto",
        {});
}
TEST_F(InteropTest, OtlpHttpProtobufGzip) {
  Check(SendAndFetch("otlp-proto-gzip", ports_.otlp_http, "interop-otlp-proto-gzip"),
        "interop-otlp-proto-gzip", {});
}
TEST_F(InteropTest, OtlpHttpJson) {
  Check(SendAndFetch("otlp-json", ports_.otlp_http, "interop-otlp-json"), "interop-otlp-json", {});
}
TEST_F(InteropTest, OtlpHttpJsonGzip) {
  Check(SendAndFetch("otlp-json-gzip", ports_.otlp_http, "interop-otlp-json-gzip"),
        "interop-otlp-json-gzip", {});
}
TEST_F(InteropTest, OtlpGrpc) {
  Check(SendAndFetch("otlp-grpc", ports_.otlp_grpc, "interop-otlp-grpc"), "interop-otlp-grpc", {});
}
TEST_F(InteropTest, OtlpGrpcGzip) {
  Check(SendAndFetch("otlp-grpc-gzip", ports_.otlp_grpc, "interop-otlp-grpc-gzip"),
        "interop-otlp-grpc-gzip", {});
}
TEST_F(InteropTest, ZipkinExporter) {
  Check(SendAndFetch("zipkin", ports_.zipkin, "interop-zipkin"), "interop-zipkin",
        {.typed_attributes = false, .resource_tags = false, .link = false});
}
TEST_F(InteropTest, JaegerClientUdp) {
  Check(SendAndFetch("jaeger-udp", ports_.jaeger_udp, "interop-jaeger-udp"), "interop-jaeger-udp",
        {.typed_attributes = false, .resource_tags = true, .link = false});
}
TEST_F(InteropTest, JaegerClientHttp) {
  Check(SendAndFetch("jaeger-http", ports_.jaeger_http, "interop-jaeger-http"),
        "interop-jaeger-http", {.typed_attributes = false, .resource_tags = true, .link = false});
}

}  // namespace
}  // namespace ariadne
