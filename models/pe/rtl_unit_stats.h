// What the reports say about one co-simulated unit of a stage (its PEs'
// instances): its key, its probed latency and the clock cycles driven. The
// lanes (rtl_dot_product.h) and the output units (rtl_output_unit.h) keep it.
#pragma once

#include <cstdint>

#include "models/pe/rtl_lanes.h"

namespace vine::models {

class RtlUnitStats {
 public:
  explicit RtlUnitStats(LanesConfig config) : config_(std::move(config)) {}
  const LanesConfig& config() const { return config_; }
  // Cycles from a beat's rising edge to the edge after which its result is
  // on the outputs, probed on the unit (LATENCY in rtl/README.md's terms).
  int latency() const { return latency_; }
  int64_t cycles() const { return cycles_; }              // clock cycles driven, all PEs
  int64_t stall_cycles() const { return stall_cycles_; }  // of which with en = 0

 protected:
  void count(bool en, int pes = 1) {  // a clock cycle of `pes` PEs' instances
    cycles_ += pes;
    stall_cycles_ += en ? 0 : pes;
  }
  LanesConfig config_;
  int latency_ = 0;
  int64_t cycles_ = 0, stall_cycles_ = 0;
};

}  // namespace vine::models
