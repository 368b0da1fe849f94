// The pipeline timing the estimate reads: each stage kind states its own
// depth and loop re-entry in its registry entry (models/layers/*_kind.cpp;
// MVAU/VVAU depths from the RTL units' single source through
// models/pe/pe_timing.h), and the design's `pipeline_depth` may override the
// depth per kind. Documented in docs/simulation.md.
#pragma once

#include "models/layers/stage_kinds.h"
#include "models/pe/pe_timing.h"
#include "models/stage/pipeline_timing.h"
#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine::estimate {

// The lanes' share of an MVAU/VVAU depth, as the RTL's single source states it.
using models::pe_lanes_latency;

// The stage kind's timing.
inline models::PipelineTiming default_stage_timing(const ir::StagePlan& s, const ir::Design& d) {
  return kinds::stage_kinds()[s.kind].timing(s, d);
}
// The kind's timing, or the design's `pipeline_depth` for the stage's kind.
inline models::PipelineTiming stage_timing(const ir::StagePlan& s, const ir::Design& d) {
  return kinds::pipeline_timing(s, d);
}

}  // namespace vine::estimate
