// Runs the `vine` program the tests are built against (VINE_BINARY, set by
// tests/sim/CMakeLists.txt), for the tests of its command line.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace vine_test {

struct VineResult {
  int code;            // the exit status; -1 when the program did not exit
  std::string output;  // stdout and stderr together
};

// `vine ARGS` as a shell command line; `env`: VAR=VALUE assignments for the
// program's environment.
inline std::string vine_command(const std::string& args, const std::string& env) {
  return (env.empty() ? "" : "env " + env + " ") + std::string(VINE_BINARY) + " " + args;
}

// Runs a shell command line: its exit status (-1 when it did not exit) and stdout.
inline std::pair<int, std::string> run_command(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// A whole file as text ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline VineResult run_vine(const std::string& args, const std::string& env = "") {
  auto [code, out] = run_command(vine_command(args, env) + " 2>&1");
  return {code, out};
}

// stdout and stderr apart: the reports (or `--json -`'s JSON) go to one, the
// log to the other.
struct Split {
  int code;  // as VineResult's
  std::string out, err;
};

inline Split vine_split(const std::string& args, const std::string& env = "") {
  const std::filesystem::path err =
      std::filesystem::temp_directory_path() / ("vine-stderr-" + std::to_string(::getpid()));
  auto [code, out] = run_command(vine_command(args, env) + " 2>" + err.string());
  std::string text = read_text(err);
  std::filesystem::remove(err);
  return {code, out, text};
}

}  // namespace vine_test
