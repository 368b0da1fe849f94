// `vine fifo-size`: the least FIFO depths that keep a streaming design at its
// target interval, found and verified by timing-only simulation.
//
// The simulated timing is monotone in the depths: every cycle of a run is a
// maximum of earlier cycles plus constants, and a deeper FIFO only drops a
// term ("the slot k - capacity was freed") from those maxima, so no beat
// moves later when a FIFO gets deeper. Hence "this design, with FIFO f at
// depth x, reaches the target interval" holds for every x at or above the
// least x that does, and that least x is found by bisection.
//
// The search (docs/fifo-sizing.md has the details and the checks):
// 1. Unbounded FIFOs: every FIFO as deep as the beats a frame moves through
//    it, doubled while its producer ever waits for a slot: the run in which
//    no FIFO ever fills. Its steady interval is the default target; the
//    frames whose run reaches its steady state are the frames every trial
//    runs. Each FIFO's peak occupancy in that run, plus the one beat a
//    same-cycle read still holds, is the search's starting depth, which
//    keeps every cycle of the unbounded run (checked by a run).
//    FINN's rule, for comparison: every FIFO as deep as a frame's beats
//    through it, each depth then the peak occupancy of that run, rounded.
// 2. FIFOs in order of their starting memory (bits), largest first, in
//    groups: a group all at the minimum depth (with the shortcuts, each
//    FIFO's rate floor, rate_floor_depth: nothing shallower can carry its
//    beats in the target) if that keeps the target, else
//    split in halves; a single FIFO cut to the least depth that keeps it,
//    the others where they are (probing first the depth an earlier FIFO of
//    the same shape got, if any, then the two ends, then bisecting at the
//    geometric mean of the bounds, then at the arithmetic mean; with `jobs`
//    trials at once, splitting the bounds into jobs + 1 parts).
// 3. Passes over all FIFOs again, each tried one beat shallower (and cut
//    further if that keeps the target), until a pass changes nothing: then
//    no single FIFO can be made shallower, each checked by a run.
// Started from the design's own depths (FifoSizingOptions::start_from_given)
// that meet the target, step 2 is skipped: step 3 starts there.
// A trial meets the target when the steady interval of an endless stream of
// frames is no longer than the target. One run finds that interval exactly at
// the first repetition of the timing state (timing_run.h, endless_interval)
// and stops there; when the state does not repeat within the run's budget,
// the trial's run of `frames` frames must reach the steady state
// (steady_state.h) at an interval no longer than the target instead. A
// deadlock, or neither, fails it. With the shortcuts (FifoSizingOptions), a
// trial also jumps the frames in which a FIFO fills, is decided by the
// bounds two cuts of the same structure give (FastForward::set_decide_target),
// or is not run when an earlier exact verdict implies its answer; and a
// trial the steady-state rule decides skips its judged run when the longer
// run shows a miss alone.
// Note on the passes: with exact verdicts step 3 cuts nothing (a FIFO's
// one-beat-shallower trial missed with the later FIFOs deeper, and misses
// with them shallower); it is there for the steady-state rule's verdicts,
// which judge a finite run.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/ir/design.h"

namespace vine::models {
class StreamFifo;
}

namespace vine::explore {

struct FifoSizingOptions {
  int frames = 0;              // frames each trial runs; 0: as the unbounded FIFOs need
  double target_interval = 0;  // cycles per frame; 0: the unbounded FIFOs' interval
  int min_depth = 1;           // the shallowest depth tried
  int max_passes = 16;         // passes of step 3 before giving up on "least"
  int jobs = 1;                // trials at once (forked processes) while bisecting a FIFO
  // The search's shortcuts, each exact (docs/fifo-sizing.md, "Speed"): drifting
  // frames jumped inside a trial, verdicts known from earlier exact ones,
  // bisection probes aimed by the intervals of the misses, bisections
  // opened at the depth of an earlier FIFO of the same shape, no trial below
  // a FIFO's rate floor (rate_floor_depth), the next FIFO's trial run
  // ahead on a job a round leaves free, and a miss the steady-state rule's
  // longer run shows alone. Off: the plain search, for
  // comparison; the depths found are the same.
  bool shortcuts = true;
  // Start from the design's own depths (each raised to its floor, floor_of
  // in the search) instead of step 1's peaks, when with them the design
  // meets the target: then only step 3's passes run, cutting down from
  // there, and the answer is again every FIFO least with the others as
  // sized, now at or below the design's depths (a local minimum near them,
  // not necessarily the one step 2 reaches from the peaks). When they miss,
  // the search runs from the peaks as it does without. For re-sizing a
  // design after a change, from its last sizing.
  bool start_from_given = false;
};

struct SizedFifo {
  std::string name;         // the plan's stream name: "conv0->conv1", "conv1.swg->conv1.mvau"
  bool graph_edge = false;  // an edge of the layer graph (fifos: from/to), else inside a layer
  int bits = 0;             // beat width
  int64_t words = 0;        // beats per frame
  bool memory_style = false;
  int depth_before = 0;     // the design's
  int unbounded_peak = 0;   // peak occupancy with unbounded FIFOs
  // As the simulator builds the FIFO (stream_fifo.h), read off the search's
  // first run: its write-to-read latency in cycles, and the beats it holds
  // beyond its depth (a memory-style FIFO one).
  int latency = 1;
  int extra_slots = 0;
  int finn_depth = 0;       // FINN's rule: the peak with frame-deep FIFOs, rounded (finn_fifo_style.h)
  int depth = 0;            // the least depth found
};

// A design variant's judgement: its steady interval over the trials' frames.
struct SizingCheck {
  bool deadlock = false;
  bool reached = false;
  double interval = 0;  // cycles per frame, when reached
  int frames = 0;       // of the judged run
};

struct FifoSizing {
  std::vector<SizedFifo> fifos;  // every stream of the plan, in pipeline order
  int frames = 0;                // frames each trial ran
  double target_interval = 0;
  SizingCheck before;            // the design as given
  SizingCheck unbounded;
  SizingCheck finn_rule;         // every FIFO at FINN's rounded peak
  SizingCheck sized;             // every FIFO at the depth found
  int long_frames = 0;           // the sized design judged again over this many frames
  SizingCheck sized_long;
  bool least = false;  // the last pass tried every FIFO one beat shallower: each missed the target
  // FifoSizingOptions::start_from_given: the design's depths were tried as
  // the start, and whether they met the target (then the search began there).
  bool given_start_tried = false, given_start_met = false;
  int passes = 0;      // passes of step 3
  int64_t runs = 0;    // timing-only runs, all steps
  int64_t trials = 0;  // depth combinations the search tried
  int64_t trials_by_repetition = 0;  // of those, decided by the first repetition of the timing state
  int64_t trials_with_jumps = 0;     // of those, after jumping frames in which a FIFO filled
  int64_t trials_by_bound = 0;       // of those, by the bounds of two cuts before the state repeated
  int64_t trials_known = 0;          // of the trials, decided by an earlier exact verdict: no run
  // Of the trials the steady-state rule decided, the misses its longer run
  // showed alone (no prefix of it meets the target): its judged run not run.
  int64_t trials_by_longer_run = 0;
  int64_t aimed_rounds = 0, plain_rounds = 0;  // bisection rounds: probes aimed by the misses' intervals, or not
  int64_t twin_rounds = 0;  // of the plain ones, opening at the depth an earlier FIFO of the same shape got
  // Trials run ahead on a job a round left free (the next FIFO's, as the
  // search asks for it if this round's probe misses), and of those, the ones
  // the search then asked for (counted in `trials` then; all in `runs`).
  int64_t trials_ahead = 0, trials_ahead_used = 0;
  int64_t fifos_with_rate_floor = 0;  // FIFOs whose rate floor is above the minimum depth (rate_floor_depth)
  bool shortcuts = true;             // FifoSizingOptions::shortcuts
  int64_t simulated_cycles = 0;
  double seconds = 0;  // host time
};

// What stops a sizing: a target no depths can reach (`usage`: the command
// line asked for it), or unbounded FIFOs that reach no steady state.
struct SizingError : std::runtime_error {
  SizingError(const std::string& what, bool usage) : std::runtime_error(what), usage(usage) {}
  bool usage;
};

// Throws SizingError as above. `progress` hears of each step (`detail`
// false) and of each FIFO or group sized (true).
FifoSizing size_fifos(const ir::Design& d, const FifoSizingOptions& o,
                      const std::function<void(const std::string& line, bool detail)>& progress = {});

// `d` with every FIFO as deep as the beats of a frame through it (at least
// 2): FINN's "tensor-sized" FIFOs.
ir::Design with_frame_deep_fifos(const ir::Design& d);

// The shallowest depth of FIFO `f` that can meet a target of `target`
// cycles per frame, at least `min_depth` (with f's latency and extra slots
// as the search read them off its first run). A FIFO of capacity C and
// write-to-read latency L moves at most C beats every L + 1 cycles: beat
// k + C is written only in a cycle after beat k was read, which is at
// least L cycles after beat k was written. So an endless stream through it
// takes at least words * (L + 1) / C cycles per frame, and any capacity
// below words * (L + 1) / target misses the target. Exact, and free: the
// search tries nothing below it.
int rate_floor_depth(const SizedFifo& f, double target, int min_depth);

// Whether the FIFO's producer may have waited for a slot in the run it was
// in: its peak reached capacity - 1. A write that waited for beat k - C to
// free its slot came in the cycle after that read, when beats k - C + 2 .. k
// were still unread: C - 1 of them (the FIFO counts a beat read in the
// write's cycle as gone). So a peak below capacity - 1 means no producer
// wait, whatever the stages' own stall counts say (a stage with two sides
// timed apart, the RTL sliding window, counts cycles of its own as output
// stalls).
bool producer_may_have_waited(const models::StreamFifo& q);

// Every stream of the plan once (an edge read twice has one FIFO depth),
// with what the plan says of it, in pipeline order.
std::vector<SizedFifo> plan_fifos(const ir::Design& d);

// `d` with each FIFO at the depth `depth_of` gives it.
ir::Design with_depths(const ir::Design& d, const std::vector<SizedFifo>& fifos,
                       const std::function<int(const SizedFifo&)>& depth_of);

}  // namespace vine::explore
