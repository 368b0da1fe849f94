// Fields shared by network layers and a design's per-layer overrides.
#pragma once

#include <vector>

#include "sim/config/yaml_fields.h"
#include "sim/ir/network.h"

namespace vine::config {

ir::WeightType read_weight_type(const Field& f);
std::vector<ir::ChannelGroup> read_channel_groups(const Field& f);
ir::OutputSpec read_output(const Field& f, ir::LayerKind kind);
ir::ActivationType read_activation_type(MapReader& m);  // fields `type` and `bits`

}  // namespace vine::config
