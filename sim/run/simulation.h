// One `vine run`: elaborates a design, streams synthetic frames through it,
// checks every output frame against the golden reference and reports.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "sim/estimate/estimate.h"
#include "sim/run/process_network.h"
#include "sim/run/run_report.h"

namespace vine::sim {

struct RunOptions {
  int frames = 3;
  uint64_t seed = 1;
  bool timing_only = false;
  bool record = false;          // keep stamps and activity for --vcd / --perfetto
  bool check_reference = true;  // run the golden reference on every output frame (off: bench)
  BackendChoice backend = BackendChoice::kDesign;  // PE arithmetic: C++ models or Verilated RTL
  models::HostOrder host_order =
      models::HostOrder::kFifo;  // the engine's host order: never changes a cycle
  uint64_t host_order_seed = 1;
  std::map<std::string, SystemCModuleFactory> systemc_stages = {};  // see ElaborationOptions
};

// Throws a ConfigError for what a design asks that the simulation would get
// silently wrong (so far: weights streamed from DDR, which it does not model).
// The Simulation constructor calls it; `vine bench` calls it before its
// reference timing, so a refused design fails at once.
void check_simulatable(const ir::Design& d);

class Simulation {
 public:
  Simulation(const ir::Design& d, const RunOptions& o);
  ~Simulation();
  // Runs to the end or to a deadlock, outside SystemC time.
  const RunReport& run();
  // Builds the report once the network is done or stuck: after run(), or
  // after sc_start() returns when the accelerator ran in SystemC
  // (platforms/board).
  const RunReport& finish();
  const ProcessNetwork& network() const { return *pn_; }
  const estimate::Estimate& estimate() const { return estimate_; }
  const RunReport& report() const { return report_; }

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
