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
// or stuck in a deadlock). Without `stall_counts`, stages whose counts cost
// host time of their own keep none (ElaborationOptions::stall_counts).
std::unique_ptr<ProcessNetwork> run_timing(const ir::Design& d, int frames, bool stall_counts = true);

// The cycles a finished (or stuck) run simulated: its stages' last advance.
int64_t simulated_cycles(const ProcessNetwork& pn);

// The cycles of each output frame's first and last beats in a run.
FrameStamps frame_stamps(const ProcessNetwork& pn);

// The steady-state judgement of `d` over `frames` frames (steady_state.h):
// runs it for `frames` and for kReferenceExtraFrames more. `cycles`, when
// given, grows by the cycles both runs simulated.
SteadyState judge_timing(const ir::Design& d, int frames, int64_t* cycles = nullptr);

// The steady interval of an endless stream of frames through `d`, read off
// the first repetition of its timing state (models/stage/fast_forward.h:
// once every stage's state at the cut of frame g + p is its state at the cut
// of frame g, D cycles later, every later frame repeats the frame p before
// it, D cycles later, so the interval is exactly D / p). One run of
// `frames` frames, stopped as soon as the repetition is found. When none is
// found: with `whole_run`, the run goes on to its end and `whole_run`
// receives its frame stamps; without, it stops as soon as the fast-forward
// gives up. `cycles`, when given, grows by the cycles it simulated.
// With `drift_jumps`, the frames in which a producer fills a deep FIFO a
// little more each frame are jumped until it is full, and the watch goes on
// (FastForward::set_decide_only); a run that jumped is one of more frames,
// so `whole_run` is then left alone. The run keeps no stall counts (it
// returns only its interval).
// With `target` > 0, the run also stops once the bounds of two cuts decide
// whether the interval is at most `target` (FastForward::set_decide_target):
// then `bound` says which and `bound_interval` is the bound.
struct EndlessInterval {
  bool found = false;
  int period_frames = 0;      // p
  int64_t period_cycles = 0;  // D
  int64_t from_frame = -1;    // g
  int jumps = 0;              // drifting jumps made before it
  int bound = 0;              // not found: +1 interval <= bound_interval <= target, -1 > target
  double bound_interval = 0;
  double interval_cycles() const { return found ? double(period_cycles) / double(period_frames) : 0.0; }
};
EndlessInterval endless_interval(const ir::Design& d, int frames, int64_t* cycles = nullptr,
                                 FrameStamps* whole_run = nullptr, bool drift_jumps = false,
                                 double target = 0);

}  // namespace vine::sim
