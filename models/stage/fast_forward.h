// Exact fast-forward of a timing-only run's steady state.
//
// Timing does not depend on data: every advance's cycle is a max-plus
// function of earlier stamps (stage.h). Each stage's loop repeats frame
// after frame, so a stage's state at its "frame cut f" (every advance with a
// loop index below f * frame_span() made, none above) holds, besides loop
// cursors that are the same at every cut, only cycles: its last advance's
// and, on each FIFO it reads, the read stamps of the beats its producer's
// writes after the producer's own cut f still depend on. When every stage's
// cut g + p state equals its cut g state with every cycle D later (and every
// FIFO p frames of beats further), every later frame repeats the frame p
// before it, D cycles later (docs/simulation.md, "Fast-forward", has the
// proof). Then the run jumps: every stamp moves on by whole periods, each
// stage's loop is shortened by the frames skipped, the busy and stall counts
// grow by the periods' counts measured between the two cuts, and the output
// DMA's frame cycles are extrapolated; the last frames and the drain are
// then simulated as usual.
//
// Drift: where every stage's cut repeats with a D of its own (a producer
// running ahead into a deep FIFO, filling it a little more each frame), the
// run jumps as far as every FIFO between stages of different D keeps the
// stamps from its other end at least a cycle clear of the cycles they could
// set (StreamFifo's slack), then watches on from the next cuts; the last
// jump is the steady state's, one D.
//
// Each stage records its cut state at every frame; once every stage has
// passed the cut of frame h, the FastForward compares it with the cuts of
// frames h - 1 .. h - kMaxPeriod, and drops the cuts no later comparison
// needs (a stage running ahead keeps its cuts since then). Only stages that state
// their frame span take part, without data, traces, shared ports or SystemC
// threads; otherwise attach() declines and the run simulates every frame.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "models/stage/stage.h"
#include "models/stream/stream_fifo.h"

namespace vine::models {

struct FastForwardResult {
  int64_t frames_skipped = 0;  // frames not simulated, their figures extrapolated (every jump's)
  // The last repetition found:
  int period_frames = 0;       // p: the timing repeats every p frames...
  int64_t period_cycles = 0;   // ...D cycles later (with drift: the slowest stage's D)
  int64_t from_frame = -1;     // g: from the cut of frame g on
  // FIFOs whose two ends' timing drifted apart in it (empty: every stage
  // repeated D cycles later, the steady state).
  std::vector<std::string> drifting;
  int jumps = 0;               // jumps made (drifting ones, then at most one steady one)
  int64_t cycles_skipped = 0;  // the cycles the jumps moved the slowest stage on: not simulated
  // Deciding against a target (set_decide_target), without a repetition:
  // +1 the interval is at most bound_interval (<= the target), -1 at least
  // bound_interval (> the target); 0 not decided so.
  int bound = 0;
  double bound_interval = 0;
  std::string off;             // when it gave up without skipping: why
};

class FastForward {
 public:
  // The longest period looked for, in frames.
  static constexpr int kMaxPeriod = 4;
  // Frames each stage still simulates after the jump, beyond the frame it is
  // in, before the run's end and drain.
  static constexpr int64_t kMarginFrames = 2;

  // Watches a run of `frames` frames of these stages and FIFOs, before it
  // starts; null, with the reason in `why`, when some stage cannot take part.
  static std::unique_ptr<FastForward> attach(const std::vector<std::unique_ptr<Stage>>& stages,
                                             const std::vector<std::unique_ptr<StreamFifo>>& fifos,
                                             int64_t frames, std::string& why);

  const FastForwardResult& result() const { return result_; }

  // Decide only: at the first repetition, record it in result() (period and
  // cycles) and jump nowhere. A search that needs only the steady interval
  // of an endless stream of frames (`vine fifo-size`'s trials) then stops
  // the run: every later frame repeats the period D cycles later, so the
  // interval is exactly D / p. A drifting repetition decides nothing (the
  // FIFO that fills will back-pressure its producer), but with
  // `drift_jumps` the frames until that FIFO fills are jumped as a run
  // jumps them, without shortening the loops (the run becomes one of more
  // frames, which an endless stream's interval does not depend on), and the
  // watch goes on; result().period_frames stays 0 until the steady
  // repetition decides.
  void set_decide_only(bool on, bool drift_jumps = false) {
    decide_only_ = on;
    decide_jumps_ = on && drift_jumps;
  }
  // Deciding only, also decide whether the interval of an endless stream is
  // at most `target` cycles per frame before the state repeats, by bounds:
  // the state at a cut is a vector of cycles (each stage's last advance, the
  // read stamps its producer still waits on) and the p frames after it a
  // map of that vector that is monotone and moves with it (every cycle is a
  // max of earlier ones plus constants). When the cuts of frames g and
  // g + p have the same structure (everything but the cycles equal), every
  // cycle having moved on by at least L and at most U gives, applying the
  // map again and again, an endless stream whose every cycle moves on by at
  // least L and at most U every p frames, the output's included: the
  // interval lies in [L / p, U / p] (max-plus algebra's Collatz-Wielandt
  // bounds). L / p above the target decides a miss, U / p at most the
  // target a meet. 0: off.
  void set_decide_target(double target) { decide_target_ = target; }
  // A repetition was found (result().period_frames > 0), or the watch has
  // ended without one: nothing more is to be learnt from the cuts.
  bool settled() const { return off_; }
  // Called by stage `s` at each frame cut, about to make the advance at loop
  // index `a` (its advance less a flushing pipeline's bubbles).
  void at_cut(Stage& s, int64_t a);
  // For a kind that runs its own activation (the RTL sliding window,
  // models/layers/sliding_window_rtl.h): it has made every read and write of
  // the frames before loop index `a` (a multiple of its frame_span()) and
  // none after, and, besides its FIFOs' stamps, its whole timing state is
  // the cycle `last_cycle`. Records the cut as Stage::activate does, when
  // the watch is on; a jump then shifts the kind's own cycles in
  // Stage::frames_skipped.
  static void own_cut(Stage& s, int64_t a, int64_t last_cycle);

 private:
  // A stage's state at one cut, indices relative to the cut's.
  struct Cut {
    int64_t last_advance = 0, last_cycle = 0;
    std::vector<std::pair<int64_t, uint32_t>> in_flight;  // due, writes
    bool have_cur = false, loop_done = false;
    Iteration cur;
    int64_t pending_bubbles = 0;  // a flushing pipeline's, not yet in its busy count
    StageStats stats;
    std::vector<int64_t> read, read_first;        // per input: beats read; first beat of the window
    std::vector<std::vector<int64_t>> read_cycles;  // per input: read stamps of the window
    std::vector<int64_t> written;                 // per output: beats written
    // Since the stage's previous cut: the least slack of its writes (per
    // output) and of its reads (per input), StreamFifo::kNoSlack if none.
    std::vector<int64_t> write_slack, read_slack;
  };
  struct Link {  // a FIFO and its ports
    StreamFifo* fifo;
    size_t producer, out_port, consumer, in_port;
  };

  // A link's beats between the cuts of frames g and g + p, and the read
  // stamps its producer's writes after the cut wait on (beats w0 -
  // capacity .. r0 - 1) as kept at each cut.
  struct Window {
    int64_t w0 = 0, r0 = 0, beats = 0;  // written at the producer's cut g, read at the consumer's, per period
    int64_t f0 = 0, f1 = 0;             // the first beat whose stamp each cut kept
    const std::vector<int64_t>*c0 = nullptr, *c1 = nullptr;
    int64_t at0(int64_t beat) const { return (*c0)[size_t(beat - f0)]; }
    int64_t at1(int64_t beat) const { return (*c1)[size_t(beat - f1)]; }
  };

  FastForward(std::vector<Stage*> stages, std::vector<Link> links, int64_t frames);
  static bool same_loop_position(const Cut& c0, const Cut& c1);
  // False unless the link moved as many beats at both ends between the cuts
  // and its consumer's cut is past every beat its producer wrote by its own.
  bool window(const Link& l, int64_t g, int p, Window& w) const;
  void capture(const Stage& s, Cut& c, int64_t cut_index) const;
  const Cut& cut(size_t stage, int64_t frame) const {
    return cuts_[stage][size_t(frame - first_[stage])];
  }
  // Whether every stage's cut of frame g + p repeats its cut of frame g,
  // each stage's cycles shifted by its own D; fills the per-period deltas
  // and shifts when it does. `drift_periods`: with shifts that differ, how
  // many periods on every FIFO between them still holds (the jump's limit);
  // INT64_MAX with one shift.
  bool repeats(int64_t g, int p, int64_t& drift_periods);
  bool drift_holds(const Link& l, int64_t g, int p, int64_t w0, int64_t dp, int64_t dq,
                   int64_t& periods) const;
  // Whether the cuts of frames g and g + p have the same structure; if so,
  // the least and the most any cycle of the state moved on between them
  // (most: INT64_MAX where a slot free from the start at g is a stamp at
  // g + p).
  bool shift_bounds(int64_t g, int p, int64_t& least, int64_t& most) const;
  // Deciding: stops the watch with result() saying so; false if a stage
  // that reads has ended its loop (then the watch stops undecided).
  bool decide();
  // Jumps as many periods on as the run's end (and, drifting, the slack)
  // allows; false when that is none.
  bool jump(int64_t g, int p, int64_t drift_periods);
  // After a jump that drifted: watch on from the stages' next cuts.
  void rearm();
  void stop(const char* why = nullptr);

  std::vector<Stage*> stages_;
  std::vector<Link> links_;
  int64_t frames_;
  std::vector<std::deque<Cut>> cuts_;  // per stage: its cuts kept, from frame first_
  std::vector<int64_t> first_;
  std::vector<int64_t> latest_;        // per stage: the last cut seen
  int64_t complete_ = 0;               // every stage is past the cut of this frame
  int passed_next_ = 0;                // stages past the cut of frame complete_ + 1
  int64_t stamps_held_ = 0;            // read stamps in the cuts kept
  int64_t watch_from_ = 1;              // the first frame whose cuts every stage has (after a jump)
  std::vector<StageStats> delta_;       // per stage: one period's counts
  std::vector<int64_t> shift_;          // per stage: one period's cycles
  std::vector<int64_t> beats_;          // per link: one period's beats
  bool off_ = false;
  bool decide_only_ = false;
  bool decide_jumps_ = false;
  double decide_target_ = 0;
  FastForwardResult result_;
};

}  // namespace vine::models
