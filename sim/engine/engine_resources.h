// The compute engine's resources (docs/engine.md#resources): the MAC array,
// the double-buffered input, weight and output buffers, the coefficient
// buffer and the OVSF weights generator, and the input-selective PEs'
// multiplexers (the lanes' words and the dot products' pixels), each from the
// design's parameters by the rules the streaming designs' estimate uses
// (sim/estimate/): the lanes' fitted cost and FINN's DSP rule, the memory
// packing, and the generator's fit to its Yosys rows. Not counted: the
// controller, the DMA and the address logic.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/ir/design.h"

namespace vine::engine {

struct EngineResourceRow {
  std::string name;    // "MAC array", "input buffer", ...
  std::string detail;  // what it is, in the hardware's words
  ir::Resources resources;
};

struct EngineResources {
  std::vector<EngineResourceRow> rows;
  ir::Resources total, device;
  std::string device_name;
  bool fits = false;
};

EngineResources engine_resources(const ir::Design& d);

// LUT6s of one bit of one lane's input selection, a t_in-to-1 multiplexer
// built as a tree of 4:1 multiplexers, one LUT6 each (4 data and 2 select
// inputs): L(n) = ceil(n / 4) + L(ceil(n / 4)), L(1) = 0 (so 1, 3, 5, 11 for
// 4, 8, 16, 32 inputs). Yosys maps rtl/engine_input_select.sv exactly so for
// 4 and 8 inputs (docs/engine.md#resources).
int64_t select_mux_luts(int64_t inputs);

// LUT6s of one bit of the dot products' pixel selection, with input-selective
// PEs taking `pixels` output pixels at once: dot product j takes pixel j / c
// of a group of c filters, so it selects among min(j + 1, pixels) pixel
// streams: sum over j < t_out of select_mux_luts(min(j + 1, pixels)). Times
// t_in lanes x A bits for the array (rtl/engine_pixel_select.sv against
// Yosys, docs/engine.md#resources).
int64_t pixel_select_luts_per_bit(int t_out, int pixels);
// Their select indices: sum over j < t_out of clog2(min(j + 1, pixels)).
int64_t pixel_select_bits(int t_out, int pixels);

std::string format_engine_resources(const EngineResources& r);
nlohmann::json to_json(const EngineResources& r);

}  // namespace vine::engine
