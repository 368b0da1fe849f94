// The timing parameters of a stage's HLS pipeline (models/stage/stage.h),
// stated by each stage kind's registry entry (models/layers/*_kind.cpp) and
// overridable per design. Plain data: the analytic model reads it without
// SystemC.
#pragma once

namespace vine::models {

struct PipelineTiming {
  int depth = 1;            // read-to-write distance P in cycles
  int reentry_cycles = -1;  // -1: one flat loop over all frames; else the loop is
                            // re-entered per frame, paying depth + reentry_cycles
};

}  // namespace vine::models
