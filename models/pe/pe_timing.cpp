#include "models/pe/pe_timing.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "vine_rtl_timing.h"

namespace vine::models {

namespace {

using arith::WeightArithmetic;

int lanes_latency(const ir::WeightType& w, int simd) {
  switch (w.arithmetic) {
    case WeightArithmetic::kFixed:
      return rtl::mvau_lanes_fixed_latency(simd);
    case WeightArithmetic::kPow2:
      return rtl::mvau_lanes_pow2_latency(simd);
    case WeightArithmetic::kBinary:
      return rtl::mvau_lanes_binary_latency(simd);
    case WeightArithmetic::kTernary:
      return rtl::mvau_lanes_ternary_latency(simd);
  }
  return 1;
}

}  // namespace

int pe_lanes_latency(const ir::Layer& l, int simd) {
  if (l.channel_groups.empty()) return lanes_latency(*l.weights, simd);
  int lanes = 0;
  for (const auto& g : l.channel_groups) lanes = std::max(lanes, lanes_latency(g.weights, simd));
  return lanes;
}

int output_unit_latency(const ir::Layer& l) {
  if (!l.has_output_stage()) return 0;
  switch (l.output.kind) {
    case ir::OutputKind::kAccumulator:
      return 0;
    case ir::OutputKind::kThreshold:
      return rtl::multithreshold_latency(int((1 << l.output.type.bits) - 1));
    case ir::OutputKind::kRequant:
      return rtl::requantizer_latency();
  }
  return 0;
}

int pe_array_latency(const ir::Layer& l, int simd) {
  return 1 /* weight memory read */ + pe_lanes_latency(l, simd) + output_unit_latency(l);
}

int bit_serial_pipeline_depth(const ir::Layer& l, int simd) {
  // latency(SIMD, w) - w is the same for every w (checked, so that a change
  // of the RTL's pipeline cannot silently make the depth depend on the group).
  const int serial = rtl::mvau_lanes_bitserial_latency(simd, 1) - 1;
  for (int w = 2; w <= 32; ++w)
    if (rtl::mvau_lanes_bitserial_latency(simd, w) - w != serial)
      throw std::logic_error("mvau_lanes_bitserial_latency - w depends on w: the MVAU's bit-serial depth needs a per-group model");
  return 1 /* weight memory read */ + serial + 1 + output_unit_latency(l);
}

int bit_serial_fold_cycles(const ir::Layer& l, int64_t row) {
  if (l.channel_groups.empty()) return l.weights->bits;
  int64_t first = 0;
  for (const auto& g : l.channel_groups) {
    if (row < first + g.channels) return g.weights.bits;
    first += g.channels;
  }
  throw std::logic_error("bit_serial_fold_cycles: row " + std::to_string(row) + " past " + l.name + "'s channel groups");
}

int weight_decoder_latency(const ir::LayerFolding& f) {
  return f.weight_compression == ir::WeightCompression::kBitmap && f.weight_memory != ir::MemoryStyle::kDdr ? 1 : 0;
}

}  // namespace vine::models
