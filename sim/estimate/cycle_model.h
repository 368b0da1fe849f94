// Closed-form cycles per frame of each streaming stage (DOMAIN.md section 2,
// after FINN's get_exp_cycles and the finn-hlslib loops).
#pragma once

#include <cstdint>

#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine::estimate {

// Cycles the stage needs per frame when never stalled.
int64_t stage_cycles(const ir::StagePlan& s, const ir::Design& d);

}  // namespace vine::estimate
