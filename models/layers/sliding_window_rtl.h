// ConvolutionInputGenerator_rtl, default and parallel style (finn-rtllib/swg/
// swg_template_default.sv, its address controller in swg_common.sv, its
// parameters from src/finn/custom_op/fpgadataflow/rtl/
// convolutioninputgenerator_rtl.py). Unlike the HLS template, reading and
// writing are two independent processes around a cyclic buffer of
// BUF_ELEM_TOTAL beats:
//   - a read (in0 handshake) stores the next input beat, allowed while the
//     beat it overwrites, BUF_ELEM_TOTAL beats back, is older than both the
//     beat being fetched and the first beat of the next window;
//   - a fetch reads the next window beat from the buffer once that beat has
//     been read; the beat leaves on `out` the cycle after (Write_cmd), so
//     read to write is 1 cycle;
//   - the frame ends with its last write (or its last read, whichever is
//     later): the counters reset, and the next frame's first read comes in
//     the next cycle, its first fetch one cycle after that.
// The default style times the two sides apart, as the controller runs them
// (SlidingWindowRtl::activate): per frame, with r, f and w the cycles of its
// reads, fetches and writes and src(k) the input beat window beat k reads,
//   f(k) = max(r(src(k)) + 1, w(k - 1))   (a fetch waits for its beat's read
//                                           and for Write_cmd to be free),
//   w(k) = max(f(k) + 1, out's free slot),
//   r(n) = max(r(n - 1) + 1, in's beat readable, f(M(n) - 1) + 1),
// M(n) the fetches after which the room lets beat n in (or all of them:
// Fetching_done); the room never shrinks as fetches go on (checked at
// construction), so a read allowed by the fetches made so far stays allowed.
// The frame ends in the cycle max(r(N - 1), w(K - 1)) and the next frame's
// reads begin the cycle after. Each side runs as far as the stamps it needs
// are known: a full output stops only the fetches, and the reads go on while
// the buffer has room; an empty input stops only the reads. The stage then
// waits on the FIFO whose stamp it needs (the output when the fetch side
// waits on it, else the input). tests/sim/test_swg_rtl_cycles.cpp compares
// every read and write with a per-cycle model of the controller under
// back-pressure. With the input always valid and the output always ready
// this is rtl_window_schedule(), run cycle by cycle for one frame; its
// period is the kind's cycles and the frame span the fast-forward cuts at
// (the frame's end: FastForward::own_cut).
// Busy and stall counts: within a frame, a cycle that reads, fetches or
// writes is busy, and one between them stalls on the output while a fetched
// beat waits for its slot, else on the input; at the frame's end its busy
// count becomes the schedule's period (the cycles a loop's advances, gaps
// included, take unhindered) and the cycles beyond it are stalls (busy
// cycles missing from the period come from the input's stalls first, busy
// cycles beyond it, writes spread out by back-pressure, are output stalls). The activity spans keep the cycle-by-cycle view.
// Window beats leave in the order the MVAU (or, depthwise, the VVAU)
// consumes them, as the HLS generator's do (sliding_window.h). The parallel
// style (rtl_parallel_window_schedule) writes a whole window a beat: its
// K x K window beats in that order, one after the other. Its controller
// couples its sides itself (swg_template_parallel.sv: a read waits while the
// output is blocked, read_ok includes !write_blocked), so it keeps the
// engine's one loop, the schedule frame after frame.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/layers/sliding_window.h"
#include "models/stage/stage.h"

namespace vine::models {

struct RtlWindowSchedule {
  int64_t buffer_beats = 0;   // BUF_ELEM_TOTAL (get_buffer_depth, default style)
  int64_t period = 0;         // cycles per frame, input always valid and output always ready
  int64_t first_fetch = 0;    // cycle of the first fetch; its beat leaves one cycle later
  std::vector<int64_t> cycle;  // the cycles (from the frame's first) that read or fetch, increasing
  std::vector<uint8_t> what;   // for each: bit 0 reads a beat, bit 1 fetches a window beat
};

// The default style's schedule for one frame. Throws std::invalid_argument
// when the controller cannot run the geometry (its buffer would deadlock).
RtlWindowSchedule rtl_window_schedule(const WindowGeometry& g);

// The parallel style's (swg_template_parallel.sv): a beat is a whole window,
// g.positions_per_beat = K x K window beats (1 with a 1x1 kernel); `what`
// bit 1 marks the read of a window's last beat, which writes the window one
// cycle later (P = 1).
RtlWindowSchedule rtl_parallel_window_schedule(const WindowGeometry& g);

enum class RtlWindowStyle { kDefault, kParallel };

class SlidingWindowRtl final : public Stage {
 public:
  SlidingWindowRtl(std::string name, PipelineTiming t, int frames, WindowGeometry g,
                   RtlWindowStyle style = RtlWindowStyle::kDefault);
  const char* kind() const override { return "swg_rtl"; }
  // The default style's cut of frame f (its own activation tells the
  // fast-forward of it) comes between the frame's end and the next frame's
  // first read: its state there is that frame end's cycle.
  int64_t frame_span() const override { return schedule_.period; }
  const RtlWindowSchedule& schedule() const { return schedule_; }

  // The default style: runs the read side and the fetch side, each as far as
  // the stamps it needs are known (the parallel style: Stage::activate).
  void activate(Scheduler& sched) override;

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;
  // The fast-forward jumped: every cycle the two sides keep moves on with it.
  void frames_skipped(int64_t frames, int period, int64_t cycles) override;

 private:
  // What the geometry and style alone decide: the schedule and (default
  // style) each fetch's input beat. Built once per geometry in a process and
  // shared, since a search builds the same windows run after run (building
  // them was 5 % of a profiled timing-only run of MobileNet-V1).
  struct Plan {
    RtlWindowSchedule schedule;
    std::vector<int32_t> src;
  };
  static std::shared_ptr<const Plan> plan_for(const WindowGeometry& g, RtlWindowStyle style);

  WindowGeometry g_;
  std::shared_ptr<const Plan> plan_;
  const RtlWindowSchedule& schedule_;
  int frames_;
  int frame_ = 0;
  size_t at_ = 0;           // next entry of the schedule
  int64_t fetched_ = 0;     // window beats fetched in the current frame
  int64_t fetch_ = 0;       // the output beat the current iteration writes
  std::vector<int32_t> frame_buf_;  // the frame's beats in arrival order
  int64_t filled_ = 0;

  // The default style, decoupled (activate()). Per frame: N reads, K fetches.
  bool decoupled_ = false;
  int64_t n_beats_ = 0, k_beats_ = 0, buffer_ = 0, per_window_ = 1, min_buffer_ = 0;
  const std::vector<int32_t>& src_;  // per fetch: the input beat it reads
  // min(Current_elem, First_elem_next_window) after m fetches of a frame.
  int64_t room_after(int64_t m) const;
  // Read side: beats read in the frame, their cycles, the frame's first
  // cycle, and the fetches its next read waits for (the least m whose room
  // lets it overwrite, or K: Fetching_done).
  int64_t read_ = 0, frame_start_ = 0, need_ = 0;
  std::vector<int64_t> read_cycle_;
  // Fetch side: fetches and writes made in the frame, their cycles.
  int64_t fetched_n_ = 0, written_n_ = 0, last_write_ = -1, last_read_cycle_ = -1;
  std::vector<int64_t> fetch_cycle_;
  // Busy and stall counts: the two sides' cycles merged in time order (a
  // cycle that reads, fetches or writes is busy; one between them stalls on
  // the output while a fetched beat waits for its slot, else on the input).
  struct Event {
    int64_t cycle, write_at;  // a fetch's: its write's cycle; else -1
  };
  std::vector<int64_t> read_events_;
  std::vector<Event> fetch_events_;
  size_t read_head_ = 0, fetch_head_ = 0;
  int64_t merged_to_ = -1, out_stall_until_ = -1;
  // The frame's counts so far: at its end, the frame's busy cycles
  // become the schedule's period (the cycles it takes unhindered, gaps
  // included, as a loop's advances count), the cycles it took beyond that
  // stay stalls.
  int64_t frame_busy_ = 0, frame_stalled_input_ = 0, frame_stalled_output_ = 0;
  void close_frame_counts();
  void merge(bool all);
  void note_cycles(int64_t from, int64_t to, Activity what);
};

}  // namespace vine::models
