// Waveforms and timelines of a finished simulation (recorded with
// ElaborationOptions::record): VCD for GTKWave with every FIFO's occupancy and
// every stage's state, and a Chrome/Perfetto JSON timeline with one track per
// stage.
#pragma once

#include <ostream>

#include "sim/run/process_network.h"

namespace vine::trace {

void write_vcd(const sim::ProcessNetwork& pn, std::ostream& out);
void write_perfetto(const sim::ProcessNetwork& pn, double clock_mhz, std::ostream& out);

}  // namespace vine::trace
