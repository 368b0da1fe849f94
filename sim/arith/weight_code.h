// From a weight's value to its code in weight memory: how weights given as
// values (a network's weights_file, docs/data.md) are stored.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/arith/arithmetic.h"

namespace vine::arith {

// The code of weight value `value` (weight_value's inverse), or nothing when
// the arithmetic has no such weight. pow2 zero is the code with the zero flag
// and no sign.
inline std::optional<int32_t> weight_code(WeightArithmetic a, int64_t value, int bits, int exponent_bits = 0) {
  switch (a) {
    case WeightArithmetic::kFixed: {
      const int64_t lim = int64_t{1} << (bits - 1);
      if (value >= -lim && value < lim) return int32_t(value);
      return std::nullopt;
    }
    case WeightArithmetic::kPow2: {
      if (value == 0) return pow2_code(true, false, 0, exponent_bits);
      const uint64_t mag = value < 0 ? uint64_t(0) - uint64_t(value) : uint64_t(value);
      for (int e = 0; e < (1 << exponent_bits); ++e)
        if (mag == uint64_t{1} << e) return pow2_code(false, value < 0, e, exponent_bits);
      return std::nullopt;
    }
    case WeightArithmetic::kBinary:
      if (value == 1 || value == -1) return value == 1 ? 1 : 0;
      return std::nullopt;
    case WeightArithmetic::kTernary:
      if (value == 0 || value == 1) return int32_t(value);
      if (value == -1) return 3;
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace vine::arith
