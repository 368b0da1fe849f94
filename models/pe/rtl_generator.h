// A Verilated OVSF weights generator (rtl/ovsf_generator.sv) as the models
// see it: the compute engine's unit that expands a filter's coefficients
// into its weights, one group of LANES weights per beat (docs/weights-
// generator.md). Like the lanes units (rtl_lanes.h) it is clocked one cycle
// at a time; the implementation lives in rtl/cosim/ (verilated_generator.h).
#pragma once

#include <cstdint>
#include <string>

#include "models/pe/rtl_lanes.h"

namespace vine::models {

// Whether the unit named `unit` (LanesConfig::unit) is a weights generator.
inline bool is_generator_unit(const std::string& unit) { return unit == "ovsf_generator"; }

class RtlGenerator : public RtlUnit {
 public:
  // One clock cycle with these inputs on the ports: `en` the clock enable,
  // `valid` a beat offered. `coeffs` holds in_coeffs (slot m's COEFF_BITS
  // bits at [m*COEFF_BITS, ...)), `codes` in_codes (slot m's log2 L bits),
  // packed little-endian into 32-bit words, bits above the port width zero;
  // `group` is in_group. Returns out_valid after the edge; when high,
  // `weights` receives out_weights (lane i's OUT_BITS bits at
  // [i*OUT_BITS, ...)), ceil(LANES * OUT_BITS / 32) words.
  virtual bool clock(bool en, bool valid, const uint32_t* coeffs, const uint32_t* codes, uint32_t group,
                     uint32_t* weights) = 0;
};

}  // namespace vine::models
