// Which back-end runs each layer's PE arithmetic in `vine run`, and for the
// RTL co-simulation back-end the Verilated units a layer instantiates: its
// lanes and its output unit.
//
// A layer's lanes: one unit per distinct weight arithmetic among its channel
// groups, sized for the widest group of that arithmetic (the hardware a PE
// holds); its SIMD and matrix width are the layer's folding, its activation
// type the layer's input.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/pe/row_block.h"
#include "models/pe/rtl_dot_product.h"
#include "models/pe/rtl_lanes.h"
#include "models/pe/rtl_output_unit.h"
#include "sim/golden/network_params.h"
#include "sim/ir/design.h"

namespace vine::sim {

// `vine run --backend`: kDesign follows each layer's `backend` in the design.
enum class BackendChoice { kDesign, kCpp, kRtl };

// Layers with RTL units: those with weights (lanes, and an output unit
// unless they stream the accumulator) and the standalone threshold and
// requant layers (an output unit).
bool has_rtl_units(const ir::Layer& l);
bool runs_on_rtl(const ir::Design& d, int layer, BackendChoice c);

// The PE lanes of a layer with weights: SIMD lanes over rows of
// lanes_row_width weights (the VVAU reads one kernel position per beat).
int lanes_simd(const ir::Design& d, int layer);
int64_t lanes_row_width(const ir::Layer& l);

// The lanes unit for the `a` groups of layer `l` (SIMD lanes over rows of
// `mw` weights). Throws ConfigError when no RTL unit computes that pairing.
models::LanesConfig lanes_config(const ir::Design& d, int layer, arith::WeightArithmetic a, int simd, int64_t mw);

// The accumulator the lanes units of layer `layer` give its output unit:
// the widest of its units' out_acc, two's complement unless every unit's is
// unsigned (XNOR-popcount).
struct LanesAccumulator {
  int bits = 0;
  bool is_signed = false;
};
LanesAccumulator lanes_accumulator(const ir::Design& d, int layer);

// The output unit after layer `layer`'s lanes (multithreshold or
// requantizer, rtl/README.md), or nothing (an accumulator output); its
// parameters follow from the layer's types, never from its data.
std::optional<models::LanesConfig> output_unit_config(const ir::Design& d, int layer);

// A Verilated unit a co-simulated layer instantiates: its lanes or its output unit.
struct RtlLanesUse {
  std::string layer;
  models::LanesConfig config;
};
// Every lanes and output unit a run of `d` with choice `c` co-simulates, by layer.
std::vector<RtlLanesUse> rtl_lanes_of(const ir::Design& d, BackendChoice c);

// Empty when every layer `d` runs on RTL with choice `c` has its Verilated
// units at hand (or none runs on RTL); else what is missing and which command
// builds it. The commands ask before they start, so a run never stops at its
// first co-simulated layer.
std::string rtl_units_problem(const ir::Design& d, BackendChoice c);

// The PE array of layer `layer` on Verilated units: one group per channel
// group, `pe` instances of its unit each. `latency` receives the deepest
// unit's probed latency. Throws ConfigError naming the unit when this build
// does not hold it and cannot build it.
std::vector<std::unique_ptr<models::RtlDotProductUnit>> rtl_lanes_groups(const ir::Design& d, int layer,
                                                                         const golden::LayerParams& p, int pe,
                                                                         int& latency);

// The output units of layer `layer` on Verilated RTL, `pe` instances, for its
// parameters `p`; null when its output is the accumulator. Throws
// ConfigError as rtl_lanes_groups does, and for parameters the unit cannot
// hold.
std::unique_ptr<models::RtlOutputUnit> rtl_output_unit(const ir::Design& d, int layer, const golden::LayerParams& p,
                                                       int pe);

}  // namespace vine::sim
