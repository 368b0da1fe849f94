#include "platforms/board/streaming_board.h"

namespace vine::platforms {

StreamingBoard::StreamingBoard(sc_core::sc_module_name name, sim::Simulation& simulation,
                               double clock_mhz)
    : sc_module(name), sim_(simulation), period_(1e3 / clock_mhz, sc_core::SC_NS) {
  SC_HAS_PROCESS(StreamingBoard);
  SC_THREAD(follow_frames);
}

void StreamingBoard::follow_frames() {
  const auto& out = sim_.network().output_dma();
  const auto& accel = sim_.network().accelerator();
  for (;;) {
    while (frames_done_ == out.frames_done()) {
      if (accel.finished()) return;
      wait(accel.progress_event());
    }
    // A frame's last beat is read in cycle c; the frame is in memory from cycle c + 1.
    const sc_core::sc_time at = period_ * double(out.last_beat_cycles()[size_t(frames_done_)] + 1);
    if (at > sc_core::sc_time_stamp()) wait(at - sc_core::sc_time_stamp());
    ++frames_done_;
    frame_done.notify(sc_core::SC_ZERO_TIME);
    if (on_frame) on_frame(frames_done_);
  }
}

}  // namespace vine::platforms
