// A temporary folder of sweep specs for the sweep tests (test_sweep.cpp, the
// spec itself; test_explore_cli.cpp, `vine sweep` run through the program):
// a spec over TFC and a residual block that deadlocks, so that a sweep has a
// failing point.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace vine_test {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("vine-sweep-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

inline std::string spec_text(const std::string& options, const std::string& command = "run") {
  const std::filesystem::path source(VINE_SOURCE_DIR);
  return "sweep: s\ncommand: " + command + "\ndesigns: [" +
         (source / "configs/designs/finn-examples/tfc-w1a1-pynq-z1.yaml").string() + ", " +
         (source / "tests/sim/data/residual-shallow-skip.yaml").string() + "]\n" + options;
}

}  // namespace vine_test
