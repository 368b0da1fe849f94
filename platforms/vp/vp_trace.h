// The virtual platform's timeline as VCD (GTKWave, Surfer): the interrupt
// line, each job's busy span, each DMA channel's DDR transactions in flight,
// and the DDR's occupancy by the DMAs (transactions outstanding). Recorded
// with VpConfig::record; times in picoseconds of SystemC time.
#pragma once

#include <ostream>

#include "platforms/vp/virtual_platform.h"

namespace vine::platforms {

void write_vp_vcd(std::ostream& out, const VirtualPlatform& vp);

}  // namespace vine::platforms
