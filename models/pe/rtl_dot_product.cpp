#include "models/pe/rtl_dot_product.h"

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

// The lane's weight code as the unit's port takes it, from the code in weight
// memory (in the row's own arithmetic and width).
uint64_t lane_weight_code(const LanesConfig& c, const ir::WeightType& w, int32_t code) {
  using arith::WeightArithmetic;
  switch (w.arithmetic) {
    case WeightArithmetic::kFixed: return low_bits(code, c.get("W"));
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
    case WeightArithmetic::kFixed: return c.get("W");
    case WeightArithmetic::kPow2: return c.get("E") + 2;
    case WeightArithmetic::kBinary: return 1;
    case WeightArithmetic::kTernary: return 2;
  }
  return 0;
}

}  // namespace

RtlDotProductUnit::RtlDotProductUnit(std::unique_ptr<RtlLanes> lanes, LanesConfig config, const ir::WeightType& w,
                                     const arith::ActivationType& act, int acc_bits, bool acc_signed,
                                     const int32_t* codes, int64_t first_row, int64_t rows, int64_t width)
    : lanes_(std::move(lanes)),
      config_(std::move(config)),
      arithmetic_(arith::to_string(w.arithmetic)),
      simd_(config_.get("SIMD")),
      lane_weight_bits_(lane_weight_bits(config_, w.arithmetic)),
      act_bits_(config_.get("A")),
      acc_bits_(acc_bits),
      acc_signed_(acc_signed),
      first_(first_row),
      folds_(width / simd_),
      weight_words_(size_t((int64_t{simd_} * lane_weight_bits_ + 31) / 32)),
      act_words_(size_t((int64_t{simd_} * act_bits_ + 31) / 32)),
      weights_(size_t(rows * folds_) * weight_words_),
      acts_(size_t(folds_) * act_words_),
      zeros_(std::max(weight_words_, act_words_)) {
  if (width % simd_ != 0 || config_.get("MW") != width)
    throw std::invalid_argument("RtlDotProductUnit: " + config_.key() + " does not fold a row of " +
                                std::to_string(width) + " weights");
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < width; ++j) {
      const size_t base = size_t(r * folds_ + j / simd_) * weight_words_;
      put_field(weights_, base, (j % simd_) * lane_weight_bits_, lane_weight_bits_,
                lane_weight_code(config_, w, codes[(first_row + r) * width + j]));
    }
  latency_ = measure_latency();
}

int RtlDotProductUnit::measure_latency() {
  lanes_->reset();
  uint64_t acc = 0;
  bool valid = lanes_->clock(true, true, true, zeros_.data(), zeros_.data(), acc);
  int cycles = 1;
  for (; !valid; ++cycles) {
    if (cycles > 256)
      throw std::runtime_error("RTL unit " + config_.key() + ": no out_valid within 256 cycles of a beat");
    valid = lanes_->clock(false, false, false, zeros_.data(), zeros_.data(), acc);
  }
  return cycles;
}

void RtlDotProductUnit::load(const int32_t* codes) {
  std::fill(acts_.begin(), acts_.end(), 0);
  for (int64_t j = 0; j < folds_ * simd_; ++j)
    put_field(acts_, size_t(j / simd_) * act_words_, (j % simd_) * act_bits_, act_bits_, low_bits(codes[j], act_bits_));
}

int64_t RtlDotProductUnit::dot(int64_t row) const {
  int64_t v = 0;
  dot_rows(row, 1, &v);
  return v;
}

// Rows stream through at one fold beat per cycle; the result of the row whose
// last beat entered at cycle e must be on out_acc after cycle e + latency - 1,
// and in no other cycle may out_valid be high.
void RtlDotProductUnit::dot_rows(int64_t first, int count, int64_t* out) const {
  due_.clear();
  int got = 0;
  int64_t cycle = 0;  // cycles driven in this call
  uint64_t raw = 0;
  auto collect = [&] {
    if (got >= int(due_.size()) || due_[size_t(got)] != cycle)
      throw std::runtime_error(
          "RTL unit " + config_.key() + ": a result left " +
          (got < int(due_.size()) ? std::to_string(cycle - due_[size_t(got)] + latency_) + " cycles after its last beat"
                                  : std::string("with no beat to produce it")) +
          ", the unit's measured latency is " + std::to_string(latency_));
    int64_t v = int64_t(raw);
    if (acc_signed_ && acc_bits_ < 64) {
      const uint64_t sign = uint64_t{1} << (acc_bits_ - 1);
      v = int64_t((raw ^ sign) - sign);
    }
    out[got++] = v;
  };
  for (int i = 0; i < count; ++i) {
    const uint32_t* w = &weights_[size_t((first + i - first_) * folds_) * weight_words_];
    for (int64_t sf = 0; sf < folds_; ++sf) {
      const bool last = sf == folds_ - 1;
      const bool valid =
          lanes_->clock(true, sf == 0, last, w + size_t(sf) * weight_words_, &acts_[size_t(sf) * act_words_], raw);
      ++cycle;
      if (last) due_.push_back(cycle + latency_ - 1);
      if (valid) collect();
    }
  }
  while (got < count) {
    if (cycle > due_.back())
      throw std::runtime_error("RTL unit " + config_.key() + ": no result " + std::to_string(latency_) +
                               " cycles after the last beat (its measured latency)");
    const bool valid = lanes_->clock(false, false, false, zeros_.data(), zeros_.data(), raw);
    ++cycle;
    if (valid) collect();
  }
  cycles_ += cycle;
}

}  // namespace vine::models
