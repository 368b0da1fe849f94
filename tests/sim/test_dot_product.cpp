// The C++ PE back-end's dot-product units against the reference lane
// arithmetic (arith::lane_product), for every weight code of each arithmetic
// on every activation code of each activation kind. Under the sanitizer
// suite (scripts/sanitize) it also shows that no unit relies on undefined
// behaviour: the pow2 unit shifted negative (signed) activations left.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/pe/dot_product.h"

using namespace vine;
using arith::ActivationKind;
using arith::WeightArithmetic;

namespace {

struct Weights {
  ir::WeightType type;
  std::vector<int32_t> codes;  // every valid code
};

std::vector<Weights> every_arithmetic() {
  std::vector<Weights> out;
  ir::WeightType fixed;
  fixed.arithmetic = WeightArithmetic::kFixed;
  fixed.bits = 3;
  out.push_back({fixed, {-4, -3, -2, -1, 0, 1, 2, 3}});
  ir::WeightType pow2;
  pow2.arithmetic = WeightArithmetic::kPow2;
  pow2.exponent_bits = 2;
  pow2.bits = 4;
  std::vector<int32_t> pow2_codes;
  for (int sign = 0; sign < 2; ++sign)
    for (int e = 0; e < 4; ++e) pow2_codes.push_back(arith::pow2_code(false, sign, e, 2));
  pow2_codes.push_back(arith::pow2_code(true, false, 0, 2));
  out.push_back({pow2, pow2_codes});
  ir::WeightType binary;
  binary.arithmetic = WeightArithmetic::kBinary;
  binary.bits = 1;
  out.push_back({binary, {0, 1}});
  ir::WeightType ternary;
  ternary.arithmetic = WeightArithmetic::kTernary;
  ternary.bits = 2;
  out.push_back({ternary, {0, 1, 3}});
  return out;
}

std::vector<arith::ActivationType> every_activation_kind() {
  return {
      {ActivationKind::kUnsigned, 3}, {ActivationKind::kSigned, 3}, {ActivationKind::kBipolar, 1}};
}

}  // namespace

TEST(DotProduct, EveryUnitSumsTheReferenceLaneProducts) {
  for (const Weights& w : every_arithmetic())
    for (const arith::ActivationType& act : every_activation_kind()) {
      SCOPED_TRACE(std::string(arith::to_string(w.type.arithmetic)) + " weights, activation kind " +
                   std::to_string(int(act.kind)));
      // Row r holds the codes rotated by r: every weight code meets every
      // activation code in some lane.
      std::vector<int32_t> acts;
      for (int64_t c = act.min_code(); c <= act.max_code(); ++c) acts.push_back(int32_t(c));
      const int64_t rows = int64_t(w.codes.size()), width = int64_t(acts.size());
      std::vector<int32_t> matrix;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < width; ++j) matrix.push_back(w.codes[size_t((r + j) % rows)]);
      const auto unit = models::make_dot_product_unit(w.type, act, arith::Range{-1000000, 1000000},
                                                      matrix.data(), 0, rows, width);
      unit->load(acts.data());
      for (int64_t r = 0; r < rows; ++r) {
        int64_t want = 0;
        for (int64_t j = 0; j < width; ++j)
          want += arith::lane_product(w.type.arithmetic, matrix[size_t(r * width + j)],
                                      w.type.exponent_bits, act.kind, acts[size_t(j)]);
        EXPECT_EQ(unit->dot(r), want) << "row " << r;
      }
    }
}
