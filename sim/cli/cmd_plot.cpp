// `vine plot KIND INPUT -o OUTPUT`: figures of traces and reports, drawn by
// the matplotlib script scripts/plot/plot.py under Debian's /usr/bin/python3
// (docs/plots.md). This command finds the script and the interpreter, runs
// it with the arguments as given, and returns its exit code: the script
// parses the options, reads the inputs, reports errors (exit 1) and writes
// the figure.
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/logging.h"

extern char** environ;

namespace vine::cli {

namespace {

// Where the build found them (sim/cli/CMakeLists.txt); an environment
// variable overrides each, for an installed or moved tree.
std::string setting(const char* env, const char* built_in) {
  const char* v = std::getenv(env);
  return v && *v ? v : built_in;
}

bool is_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

int cmd_plot(const Args& args) {
  const std::string dir = setting("VINE_PLOT_DIR", VINE_PLOT_DIR);
  const std::string python = setting("VINE_PLOT_PYTHON", VINE_PLOT_PYTHON);
  const std::string script = dir + "/plot.py";
  if (!is_file(script)) {
    std::fprintf(stderr,
                 "vine plot: the plot script %s does not exist: set VINE_PLOT_DIR to the folder that holds "
                 "plot.py (scripts/plot in Vine's source tree)\n",
                 script.c_str());
    return kExitUsage;
  }
  if (::access(python.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "vine plot: the Python interpreter %s is not there (%s): install Debian's python3 and "
                 "python3-matplotlib (scripts/setup does), or set VINE_PLOT_PYTHON\n",
                 python.c_str(), std::strerror(errno));
    return kExitUsage;
  }

  std::vector<std::string> argv_s = {python, script};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  // A -v/-q given before the command applies to the script too.
  if (!args.empty()) {
    if (verbosity() == Verbosity::kQuiet) argv_s.push_back("-q");
    if (verbosity() == Verbosity::kVerbose) argv_s.push_back("-v");
  }
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid;
  const int err = ::posix_spawn(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ);
  if (err != 0) {
    std::fprintf(stderr, "vine plot: cannot run %s: %s\n", python.c_str(), std::strerror(err));
    return kExitUsage;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      std::fprintf(stderr, "vine plot: waiting for %s: %s\n", python.c_str(), std::strerror(errno));
      return kExitSimulation;
    }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  std::fprintf(stderr, "vine plot: %s %s ended by signal %d\n", python.c_str(), script.c_str(), WTERMSIG(status));
  return kExitSimulation;
}

}  // namespace vine::cli
