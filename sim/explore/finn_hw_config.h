// A sized design in FINN's hardware-config JSON (the `final_hw_config.json`
// a FINN build writes and `ApplyConfig` reads): one entry per stage with its
// folding and the depths of the FIFOs on its inputs and outputs
// (`inFIFODepths`, `outFIFODepths`), and one entry per FIFO with its
// `depth`, `impl_style` and `ram_style`, chosen as FINN chooses them
// (finn_fifo_style.h).
//
// The keys are Vine's stage and stream names ("conv1.mvau",
// "conv1.swg->conv1.mvau"), each entry with the FINN `op_type` its stage
// kind corresponds to: a design written in Vine's YAML has no FINN node
// names to use. FINN's StreamingFIFO is at least 2 deep; a FIFO sized to 1
// is written as 2 (deeper never slows a design down).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/explore/fifo_sizing.h"
#include "sim/ir/design.h"

namespace vine::explore {

// The FINN op_type of a Vine stage kind in current finn-examples builds
// ("mvau" -> "MVAU_hls", "swg" -> "ConvolutionInputGenerator_rtl";
// sim/finn_config/finn_op_types.h).
std::string finn_op_type(const std::string& stage_kind);

nlohmann::ordered_json finn_hw_config(const ir::Design& sized, const FifoSizing& s);

}  // namespace vine::explore
