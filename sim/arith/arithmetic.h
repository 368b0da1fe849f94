// The number formats of weights and activations and the reference arithmetic
// of one PE lane and of the activation units: the single definition that the
// configuration model (accumulator ranges), the golden kernels, the C++ PE
// back-ends and the RTL test benches all use. Plain C++, no SystemC; it
// belongs to none of them, so it lives apart from the golden model.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace vine::arith {

enum class WeightArithmetic { kFixed, kPow2, kBinary, kTernary };

// As the configs spell it.
inline const char* to_string(WeightArithmetic a) {
  switch (a) {
    case WeightArithmetic::kFixed: return "fixed";
    case WeightArithmetic::kPow2: return "pow2";
    case WeightArithmetic::kBinary: return "binary";
    case WeightArithmetic::kTernary: return "ternary";
  }
  return "?";
}

// How an activation code is read as a number.
//  - kUnsigned: A-bit unsigned integer, 0 .. 2^A-1.
//  - kSigned:   A-bit two's complement, -2^(A-1) .. 2^(A-1)-1.
//  - kBipolar:  1 bit, code 0 means -1 and code 1 means +1 (FINN/BNN-PYNQ).
enum class ActivationKind { kUnsigned, kSigned, kBipolar };

struct ActivationType {
  ActivationKind kind = ActivationKind::kUnsigned;
  int bits = 8;
  int64_t min_value() const {
    switch (kind) {
      case ActivationKind::kUnsigned: return 0;
      case ActivationKind::kSigned: return -(int64_t{1} << (bits - 1));
      case ActivationKind::kBipolar: return -1;
    }
    return 0;
  }
  int64_t max_value() const {
    switch (kind) {
      case ActivationKind::kUnsigned: return (int64_t{1} << bits) - 1;
      case ActivationKind::kSigned: return (int64_t{1} << (bits - 1)) - 1;
      case ActivationKind::kBipolar: return 1;
    }
    return 0;
  }
  // Codes are what travels on a stream: bipolar values travel as 0/1.
  int64_t min_code() const { return kind == ActivationKind::kBipolar ? 0 : min_value(); }
  int64_t max_code() const { return kind == ActivationKind::kBipolar ? 1 : max_value(); }
  bool operator==(const ActivationType& o) const { return kind == o.kind && bits == o.bits; }
};

inline int32_t activation_value(ActivationKind kind, int32_t code) {
  return kind == ActivationKind::kBipolar ? (code ? 1 : -1) : code;
}

// Weight codes as stored in weight memory, and their integer values.
//  - fixed:   the code is the signed W-bit value.
//  - pow2:    E+2 bits [zero flag | sign | exponent e (E bits)], value 0 when the
//             zero flag is set, else (sign ? -1 : +1) * 2^e. Tomato's per-layer
//             bias b (v = s * 2^(e-b)) is a scale 2^-b on the whole accumulator,
//             so it is folded into the layer's thresholds or requantiser and the
//             datapath only ever shifts the activation left (exact integers).
//  - binary:  1 bit, 1 means +1 and 0 means -1.
//  - ternary: 2 bits, 0b00 = 0, 0b01 = +1, 0b11 = -1 (0b10 is not a weight).
inline int32_t pow2_code(bool zero, bool negative, int exponent, int exponent_bits) {
  if (zero) return 1 << (exponent_bits + 1);
  return (negative ? (1 << exponent_bits) : 0) | exponent;
}

inline int32_t weight_value(WeightArithmetic a, int32_t code, int exponent_bits = 0) {
  switch (a) {
    case WeightArithmetic::kFixed: return code;
    case WeightArithmetic::kPow2: {
      if ((code >> (exponent_bits + 1)) & 1) return 0;
      const int e = code & ((1 << exponent_bits) - 1);
      const bool neg = (code >> exponent_bits) & 1;
      return neg ? -(1 << e) : (1 << e);
    }
    case WeightArithmetic::kBinary: return code ? 1 : -1;
    case WeightArithmetic::kTernary:
      if (code == 0) return 0;
      if (code == 1) return 1;
      if (code == 3) return -1;
      throw std::invalid_argument("ternary weight code " + std::to_string(code) +
                                  " is not one of 0b00, 0b01, 0b11");
  }
  return 0;
}

// One lane's contribution to the accumulator. Binary weights against bipolar
// activations use FINN's XNOR-popcount: the lane adds 1 when the bits agree, so
// the accumulator counts agreements (= (dot + MW) / 2) and thresholds are set on
// that count. Every other pairing is an ordinary integer product of the values.
inline int64_t lane_product(WeightArithmetic wa, int32_t weight_code, int exponent_bits,
                            ActivationKind ak, int32_t act_code) {
  if (wa == WeightArithmetic::kBinary && ak == ActivationKind::kBipolar)
    return (weight_code & 1) == (act_code & 1) ? 1 : 0;
  return int64_t{weight_value(wa, weight_code, exponent_bits)} * activation_value(ak, act_code);
}

inline bool is_xnor_popcount(WeightArithmetic wa, ActivationKind ak) {
  return wa == WeightArithmetic::kBinary && ak == ActivationKind::kBipolar;
}

// Smallest two's complement width holding every value in [lo, hi] (>= 1).
inline int signed_bits_for(int64_t lo, int64_t hi) {
  int b = 1;
  while (lo < -(int64_t{1} << (b - 1)) || hi > (int64_t{1} << (b - 1)) - 1) ++b;
  return b;
}
// Smallest unsigned width holding [0, hi] (>= 1).
inline int unsigned_bits_for(int64_t hi) {
  int b = 1;
  while (hi > (int64_t{1} << b) - 1) ++b;
  return b;
}

// FINN-R's accumulator bound: the exact range of a sum of `terms` lane products
// whose single-product range is [pmin, pmax].
struct Range {
  int64_t lo = 0, hi = 0;
  int bits() const { return lo >= 0 ? unsigned_bits_for(hi) : signed_bits_for(lo, hi); }
};
inline Range accumulator_range(int64_t pmin, int64_t pmax, int64_t terms) {
  return Range{std::min<int64_t>(0, pmin * terms), std::max<int64_t>(0, pmax * terms)};
}

// FINN MultiThreshold: the output code counts the thresholds the accumulator
// reaches (acc >= T[i], T sorted ascending), plus an output bias (e.g. -2^(A-1)
// for a signed A-bit output).
inline int32_t multithreshold(int64_t acc, const int64_t* thresholds, int count, int32_t out_bias) {
  int32_t n = 0;
  for (int i = 0; i < count; ++i) n += acc >= thresholds[i];
  return n + out_bias;
}

enum class Rounding { kHalfUp, kHalfEven };

// Multiplier-shift requantiser: y = clamp(round(acc * M / 2^shift) + zero_point,
// lo, hi). The hardware rounds half up (add 2^(shift-1), arithmetic shift);
// half-even exists for ONNX's QLinear operators.
inline int32_t requantize(int64_t acc, int64_t multiplier, int shift, int32_t zero_point, int32_t lo,
                          int32_t hi, Rounding rounding = Rounding::kHalfUp) {
  const __int128 p = static_cast<__int128>(acc) * multiplier;
  __int128 q;
  if (shift <= 0) {
    q = p * (static_cast<__int128>(1) << -shift);
  } else {
    const __int128 one = 1;
    q = (p + (one << (shift - 1))) >> shift;  // floor((p + half) / 2^shift)
    if (rounding == Rounding::kHalfEven) {
      const __int128 rem = p & ((one << shift) - 1);  // p mod 2^shift, in [0, 2^shift)
      if (rem == (one << (shift - 1)) && (q & 1)) q -= 1;  // exact tie rounded up to odd
    }
  }
  const __int128 y = q + zero_point;
  return static_cast<int32_t>(std::clamp<__int128>(y, lo, hi));
}

}  // namespace vine::arith
