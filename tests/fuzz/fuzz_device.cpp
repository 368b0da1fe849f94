// libFuzzer target: config::load_device on arbitrary bytes; a device it
// accepts must give the DDR model figures it accepts too (what `vine vp`
// builds its DDR from), and a small design on it (TFC-W1A1) goes through the
// load, the stage plan and the estimate, which weighs resources against it.
#include <cstddef>
#include <cstdint>

#include "models/memory/ddr_config.h"
#include "sim/config/loaders.h"
#include "tests/fuzz/fuzz_harness.h"

using namespace vine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::Scratch& s = fuzz::Scratch::get();
  const std::string path = s.write("device.yaml", data, size);
  fuzz::config_errors_only("config::detect_kind", [&] { config::detect_kind(path); });
  ir::Device dev;
  if (!fuzz::config_errors_only("config::load_device", [&] { dev = config::load_device(path); }))
    return 0;
  if (dev.ddr_channels > 0) {
    const std::string problem = models::DdrConfig::from_device(dev).check();
    if (!problem.empty())
      fuzz::internal_error("models::DdrConfig::check of an accepted device", problem.c_str());
  }
  const std::string design = s.write("device-design.yaml",
                                     "design: fuzz-device\nnetwork: ../../networks/tfc-w1a1.yaml\n"
                                     "device: device.yaml\n"
                                     "layers: {fc0: {simd: 49, pe: 16}, fc1: {simd: 8, pe: 8}}\n");
  fuzz::load_design_and_downstream(design);
  return 0;
}
