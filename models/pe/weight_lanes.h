// The PE lanes of a layer whose weights arrive on a stream (FINN's external
// weight mode, models/layers/weight_streamer.h): each beat's weights are
// multiplied with the activations they meet and added into the PE's
// accumulator there and then, as the hardware's lanes do; nothing is held
// but the accumulators. Each output channel's weight arithmetic is its
// channel group's.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/arith/arithmetic.h"
#include "sim/ir/network.h"

namespace vine::models {

class WeightLanes {
 public:
  explicit WeightLanes(const ir::Layer& l) : act_(l.in_type.kind) {
    for (int64_t r = 0; r < l.matrix_height(); ++r) {
      const ir::WeightType& w = l.weight_type_of_channel(int(r));
      arith_.push_back(w.arithmetic);
      exponent_bits_.push_back(w.exponent_bits);
    }
  }
  // Output channel `row`'s lane: the weight code times the activation code.
  int64_t product(int64_t row, int32_t weight_code, int32_t act_code) const {
    return arith::lane_product(arith_[size_t(row)], weight_code, exponent_bits_[size_t(row)], act_, act_code);
  }
  // An MVAU weight word: rows first_row .. first_row + pe - 1, `simd` weights
  // each (element p * simd + j), against the `simd` activations `x`, added
  // into acc[0 .. pe-1].
  void accumulate_word(int64_t first_row, int pe, int simd, const int32_t* word, const int32_t* x,
                       int64_t* acc) const {
    for (int p = 0; p < pe; ++p) {
      int64_t sum = 0;
      for (int j = 0; j < simd; ++j) sum += product(first_row + p, word[p * simd + j], x[j]);
      acc[p] += sum;
    }
  }

 private:
  arith::ActivationKind act_;
  std::vector<arith::WeightArithmetic> arith_;
  std::vector<int> exponent_bits_;
};

}  // namespace vine::models
