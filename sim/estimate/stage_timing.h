// The pipeline depth (read-to-write distance) and loop structure of every
// stage kind, in one place. MVAU/VVAU depths come from the PE array's
// (models/pe/pe_timing.h): weight-memory read, the lane group's pipeline,
// and the output unit's. Documented in docs/simulation.md.
#pragma once

#include "models/pe/pe_timing.h"
#include "models/stage/pipeline_timing.h"
#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine::estimate {

// The lanes' share of an MVAU/VVAU depth, as the RTL's single source states it.
using models::pe_lanes_latency;

models::PipelineTiming default_stage_timing(const ir::StagePlan& s, const ir::Design& d);
// The default, or the design's `pipeline_depth` for the stage's kind.
models::PipelineTiming stage_timing(const ir::StagePlan& s, const ir::Design& d);

}  // namespace vine::estimate
