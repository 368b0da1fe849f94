// The PE arithmetic on a Verilated lanes unit: the RTL co-simulation back-end
// behind DotProductUnit. A row's dot product is SF fold beats through the
// unit, SIMD lanes per beat, exactly as the PE's lanes see them in hardware;
// consecutive rows go through back to back (one beat per cycle, II = 1) and
// the unit's accumulator result is the row's value.
//
// The unit's pipeline latency is measured on the unit itself when the back-end
// is built (one beat in, cycles until out_valid), and every later result must
// leave exactly that many cycles after its last beat: the stage's pipeline
// depth is built from the measured number, so a unit whose latency is not what
// the C++ back-end assumes (vine_rtl_timing.h) moves the simulated cycles.
#pragma once

#include <memory>
#include <vector>

#include "models/pe/dot_product.h"
#include "models/pe/rtl_lanes.h"

namespace vine::models {

class RtlDotProductUnit final : public DotProductUnit {
 public:
  // `config` says how `lanes` was built: its SIMD, lane code widths (W, E or
  // none), A and MW. The rows' weight codes are in `w`'s arithmetic and width,
  // which may be narrower than the unit's (a unit sized for the widest group).
  RtlDotProductUnit(std::unique_ptr<RtlLanes> lanes, LanesConfig config, const ir::WeightType& w,
                    const arith::ActivationType& act, int acc_bits, bool acc_signed, const int32_t* weight_codes,
                    int64_t first_row, int64_t rows, int64_t width);

  void load(const int32_t* codes) override;
  int64_t dot(int64_t row) const override;
  void dot_rows(int64_t first, int count, int64_t* out) const override;
  const char* arithmetic() const override { return arithmetic_; }

  // Cycles from a beat's rising edge to the edge after which its result is on
  // out_acc, measured on the unit (LATENCY in rtl/README.md's terms).
  int latency() const { return latency_; }
  const LanesConfig& config() const { return config_; }
  int64_t cycles() const { return cycles_; }  // clock cycles driven so far

 private:
  int measure_latency();

  std::unique_ptr<RtlLanes> lanes_;
  LanesConfig config_;
  const char* arithmetic_;
  int simd_, lane_weight_bits_, act_bits_, acc_bits_;
  bool acc_signed_;
  int64_t first_, folds_;
  size_t weight_words_, act_words_;  // 32-bit words per fold beat
  std::vector<uint32_t> weights_;    // [row][fold][word]
  std::vector<uint32_t> acts_;       // [fold][word]
  std::vector<uint32_t> zeros_;
  int latency_ = 0;
  mutable int64_t cycles_ = 0;
  mutable std::vector<int64_t> due_;  // per row in flight: the cycle its result must show
};

}  // namespace vine::models
