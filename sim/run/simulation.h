// One `vine run`: elaborates a design, streams synthetic frames through it,
// checks every output frame against the golden reference and reports.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "sim/estimate/estimate.h"
#include "sim/run/process_network.h"
#include "sim/run/run_report.h"

namespace vine::sim {

struct RunOptions {
  int frames = 3;
  uint64_t seed = 1;
  bool timing_only = false;
  bool record = false;    // keep stamps and activity for --vcd / --perfetto
  bool check_reference = true;  // run the golden reference on every output frame (off: bench)
  // Judge the steady state (steady_state.h): runs the design once more with
  // a few more frames (timing only unless the PEs are co-simulated).
  bool steady_state = true;
  // When the steady state is not reached, find how many frames reach it
  // (more runs of the same kind).
  bool find_frames_needed = false;
  BackendChoice backend = BackendChoice::kDesign;  // PE arithmetic: C++ models or Verilated RTL
};

class Simulation {
 public:
  Simulation(const ir::Design& d, const RunOptions& o);
  ~Simulation();
  // Runs to the end or to a deadlock.
  const RunReport& run();
  // The same in steps, for a caller that keeps its own time (platforms/):
  // advance() runs until `should_pause` or until nothing can move, finish()
  // builds the report once the network is done or stuck.
  void advance(const std::function<bool()>& should_pause) { pn_->run(should_pause); }
  const RunReport& finish();
  const ProcessNetwork& network() const { return *pn_; }
  const estimate::Estimate& estimate() const { return estimate_; }
  const RunReport& report() const { return report_; }
  // The output-beat cycles of a run of `frames` frames with this run's timing.
  FrameStamps frame_stamps(int frames) const;

 private:
  struct Golden;
  const ir::Design& d_;
  RunOptions o_;
  std::unique_ptr<Golden> golden_;
  std::unique_ptr<ProcessNetwork> pn_;
  estimate::Estimate estimate_;
  RunReport report_;
};

}  // namespace vine::sim
