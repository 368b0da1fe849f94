// The resource cost functions the stage kinds and the estimate build on: PE
// lanes fitted to the RTL units' Yosys figures (lane_cost.h), FINN-R's cost
// functions for memories and thresholds, FIFOs (docs/estimate.md gives every
// formula). Each stage kind's own cost is in its entry
// (models/layers/<model>_kind.cpp).
#pragma once

#include <cstdint>

#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"
#include "sim/ir/weight_bitmap.h"

namespace vine::estimate {

// RAMB18 primitives for a memory `width` bits wide and `depth` words deep,
// using the best of the RAMB18 aspect ratios 1x16384 .. 36x512 (FINN-R).
int64_t bram18_for(int64_t width, int64_t depth);
// URAM288 blocks (72 x 4096) for a memory.
int64_t uram_for(int64_t width, int64_t depth);
// LUTs of distributed RAM (64x1 per LUT6) for a memory.
int64_t lutram_for(int64_t width, int64_t depth);

// Whether a lanes unit for weights `w` on activations `a` maps its
// multipliers to DSP slices (FINN's "auto" choice for fixed point: DSPs once
// either operand is wider than 4 bits).
bool uses_dsp(const ir::WeightType& w, const ir::ActivationType& a);

// A buffer `width` bits wide and `depth` words deep: LUTRAM up to 4096 bits,
// BRAM beyond (as Vivado places them).
ir::Resources buffer_resources(int64_t width, int64_t depth);

// The buffers a row or frame weight schedule adds to a conv layer's MVAU
// (docs/ddr-weights.md); none for the vector schedule:
//   input   Nguyen et al.'s: (K+1) input rows (row) or two input frames
//           (frame) of N channels, SIMD x Qa bits wide;
//   output  two tiles of outputs for the pixel-major stream, PE x Qo bits wide;
//   acc     a tile's T x PE accumulators, PE x acc bits wide.
ir::Resources schedule_buffer_resources(const ir::Layer& l, const ir::LayerFolding& f);

// Output thresholds per channel: 2^O - 1 for an O-bit output, 1 for bipolar,
// 0 without thresholds.
int64_t thresholds_per_channel(const ir::Layer& l);

// An MVAU's or VVAU's PE array: PE x SIMD lanes over an MW x MH weight
// matrix, its lanes units, weight memory and threshold memory.
ir::Resources compute_unit_resources(const ir::StagePlan& s, const ir::Design& d);

// The weight memory alone of an MVAU's or VVAU's stage: per channel group,
// PE x SIMD x w_g bits wide, in the layer's weight_memory style (nothing
// for ddr: the weights stream in). With `weight_compression: bitmap`, the
// bitmap words packed in two banks of rows as wide as the widest word (none
// for ddr), and the decoder.
ir::Resources weight_memory_resources(const ir::StagePlan& s, const ir::Design& d);

// The bitmap decoder (sim/ir/weight_bitmap.h) that rebuilds one dense word
// per cycle, counted in LUT6s rather than fitted to synthesis: the aligner
// that brings a word to bit 0, the running count of stored elements, and
// each element's mux among the stored values it may take.
ir::Resources bitmap_decoder_resources(const ir::BitmapImage& img);

// A stream FIFO `width_bits` wide and `depth` deep: HLS's shift-register
// FIFO, or its memory-style one (depth + 1 words of RAM).
ir::Resources fifo_resources(int64_t width_bits, int64_t depth, bool memory_style);

}  // namespace vine::estimate
