// When the frames of a run leave at the pipeline's steady rate, and what that
// rate is, from the cycles of each frame's first and last output beats.
//
// A run of N frames ends: after its last frame no stage waits for a next one,
// so the last frames leave sooner than an endless stream of frames would let
// them (an HLS pipeline holds its last results in flight until it reads the
// next frame). The steady state is judged on the frames the end did not reach:
//
// - settled frames: the longest prefix of frames whose first and last output
//   beats leave in the same cycles as in a run of the same design with
//   kReferenceExtraFrames more frames;
// - periodic with period p from frame a: for every settled frame f >= a + p,
//   frame f's first and last output beats each leave the same number of cycles
//   C after frame f - p's;
// - steady state reached: for some p <= kMaxPeriod (the smallest is taken),
//   each of the last kRepeats * p settled frames leaves one C cycles after
//   the frame p before it; the steady interval is C / p cycles per frame,
//   exactly.
//
// docs/simulation.md states the rule and why each part is there.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vine::sim {

// The longer run a run's frames are compared with has this many more frames.
inline constexpr int kReferenceExtraFrames = 2;
// The longest repeating pattern of frame spacings looked for, in frames.
inline constexpr int kMaxPeriod = 4;
// How many periods in a row the last settled frames must repeat.
inline constexpr int kRepeats = 2;
// The frames-needed search gives up beyond this many frames, or once its
// runs have simulated this many cycles in all (a large design whose spacing
// never repeats within kMaxPeriod frames, such as one split over boards
// whose links run in a clock of their own, would otherwise run for hours).
inline constexpr int kFramesSearchLimit = 512;
inline constexpr int64_t kSearchCyclesLimit = 50'000'000;

// The cycles of each completed frame's first and last output beats.
struct FrameStamps {
  std::vector<int64_t> first, last;
  bool finished = true;  // false: the run deadlocked after these frames
};

struct SteadyState {
  bool analysed = false;  // false: not judged (option off, deadlock)
  bool reached = false;
  int frames = 0;             // frames of the judged run
  int settled_frames = 0;     // frames 0 .. settled_frames-1 leave as in the longer run
  int reference_frames = 0;   // frames of that longer run
  int period_frames = 0;      // p, when reached
  int64_t period_cycles = 0;  // C, when reached: frame f + p leaves C cycles after frame f
  int from_frame = -1;        // a, when reached: the first frame of the periodic stretch
  // When not reached: a frame count whose run reaches the steady state
  // (checked by running it); 0 when not searched or none found up to
  // kFramesSearchLimit.
  int frames_needed = 0;
  int search_limit = 0;  // the limit of a search that found none: the most frames it ran
  bool search_cycles_limited = false;  // it stopped at kSearchCyclesLimit simulated cycles

  double interval_cycles() const {
    return reached ? double(period_cycles) / double(period_frames) : 0.0;
  }
  // The settled frames a run needs before the steady state can be recognised
  // with period p from frame a.
  static int settled_frames_needed(int from_frame, int period) {
    return from_frame + (kRepeats + 1) * period;
  }
};

// The steady interval as text: whole cycles, or two decimals when p frames
// take a number of cycles p does not divide.
std::string interval_text(const SteadyState& s);
// The interval as a JSON number: an integer when whole; null when not reached.
nlohmann::json interval_json(const SteadyState& s);
// Every field of the judgement (docs/simulation.md, "steady_state").
nlohmann::json to_json(const SteadyState& s);

// The judgement of a run of run.last.size() frames against a longer run.
SteadyState judge_steady_state(const FrameStamps& run, const FrameStamps& longer,
                               int longer_frames);

// Runs `frames` frames of the design with the judged run's timing and returns
// their output-beat cycles.
using RunFrames = std::function<FrameStamps(int frames)>;

// The judgement of a run of `frames` frames, by the rule above: it and its
// longer run are both run.
SteadyState judge_run(int frames, const RunFrames& run);

// The first `n` frames of a run (all of them if it has fewer).
FrameStamps first_frames(const FrameStamps& run, size_t n);

// The judgement of a run of `frames` frames is that of a prefix of its
// longer run, at most `frames` frames long: the frames it judges are the
// settled ones, which the two runs share from the start. So when no such
// prefix of `longer` reaches the steady state at `interval` cycles per
// frame or less, neither does the run of `frames` frames, whatever it
// shows, and it need not be run to know that.
bool some_prefix_reaches_within(const FrameStamps& longer, int frames, double interval);

// `run` remembering its runs by frame count: a count's longer run can be
// another count's own (the judged run's longer run, the search's first).
RunFrames remember_runs(RunFrames run);

// A frame count found to reach the steady state, above the frames of the
// `failed` judgement; 0 when no run of up to kFramesSearchLimit frames does,
// or the search's runs reached kSearchCyclesLimit cycles first. `gave_up`,
// when given and the answer is 0, receives the most frames run and whether
// the cycles stopped it.
// Each count tried is judged by running it (judge_run), so the answer is true
// by construction. The counts tried grow from the failed run's by what its
// end reached (steady_state.cpp); on the shipped designs the answer is the
// fewest frames that reach the steady state, which it need not be in general.
int frames_to_reach_steady_state(const SteadyState& failed, const RunFrames& run, SteadyState* gave_up = nullptr);

// The judgement of a run of `frames` frames; when it reaches no steady
// state, the judgement at the frame count frames_to_reach_steady_state
// finds, or, when it finds none, the first judgement with search_limit set.
// Give it remember_runs(...): the search's runs are judged again.
SteadyState judge_until_reached(int frames, const RunFrames& run);

}  // namespace vine::sim
