// w3c_test_service --port N: serves the w3c/trace-context harness until interrupted.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "sdk/examples/w3c_test_service.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  uint16_t port = 5000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0) port = static_cast<uint16_t>(std::atoi(argv[i + 1]));
  }
  ariadne::examples::W3CTestService service(port);
  ariadne::Status st = service.Start();
  if (!st.ok()) {
    std::fprintf(stderr, "w3c_test_service: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("w3c_test_service listening on 127.0.0.1:%u, POST /test\n", service.port());
  std::fflush(stdout);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  service.Stop();
  return 0;
}
