// The PE x SIMD arithmetic behind an MVAU or VVAU: the dot product of one
// weight row with the input vector, over the whole row (all SF folds), in the
// arithmetic of the row's weights. One implementation per arithmetic; the RTL
// co-simulation back-end (rtl_dot_product.h) plugs in behind the same interface.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/arith/arithmetic.h"
#include "sim/ir/network.h"

namespace vine::models {

class DotProductUnit {
 public:
  virtual ~DotProductUnit() = default;
  // Takes the input vector (activation codes, `width` of them) for the rows that follow.
  virtual void load(const int32_t* codes) = 0;
  // Sum over the vector of arith::lane_product(weight[row][j], code[j]).
  virtual int64_t dot(int64_t row) const = 0;
  // The dot products of rows first .. first+count-1, as a PE array computes
  // one neuron fold; a clocked back-end streams them back to back.
  virtual void dot_rows(int64_t first, int count, int64_t* out) const {
    for (int i = 0; i < count; ++i) out[i] = dot(first + i);
  }
  virtual const char* arithmetic() const = 0;
};

// `weight_codes` holds `rows` x `width` codes (row-major) as weight memory
// stores them; rows outside [first_row, first_row + rows) are never asked for.
// The unit for the weight type's arithmetic, on activations of type `act`.
std::unique_ptr<DotProductUnit> make_dot_product_unit(const ir::WeightType& w, const arith::ActivationType& act,
                                                      const arith::Range& acc_range, const int32_t* weight_codes,
                                                      int64_t first_row, int64_t rows, int64_t width);

}  // namespace vine::models
