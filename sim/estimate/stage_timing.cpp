#include "sim/estimate/stage_timing.h"

#include <algorithm>

#include "vine_rtl_timing.h"

namespace vine::estimate {

namespace {

using arith::WeightArithmetic;

int lanes_latency(const ir::WeightType& w, int simd) {
  switch (w.arithmetic) {
    case WeightArithmetic::kFixed: return rtl::mvau_lanes_fixed_latency(simd);
    case WeightArithmetic::kPow2: return rtl::mvau_lanes_pow2_latency(simd);
    case WeightArithmetic::kBinary: return rtl::mvau_lanes_binary_latency(simd);
    case WeightArithmetic::kTernary: return rtl::mvau_lanes_ternary_latency(simd);
  }
  return 1;
}

int output_unit_latency(const ir::Layer& l) {
  if (!l.has_output_stage()) return 0;
  switch (l.output.kind) {
    case ir::OutputKind::kAccumulator: return 0;
    case ir::OutputKind::kThreshold: return rtl::multithreshold_latency(int((1 << l.output.type.bits) - 1));
    case ir::OutputKind::kRequant: return rtl::requantizer_latency();
  }
  return 0;
}

int compute_latency(const ir::Layer& l, int simd) {
  return 1 /* weight memory read */ + pe_lanes_latency(l, simd) + output_unit_latency(l);
}

}  // namespace

// The PE array is one pipeline: channel groups of different arithmetic share
// the deepest lane group's latency.
int pe_lanes_latency(const ir::Layer& l, int simd) {
  if (l.channel_groups.empty()) return lanes_latency(*l.weights, simd);
  int lanes = 0;
  for (const auto& g : l.channel_groups) lanes = std::max(lanes, lanes_latency(g.weights, simd));
  return lanes;
}

models::PipelineTiming stage_timing(const ir::StagePlan& s, const ir::Design& d) {
  models::PipelineTiming t = default_stage_timing(s, d);
  const auto it = d.pipeline_depth.find(ir::to_string(s.kind));
  if (it != d.pipeline_depth.end()) t.depth = it->second;
  return t;
}

models::PipelineTiming default_stage_timing(const ir::StagePlan& s, const ir::Design& d) {
  using ir::StageKind;
  switch (s.kind) {
    case StageKind::kInputDma:
    case StageKind::kOutputDma:
      return {0, -1};
    case StageKind::kMvau:
      return {compute_latency(d.network.layers[s.layer], s.simd), -1};
    case StageKind::kVvau:  // one kernel position per cycle
      return {compute_latency(d.network.layers[s.layer], 1), -1};
    case StageKind::kSlidingWindow:
      // finn-hlslib's generator loop is re-entered per frame: drain plus one entry cycle.
      return {2, 1};
    case StageKind::kThreshold:
      return {std::max(1, output_unit_latency(d.network.layers[s.layer])), -1};
    case StageKind::kAddStreams:
      return {1 + output_unit_latency(d.network.layers[s.layer]), -1};
    case StageKind::kWidthConverter:  // read-to-write distance 1 in generated RTL (DOMAIN.md 3a)
    case StageKind::kFmPadding:
    case StageKind::kMaxPool:
    case StageKind::kAvgPool:
    case StageKind::kConcat:
    case StageKind::kDuplicate:
      return {1, -1};
  }
  return {1, -1};
}

}  // namespace vine::estimate
