#include "sim/estimate/stage_timing.h"

#include <algorithm>

#include "models/pe/pe_timing.h"

namespace vine::estimate {

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
      return {models::pe_array_latency(d.network.layers[s.layer], s.simd), -1};
    case StageKind::kVvau:  // one kernel position per cycle
      return {models::pe_array_latency(d.network.layers[s.layer], 1), -1};
    case StageKind::kSlidingWindow:
      // finn-hlslib's generator loop is re-entered per frame: drain plus one entry cycle.
      return {2, 1};
    case StageKind::kThreshold:
      return {std::max(1, models::output_unit_latency(d.network.layers[s.layer])), -1};
    case StageKind::kAddStreams:
      return {1 + models::output_unit_latency(d.network.layers[s.layer]), -1};
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
