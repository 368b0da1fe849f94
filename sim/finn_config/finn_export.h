// `vine export finn`: a Vine design as FINN's folding config JSON, the file a
// FINN build's `folding_config_file` names (docs/finn-configs.md): an empty
// `Defaults` and, in graph order, one entry per FINN node Vine has a value
// for, under the node's FINN name (finn_graph.h):
// - MVAU, VVAU: PE, SIMD, ram_style and mem_mode from the layer's
//   weight_memory (finn_weight_memory.h); resType is left to FINN (Vine's
//   estimate does not choose between LUTs and DSPs);
// - ConvolutionInputGenerator, FMPadding: SIMD (the lanes the stage moves);
// - Thresholding, StreamingMaxPool, Pool, AddStreams, DuplicateStreams: PE;
//   StreamingConcat: SIMD;
// - StreamingFIFO: depth, and impl_style and ram_style as the design carries
//   them, else as FINN chooses them (impl_style by depth, finn_fifo_style.h;
//   ram_style auto).
// Width converters have no folding attribute, and FINN's FIFOs with no Vine
// stream (the one inside a pool, those of FINN-only nodes) keep FINN's
// default: neither is written.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/finn_config/finn_graph.h"
#include "sim/ir/design.h"

namespace vine::finn {

nlohmann::ordered_json finn_folding_config(const ir::Design& d, const FinnOnlyNodes& extra = {});

}  // namespace vine::finn
