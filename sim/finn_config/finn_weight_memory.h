// A weights layer's memory in FINN's terms: an MVAU's or VVAU's `ram_style`
// (block, distributed, ultra) and `mem_mode` (external for weights streamed
// from DDR), to and from Vine's `weight_memory` (bram, lutram, uram, ddr).
// FINN's `internal_embedded` and `internal_decoupled` both keep the weights
// on chip; Vine does not tell them apart.
#pragma once

#include <optional>
#include <string>

#include "sim/ir/design.h"

namespace vine::finn {

std::string finn_ram_style(ir::MemoryStyle m);     // bram -> "block", ...; ddr -> "auto"
std::string finn_mem_mode(ir::MemoryStyle m);      // ddr -> "external", else "internal_decoupled"

// Vine's weight memory for a node's ram_style and mem_mode; nullopt: the
// config leaves it to FINN ("auto" on chip), so the design keeps its own.
std::optional<ir::MemoryStyle> vine_weight_memory(const std::string& ram_style, const std::string& mem_mode,
                                                  ir::MemoryStyle current);

}  // namespace vine::finn
