// What a run measured, from its stages, FIFOs and DMAs: latency, the steady
// state (steady_state.h) and the batch, per-stage busy and stall cycles and
// output cycles, FIFO peak occupancy; and where two runs' output cycles
// differ.
#pragma once

#include <string>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/ir/design.h"
#include "sim/run/process_network.h"
#include "sim/run/run_report.h"
#include "sim/run/steady_state.h"

namespace vine::sim {

// The report of a run that stopped (finished or deadlocked), with its
// steady-state judgement and the diagnosis (run_diagnosis.h). Throws
// std::logic_error when the steady interval is below the estimate's: every
// stage spends its closed-form cycles on each frame, so no steady state can be
// faster than the slowest stage.
RunReport make_report(const ProcessNetwork& pn, const ir::Design& d, const estimate::Estimate& e,
                      const SteadyState& steady);

// Where two runs of one design disagree on any stage's first or last output
// cycle, one line per difference (empty: cycle-identical). The co-simulation
// regression holds the RTL back-end to the C++ one with it.
std::vector<std::string> output_cycle_differences(const RunReport& expected,
                                                  const RunReport& actual);

}  // namespace vine::sim
