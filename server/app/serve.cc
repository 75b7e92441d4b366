#include "server/app/serve.h"

#include <cstdio>
#include <memory>
#include <string>

#include <pthread.h>
#include <signal.h>

#include "base/env.h"
#include "base/logging.h"
#include "server/api/http_server.h"

namespace ariadne {
namespace {

// Blocks SIGINT and SIGTERM in this thread and every thread it starts later, so that only
// WaitForStopSignal() receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int WaitForStopSignal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

int RunServe(const Config& config) {
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(config.GetString("log_level"), &level);
  SetLogLevel(level);
  SetLogFormat(config.GetString("log_format") == "json" ? LogFormat::kJson : LogFormat::kText);
  sigset_t stop_signals = BlockStopSignals();

  const std::string& host = config.GetString("listen_host");
  const std::string& storage = config.GetString("storage");
  if (storage == "embedded") {
    Status s = Env::Default()->CreateDirs(config.GetString("data_dir"));
    if (!s.ok()) {
      ARIADNE_LOG(kError, "cannot create data directory").Field("error", s.ToString());
      return 1;
    }
  }

  HttpServerOptions query_options;
  query_options.name = "query";
  query_options.host = host;
  query_options.port = static_cast<uint16_t>(config.GetInt("query_port"));
  query_options.threads = static_cast<int>(config.GetInt("http_threads"));
  HttpServer query(query_options);
  auto health = [](HttpRequest&&, HttpResponder respond) {
    respond(HttpResponse::Json(200, "{\"status\":\"ok\"}\n"));
  };
  query.Route("GET", "/health", health);
  query.Route("GET", "/api/health", health);
  Status s = query.Start();
  if (!s.ok()) {
    ARIADNE_LOG(kError, "cannot start").Field("error", s.ToString());
    return 1;
  }

  std::string base = "http://" + host + ":" + std::to_string(query.port());
  ARIADNE_LOG(kInfo, "ariadne serving")
      .Field("version", ARIADNE_VERSION)
      .Field("storage", storage)
      .Field("data_dir", storage == "embedded" ? config.GetString("data_dir") : "-");
  ARIADNE_LOG(kInfo, "listening").Field("endpoint", "ui").Field("url", base + "/");
  ARIADNE_LOG(kInfo, "listening").Field("endpoint", "health").Field("url", base + "/health");

  int sig = WaitForStopSignal(stop_signals);
  ARIADNE_LOG(kInfo, "stopping").Field("signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
  query.Stop();
  ARIADNE_LOG(kInfo, "stopped");
  return 0;
}

}  // namespace ariadne
