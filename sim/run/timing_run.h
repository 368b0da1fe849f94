// A design run timing only, outside SystemC time, for the searches that try
// variants of a design (the "why" line's remedy, `vine fifo-size`): no data,
// no arithmetic, the C++ PE models' timing, the same cycles as `vine run`.
#pragma once

#include <cstdint>
#include <memory>

#include "sim/ir/design.h"
#include "sim/run/process_network.h"
#include "sim/run/steady_state.h"

namespace vine::sim {

// The network of `d` after a timing-only run of `frames` frames (finished,
// or stuck in a deadlock).
std::unique_ptr<ProcessNetwork> run_timing(const ir::Design& d, int frames);

// The cycles a finished (or stuck) run simulated: its stages' last advance.
int64_t simulated_cycles(const ProcessNetwork& pn);

// The cycles of each output frame's first and last beats in a run.
FrameStamps frame_stamps(const ProcessNetwork& pn);

// The steady-state judgement of `d` over `frames` frames (steady_state.h):
// runs it for `frames` and for kReferenceExtraFrames more. `cycles`, when
// given, grows by the cycles both runs simulated.
SteadyState judge_timing(const ir::Design& d, int frames, int64_t* cycles = nullptr);

}  // namespace vine::sim
