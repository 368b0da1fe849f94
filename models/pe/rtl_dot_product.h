// One channel group of a PE array on Verilated lanes units: the group's
// weight rows as the PEs' weight memories hold them, and one instance of the
// lanes unit per PE, as the hardware has. A row's dot product is SF fold
// beats through a PE's unit, SIMD lanes per beat; the unit's accumulator is
// the row's value. The stage's PE array (rtl_pe_array.h) clocks the
// instances with its pipeline's advance and stall pattern.
//
// The unit's latency is probed once when the group is built (reset, one beat
// with en held high, cycles until out_valid); the stage's pipeline depth is
// built from it. A bit-serial unit (mvau_lanes_bitserial) takes a beat of
// the group's w-bit weights in w cycles, one weight bit each: its beats
// enter w cycles apart, and its latency here counts from a beat's last
// cycle (the probed cycles - (w - 1)), which is where the MVAU's loop writes
// from (models/pe/pe_timing.h, bit_serial_pipeline_depth). Whether the unit keeps to it under the stage's real stalls
// is checked beat by beat while it runs (rtl_pe_array.h).
#pragma once

#include <memory>
#include <vector>

#include "models/pe/rtl_lanes.h"
#include "models/pe/rtl_unit_stats.h"
#include "sim/arith/arithmetic.h"
#include "sim/ir/network.h"

namespace vine::models {

class RtlDotProductUnit : public RtlUnitStats {
 public:
  // `pes` are the PE instances of the unit `config` says how they were built
  // (its SIMD, lane code widths W, E or none, A and MW). The rows' weight
  // codes are in `w`'s arithmetic and width, which may be narrower than the
  // unit's (a unit sized for the widest group): rows [first_row, first_row +
  // rows) of `weight_codes` (row-major, `width` codes a row).
  RtlDotProductUnit(std::vector<std::unique_ptr<RtlLanes>> pes, LanesConfig config, const ir::WeightType& w,
                    const arith::ActivationType& act, int acc_bits, bool acc_signed, const int32_t* weight_codes,
                    int64_t first_row, int64_t rows, int64_t width);

  const char* arithmetic() const { return arithmetic_; }
  int64_t first_row() const { return first_; }
  int64_t rows() const { return rows_; }
  bool holds(int64_t row) const { return row >= first_ && row < first_ + rows_; }
  int64_t folds() const { return folds_; }
  int simd() const { return simd_; }
  // Cycles a beat occupies the unit: the group's weight bits on a
  // bit-serial unit, else 1.
  int beat_cycles() const { return beat_cycles_; }
  // Cycles from a beat's first cycle to its result: latency() + beat_cycles() - 1.
  int pipeline_cycles() const { return latency_ + beat_cycles_ - 1; }
  int pes() const { return int(pes_.size()); }
  size_t act_words() const { return act_words_; }
  int acc_bits() const { return acc_bits_; }
  bool acc_signed() const { return acc_signed_; }

  // SIMD activation codes packed as the in_acts port takes them (act_words() words).
  void pack_acts(const int32_t* codes, uint32_t* words) const;
  // One clock cycle of PE `pe`'s unit with clock enable `en`: with `row` >= 0
  // the beat of fold `fold` of that weight row on activations `acts` (packed),
  // else no beat (in_valid = 0). Returns out_valid after the edge and, when
  // high, the accumulator's value in `value`.
  bool clock(int pe, bool en, int64_t row, int64_t fold, const uint32_t* acts, int64_t& value) {
    count(en);
    uint64_t raw = 0;
    const bool valid = row >= 0
                           ? pes_[size_t(pe)]->clock(en, true, fold == 0, fold == folds_ - 1,
                                                     &weights_[size_t((row - first_) * folds_ + fold) * weight_words_],
                                                     acts, raw)
                           : pes_[size_t(pe)]->clock(en, false, false, false, zeros_.data(), zeros_.data(), raw);
    if (valid) value = to_value(raw);
    return valid;
  }

 private:
  int probe_latency();
  int64_t to_value(uint64_t raw) const {
    if (!acc_signed_ || acc_bits_ >= 64) return int64_t(raw);
    const uint64_t sign = uint64_t{1} << (acc_bits_ - 1);
    return int64_t((raw ^ sign) - sign);
  }

  std::vector<std::unique_ptr<RtlLanes>> pes_;
  const char* arithmetic_;
  int simd_, lane_weight_bits_, act_bits_, acc_bits_, beat_cycles_;
  bool acc_signed_;
  int64_t first_, rows_, folds_;
  size_t weight_words_, act_words_;  // 32-bit words per fold beat
  std::vector<uint32_t> weights_;    // [row][fold][word]
  std::vector<uint32_t> zeros_;
};

}  // namespace vine::models
