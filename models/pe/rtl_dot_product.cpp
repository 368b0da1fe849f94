#include "models/pe/rtl_dot_product.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vine::models {

namespace {

uint64_t low_bits(int64_t v, int bits) { return uint64_t(v) & (bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1); }

void put_field(std::vector<uint32_t>& words, size_t base, int64_t lsb, int bits, uint64_t v) {
  for (int b = 0; b < bits; ++b)
    if ((v >> b) & 1) {
      const int64_t bit = lsb + b;
      words[base + size_t(bit / 32)] |= uint32_t{1} << (bit % 32);
    }
}

bool bit_serial(const LanesConfig& c) { return c.unit == "mvau_lanes_bitserial"; }

// A fixed-point lane's weight field: W bits, or W_MAX on the bit-serial unit
// (a narrower group's w-bit codes in its low bits, two's complement).
int fixed_bits(const LanesConfig& c) { return bit_serial(c) ? c.get("W_MAX") : c.get("W"); }

// The lane's weight code as the unit's port takes it, from the code in weight
// memory (in the row's own arithmetic and width).
uint64_t lane_weight_code(const LanesConfig& c, const ir::WeightType& w, int32_t code) {
  using arith::WeightArithmetic;
  switch (w.arithmetic) {
    case WeightArithmetic::kFixed: return low_bits(code, fixed_bits(c));
    case WeightArithmetic::kPow2: {
      const int e_unit = c.get("E");
      const int value = arith::weight_value(WeightArithmetic::kPow2, code, w.exponent_bits);
      if (value == 0) return uint64_t(arith::pow2_code(true, false, 0, e_unit));
      const int e = code & ((1 << w.exponent_bits) - 1);
      return uint64_t(arith::pow2_code(false, value < 0, e, e_unit));
    }
    case WeightArithmetic::kBinary: return uint64_t(code & 1);
    case WeightArithmetic::kTernary: return uint64_t(code & 3);
  }
  return 0;
}

// The width of that code on the unit's port.
int lane_weight_bits(const LanesConfig& c, arith::WeightArithmetic a) {
  using arith::WeightArithmetic;
  switch (a) {
    case WeightArithmetic::kFixed: return fixed_bits(c);
    case WeightArithmetic::kPow2: return c.get("E") + 2;
    case WeightArithmetic::kBinary: return 1;
    case WeightArithmetic::kTernary: return 2;
  }
  return 0;
}

}  // namespace

RtlDotProductUnit::RtlDotProductUnit(std::vector<std::unique_ptr<RtlLanes>> pes, LanesConfig config,
                                     const ir::WeightType& w, const arith::ActivationType& act, int acc_bits,
                                     bool acc_signed, const int32_t* codes, int64_t first_row, int64_t rows,
                                     int64_t width)
    : RtlUnitStats(std::move(config)),
      pes_(std::move(pes)),
      arithmetic_(arith::to_string(w.arithmetic)),
      simd_(config_.get("SIMD")),
      lane_weight_bits_(lane_weight_bits(config_, w.arithmetic)),
      act_bits_(config_.get("A")),
      acc_bits_(acc_bits),
      beat_cycles_(bit_serial(config_) ? w.bits : 1),
      acc_signed_(acc_signed),
      first_(first_row),
      rows_(rows),
      folds_(width / simd_),
      weight_words_(size_t((int64_t{simd_} * lane_weight_bits_ + 31) / 32)),
      act_words_(size_t((int64_t{simd_} * act_bits_ + 31) / 32)),
      weights_(size_t(rows * folds_) * weight_words_),
      zeros_(std::max<size_t>(1, std::max(weight_words_, act_words_))) {
  if (pes_.empty()) throw std::invalid_argument("RtlDotProductUnit: " + config_.key() + " with no PE instance");
  if (width % simd_ != 0 || config_.get("MW") != width)
    throw std::invalid_argument("RtlDotProductUnit: " + config_.key() + " does not fold a row of " +
                                std::to_string(width) + " weights");
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < width; ++j) {
      const size_t base = size_t(r * folds_ + j / simd_) * weight_words_;
      put_field(weights_, base, (j % simd_) * lane_weight_bits_, lane_weight_bits_,
                lane_weight_code(config_, w, codes[(first_row + r) * width + j]));
    }
  if (bit_serial(config_)) {
    if (w.arithmetic != arith::WeightArithmetic::kFixed || w.bits < 1 || w.bits > config_.get("W_MAX"))
      throw std::invalid_argument("RtlDotProductUnit: " + config_.key() + " for " +
                                  std::to_string(w.bits) + "-bit " + arith::to_string(w.arithmetic) + " weights");
    for (auto& p : pes_) p->set_weight_bits(w.bits);
  }
  latency_ = probe_latency() - (beat_cycles_ - 1);
  for (auto& p : pes_) p->reset();
  cycles_ = 0;
}

// The one-shot probe: one beat with en held high, then cycles until out_valid.
int RtlDotProductUnit::probe_latency() {
  RtlLanes& u = *pes_.front();
  u.reset();
  uint64_t acc = 0;
  bool valid = u.clock(true, true, true, true, zeros_.data(), zeros_.data(), acc);
  int cycles = 1;
  for (; !valid; ++cycles) {
    if (cycles > 256)
      throw std::runtime_error("RTL unit " + config_.key() + ": no out_valid within 256 cycles of a beat");
    valid = u.clock(true, false, false, false, zeros_.data(), zeros_.data(), acc);
  }
  return cycles;
}

void RtlDotProductUnit::pack_acts(const int32_t* codes, uint32_t* words) const {
  std::fill(words, words + act_words_, 0);
  for (int j = 0; j < simd_; ++j) {
    const uint64_t v = low_bits(codes[j], act_bits_);
    for (int b = 0; b < act_bits_; ++b)
      if ((v >> b) & 1) {
        const int64_t bit = int64_t{j} * act_bits_ + b;
        words[size_t(bit / 32)] |= uint32_t{1} << (bit % 32);
      }
  }
}

}  // namespace vine::models
