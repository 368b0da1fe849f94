#include "models/pe/dot_product.h"

#include <algorithm>
#include <stdexcept>

namespace vine::models {

namespace {

using arith::ActivationKind;
using arith::WeightArithmetic;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VINE_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VINE_VECTOR_CLONES
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VINE_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define VINE_POPCNT_CLONES
#endif

// Disagreements between two packed bit vectors (the hardware popcount).
VINE_POPCNT_CLONES int64_t count_disagreements(const uint64_t* a, const uint64_t* b, int64_t words) {
  int64_t n = 0;
  for (int64_t k = 0; k < words; ++k) n += __builtin_popcountll(a[k] ^ b[k]);
  return n;
}

void pack_bits(const int32_t* codes, int64_t n, uint64_t* out) {
  for (int64_t base = 0; base < n; base += 64) {
    uint64_t w = 0;
    const int64_t m = std::min<int64_t>(64, n - base);
    for (int64_t j = 0; j < m; ++j) w |= uint64_t(codes[base + j] & 1) << j;
    out[base / 64] = w;
  }
}

// Integer dot products in the narrowest lane type that holds the values, so
// that the compiler vectorises them (int16 x int16 -> int32 pairs on AVX2).
template <typename Lane, typename Acc>
VINE_VECTOR_CLONES Acc dot_lanes(const Lane* w, const Lane* x, int64_t n) {
  Acc s = 0;
  for (int64_t j = 0; j < n; ++j) s += Acc(w[j]) * Acc(x[j]);
  return s;
}

// Fixed-point weights: W-bit two's complement values times activation values.
// Bipolar activations travel as 0/1 and count as -1/+1.
template <typename Lane, typename Acc>
class FixedPointUnit final : public DotProductUnit {
 public:
  FixedPointUnit(const arith::ActivationType& act, const int32_t* codes, int64_t first, int64_t rows, int64_t width)
      : act_(act.kind), first_(first), width_(width), w_(size_t(rows * width)), x_(size_t(width)) {
    for (int64_t i = 0; i < rows * width; ++i) w_[size_t(i)] = Lane(codes[first * width + i]);
  }
  void load(const int32_t* codes) override {
    for (int64_t j = 0; j < width_; ++j) x_[size_t(j)] = Lane(arith::activation_value(act_, codes[j]));
  }
  int64_t dot(int64_t row) const override {
    return dot_lanes<Lane, Acc>(&w_[size_t((row - first_) * width_)], x_.data(), width_);
  }
  const char* arithmetic() const override { return "fixed"; }

 private:
  ActivationKind act_;
  int64_t first_, width_;
  std::vector<Lane> w_, x_;
};

// Tomato's powers of two: per weight a zero flag, a sign and an exponent e;
// the lane shifts the activation left by e and negates it on the sign.
class PowerOfTwoUnit final : public DotProductUnit {
 public:
  PowerOfTwoUnit(const ir::WeightType& wt, const arith::ActivationType& act, const int32_t* codes, int64_t first,
                 int64_t rows, int64_t width)
      : act_(act.kind), first_(first), width_(width), shift_(size_t(rows * width)), sign_(size_t(rows * width)),
        x_(size_t(width)) {
    const int eb = wt.exponent_bits;
    for (int64_t i = 0; i < rows * width; ++i) {
      const int32_t c = codes[first * width + i];
      const bool zero = (c >> (eb + 1)) & 1, neg = (c >> eb) & 1;
      shift_[size_t(i)] = c & ((1 << eb) - 1);
      sign_[size_t(i)] = zero ? 0 : (neg ? -1 : 1);
    }
  }
  void load(const int32_t* codes) override {
    for (int64_t j = 0; j < width_; ++j) x_[size_t(j)] = arith::activation_value(act_, codes[j]);
  }
  int64_t dot(int64_t row) const override {
    const int32_t* sh = &shift_[size_t((row - first_) * width_)];
    const int32_t* sg = &sign_[size_t((row - first_) * width_)];
    int64_t s = 0;
    // The shift is done unsigned: C++17 leaves shifting a negative (signed)
    // activation left undefined; the two's complement bits are the same.
    for (int64_t j = 0; j < width_; ++j)
      s += int64_t(sg[j]) * int64_t(uint64_t(int64_t(x_[size_t(j)])) << sh[j]);
    return s;
  }
  const char* arithmetic() const override { return "pow2"; }

 private:
  ActivationKind act_;
  int64_t first_, width_;
  std::vector<int32_t> shift_, sign_, x_;
};

// Binary weights on bipolar activations: FINN's XNOR and popcount over packed
// bits; the accumulator counts agreements.
class XnorPopcountUnit final : public DotProductUnit {
 public:
  XnorPopcountUnit(const int32_t* codes, int64_t first, int64_t rows, int64_t width)
      : first_(first), width_(width), words_((width + 63) / 64), w_(size_t(rows * words_)), x_(size_t(words_)) {
    for (int64_t r = 0; r < rows; ++r) pack_bits(codes + (first + r) * width, width, &w_[size_t(r * words_)]);
  }
  void load(const int32_t* codes) override { pack_bits(codes, width_, x_.data()); }
  int64_t dot(int64_t row) const override {
    // padding bits are 0 in both, so they never disagree
    return width_ - count_disagreements(&w_[size_t((row - first_) * words_)], x_.data(), words_);
  }
  const char* arithmetic() const override { return "binary"; }

 private:
  int64_t first_, width_, words_;
  std::vector<uint64_t> w_, x_;
};

// Binary (+1/-1) or ternary (+1/0/-1) weights on multi-bit activations: the
// lane adds, subtracts or skips the activation. A select by a sign in
// {-1, 0, +1} is a multiplication by it, which vectorises.
template <typename Lane, typename Acc>
class SignedSelectUnit final : public DotProductUnit {
 public:
  SignedSelectUnit(WeightArithmetic wa, const arith::ActivationType& act, const int32_t* codes, int64_t first,
                   int64_t rows, int64_t width)
      : wa_(wa), act_(act.kind), first_(first), width_(width), sign_(size_t(rows * width)), x_(size_t(width)) {
    for (int64_t i = 0; i < rows * width; ++i) sign_[size_t(i)] = Lane(arith::weight_value(wa, codes[first * width + i]));
  }
  void load(const int32_t* codes) override {
    for (int64_t j = 0; j < width_; ++j) x_[size_t(j)] = Lane(arith::activation_value(act_, codes[j]));
  }
  int64_t dot(int64_t row) const override {
    return dot_lanes<Lane, Acc>(&sign_[size_t((row - first_) * width_)], x_.data(), width_);
  }
  const char* arithmetic() const override { return wa_ == WeightArithmetic::kBinary ? "binary" : "ternary"; }

 private:
  WeightArithmetic wa_;
  ActivationKind act_;
  int64_t first_, width_;
  std::vector<Lane> sign_, x_;
};

bool fits_int16(int64_t lo, int64_t hi) { return lo >= -32768 && hi <= 32767; }

}  // namespace

std::unique_ptr<DotProductUnit> make_dot_product_unit(const ir::WeightType& w, const arith::ActivationType& act,
                                                      const arith::Range& acc, const int32_t* codes,
                                                      int64_t first, int64_t rows, int64_t width) {
  switch (w.arithmetic) {
    case WeightArithmetic::kFixed: {
      const bool narrow = fits_int16(w.min_value(), w.max_value()) &&
                          fits_int16(std::min<int64_t>(act.min_value(), -1), std::max<int64_t>(act.max_value(), 1));
      const bool acc32 = acc.lo >= INT32_MIN && acc.hi <= INT32_MAX;
      if (narrow && acc32) return std::make_unique<FixedPointUnit<int16_t, int32_t>>(act, codes, first, rows, width);
      return std::make_unique<FixedPointUnit<int32_t, int64_t>>(act, codes, first, rows, width);
    }
    case WeightArithmetic::kPow2:
      return std::make_unique<PowerOfTwoUnit>(w, act, codes, first, rows, width);
    case WeightArithmetic::kBinary:
    case WeightArithmetic::kTernary: {
      if (w.arithmetic == WeightArithmetic::kBinary && act.kind == ActivationKind::kBipolar)
        return std::make_unique<XnorPopcountUnit>(codes, first, rows, width);
      const bool narrow = fits_int16(std::min<int64_t>(act.min_value(), -1), std::max<int64_t>(act.max_value(), 1)) &&
                          acc.lo >= INT32_MIN && acc.hi <= INT32_MAX;
      if (narrow) return std::make_unique<SignedSelectUnit<int16_t, int32_t>>(w.arithmetic, act, codes, first, rows, width);
      return std::make_unique<SignedSelectUnit<int32_t, int64_t>>(w.arithmetic, act, codes, first, rows, width);
    }
  }
  throw std::logic_error("make_dot_product_unit: unknown arithmetic");
}

}  // namespace vine::models
