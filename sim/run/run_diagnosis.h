// Why a run is slower than the estimate, or why it stopped: the stalls of the
// stage the estimate expects to set the pace and the FIFO behind them; a
// deadlock's wait-for cycle (which stage waits for which FIFO, round again).
#pragma once

#include <cstdint>
#include <string>

#include "sim/estimate/estimate.h"
#include "sim/run/process_network.h"
#include "sim/run/run_report.h"

namespace vine::sim {

// When the steady interval exceeds the estimate's: the stalls of the
// estimate's (first) bottleneck stage and the FIFO it waited on longest.
// Empty otherwise. Reads the report's measured stages (run_metrics.h). The
// fuller "why" of `vine run`, with the stall chain and a measured remedy, is
// stall_chain.h's, which replaces this one when RunOptions asks for it.
std::string explain_interval(const RunReport& r, const estimate::Estimate& e);

struct DeadlockDiagnosis {
  std::string message;  // the cycle, the frames done, the wait-for cycle
  int64_t cycle = 0;    // the last cycle in which any stage advanced
};
// The diagnosis of a network that stopped with stages blocked on one another,
// from the report's stages and FIFOs (`r.frames` the run's frames); `pn`
// gives only which FIFO joins which stages.
DeadlockDiagnosis diagnose_deadlock(const ProcessNetwork& pn, const RunReport& r);

}  // namespace vine::sim
