// Why a pipeline runs slower than its bottleneck allows, and which FIFO
// depths remove it (the report's "why" line).
//
// The bottleneck stage (the estimate's: the most cycles of work per frame)
// sets the interval only if nothing makes it wait. When the steady interval
// is longer, the stage waited, and the wait has a cause elsewhere: a stage
// waiting for a beat waits on its producer, one waiting for a slot on its
// consumer. Following the longest wait from stage to stage gives a chain
// that ends where it returns to a stage already on it, or at a stage that
// hardly waits. Its root is the first FIFO on it that was full: the producer
// of that FIFO could run ahead and the FIFO would not let it, so the
// stage that waits for it starves (FINN's classic case: the skip branch of a
// residual block, or a layer that reads its input vector in a burst).
//
// The remedy is measured, not guessed: the root FIFO is made deep enough
// never to fill, the design is run again (timing only), and the chain is
// followed again while the interval is still longer than the bottleneck's,
// up to kMaxDeepenedFifos FIFOs. Each deepened FIFO's depth is then its peak
// occupancy in that run, and one more run with exactly those depths checks
// the interval they give.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/ir/design.h"
#include "sim/run/process_network.h"
#include "sim/run/run_report.h"

namespace vine::sim {

inline constexpr int kMaxDeepenedFifos = 4;
// The remedy's search stops before its timing runs simulate more than this
// many cycles in all (a few seconds' work): on a large design it deepens
// fewer FIFOs, and depths not cut back by then are the peaks of the deepened
// run, which work but may not be the least; the report says so.
inline constexpr int64_t kMaxDiagnosisCycles = 30'000'000;

struct StallChain {
  std::string text;       // "a waits for a beat on f (empty, 120 cycles) <- ..."
  std::string root_fifo;  // the first full FIFO on the chain; empty when none
  bool root_internal = false;  // the root is a stream inside a layer
  std::string root_stage;      // where the chain ended, when no FIFO was full
};

// The chain from `from` in a finished (or stuck) network.
StallChain follow_stall_chain(const ProcessNetwork& pn, const std::string& from);

struct IntervalDiagnosis {
  StallChain chain;                 // in the design as it is
  std::vector<FifoRemedy> remedy;   // empty when no FIFO depth helps
  double remedy_interval = 0;       // the steady interval with the remedy; 0: not reached
  bool least = true;  // the search finished: each remedy depth is the least that gives remedy_interval
  // The roots deepened until they never filled that, all together, left the
  // interval as long ("depth of A->B, internal_fifo_depth"): no remedy. Empty
  // when none.
  std::string in_vain;
  std::string text;                 // the report's "why" line
};

// For a design whose steady interval (interval_cycles, over `frames`
// frames) exceeds the estimate's: runs timing-only copies of it, as above.
// Builds models, so it must run before sc_start (Simulation runs it ahead).
IntervalDiagnosis diagnose_interval(const ir::Design& d, const estimate::Estimate& e, int frames,
                                    double interval_cycles);

}  // namespace vine::sim
