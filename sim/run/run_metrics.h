// What a run measured, from its stages, FIFOs and DMAs: latency, the steady
// state (steady_state.h) and the batch, per-stage busy and stall cycles and
// output cycles, FIFO peak occupancy; and where two runs' output cycles
// differ.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/ir/design.h"
#include "sim/run/process_network.h"
#include "sim/run/run_report.h"
#include "sim/run/steady_state.h"

namespace vine::sim {

// What the models of a run measured, before the figures derived from it:
// one process's network, or the parts every rank of a distributed run
// measured, gathered (sim/run/distributed_run.h, docs/parallel.md).
struct Measurement {
  // finished; per stage (network order), per FIFO (network order), per link,
  // per weight stream, DMA in DDR and DDR channel, per RTL unit; the
  // fast-forward; the output DMA's last beat per frame. The figures derived
  // from them (rates, utilisations, the FIFOs' pipeline order, the
  // diagnoses) are complete_report's.
  RunReport report;
  int64_t first_input_write = -1;                 // the input DMA's first beat
  std::vector<int64_t> output_first_beat_cycles;  // the output DMA's, per frame
};
Measurement measure_run(const ProcessNetwork& pn, const ir::Design& d);
// The report from a measurement; `pn` gives the network's structure only
// (its plan, which FIFO joins which stages), not its state.
RunReport complete_report(Measurement m, const ProcessNetwork& pn, const ir::Design& d,
                          const estimate::Estimate& e, const SteadyState& steady);

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
