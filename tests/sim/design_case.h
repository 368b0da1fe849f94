// A design a test writes with its network to temporary files: the network's
// text after its `network:` line, and the design's `layers:` entries (with
// whatever follows them: fifos, stream FIFOs) on the ZCU104 at 100 MHz.
// The tests of one folded layer (a window, padding or downsampler with its
// own SIMD, thresholds as a stage of their own, one-dimensional windows)
// each derive their case from it with their own network.
#pragma once

#include <filesystem>
#include <string>

#include "sim/config/loaders.h"
#include "tests/sim/temp_config.h"

namespace vine::testing_support {

struct DesignCase {
  TempConfig network, design;
  DesignCase(const std::string& name, const std::string& net, const std::string& layers)
      : network(name + "-net", "network: " + name + "\n" + net),
        design(name, "design: " + name + "\nnetwork: " + network.path.string() + "\ndevice: " +
                         (std::filesystem::path(VINE_SOURCE_DIR) / "configs/devices/zcu104.yaml").string() +
                         "\nclock_mhz: 100\nlayers:\n" + layers) {}
  ir::Design load() const { return config::load_design(design.path.string()); }
};

}  // namespace vine::testing_support
