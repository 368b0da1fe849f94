// The pipeline latency of a layer's PE array, as the RTL units' single source
// (vine_rtl_timing.h, generated from rtl/vine_rtl_timing_pkg.sv) states it:
// the weight-memory read, the lane group's pipeline and the output unit's.
// The MVAU, VVAU, threshold and add kinds build their pipeline depths from it.
#pragma once

#include "sim/ir/design.h"

namespace vine::models {

// The lanes' share: the deepest lane group among the layer's channel groups
// (the PE array is one pipeline, so groups of different arithmetic share it).
int pe_lanes_latency(const ir::Layer& l, int simd);

// The output unit's share: multi-threshold or requantiser, 0 without one.
int output_unit_latency(const ir::Layer& l);

// Read to write through the PE array: weight-memory read (1), lanes, output unit.
int pe_array_latency(const ir::Layer& l, int simd);
// With bit-serial lanes (`bit_serial: true`): a fold of w-bit weights
// takes w cycles, and its result leaves the unit mvau_lanes_bitserial_latency
// (SIMD, w) = w + 2 + T(SIMD) cycles after the fold's first cycle. The MVAU
// writes from an iteration at the last fold's last cycle, so the depth
// counted from there is the same for every w: 1 (weight read) +
// latency(SIMD, w) - (w - 1) + the output unit's.
int bit_serial_pipeline_depth(const ir::Layer& l, int simd);
// The cycles one fold of output channel row `row` takes on bit-serial lanes:
// the bits of the weights of the channel group holding it.
int bit_serial_fold_cycles(const ir::Layer& l, int64_t row);

// The bitmap decoder's register between an on-chip weight memory and the
// lanes (`weight_compression: bitmap`): 1, else 0. (A streamed layer's
// decoder sits in its weight streamer.)
int weight_decoder_latency(const ir::LayerFolding& f);

// FINN's RTL MVU and VVU (finn-rtllib mvu_vvu_axi.sv, both kinds'
// wrapper): its output register slice B drives tvalid, 1 cycle after the
// compute core's result.
constexpr int kMvuVvuOutputRegister = 1;

}  // namespace vine::models
