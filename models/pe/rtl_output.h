// A Verilated output unit (rtl/multithreshold.sv, rtl/requantizer.sv) as the
// models see it: the unit after a PE's accumulator that turns the row's dot
// product into the activation code the layer streams out. Like the lanes
// units (rtl_lanes.h) it is clocked one cycle at a time; the implementations
// live in rtl/cosim/ (verilated_output.h).
#pragma once

#include <cstdint>

#include "models/pe/rtl_lanes.h"

namespace vine::models {

// The words of the per-channel parameter port(s), as clock() takes them:
//  - multithreshold: in_thresholds, N fields of T_BITS bits (two's
//    complement), field i at bits [i*T_BITS, i*T_BITS + T_BITS), packed
//    little-endian into 32-bit words;
//  - requantizer: one word per port, its value's low bits: in_multiplier,
//    in_shift, in_zero_point, in_lo, in_hi (kRequantParams words).
constexpr int kRequantParams = 5;

class RtlOutput : public RtlUnit {
 public:
  // One clock cycle, as RtlLanes::clock: `en` the clock enable, `valid` a
  // result on in_acc (its low ACC_BITS bits in acc[0], acc[1]), `params` the
  // channel's parameters. Returns out_valid after the edge; when high, `y`
  // receives out_y's low OUT_BITS bits.
  virtual bool clock(bool en, bool valid, const uint32_t* acc, const uint32_t* params, uint64_t& y) = 0;
};

}  // namespace vine::models
