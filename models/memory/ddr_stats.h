// What one initiator did to the DDR (docs/ddr.md): b_transport traffic only;
// debug transactions and DMI accesses never reach the model's accounting.
#pragma once

#include <cstdint>
#include <systemc>

namespace vine::models {

struct DdrInitiatorStats {
  uint64_t reads = 0, writes = 0;  // transactions that completed
  uint64_t bytes_read = 0, bytes_written = 0;
  uint64_t errors = 0;    // transactions answered with an error response
  sc_core::sc_time busy;  // channel time its transactions occupied
  sc_core::sc_time wait;  // time lost to contention: completion beyond idle channels'
};

}  // namespace vine::models
