// libFuzzer target: config::load_network on arbitrary bytes, then, for a
// network it accepts, a design of it on a shipped device (every layer at
// PE = SIMD = 1) through the load, the stage plan and the estimate, so that
// networks no shipped design uses reach the steps after the load too.
#include <cstddef>
#include <cstdint>

#include "sim/config/loaders.h"
#include "tests/fuzz/fuzz_harness.h"

using namespace vine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::Scratch& s = fuzz::Scratch::get();
  const std::string path = s.write("network.yaml", data, size);
  // What `vine validate` does first.
  fuzz::config_errors_only("config::detect_kind", [&] { config::detect_kind(path); });
  if (!fuzz::config_errors_only("config::load_network", [&] { config::load_network(path); }))
    return 0;
  const std::string design = s.write("network-design.yaml",
                                     "design: fuzz-network\nnetwork: network.yaml\n"
                                     "device: ../../devices/alveo-u250.yaml\n");
  fuzz::load_design_and_downstream(design);
  return 0;
}
