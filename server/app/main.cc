// The `ariadne` binary: subcommands, flags and wiring. The only code not linked into tests.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include "base/config.h"
#include "base/logging.h"
#include "server/app/serve.h"
#include "server/config/server_options.h"

extern char** environ;

namespace ariadne {
namespace {

constexpr char kUsage[] =
    "ariadne: distributed tracing, end to end.\n"
    "\n"
    "Usage: ariadne <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  serve      Run the all-in-one server: receivers, storage, query API and UI\n"
    "  demo       Run the server with five instrumented demo systems sending live traffic\n"
    "             (UI on http://127.0.0.1:16686/; 'ariadne demo --help' for its flags)\n"
    "  config     Show the effective configuration (--print) or every option (--help)\n"
    "  version    Print the version\n"
    "  help       Show this text\n"
    "\n"
    "Run 'ariadne serve --help' for the server's flags. Every flag can also be set as an\n"
    "ARIADNE_* environment variable or in a YAML file given with --config FILE;\n"
    "flags win over the environment, which wins over the file.\n";

int Version() {
  std::printf("ariadne %s\n", ARIADNE_VERSION);
  return 0;
}

bool WantsHelp(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

int ConfigCommand(const std::vector<std::string>& args) {
  if (WantsHelp(args)) {
    Config config(ServerOptionSpecs());
    std::printf("Usage: ariadne config --print [flags]\n\nOptions:\n%s", config.Help().c_str());
    return 0;
  }
  bool print = false;
  std::vector<std::string> rest;
  for (const auto& a : args) {
    if (a == "--print") {
      print = true;
    } else {
      rest.push_back(a);
    }
  }
  Config config(ServerOptionSpecs());
  std::vector<std::string> positional;
  Status s = config.Load(rest, environ, &positional);
  if (!s.ok()) {
    std::fprintf(stderr, "ariadne config: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (!print) {
    std::fprintf(stderr, "Usage: ariadne config --print [flags]   (or --help)\n");
    return 2;
  }
  std::fputs(config.Print().c_str(), stdout);
  return 0;
}

// `ariadne demo [args]`: replaces this process with the ariadne-demo launcher built next to the
// running binary (it starts `ariadne serve` from that directory too), arguments passed through.
int DemoCommand(const std::vector<std::string>& args) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::fprintf(stderr, "ariadne demo: cannot find the running binary (/proc/self/exe: %s)\n",
                 ec.message().c_str());
    return 1;
  }
  std::string launcher = (self.parent_path() / "ariadne-demo").string();
  std::vector<char*> argv;
  argv.push_back(launcher.data());
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  if (access(launcher.c_str(), X_OK) == 0) {
    execv(launcher.c_str(), argv.data());
  }
  int err = errno;
  std::fprintf(stderr,
               "ariadne demo: cannot run the demo launcher %s: %s\n"
               "It is built next to ariadne: build the ariadne-demo target, e.g.\n"
               "  cmake --build %s --target ariadne-demo\n",
               launcher.c_str(), std::strerror(err),
               self.parent_path().parent_path().string().c_str());
  return 127;
}

int ServeCommand(const std::vector<std::string>& args) {
  Config config(ServerOptionSpecs());
  if (WantsHelp(args)) {
    std::printf(
        "Usage: ariadne serve [flags]\n\nRuns every receiver, the store, the query API and the "
        "UI in the foreground.\nStops cleanly on SIGINT or SIGTERM.\n\nFlags:\n"
        "  --config FILE                     YAML file of options [env ARIADNE_CONFIG]\n%s",
        config.Help().c_str());
    return 0;
  }
  std::vector<std::string> positional;
  Status s = config.Load(args, environ, &positional);
  if (s.ok() && !positional.empty()) {
    s = Status::InvalidArgument("unexpected argument '" + positional[0] + "'");
  }
  if (!s.ok()) {
    std::fprintf(stderr, "ariadne serve: %s\nRun 'ariadne serve --help' for the flags.\n",
                 std::string(s.message()).c_str());
    return 2;
  }
  return RunServe(config);
}

}  // namespace
}  // namespace ariadne

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(ariadne::kUsage, stderr);
    return 2;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return ariadne::ServeCommand(args);
  if (command == "config") return ariadne::ConfigCommand(args);
  if (command == "demo") return ariadne::DemoCommand(args);
  if (command == "version" || command == "--version") return ariadne::Version();
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(ariadne::kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "ariadne: unknown command '%s'\n\n%s", command.c_str(), ariadne::kUsage);
  return 2;
}
