// The compute engine's network image (platforms/driver/engine_image_format.h):
// the parameters and the layer-descriptor table of a design's network, laid
// out as the engine's plan lays them out (engine_tiling.h), relative to the
// image's base, for a driver to load anywhere in device memory
// (vine_engine_load). `vine export engine-image` writes it.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/engine_tiling.h"
#include "sim/golden/network_params.h"
#include "sim/ir/design.h"

namespace vine::platforms {

// The image file's bytes, for the network's `params` (synthesised from a
// seed, or read from its weights files).
std::vector<uint8_t> engine_image(const ir::Design& d, const engine::EnginePlan& plan,
                                  const golden::NetworkParams& params);

// The fingerprint of what an engine holds as configuration rather than in
// DDR: every layer's thresholds and re-quantiser (FNV-1a, folded to 32
// bits). The engine's CONFIG_ID register reads it, and an image carries the
// one its network needs, so that a driver refuses an image whose weights
// were made for other thresholds instead of computing wrong results.
uint32_t engine_config_id(const golden::NetworkParams& params);

}  // namespace vine::platforms
