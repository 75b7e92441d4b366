#include "tests/testing/server_process.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "tests/testing/http_client.h"

namespace ariadne::testing {
namespace {

// First lines of the reports of ASan, LSan, UBSan and TSan.
constexpr const char* kSanitizerMarkers[] = {
    "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
    "ERROR: ThreadSanitizer",  "runtime error: ",      "ERROR: UndefinedBehaviorSanitizer",
};

}  // namespace

uint16_t PickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

ServerProcess::ServerProcess(std::string binary) : binary_(std::move(binary)) {
  static int counter = 0;
  const char* tmp = std::getenv("TMPDIR");
  log_path_ = std::string(tmp ? tmp : "/tmp") + "/ariadne_server_" + std::to_string(::getpid()) +
              "_" + std::to_string(counter++) + ".log";
  // Pids repeat (a container's start at 1): a log left by an earlier test process with this
  // pid would be appended to and its sanitizer reports charged to this test.
  ::unlink(log_path_.c_str());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill(SIGKILL);
  CheckForSanitizerReport();
}

void ServerProcess::CheckForSanitizerReport() {
  std::string text = log();
  if (text.size() <= log_checked_) return;
  std::string fresh = text.substr(log_checked_);
  log_checked_ = text.size();
  for (const char* marker : kSanitizerMarkers) {
    size_t at = fresh.find(marker);
    if (at == std::string::npos) continue;
    size_t from = fresh.rfind('\n', at);
    from = from == std::string::npos ? 0 : from + 1;
    ADD_FAILURE() << "sanitizer report in the output of " << binary_ << ":\n"
                  << fresh.substr(from, 6000);
    return;
  }
}

bool ServerProcess::Start(const std::vector<std::string>& args, int timeout_ms) {
  query_port_ = PickFreePort();
  std::vector<std::string> argv_s = {binary_, "serve"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  argv_s.push_back("--query-port=" + std::to_string(query_port_));
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary_.c_str(), argv.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      CheckForSanitizerReport();
      return false;
    }
    if (HttpGet(query_port_, "/health").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int ServerProcess::Stop(int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      CheckForSanitizerReport();
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill(SIGKILL);
  return -1;
}

void ServerProcess::Kill(int sig) {
  if (pid_ <= 0) return;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  CheckForSanitizerReport();
}

std::string ServerProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace ariadne::testing
