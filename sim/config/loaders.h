// Reading the three kinds of config file into the IR. Every problem is a
// ConfigError naming file, line, column, field, value and what was expected.
#pragma once

#include <string>

#include "sim/ir/design.h"
#include "sim/ir/device.h"
#include "sim/ir/network.h"

namespace vine::config {

enum class ConfigKind { kNetwork, kDevice, kDesign };
const char* to_string(ConfigKind k);

// A network file has a top-level `network:` name, a device file `device:`, a
// design file `design:` (designs also name their network and device by path).
ConfigKind detect_kind(const std::string& path);

ir::Network load_network(const std::string& path);
ir::Device load_device(const std::string& path);
// Loads the design, its network and device (paths relative to the design
// file), applies the design's per-layer overrides and checks the folding.
ir::Design load_design(const std::string& path);

}  // namespace vine::config
