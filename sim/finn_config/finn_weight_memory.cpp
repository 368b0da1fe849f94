#include "sim/finn_config/finn_weight_memory.h"

namespace vine::finn {

std::string finn_ram_style(ir::MemoryStyle m) {
  switch (m) {
    case ir::MemoryStyle::kBram: return "block";
    case ir::MemoryStyle::kLutram: return "distributed";
    case ir::MemoryStyle::kUram: return "ultra";
    case ir::MemoryStyle::kDdr: return "auto";
  }
  return "auto";
}

std::string finn_mem_mode(ir::MemoryStyle m) {
  return m == ir::MemoryStyle::kDdr ? "external" : "internal_decoupled";
}

std::optional<ir::MemoryStyle> vine_weight_memory(const std::string& ram_style, const std::string& mem_mode,
                                                  ir::MemoryStyle current) {
  if (mem_mode == "external") return ir::MemoryStyle::kDdr;
  if (ram_style == "block") return ir::MemoryStyle::kBram;
  if (ram_style == "distributed") return ir::MemoryStyle::kLutram;
  if (ram_style == "ultra") return ir::MemoryStyle::kUram;
  // On chip, memory left to FINN: the design's own, unless it streamed the weights.
  if (!mem_mode.empty() && current == ir::MemoryStyle::kDdr) return ir::MemoryStyle::kBram;
  return std::nullopt;
}

}  // namespace vine::finn
