#include "sim/estimate/resource_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vine::estimate {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int ceil_log2(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}

// Output thresholds per channel: 2^O - 1 for an O-bit output, 1 for bipolar.
int64_t thresholds_per_channel(const ir::Layer& l) {
  if (l.output.kind != ir::OutputKind::kThreshold) return 0;
  if (l.out_type.kind == ir::ActivationKind::kBipolar) return 1;
  return (int64_t{1} << l.out_type.bits) - 1;
}

// LUTs of one PE's lanes (multipliers + adder tree), per arithmetic.
double pe_lane_luts(const ir::Layer& l, int lanes, bool dsp) {
  const ir::WeightType& w = *l.weights;
  const int a = l.in_type.bits;
  const int wbits = l.max_weight_bits();
  switch (w.arithmetic) {
    case ir::WeightArithmetic::kFixed: {
      const int wa = wbits + a;
      const double mult = dsp ? 0.0 : double(lanes) * (2 * ceil_div(wa, 6) - 1) * wa;  // FINN-R
      const double tree = double(wa) * (2 * lanes - 1);
      return mult + tree;
    }
    case ir::WeightArithmetic::kBinary:
      if (l.in_type.kind == ir::ActivationKind::kBipolar) {
        // XNOR folds into the first level of the popcount compressor: about one
        // LUT per lane plus the final adder of ceil(log2(SIMD+1)) bits.
        return double(lanes) + ceil_log2(lanes + 1);
      }
      [[fallthrough]];  // +a or -a per lane: costed as ternary
    case ir::WeightArithmetic::kTernary:
      // zero, +a or -a per lane (A+1 bits, one LUT per bit), then an adder tree.
      return double(lanes) * (a + 1) + double(a + 1) * (2 * lanes - 1);
    case ir::WeightArithmetic::kPow2: {
      // Left barrel shift of A bits by 0 .. 2^E-1: E mux levels, two per LUT6
      // (4:1 mux), over the widened A + 2^E - 1 bits; then a conditional negate.
      const int e = w.exponent_bits;
      const int p = a + (1 << e);  // product width with sign
      const double shifter = double(p) * ceil_div(e, 2);
      const double negate = p;
      return double(lanes) * (shifter + negate) + double(p) * (2 * lanes - 1);
    }
  }
  return 0;
}

ir::Resources weight_memory(int64_t width, int64_t depth, ir::MemoryStyle style) {
  ir::Resources r;
  switch (style) {
    case ir::MemoryStyle::kBram: r.bram18 = double(bram18_for(width, depth)); break;
    case ir::MemoryStyle::kUram: r.uram = double(uram_for(width, depth)); break;
    case ir::MemoryStyle::kLutram: r.lut = double(lutram_for(width, depth)); break;
    case ir::MemoryStyle::kDdr: break;  // weights stream in from off-chip memory
  }
  return r;
}

// A buffer placed in LUTRAM when small, in BRAM otherwise (as Vivado does).
ir::Resources buffer(int64_t width, int64_t depth) {
  ir::Resources r;
  if (width * depth <= 4096) r.lut = double(lutram_for(width, depth));
  else r.bram18 = double(bram18_for(width, depth));
  return r;
}

// An MVAU or VVAU: PE x SIMD lanes over an MW x MH weight matrix.
ir::Resources compute_unit(const ir::StagePlan& s, const ir::Design& d) {
  const ir::Layer& l = d.network.layers[s.layer];
  const ir::LayerFolding& f = d.folding[s.layer];
  const bool dsp = uses_dsp(l);
  const int acc = l.acc_range.bits();
  const int wa = l.max_weight_bits() + l.in_type.bits;
  const int64_t thr = thresholds_per_channel(l);
  const int64_t wmem_depth = l.matrix_width() * l.matrix_height() / (int64_t{s.pe} * s.simd);
  ir::Resources r;
  // FINN-R: LUT = 300 + 1.1 * PE * (mult + adder_tree + acc + thresholds)
  const double per_pe = pe_lane_luts(l, s.simd, dsp) + acc + double(thr) * acc;
  r.lut = 300 + 1.1 * s.pe * per_pe;
  if (dsp) r.dsp = double(int64_t{s.pe} * s.simd * ceil_div(wa, 48));
  // Pipeline registers: operands of every lane, the accumulator, the output.
  r.ff = double(s.pe) * (double(s.simd) * wa + 2 * acc) + s.in_stream_bits + s.out_stream_bits;
  r += weight_memory(int64_t{s.pe} * s.simd * l.max_weight_bits(), wmem_depth, f.weight_memory);
  if (thr) r += buffer(int64_t{s.pe} * thr * acc, l.matrix_height() / s.pe);  // threshold memory per PE
  return r;
}

}  // namespace

int64_t bram18_for(int64_t width, int64_t depth) {
  if (width <= 0 || depth <= 0) return 0;
  static const int64_t kRatios[][2] = {{1, 16384}, {2, 8192}, {4, 4096}, {9, 2048}, {18, 1024}, {36, 512}};
  int64_t best = std::numeric_limits<int64_t>::max();
  for (const auto& r : kRatios) best = std::min(best, ceil_div(width, r[0]) * ceil_div(depth, r[1]));
  return best;
}

int64_t uram_for(int64_t width, int64_t depth) {
  if (width <= 0 || depth <= 0) return 0;
  return ceil_div(width, 72) * ceil_div(depth, 4096);
}

int64_t lutram_for(int64_t width, int64_t depth) {
  if (width <= 0 || depth <= 0) return 0;
  return width * ceil_div(depth, 64);
}

bool uses_dsp(const ir::Layer& l) {
  return l.has_weights() && l.weights->arithmetic == ir::WeightArithmetic::kFixed &&
         (l.max_weight_bits() > 4 || l.in_type.bits > 4);
}

ir::Resources stage_resources(const ir::StagePlan& s, const ir::Design& d) {
  using ir::StageKind;
  // The DMAs belong to the shell, not to the accelerator's layers.
  if (s.kind == StageKind::kInputDma || s.kind == StageKind::kOutputDma) return {};
  const ir::Layer& l = d.network.layers[s.layer];
  ir::Resources r;
  switch (s.kind) {
    case StageKind::kInputDma:
    case StageKind::kOutputDma:
      return r;
    case StageKind::kMvau:
    case StageKind::kVvau:
      return compute_unit(s, d);
    case StageKind::kSlidingWindow: {
      // Line buffer of (K-1) rows plus K pixels (FINN's RTL SWG), SIMD channels per word.
      const int64_t word = s.in_stream_bits;
      const int64_t depth = (int64_t{s.kernel - 1} * s.ifm_w + s.kernel) * (s.channels / s.simd);
      r = buffer(word, depth);
      r.lut += 300 + 2.0 * word;  // address counters and the output multiplexer
      r.ff += 200 + 2.0 * word;
      return r;
    }
    case StageKind::kMaxPool:
    case StageKind::kAvgPool: {
      const int bits = s.kind == StageKind::kAvgPool ? l.in_type.bits + 2 * ceil_log2(s.kernel) : l.in_type.bits;
      r = buffer(int64_t{s.pe} * bits, int64_t{s.ofm_w} * (s.channels / s.pe));  // one row of partial results
      r.lut += 100 + double(s.pe) * bits * 2;  // compare/accumulate and select per lane
      r.ff += 100 + double(s.pe) * bits * 2;
      return r;
    }
    case StageKind::kThreshold: {
      const int64_t thr = thresholds_per_channel(l);
      const int in_bits = l.in_type.bits;
      r.lut = 100 + double(s.pe) * std::max<int64_t>(thr, 1) * in_bits;
      r.ff = 100 + double(s.in_stream_bits + s.out_stream_bits);
      if (thr) r += buffer(int64_t{s.pe} * thr * in_bits, l.out_shape.c / s.pe);
      return r;
    }
    case StageKind::kAddStreams: {
      const int64_t thr = thresholds_per_channel(l);
      const int sum_bits = l.acc_range.bits();
      r.lut = 100 + double(s.pe) * (sum_bits + double(thr) * sum_bits);
      r.ff = 100 + 2.0 * s.in_stream_bits + s.out_stream_bits;
      if (thr) r += buffer(int64_t{s.pe} * thr * sum_bits, l.out_shape.c / s.pe);
      return r;
    }
    case StageKind::kFmPadding:
    case StageKind::kConcat:
    case StageKind::kDuplicate:
      r.lut = 50 + double(s.out_stream_bits);
      r.ff = 50 + double(s.out_stream_bits);
      return r;
    case StageKind::kWidthConverter:
      r.lut = 50 + double(std::max(s.in_stream_bits, s.out_stream_bits));
      r.ff = 50 + double(s.in_stream_bits + s.out_stream_bits);
      return r;
  }
  return r;
}

ir::Resources fifo_resources(int64_t width_bits, int64_t depth) {
  ir::Resources r;
  if (depth <= 2) {
    r.ff = double(width_bits * depth);  // HLS's shallow FIFOs are registers
    r.lut = double(width_bits) / 2 + 10;
  } else if (depth <= 32) {
    r.lut = double(width_bits) * ceil_div(depth, 32) + 10;  // one SRL32 per bit
    r.ff = double(width_bits) + 10;
  } else {
    r.bram18 = double(bram18_for(width_bits, depth));
    r.lut = 30;
    r.ff = double(width_bits) + 30;
  }
  return r;
}

}  // namespace vine::estimate
