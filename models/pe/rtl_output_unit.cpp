#include "models/pe/rtl_output_unit.h"

#include <algorithm>
#include <stdexcept>

#include "models/pe/rtl_fields.h"

namespace vine::models {

RtlOutputUnit::RtlOutputUnit(std::vector<std::unique_ptr<RtlOutput>> pes, LanesConfig config, const ir::Layer& l,
                             const golden::LayerParams& p)
    : RtlUnitStats(std::move(config)), pes_(std::move(pes)) {
  if (pes_.empty()) throw std::invalid_argument("RtlOutputUnit: " + config_.key() + " with no PE instance");
  const int acc_bits = config_.get("ACC_BITS");
  const bool acc_signed = config_.get("ACC_SIGNED") != 0;
  acc_mask_ = low_bits(-1, acc_bits);
  out_bits_ = config_.get("OUT_BITS");
  const std::string what = "the " + config_.unit + " RTL '" + config_.key() + "' of layer " + l.name;
  if (config_.unit == "multithreshold") {
    const golden::Thresholds& t = p.thresholds;
    const int n = config_.get("N"), t_bits = config_.get("T_BITS");
    if (t.steps != n) throw std::invalid_argument(what + " holds " + std::to_string(n) + " thresholds a channel, the layer has " + std::to_string(t.steps));
    if (t.out_bias != config_.get("OUT_BIAS"))
      throw std::invalid_argument(what + " adds " + std::to_string(config_.get("OUT_BIAS")) +
                                  ", the layer's thresholds " + std::to_string(t.out_bias));
    out_signed_ = t.out_bias < 0;
    // A threshold below the accumulator's least value is always reached and
    // one above its greatest never: clamped to [min, max + 1] they compare
    // the same, and T_BITS holds them.
    const int64_t acc_min = acc_signed ? -(int64_t{1} << (acc_bits - 1)) : 0;
    const int64_t acc_max = acc_signed ? (int64_t{1} << (acc_bits - 1)) - 1 : int64_t(acc_mask_);
    const size_t rows = t.steps ? t.values.size() / size_t(t.steps) : 0;
    per_channel_ = rows > 1;
    param_words_ = size_t((int64_t{n} * t_bits + 31) / 32);
    params_.assign(std::max<size_t>(rows, 1) * param_words_, 0);
    for (size_t r = 0; r < rows; ++r)
      for (int i = 0; i < n; ++i)
        put_field(&params_[r * param_words_], int64_t{i} * t_bits, t_bits,
                  low_bits(std::clamp(t.values[r * size_t(n) + size_t(i)], acc_min, acc_max + 1), t_bits));
  } else {
    const golden::Requantizer& r = p.requant;
    if (r.rounding != arith::Rounding::kHalfUp)
      throw std::invalid_argument(what + " rounds half up (as the hardware does); the layer rounds half to even");
    out_signed_ = config_.get("OUT_SIGNED") != 0;
    const int m_bits = config_.get("M_BITS"), s_bits = config_.get("S_BITS"), zp_bits = config_.get("ZP_BITS");
    const int64_t m_lim = int64_t{1} << (m_bits - 1);
    const int64_t zp_lim = int64_t{1} << (zp_bits - 1);
    const int64_t out_lo = out_signed_ ? -(int64_t{1} << (out_bits_ - 1)) : 0;
    const int64_t out_hi = out_signed_ ? (int64_t{1} << (out_bits_ - 1)) - 1 : (int64_t{1} << out_bits_) - 1;
    if (r.zero_point < -zp_lim || r.zero_point >= zp_lim || r.lo < out_lo || r.hi > out_hi || r.lo > r.hi)
      throw std::invalid_argument(what + ": zero point " + std::to_string(r.zero_point) + " or clamp [" +
                                  std::to_string(r.lo) + ", " + std::to_string(r.hi) + "] outside its ports");
    per_channel_ = r.multiplier.size() > 1;
    param_words_ = kRequantParams;
    params_.assign(r.multiplier.size() * param_words_, 0);
    for (size_t c = 0; c < r.multiplier.size(); ++c) {
      // A left shift (shift < 0) is the multiplier M x 2^-shift.
      int64_t m = r.multiplier[c];
      int shift = r.shift[c];
      for (; shift < 0 && m > -m_lim && m < m_lim; ++shift) m *= 2;
      if (shift < 0 || m < -m_lim || m >= m_lim || shift >= (1 << s_bits))
        throw std::invalid_argument(what + ": channel " + std::to_string(c) + "'s multiplier " +
                                    std::to_string(r.multiplier[c]) + " and shift " + std::to_string(r.shift[c]) +
                                    " do not fit " + std::to_string(m_bits) + " signed multiplier bits and shifts 0.." +
                                    std::to_string((1 << s_bits) - 1));
      uint32_t* w = &params_[c * param_words_];
      w[0] = uint32_t(low_bits(m, m_bits));
      w[1] = uint32_t(shift);
      w[2] = uint32_t(low_bits(r.zero_point, zp_bits));
      w[3] = uint32_t(low_bits(r.lo, out_bits_));
      w[4] = uint32_t(low_bits(r.hi, out_bits_));
    }
  }
  latency_ = probe_latency();
  for (auto& u : pes_) u->reset();
  cycles_ = 0;
  stall_cycles_ = 0;
}

// The one-shot probe: one beat with en held high, then cycles until out_valid.
int RtlOutputUnit::probe_latency() {
  RtlOutput& u = *pes_.front();
  u.reset();
  const uint32_t zero[2] = {0, 0};
  uint64_t y = 0;
  bool valid = u.clock(true, true, zero, params_.data(), y);
  int cycles = 1;
  for (; !valid; ++cycles) {
    if (cycles > 256)
      throw std::runtime_error("RTL unit " + config_.key() + ": no out_valid within 256 cycles of a beat");
    valid = u.clock(true, false, zero, params_.data(), y);
  }
  return cycles;
}

}  // namespace vine::models
