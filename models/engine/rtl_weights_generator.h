// The compute engine's OVSF weights generator on Verilated RTL
// (rtl/ovsf_generator.sv; docs/weights-generator.md, docs/cosim.md). Under
// `vine run --backend rtl` the engine (compute_engine.h) hands every group of
// filters it generates to this unit as well: the filters' coefficients and
// the layer's kept codes enter the Verilated generator one beat (one group of
// LANES positions of one filter) every II cycles, as the hardware's
// controller offers them back to back, and every group that leaves the unit
// is checked against the C++ expansion (golden::ovsf_weight), bit for bit,
// and its cycle against the model's (beat k at k x II, out LATENCY cycles
// later: WeightsGeneratorTiming, from vine_rtl_timing.h). A difference stops
// the run with models::RtlTimingError naming the layer, the filter and the
// group, and both values or both cycles.
//
// The unit's parameters are the layer's (L, KEPT, COEFF_BITS, LANES,
// OUT_BITS); the kept codes are inputs, so the layers that share them share
// one instance, as they would share the hardware.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/pe/rtl_generator.h"
#include "models/pe/rtl_unit_stats.h"
#include "sim/engine/engine_tiling.h"

namespace vine::models {

// The unit a generated layer needs: ovsf_generator with the layer's code
// length, kept codes, coefficient width, the engine's lanes (at most L) and
// the weights' width.
LanesConfig generator_unit_config(const ir::Layer& l, const engine::EngineLayerPlan& lp);

class RtlWeightsGenerator : public RtlUnitStats {
 public:
  // Probes the unit's latency (one beat, en high, clocked until out_valid).
  RtlWeightsGenerator(std::unique_ptr<RtlGenerator> unit, LanesConfig config);

  // Generates filters [0, filters) of a tile, filter f being the layer's
  // filter `first_filter + f` (coefficients at [(first_filter + f) x kept]),
  // and checks them against `expected` ([f][filter_len], the C++ expansion).
  // `layer` and `first_cycle` (the engine cycle the generation starts at)
  // only name the place in an error. Returns the cycles from the first
  // beat's acceptance to the last group's output inclusive.
  int64_t generate(const std::string& layer, int64_t first_cycle, const std::vector<int32_t>& coefficients,
                   const std::vector<int32_t>& codes, int64_t first_filter, int64_t filters, int64_t filter_len,
                   const std::vector<int32_t>& expected);

 private:
  std::unique_ptr<RtlGenerator> unit_;
  int code_length_, kept_, coeff_bits_, lanes_, out_bits_, code_bits_;
};

}  // namespace vine::models
