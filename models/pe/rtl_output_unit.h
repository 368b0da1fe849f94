// The output units of a PE array on Verilated RTL: one instance of the
// multi-threshold unit or the requantiser per PE, as the hardware has, after
// the PE's accumulator. A row's accumulator enters the PE's unit in the cycle
// it leaves the lanes; LATENCY enabled cycles later the unit gives the
// activation code the stage writes. The stage's PE array (rtl_pe_array.h)
// clocks the instances with its pipeline's advances and stalls and checks
// every code's cycle against the model's pipeline, and its value against the
// C++ output unit (output_unit.h).
//
// Each channel's parameters (its thresholds, or its multiplier and shift)
// sit in the unit's parameter memory and are read onto the parameter ports
// with the channel's accumulator. The unit's parameters are the layer's
// types, never its data: thresholds are clamped to the accumulator's range
// plus one, where they compare the same (T_BITS = ACC_BITS + 1 or + 2); the
// requantiser takes 32-bit multipliers and zero points and shifts 0..63 (a
// left shift folded into the multiplier).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/pe/rtl_output.h"
#include "models/pe/rtl_unit_stats.h"
#include "sim/golden/network_params.h"
#include "sim/ir/network.h"

namespace vine::models {

class RtlOutputUnit : public RtlUnitStats {
 public:
  // The unit `config` (output_unit_config() in sim/run/pe_backend.h), `pes`
  // instances of it, for layer `l`'s output stage with parameters `p`. Throws
  // std::invalid_argument, saying which, for parameters the unit cannot hold
  // (a requantiser rounding half to even, a multiplier wider than 32 bits).
  RtlOutputUnit(std::vector<std::unique_ptr<RtlOutput>> pes, LanesConfig config, const ir::Layer& l,
                const golden::LayerParams& p);

  int pes() const { return int(pes_.size()); }
  // One clock cycle of PE `pe`'s unit with clock enable `en`: with `valid`,
  // accumulator `acc` of channel `channel` on its inputs. Returns out_valid
  // after the edge and, when high, the output code in `code`.
  bool clock(int pe, bool en, bool valid, int64_t acc, int64_t channel, int32_t& code) {
    count(en);
    uint32_t a[2] = {uint32_t(uint64_t(acc) & acc_mask_), uint32_t((uint64_t(acc) & acc_mask_) >> 32)};
    const uint32_t* params = &params_[size_t(per_channel_ ? channel : 0) * param_words_];
    uint64_t y = 0;
    if (!pes_[size_t(pe)]->clock(en, valid, a, params, y)) return false;
    code = to_code(y);
    return true;
  }

 private:
  int probe_latency();
  int32_t to_code(uint64_t y) const {
    if (!out_signed_) return int32_t(y);
    const uint64_t sign = uint64_t{1} << (out_bits_ - 1);
    return int32_t(int64_t((y ^ sign) - sign));
  }

  std::vector<std::unique_ptr<RtlOutput>> pes_;
  uint64_t acc_mask_;
  int out_bits_;
  bool out_signed_;
  bool per_channel_ = false;
  size_t param_words_ = 0;
  std::vector<uint32_t> params_;  // [channel][word]
};

}  // namespace vine::models
