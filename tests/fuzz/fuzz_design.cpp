// libFuzzer target: config::load_design on arbitrary bytes, written next to
// a copy of the shipped networks and devices so that its relative paths
// resolve (fuzz_harness.h); a design it accepts goes through the stage plan
// and the estimate, as `vine estimate` runs them.
#include <cstddef>
#include <cstdint>

#include "sim/config/loaders.h"
#include "tests/fuzz/fuzz_harness.h"

using namespace vine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::Scratch::get().write("design.yaml", data, size);
  fuzz::config_errors_only("config::detect_kind", [&] { config::detect_kind(path); });
  fuzz::load_design_and_downstream(path);
  return 0;
}
