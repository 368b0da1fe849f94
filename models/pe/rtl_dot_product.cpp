#include "models/pe/rtl_dot_product.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "models/pe/rtl_fields.h"

namespace vine::models {

namespace {

// The low bits of `n` (at most 32) codes as one word, code j's at bit j: four
// codes at a time where SSE2 is there (each code's low bit shifted into its
// sign bit, the four signs gathered by movemask), else one at a time.
uint32_t low_bits_word(const int32_t* codes, int n) {
  uint32_t word = 0;
  int j = 0;
#ifdef __SSE2__
  for (; j + 4 <= n; j += 4) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + j));
    word |= uint32_t(_mm_movemask_ps(_mm_castsi128_ps(_mm_slli_epi32(v, 31)))) << j;
  }
#endif
  for (; j < n; ++j) word |= uint32_t(codes[j] & 1) << j;
  return word;
}

bool bit_serial(const LanesConfig& c) { return c.unit == "mvau_lanes_bitserial"; }

int array_pes_of(const std::vector<std::unique_ptr<RtlLanes>>& pes) { return pes.empty() ? 1 : pes.front()->pes(); }

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

RtlDotProductUnit::RtlDotProductUnit(std::vector<std::unique_ptr<RtlLanes>> pes, int pe, LanesConfig config,
                                     const ir::WeightType& w, const arith::ActivationType& act, int acc_bits,
                                     bool acc_signed, const int32_t* codes, int64_t first_row, int64_t rows,
                                     int64_t width)
    : RtlUnitStats(std::move(config)),
      pes_(std::move(pes)),
      pe_count_(pe),
      array_pes_(array_pes_of(pes_)),
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
      weights_(size_t((rows + pe_count_ - 1) / std::max(1, pe_count_) * pe_count_ * folds_) * weight_words_),
      zeros_(size_t(std::max({1, pe_count_, array_pes_})) * std::max<size_t>(1, std::max(weight_words_, act_words_))),
      raw_(size_t(std::max(1, pe_count_))) {
  if (pes_.empty()) throw std::invalid_argument("RtlDotProductUnit: " + config_.key() + " with no PE instance");
  for (const auto& p : pes_)
    if (p->pes() != array_pes_)
      throw std::invalid_argument("RtlDotProductUnit: " + config_.key() + ": instances of " +
                                  std::to_string(array_pes_) + " and " + std::to_string(p->pes()) + " PEs");
  // Every PE on an instance, and every instance with a PE of the stage.
  if (pe_count_ < 1 || int64_t(pes_.size()) * array_pes_ < pe_count_ ||
      int64_t(pes_.size() - 1) * array_pes_ >= pe_count_)
    throw std::invalid_argument("RtlDotProductUnit: " + config_.key() + ": " + std::to_string(pes_.size()) +
                                " instance(s) of " + std::to_string(array_pes_) + " PE(s) for a stage of " +
                                std::to_string(pe_count_) + " PEs");
  if (const int live = pe_count_ - int(pes_.size() - 1) * array_pes_; live < array_pes_) {
    pad_weights_.assign(size_t(array_pes_) * weight_words_, 0);
    pad_acts_.assign(size_t(array_pes_) * act_words_, 0);
    pad_valid_.assign(size_t(array_pes_), 0);
    pad_raw_.assign(size_t(array_pes_), 0);
  }
  if (width % simd_ != 0 || config_.get("MW") != width)
    throw std::invalid_argument("RtlDotProductUnit: " + config_.key() + " does not fold a row of " +
                                std::to_string(width) + " weights");
  // The port's code of every code the rows can hold, looked up per weight
  // (the unit's parameters are read once, not per weight).
  const int code_bits = w.arithmetic == arith::WeightArithmetic::kFixed ? 0 : w.bits;
  std::vector<uint64_t> port_code(size_t{1} << code_bits);
  for (size_t k = 0; k < port_code.size(); ++k) port_code[k] = lane_weight_code(config_, w, int32_t(k));
  const uint64_t fixed_mask = low_bits(-1, lane_weight_bits_);
  const uint64_t code_mask = port_code.size() - 1;
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t* row = &codes[(first_row + r) * width];
    for (int64_t f = 0; f < folds_; ++f) {
      uint32_t* beat = &weights_[size_t(((r / pe_count_) * folds_ + f) * pe_count_ + r % pe_count_) * weight_words_];
      for (int s = 0; s < simd_; ++s) {
        const int32_t code = row[f * simd_ + s];
        const uint64_t v = code_bits ? port_code[uint64_t(code) & code_mask] : uint64_t(code) & fixed_mask;
        if (v) put_field(beat, int64_t{s} * lane_weight_bits_, lane_weight_bits_, v);
      }
    }
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

// The one-shot probe: one beat with en held high, then cycles until out_valid
// (PE 0's, on a PE array unit all of whose PEs take the beat).
int RtlDotProductUnit::probe_latency() {
  RtlLanes& u = *pes_.front();
  u.reset();
  std::vector<char> valid(size_t(u.pes()));
  std::vector<uint64_t> raw(size_t(u.pes()));
  u.clock_pes(true, true, true, true, zeros_.data(), zeros_.data(), valid.data(), raw.data());
  int cycles = 1;
  for (; !valid[0]; ++cycles) {
    if (cycles > 256)
      throw std::runtime_error("RTL unit " + config_.key() + ": no out_valid within 256 cycles of a beat");
    u.clock_pes(true, false, false, false, zeros_.data(), zeros_.data(), valid.data(), raw.data());
  }
  return cycles;
}

const uint32_t* RtlDotProductUnit::beat_weights(int64_t first_row, int64_t fold) const {
  const int64_t r = first_row - first_;
  if (r < 0 || r >= rows_ || r % pe_count_ != 0)
    throw std::logic_error("RtlDotProductUnit: " + config_.key() + ": a beat of rows from " +
                           std::to_string(first_row) + ", not a PE block of rows " + std::to_string(first_) + "..");
  return &weights_[size_t(((r / pe_count_) * folds_ + fold) * pe_count_) * weight_words_];
}

bool RtlDotProductUnit::clock_all(bool en, int64_t first_row, int64_t fold, const uint32_t* acts, size_t act_stride,
                                  char* out_valid, int64_t* value) {
  count(en, pe_count_);
  const bool beat = first_row >= 0;
  const bool first = beat && fold == 0, last = beat && fold == folds_ - 1;
  const uint32_t* w = beat ? beat_weights(first_row, fold) : zeros_.data();
  if (!beat) {
    acts = zeros_.data();
    act_stride = act_words_;
  }
  bool any = false;
  if (array_pes_ > 1) {
    if (act_stride != act_words_)
      throw std::logic_error("RtlDotProductUnit: " + config_.key() + ": a PE array unit needs every PE's activations");
    const size_t k = size_t(array_pes_);
    for (size_t i = 0; i < pes_.size(); ++i) {
      const size_t p0 = i * k, live = std::min(k, size_t(pe_count_) - p0);
      const uint32_t* wi = w + p0 * weight_words_;
      const uint32_t* ai = acts + p0 * act_words_;
      if (live == k) {
        any |= pes_[i]->clock_pes(en, beat, first, last, wi, ai, out_valid + p0, &raw_[p0]);
        continue;
      }
      // The last instance's spare PEs: zeros in (set once), results dropped.
      std::copy_n(wi, live * weight_words_, pad_weights_.data());
      std::copy_n(ai, live * act_words_, pad_acts_.data());
      pes_[i]->clock_pes(en, beat, first, last, pad_weights_.data(), pad_acts_.data(), pad_valid_.data(),
                         pad_raw_.data());
      for (size_t p = 0; p < live; ++p) {
        out_valid[p0 + p] = pad_valid_[p];
        raw_[p0 + p] = pad_raw_[p];
        any |= bool(pad_valid_[p]);
      }
    }
  } else {
    for (int p = 0; p < pe_count_; ++p) {
      out_valid[p] = pes_[size_t(p)]->clock(en, beat, first, last, w + size_t(p) * weight_words_,
                                            acts + size_t(p) * act_stride, raw_[size_t(p)]);
      any |= bool(out_valid[p]);
    }
  }
  if (any)
    for (int p = 0; p < pe_count_; ++p)
      if (out_valid[p]) value[p] = to_value(raw_[size_t(p)]);
  return any;
}

void RtlDotProductUnit::pack_acts(const int32_t* codes, uint32_t* words) const {
  if (act_bits_ == 1) {  // a bit a lane (bipolar beats): 32 lanes a word
    for (size_t w = 0; w < act_words_; ++w)
      words[w] = low_bits_word(codes + w * 32, std::min(32, simd_ - int(w) * 32));
    return;
  }
  std::fill(words, words + act_words_, 0);
  const uint64_t mask = low_bits(-1, act_bits_);
  for (int j = 0; j < simd_; ++j)
    if (const uint64_t v = uint64_t(codes[j]) & mask) put_field(words, int64_t{j} * act_bits_, act_bits_, v);
}

}  // namespace vine::models
