// The compute engine's closed form (docs/engine.md#timing): per layer, the
// sum over its phases of max(compute, activation + weight transfers,
// generator), each DDR transfer at its uncontended time on the board's DDR
// model (DdrTiming::uncontended) in whole engine cycles, each generation at
// WeightsGeneratorTiming's. `vine run` simulates the same schedule on the
// DDR model's channel accounting; with nothing else on the DDR the two
// agree to the cycle (tests/sim/test_engine.cpp).
#pragma once

#include <cstdint>

#include "models/memory/ddr_timing.h"
#include "sim/engine/engine_figures.h"

namespace vine::engine {

// ceil(time / clock period): the engine cycle at or after which a DDR event
// at `time` is seen, counted from cycle 0 at time 0.
int64_t engine_cycles(const sc_core::sc_time& time, const sc_core::sc_time& clock_period);

// The engine clock's period (1 / clock_mhz, to the SystemC resolution).
sc_core::sc_time engine_clock_period(double clock_mhz);

// Cycles the OVSF generator takes for `filters` filters of layer `lp`.
int64_t generator_cycles(const EngineLayerPlan& lp, int64_t filters);

EngineFigures estimate_engine(const ir::Design& d);
// The same for `plan` (the design's plan, its transfers perhaps at other
// addresses: a descriptor table's) on a DDR of `ddr`; without the figures
// of the design with input-selective PEs off.
EngineFigures estimate_engine(const ir::Design& d, const EnginePlan& plan,
                              const models::DdrConfig& ddr);

// With input-selective PEs on in `d`: fills `f`'s cycles_without_selection
// (per layer and per frame) from the closed form of `d` with them off, so
// that a report shows the utilisation with and without. Nothing otherwise.
void add_cycles_without_selection(const ir::Design& d, EngineFigures& f);

}  // namespace vine::engine
