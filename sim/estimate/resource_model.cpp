#include "sim/estimate/resource_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/estimate/lane_cost.h"

namespace vine::estimate {

namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
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

// The weight types a PE's lanes units are built for: one unit per distinct
// weight arithmetic among the layer's channel groups (a PE serves one group
// per fold, so groups of one arithmetic share a unit), sized for the widest
// group of that arithmetic.
std::vector<ir::WeightType> pe_lane_types(const ir::Layer& l) {
  std::vector<ir::WeightType> units;
  auto add = [&](const ir::WeightType& w) {
    for (auto& u : units) {
      if (u.arithmetic != w.arithmetic) continue;
      if (w.arithmetic == ir::WeightArithmetic::kPow2) u.exponent_bits = std::max(u.exponent_bits, w.exponent_bits);
      u.bits = std::max(u.bits, w.bits);
      return;
    }
    units.push_back(w);
  };
  if (l.channel_groups.empty()) add(*l.weights);
  for (const auto& g : l.channel_groups) add(g.weights);
  return units;
}

}  // namespace

int64_t thresholds_per_channel(const ir::Layer& l) {
  if (l.output.kind != ir::OutputKind::kThreshold) return 0;
  if (l.out_type.kind == ir::ActivationKind::kBipolar) return 1;
  return (int64_t{1} << l.out_type.bits) - 1;
}

ir::Resources buffer_resources(int64_t width, int64_t depth) {
  ir::Resources r;
  if (width * depth <= 4096)
    r.lut = double(lutram_for(width, depth));
  else
    r.bram18 = double(bram18_for(width, depth));
  return r;
}

ir::Resources schedule_buffer_resources(const ir::Layer& l, const ir::LayerFolding& f) {
  if (f.weight_memory != ir::MemoryStyle::kDdr || f.weight_schedule == ir::WeightSchedule::kVector) return {};
  const bool row = f.weight_schedule == ir::WeightSchedule::kRow;
  const int64_t n = l.in_shape.c, w_in = l.in_shape.w, h_in = l.in_shape.h;
  const int64_t input_words = (row ? (l.kernel_h + 1) * w_in : 2 * h_in * w_in) * n / f.simd;
  const int64_t tile = row ? l.out_shape.w : l.output_pixels();
  const int64_t nf = l.matrix_height() / f.pe;
  ir::Resources r = buffer_resources(int64_t{f.simd} * l.in_type.bits, input_words);
  r += buffer_resources(int64_t{f.pe} * l.out_type.bits, 2 * tile * nf);
  r += buffer_resources(int64_t{f.pe} * l.acc_range.bits(), tile);
  return r;
}

ir::Resources compute_unit_resources(const ir::StagePlan& s, const ir::Design& d) {
  const ir::Layer& l = d.network.layers[s.layer];
  const int acc = l.acc_range.bits();  // the layer's, whatever group a PE serves
  // Thresholds a stage of their own cost there (the threshold kind's).
  const int64_t thr = d.folding_of(s.layer).separate_thresholds() ? 0 : thresholds_per_channel(l);
  ir::Resources r;
  // Per PE: the lanes units (lanes, adder tree, fold accumulator; fitted to
  // the RTL units' Yosys figures, lane_cost.h), a select of their
  // accumulators when there are several, and FINN-R's 1.1 x T x acc for the
  // threshold comparators. Plus FINN-R's 300 LUTs of control per layer.
  const auto types = pe_lane_types(l);
  double pe_lut = 1.1 * double(thr) * acc;
  double pe_ff = 0;
  if (d.folding_of(s.layer).bit_serial) {
    // One bit-serial unit per PE serves every channel group (fixed point,
    // check_design), sized for the widest: a narrower group only takes
    // fewer cycles a fold.
    int w_max = 0;
    for (const auto& w : types) w_max = std::max(w_max, w.bits);
    const LaneCost c = lane_unit_cost(bit_serial_lane_unit(w_max, l.in_type, s.simd, acc));
    pe_lut += c.lut;
    pe_ff += c.ff;
  } else {
    pe_lut += double(types.size() - 1) * acc;
    for (const auto& w : types) {
      const bool dsp = uses_dsp(w, l.in_type);
      const LaneCost c = lane_unit_cost(lane_unit(w, l.in_type, s.simd, acc, dsp));
      pe_lut += c.lut;
      pe_ff += c.ff;
      if (dsp) r.dsp += double(int64_t{s.pe} * s.simd * ceil_div(w.bits + l.in_type.bits, 48));
    }
  }
  r.lut = 300 + double(s.pe) * pe_lut;
  r.ff = double(s.pe) * pe_ff + s.in_stream_bits + s.out_stream_bits;
  r += weight_memory_resources(s, d);
  if (thr)
    r += buffer_resources(int64_t{s.pe} * thr * acc,
                          l.matrix_height() / s.pe);  // threshold memory per PE
  return r;
}

ir::Resources bitmap_decoder_resources(const ir::BitmapImage& img) {
  const int64_t e = img.elements, w = img.value_bits, k = std::max(1, img.max_stored);
  const int64_t row = img.max_word_bits;
  ir::Resources r;
  // The aligner, a barrel shifter that brings the word at any bit offset of
  // two rows to bit 0: log2(row) levels of 2:1 muxes, two levels per LUT6.
  int64_t levels = 0;
  while ((int64_t{1} << levels) < row) ++levels;
  r.lut += double(row * ceil_div(levels, 2));
  // The running count of set bitmap bits before each element.
  int64_t count_bits = 1;
  while ((int64_t{1} << count_bits) <= e) ++count_bits;
  r.lut += double(e * count_bits);
  // Element j takes one of the first min(j + 1, K) stored values (or zero).
  for (int64_t j = 0; j < e; ++j) r.lut += double(w * ceil_div(std::min(j + 1, k), 3));
  r.ff += double(e * w);  // the decoded word's register
  return r;
}

ir::Resources weight_memory_resources(const ir::StagePlan& s, const ir::Design& d) {
  const ir::Layer& l = d.network.layers[s.layer];
  const ir::LayerFolding& f = d.folding[s.layer];
  if (f.weight_compression == ir::WeightCompression::kBitmap) {
    const ir::BitmapImage img = ir::bitmap_image(l, f);
    ir::Resources r = bitmap_decoder_resources(img);
    // Words packed back to back in rows as wide as the widest word, the
    // rows alternating between two banks, so that the two rows any word
    // touches are read in one cycle.
    const int64_t row = img.max_word_bits;
    const int64_t rows = ceil_div(int64_t(img.bits()), row);
    if (f.weight_memory != ir::MemoryStyle::kDdr) {
      r += weight_memory(row, ceil_div(rows, 2), f.weight_memory);
      r += weight_memory(row, rows / 2, f.weight_memory);
    }
    return r;
  }
  // Per channel group at the group's own width: group g holds rows_g of the
  // MH rows, PE x SIMD x w_g bits per word, rows_g x MW / (PE x SIMD) words
  // (a whole number: groups are multiples of PE).
  const int64_t lanes = int64_t{s.pe} * s.simd;
  ir::Resources r;
  if (l.channel_groups.empty())
    r += weight_memory(lanes * l.weights->bits, l.matrix_width() * l.matrix_height() / lanes, f.weight_memory);
  for (const auto& g : l.channel_groups)
    r += weight_memory(lanes * g.weights.bits, l.matrix_width() * g.channels / lanes, f.weight_memory);
  return r;
}

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

bool uses_dsp(const ir::WeightType& w, const ir::ActivationType& a) {
  return w.arithmetic == ir::WeightArithmetic::kFixed && (w.bits > 4 || a.bits > 4);
}

ir::Resources fifo_resources(int64_t width_bits, int64_t depth, bool memory_style) {
  ir::Resources r;
  if (memory_style) {
    // A RAM whatever the depth (that is what the style asks for): it holds
    // depth + 1 beats (docs/simulation.md), plus the pointers and the output
    // register of the deep shift FIFO below.
    r = buffer_resources(width_bits, depth + 1);
    r.lut += 30;
    r.ff += double(width_bits) + 30;
  } else if (depth <= 2) {
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
