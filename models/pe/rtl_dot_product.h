// One channel group of a PE array on Verilated lanes units: the group's
// weight rows as the PEs' weight memories hold them, and one instance of the
// lanes unit per PE, as the hardware has. A row's dot product is SF fold
// beats through a PE's unit, SIMD lanes per beat; the unit's accumulator is
// the row's value. The stage's PE array (rtl_pe_array.h) clocks the
// instances with its pipeline's advance and stall pattern. A PE array unit
// (mvau_lanes_binary_pes, models::is_pe_array_unit) is one instance holding
// the units of up to kPeArrayMaxPes PEs, clocked with one evaluation a cycle
// for all of them: a stage's PEs take ceil(PE / its PE count) of them, PE p
// on instance p / its count (the last one's spare PEs fed zeros, their
// results unused).
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
  // `pes` are the instances of the unit `config` says how they were built
  // (its SIMD, lane code widths W, E or none, A and MW) serving the stage's
  // `pe` PEs: one a PE, or PE array units of one size covering them. The rows' weight
  // codes are in `w`'s arithmetic and width, which may be narrower than the
  // unit's (a unit sized for the widest group): rows [first_row, first_row +
  // rows) of `weight_codes` (row-major, `width` codes a row).
  RtlDotProductUnit(std::vector<std::unique_ptr<RtlLanes>> pes, int pe, LanesConfig config, const ir::WeightType& w,
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
  int pes() const { return pe_count_; }
  // Whether an instance serves several PEs (its activations port takes a
  // copy a PE, act_words() words each, where a per-PE unit takes one PE's).
  bool pe_array() const { return array_pes_ > 1; }
  size_t act_words() const { return act_words_; }
  int acc_bits() const { return acc_bits_; }
  bool acc_signed() const { return acc_signed_; }

  // SIMD activation codes packed as the in_acts port takes them (act_words() words).
  void pack_acts(const int32_t* codes, uint32_t* words) const;
  // One clock cycle of every PE's unit with clock enable `en`: with
  // `first_row` >= 0 PE p takes the beat of fold `fold` of weight row
  // first_row + p on activations `acts` (packed, PE p's at word p *
  // `act_stride`: act_words(), or 0 when the PEs share one copy, which a PE
  // array unit cannot), else no beat (in_valid = 0). Sets out_valid[p] after
  // the edge and, where it is high, the accumulator's value in value[p].
  // Returns whether any out_valid is high.
  bool clock_all(bool en, int64_t first_row, int64_t fold, const uint32_t* acts, size_t act_stride,
                 char* out_valid, int64_t* value);

 private:
  int probe_latency();
  int64_t to_value(uint64_t raw) const {
    if (!acc_signed_ || acc_bits_ >= 64) return int64_t(raw);
    const uint64_t sign = uint64_t{1} << (acc_bits_ - 1);
    return int64_t((raw ^ sign) - sign);
  }

  // The first word of the PEs' weights for the beat of fold `fold` of rows
  // first_row.. (PE p's at + p * weight_words_).
  const uint32_t* beat_weights(int64_t first_row, int64_t fold) const;

  std::vector<std::unique_ptr<RtlLanes>> pes_;
  int pe_count_;
  int array_pes_;  // PEs an instance serves (1: a unit a PE)
  const char* arithmetic_;
  int simd_, lane_weight_bits_, act_bits_, acc_bits_, beat_cycles_;
  bool acc_signed_;
  int64_t first_, rows_, folds_;
  size_t weight_words_, act_words_;  // 32-bit words per fold beat
  // [row / PE][fold][row % PE][word]: a beat's PE weights in a row, as a
  // PE array unit's port takes them.
  std::vector<uint32_t> weights_;
  std::vector<uint32_t> zeros_;  // PE x the widest port's words
  std::vector<uint64_t> raw_;    // per PE: the accumulators' bits
  // The last PE array instance's ports when its PEs run past the stage's:
  // its live PEs' words copied in, the spare PEs' zero.
  std::vector<uint32_t> pad_weights_, pad_acts_;
  std::vector<char> pad_valid_;
  std::vector<uint64_t> pad_raw_;
};

}  // namespace vine::models
