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
// The model replays that controller's schedule: rtl_window_schedule() runs it
// cycle by cycle with the input always valid and the output always ready,
// and the stage's loop is that schedule, frame after frame (an iteration per
// cycle that reads or fetches; the others are gaps of the loop). The cycles
// per frame are the schedule's period. Under back-pressure the engine stops
// the whole loop where the RTL would stop only the side that waits: the
// model is exact when neither side waits, and slower otherwise.
// Window beats leave in the order the MVAU (or, depthwise, the VVAU)
// consumes them, as the HLS generator's do (sliding_window.h). The parallel
// style (rtl_parallel_window_schedule) writes a whole window a beat: its
// K x K window beats in that order, one after the other.
#pragma once

#include <cstdint>
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
  int64_t frame_span() const override { return schedule_.period; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  WindowGeometry g_;
  RtlWindowSchedule schedule_;
  int frames_;
  int frame_ = 0;
  size_t at_ = 0;           // next entry of the schedule
  int64_t fetched_ = 0;     // window beats fetched in the current frame
  int64_t fetch_ = 0;       // the output beat the current iteration writes
  std::vector<int32_t> frame_buf_;  // the frame's beats in arrival order
  int64_t filled_ = 0;
};

}  // namespace vine::models
