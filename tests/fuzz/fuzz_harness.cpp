#include "tests/fuzz/fuzz_harness.h"

#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sim/config/loaders.h"
#include "sim/estimate/estimate.h"
#include "sim/ir/stage_plan.h"

// The models the stage kinds live in link SystemC's shared library, whose own
// main() calls sc_main: libFuzzer's main() is the one that runs, but the
// linker still wants the symbol. Weak, so that it never clashes with one.
extern "C" __attribute__((weak)) int sc_main(int, char**) {
  return 0;
}

namespace vine::fuzz {

namespace fs = std::filesystem;

namespace {

// Removes the scratch tree at exit (a crash leaves it: scripts/fuzz points
// TMPDIR into the build tree and empties it).
struct Cleanup {
  std::string root;
  ~Cleanup() {
    std::error_code ec;
    if (!root.empty()) fs::remove_all(root, ec);
  }
};
Cleanup cleanup;

}  // namespace

Scratch::Scratch() {
  std::string tmpl = (fs::temp_directory_path() / "vine-fuzz-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) internal_error("the scratch directory", tmpl.c_str());
  root_ = tmpl;
  cleanup.root = root_;
  configs_ = root_ + "/configs";
  inputs_ = configs_ + "/designs/fuzz";
  fs::copy(fs::path(VINE_SOURCE_DIR) / "configs", configs_, fs::copy_options::recursive);
  fs::create_directories(inputs_);
  // default.yaml sits one level higher than the other designs.
  fs::create_directory_symlink("../networks", configs_ + "/designs/networks");
  fs::create_directory_symlink("../devices", configs_ + "/designs/devices");
}

const Scratch& Scratch::get() {
  static const Scratch s;
  return s;
}

std::string Scratch::write(const std::string& name, const uint8_t* data, size_t size) const {
  const std::string path = inputs_ + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  if (!out) internal_error("writing the input", path.c_str());
  return path;
}

std::string Scratch::write(const std::string& name, const std::string& text) const {
  return write(name, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

void downstream(const ir::Design& d) {
  config_errors_only("ir::plan_process_network", [&] { ir::plan_process_network(d); });
  config_errors_only("estimate::estimate_design", [&] {
    const estimate::Estimate e = estimate::estimate_design(d);
    // What `vine estimate` prints and writes with --json.
    estimate::format_table(e);
    estimate::to_json(e).dump(2);
  });
}

void load_design_and_downstream(const std::string& path) {
  ir::Design d;
  if (config_errors_only("config::load_design", [&] { d = config::load_design(path); })) downstream(d);
}

bool verbose() {
  static const bool v = std::getenv("VINE_FUZZ_VERBOSE") != nullptr;
  return v;
}

void internal_error(const char* what, const char* message) {
  std::fprintf(stderr, "vine fuzz: internal error in %s: %s\n", what, message);
  std::abort();
}

}  // namespace vine::fuzz
