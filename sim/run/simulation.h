// One `vine run`: elaborates a design, streams synthetic frames through it,
// checks every output frame against the golden reference and reports.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/golden/tensor.h"
#include "sim/run/process_network.h"
#include "sim/run/run_metrics.h"
#include "sim/run/run_report.h"
#include "sim/run/stall_chain.h"

namespace vine::sim {

struct RunOptions {
  int frames = 3;
  uint64_t seed = 1;
  bool timing_only = false;
  bool record = false;          // keep stamps and activity for --vcd / --perfetto
  // Skip the frames of timing-only runs (this one, when timing-only, and the
  // timing twins the steady-state judgement runs) once their timing repeats,
  // exactly (models/stage/fast_forward.h); off: every frame simulated.
  bool fast_forward = true;
  bool check_reference = true;  // run the golden reference on every output frame (off: bench)
  // Judge the steady state (steady_state.h): runs the design with these
  // frames and with a few more before the run (timing only unless the PEs
  // are co-simulated).
  bool steady_state = true;
  // When the steady state is not reached, find how many frames reach it
  // (more runs of the same kind, also before the run).
  bool find_frames_needed = false;
  // When the steady interval exceeds the bottleneck's, follow the stalls to
  // their root and measure the FIFO depths that remove them (stall_chain.h;
  // more timing runs, up to kMaxDiagnosisCycles: `vine run` asks for it).
  bool diagnose_interval = false;
  BackendChoice backend = BackendChoice::kDesign;  // PE arithmetic: C++ models or Verilated RTL
  models::HostOrder host_order =
      models::HostOrder::kFifo;  // the engine's host order: never changes a cycle
  uint64_t host_order_seed = 1;
  std::map<std::string, SystemCModuleFactory> systemc_stages = {};  // see ElaborationOptions
  // Input frames from a file (`vine run --inputs`, docs/data.md) instead of
  // the seed's; frame f streams input_frames[f % size], so the longer runs
  // the steady-state judgement makes repeat them.
  std::shared_ptr<const std::vector<golden::IntTensor>> input_frames;
  // Keep every output frame's codes (`vine run --outputs`): Simulation::outputs().
  bool keep_outputs = false;
  // A rank of a distributed run (sim/run/distributed_run.h): the output
  // check makes each frame's input again rather than keeping it from the
  // input DMA, which may run in another process.
  bool distributed = false;
};

// Throws a ConfigError for what a design asks that the simulation would get
// silently wrong (so far: weights streamed from DDR, which it does not model).
// The Simulation constructor calls it; `vine bench` calls it before its
// reference timing, so a refused design fails at once.
void check_simulatable(const ir::Design& d);

class Simulation {
 public:
  // Elaborates the design and, with RunOptions::steady_state, judges the
  // steady state of its frames: the further runs that takes are done here,
  // during elaboration, while models may still be built.
  Simulation(const ir::Design& d, const RunOptions& o);
  ~Simulation();
  // Runs to the end or to a deadlock, outside SystemC time.
  const RunReport& run();
  // Builds the report once the network is done or stuck: after run(), or
  // after sc_start() returns when the accelerator ran in SystemC
  // (platforms/board).
  const RunReport& finish();
  // What finish() reads from the run: the models' measurement and the
  // output check's result (and the outputs, for finish(Results)).
  struct Results {
    Measurement measured;
    std::vector<int> mismatched;  // frames whose outputs differ from the reference
    int checked = 0;              // frames checked
    std::vector<std::vector<int32_t>> outputs;
  };
  // This process's.
  Results results() const;
  // finish() from results gathered from every rank of a distributed run
  // (sim/run/distributed_run.h) instead of this process's network.
  const RunReport& finish(Results gathered);
  const ProcessNetwork& network() const { return *pn_; }
  ProcessNetwork& network() { return *pn_; }  // a distributed run drives its scheduler
  const estimate::Estimate& estimate() const { return estimate_; }
  const RunReport& report() const { return report_; }
  // Every output frame's codes in frame order, with RunOptions::keep_outputs.
  const std::vector<std::vector<int32_t>>& outputs() const { return outputs_; }
  // The output-beat cycles of a run of `frames` frames with this run's timing.
  FrameStamps frame_stamps(int frames) const;
  // A timing-only run judged for its steady state runs while the Simulation
  // is built (judge_steady_state_ahead): then run() and sc_start only
  // finish it, and this is the host time it took.
  bool ran_ahead() const { return ran_ahead_; }
  double seconds_run_ahead() const { return seconds_run_ahead_; }
  // Its judgement's longer run was read off the run's own repetition
  // (longer_run_from_repetition) rather than simulated.
  bool longer_run_read_off() const { return longer_read_off_; }

 private:
  void judge_steady_state_ahead();
  std::optional<FrameStamps> longer_run_from_repetition() const;
  const RunReport& finish_from(Results x);
  // Frame `frame` the input DMA streams: the file's or the seed's.
  golden::IntTensor input_frame(int frame) const;

  struct Golden;
  const ir::Design& d_;
  RunOptions o_;
  std::unique_ptr<Golden> golden_;
  std::unique_ptr<ProcessNetwork> pn_;
  estimate::Estimate estimate_;
  // Judged ahead of the run on a timing twin of it (`twin_`, the same cycles);
  // finish() checks that the run left in the twin's cycles.
  FrameStamps twin_;
  bool ran_ahead_ = false, longer_read_off_ = false;
  double seconds_run_ahead_ = 0;
  FrameStamps single_;
  IntervalDiagnosis diagnosis_;  // when the steady interval exceeds the bottleneck's  // a run of one frame: its latency alone in an empty pipeline
  SteadyState steady_;
  RunReport report_;
  std::vector<std::vector<int32_t>> outputs_;
};

}  // namespace vine::sim
