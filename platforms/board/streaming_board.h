// One board running a streaming accelerator, in SystemC time. The
// accelerator module (`accel`, models/accelerator/) runs its stages ahead of
// SystemC time on their FIFOs' cycle stamps, as TLM-2.0 loosely-timed
// initiators run ahead with a quantum keeper; the board follows the output
// DMA and notifies `frame_done` at the cycle after each frame's last output
// beat, as the accelerator's interrupt would, so that host software models
// see frames complete at the simulated cycle.
//
// After sc_start returns, Simulation::finish() builds the report, whether the
// pipeline finished or got stuck.
#pragma once

#include <functional>
#include <systemc>

#include "sim/run/simulation.h"

namespace vine::platforms {

class StreamingBoard : public sc_core::sc_module {
 public:
  sc_core::sc_event frame_done;  // notified at the cycle after each frame's last output beat

  StreamingBoard(sc_core::sc_module_name name, sim::Simulation& simulation, double clock_mhz);
  const char* kind() const override { return "vine_streaming_board"; }
  int frames_done() const { return frames_done_; }
  // Called in the board's thread after each frame, at its SystemC time.
  std::function<void(int frames_done)> on_frame;
  const sc_core::sc_time& clock_period() const { return period_; }

 private:
  void follow_frames();

  sim::Simulation& sim_;
  sc_core::sc_time period_;
  int frames_done_ = 0;
};

}  // namespace vine::platforms
