// Reading the three kinds of config file into the IR. Every problem is a
// ConfigError naming file, line, column, field, value and what was expected.
#pragma once

#include <string>

#include "sim/ir/cluster.h"
#include "sim/ir/design.h"
#include "sim/ir/device.h"
#include "sim/ir/network.h"

namespace vine::config {

enum class ConfigKind { kNetwork, kDevice, kDesign, kCluster };
const char* to_string(ConfigKind k);

// A network file has a top-level `network:` name, a device file `device:`, a
// design file `design:` (designs also name their network and device by path),
// a cluster file `cluster:` (it names its boards' devices by path).
ConfigKind detect_kind(const std::string& path);

ir::Network load_network(const std::string& path);
ir::Device load_device(const std::string& path);
// Loads the design, its network and device (paths relative to the design
// file), applies the design's per-layer overrides and checks the folding.
ir::Design load_design(const std::string& path);
// Loads a cluster: its boards' devices (paths relative to the cluster file)
// and its links, each link's figures checked (docs/links.md).
ir::Cluster load_cluster(const std::string& path);

}  // namespace vine::config
