// Every golden kernel against a deliberately naive loop written straight from
// arithmetic.h (sums of arith::lane_product, arith::multithreshold,
// arith::requantize) on random shapes, widths and arithmetics, plus corner
// cases. The naive loops compute in __int128 and walk the window in a
// different order from the kernels, so they share no code with them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sim/arith/arithmetic.h"
#include "sim/golden/kernels.h"

namespace {

using namespace vine::golden;
namespace arith = vine::arith;
using arith::ActivationKind;
using arith::ActivationType;
using arith::WeightArithmetic;
using Rng = std::mt19937_64;
using Wide = __int128;

int uniform(Rng& r, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(r);
}
int64_t uniform64(Rng& r, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(r);
}

std::string str(Wide v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  std::string s;
  while (v != 0) {
    const int d = int(v % 10);
    s.insert(s.begin(), char('0' + (d < 0 ? -d : d)));
    v /= 10;
  }
  return neg ? "-" + s : s;
}

std::string describe(const Tensor<int32_t>& x, const Conv2dParams& p) {
  std::ostringstream s;
  s << "in " << x.h << "x" << x.w << "x" << x.c << ", out_channels " << p.out_channels
    << ", kernel " << p.kernel_h << "x" << p.kernel_w << ", stride " << p.stride_h << ","
    << p.stride_w << ", dilation " << p.dilation_h << "," << p.dilation_w << ", pads " << p.pads.top
    << "," << p.pads.left << "," << p.pads.bottom << "," << p.pads.right << ", groups " << p.groups
    << ", pad_value " << p.pad_value;
  return s.str();
}

// A naive result: HWC values of exact width.
struct Expected {
  int h = 0, w = 0, c = 0;
  std::vector<Wide> v;
  Wide at(int y, int x, int ch) const { return v[(size_t(y) * w + x) * c + ch]; }
};

template <typename T>
void expect_same(const Tensor<T>& got, const Expected& want) {
  ASSERT_EQ(got.h, want.h);
  ASSERT_EQ(got.w, want.w);
  ASSERT_EQ(got.c, want.c);
  int bad = 0;
  std::string first;
  for (int y = 0; y < want.h; ++y)
    for (int x = 0; x < want.w; ++x)
      for (int c = 0; c < want.c; ++c)
        if (Wide(got.at(y, x, c)) != want.at(y, x, c) && bad++ == 0)
          first = "(" + std::to_string(y) + "," + std::to_string(x) + "," + std::to_string(c) +
                  "): got " + str(Wide(got.at(y, x, c))) + ", want " + str(want.at(y, x, c));
  EXPECT_EQ(bad, 0) << bad << " of " << got.size() << " differ, first " << first;
}

// Convolution straight from the definition: output channel outermost, input
// channel before the kernel taps. lane(oc, weight_index, x) is one lane's
// contribution, x being the input code or the pad code.
template <typename Lane>
Expected naive_conv(const Tensor<int32_t>& x, const Conv2dParams& p, Lane lane) {
  const int ekh = (p.kernel_h - 1) * p.dilation_h + 1, ekw = (p.kernel_w - 1) * p.dilation_w + 1;
  Expected e;
  e.h = (x.h + p.pads.top + p.pads.bottom - ekh) / p.stride_h + 1;
  e.w = (x.w + p.pads.left + p.pads.right - ekw) / p.stride_w + 1;
  e.c = p.out_channels;
  e.v.assign(size_t(e.h) * e.w * e.c, 0);
  const int icg = x.c / p.groups, ocg = p.out_channels / p.groups;
  for (int oc = 0; oc < p.out_channels; ++oc) {
    const int g = oc / ocg;
    for (int oy = 0; oy < e.h; ++oy)
      for (int ox = 0; ox < e.w; ++ox) {
        Wide s = 0;
        for (int ic = 0; ic < icg; ++ic)
          for (int kh = 0; kh < p.kernel_h; ++kh)
            for (int kw = 0; kw < p.kernel_w; ++kw) {
              const int iy = oy * p.stride_h - p.pads.top + kh * p.dilation_h;
              const int ix = ox * p.stride_w - p.pads.left + kw * p.dilation_w;
              const bool inside = iy >= 0 && iy < x.h && ix >= 0 && ix < x.w;
              const int32_t v = inside ? x.at(iy, ix, g * icg + ic) : p.pad_value;
              const size_t widx = ((size_t(oc) * p.kernel_h + kh) * p.kernel_w + kw) * icg + ic;
              s += lane(oc, widx, v);
            }
        e.v[(size_t(oy) * e.w + ox) * e.c + oc] = s;
      }
  }
  return e;
}

// A random conv layer small enough for the naive loop: depthwise (with a
// channel multiplier), grouped or dense; kernel, stride, dilation and
// asymmetric pads all random.
Conv2dParams random_conv(Rng& r, Tensor<int32_t>& x, int max_c) {
  for (;;) {
    const int h = uniform(r, 1, 9), w = uniform(r, 1, 9), c = uniform(r, 1, max_c);
    Conv2dParams p;
    switch (uniform(r, 0, 3)) {
      case 0:
        p.groups = c, p.out_channels = c * uniform(r, 1, 2);
        break;
      case 1: {
        std::vector<int> divisors;
        for (int d = 1; d <= c; ++d)
          if (c % d == 0) divisors.push_back(d);
        p.groups = divisors[size_t(uniform(r, 0, int(divisors.size()) - 1))];
        p.out_channels = p.groups * uniform(r, 1, 3);
        break;
      }
      default:
        p.groups = 1, p.out_channels = uniform(r, 1, 24);
    }
    p.kernel_h = uniform(r, 1, 4), p.kernel_w = uniform(r, 1, 4);
    p.stride_h = uniform(r, 1, 3), p.stride_w = uniform(r, 1, 3);
    p.dilation_h = uniform(r, 1, 2), p.dilation_w = uniform(r, 1, 2);
    p.pads = {uniform(r, 0, 2), uniform(r, 0, 2), uniform(r, 0, 2), uniform(r, 0, 2)};
    if (h + p.pads.top + p.pads.bottom < (p.kernel_h - 1) * p.dilation_h + 1) continue;
    if (w + p.pads.left + p.pads.right < (p.kernel_w - 1) * p.dilation_w + 1) continue;
    x = Tensor<int32_t>(h, w, c);
    return p;
  }
}

size_t weight_count(const Tensor<int32_t>& x, const Conv2dParams& p) {
  return size_t(p.out_channels) * p.kernel_h * p.kernel_w * (x.c / p.groups);
}

// ---------------------------------------------------------------------------
// Quantised layers: every weight arithmetic against every activation kind

struct LayerTypes {
  ActivationType act;
  WeightArithmetic wa = WeightArithmetic::kFixed;
  int weight_bits = 8;    // fixed
  int exponent_bits = 0;  // pow2
};

LayerTypes random_types(Rng& r) {
  LayerTypes t;
  t.act.kind = ActivationKind(uniform(r, 0, 2));
  t.act.bits = t.act.kind == ActivationKind::kBipolar ? 1 : uniform(r, 1, 8);
  t.wa = WeightArithmetic(uniform(r, 0, 3));
  t.weight_bits = uniform(r, 1, 8);
  t.exponent_bits = uniform(r, 1, 3);
  return t;
}

int32_t random_weight_code(Rng& r, const LayerTypes& t) {
  switch (t.wa) {
    case WeightArithmetic::kFixed:
      return int32_t(uniform64(r, -(int64_t{1} << (t.weight_bits - 1)),
                               (int64_t{1} << (t.weight_bits - 1)) - 1));
    case WeightArithmetic::kPow2:
      return arith::pow2_code(uniform(r, 0, 4) == 0, uniform(r, 0, 1),
                              uniform(r, 0, (1 << t.exponent_bits) - 1), t.exponent_bits);
    case WeightArithmetic::kBinary:
      return uniform(r, 0, 1);
    case WeightArithmetic::kTernary: {
      const int32_t codes[] = {0, 1, 3};
      return codes[uniform(r, 0, 2)];
    }
  }
  return 0;
}

int32_t random_code(Rng& r, const ActivationType& a) {
  return int32_t(uniform64(r, a.min_code(), a.max_code()));
}

TEST(Conv2d, QuantisedLayersEqualSumsOfLaneProducts) {
  Rng r(20240611);
  int xnor_layers = 0;
  for (int iter = 0; iter < 400; ++iter) {
    Tensor<int32_t> codes;
    Conv2dParams p = random_conv(r, codes, 70);
    const LayerTypes t = random_types(r);
    for (auto& v : codes.data) v = random_code(r, t.act);
    std::vector<int32_t> wcodes(weight_count(codes, p));
    for (auto& w : wcodes) w = random_weight_code(r, t);
    const int32_t pad_code = random_code(r, t.act);
    p.pad_value = pad_code;
    SCOPED_TRACE(describe(codes, p) + ", weights " + std::to_string(int(t.wa)) + ", activations " +
                 std::to_string(int(t.act.kind)) + "/" + std::to_string(t.act.bits) + " bits");

    const Expected want = naive_conv(codes, p, [&](int, size_t widx, int32_t a) {
      return Wide(arith::lane_product(t.wa, wcodes[widx], t.exponent_bits, t.act.kind, a));
    });

    // The integer kernel takes values: decode both sides once.
    Tensor<int32_t> values = codes;
    for (auto& v : values.data) v = arith::activation_value(t.act.kind, v);
    std::vector<int32_t> wvalues(wcodes.size());
    for (size_t k = 0; k < wcodes.size(); ++k)
      wvalues[k] = arith::weight_value(t.wa, wcodes[k], t.exponent_bits);
    Conv2dParams pv = p;
    pv.pad_value = arith::activation_value(t.act.kind, pad_code);
    const Tensor<int32_t> dot = conv2d(values, wvalues, pv);

    if (arith::is_xnor_popcount(t.wa, t.act.kind)) {
      ++xnor_layers;
      expect_same(conv2d_xnor_popcount(codes, wcodes, p), want);
      // FINN's identity: agreements = (dot + MW) / 2.
      const int mw = p.kernel_h * p.kernel_w * (codes.c / p.groups);
      Expected from_dot = want;
      for (size_t k = 0; k < dot.size(); ++k) from_dot.v[k] = (Wide(dot.data[k]) + mw) / 2;
      expect_same(conv2d_xnor_popcount(codes, wcodes, p), from_dot);
    } else {
      expect_same(dot, want);
    }
    if (HasFailure()) return;
  }
  EXPECT_GT(xnor_layers, 10);
}

TEST(Conv2d, OnnxConvIntegerZeroPoints) {
  Rng r(7);
  for (int iter = 0; iter < 300; ++iter) {
    Tensor<int32_t> x;
    Conv2dParams p = random_conv(r, x, 40);
    const bool is_signed = uniform(r, 0, 1);
    const int lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255;
    for (auto& v : x.data) v = uniform(r, lo, hi);
    std::vector<int32_t> w(weight_count(x, p));
    for (auto& v : w) v = uniform(r, lo, hi);
    p.zero_points.input = uniform(r, lo, hi);
    switch (uniform(r, 0, 2)) {
      case 0:
        break;
      case 1:
        p.zero_points.weight = {uniform(r, lo, hi)};
        break;
      default:
        for (int oc = 0; oc < p.out_channels; ++oc)
          p.zero_points.weight.push_back(uniform(r, lo, hi));
    }
    p.pad_value = uniform(r, 0, 1) ? p.zero_points.input : uniform(r, lo, hi);
    SCOPED_TRACE(describe(x, p) + ", x_zp " + std::to_string(p.zero_points.input));
    const auto& wzp = p.zero_points.weight;
    const Expected want = naive_conv(x, p, [&](int oc, size_t widx, int32_t a) {
      const int64_t zw = wzp.empty() ? 0 : wzp.size() == 1 ? wzp[0] : wzp[size_t(oc)];
      return Wide(int64_t(a) - p.zero_points.input) * Wide(int64_t(w[widx]) - zw);
    });
    expect_same(conv2d(x, w, p), want);
    expect_same(conv2d<int32_t, int64_t>(x, w, p), want);
    if (HasFailure()) return;
  }
}

// Operand ranges chosen to drive each internal lane width: 16-bit lanes,
// 32-bit lanes with 32- and 64-bit sums, and 64-bit lanes with 128-bit sums.
TEST(Conv2d, WideOperandsAreExactOrRejected) {
  struct Range {
    int64_t x_lo, x_hi, w_lo, w_hi;
    int32_t x_zp;
  };
  const int32_t kMin = std::numeric_limits<int32_t>::min(),
                kMax = std::numeric_limits<int32_t>::max();
  const Range ranges[] = {
      {-128, 127, -128, 127, 0},
      {-40000, 40000, -100, 100, 0},
      {-(int64_t{1} << 30), int64_t{1} << 30, -1024, 1024, 0},
      {kMin, kMax, -3, 3, kMax},
      {kMin, kMax, kMin, kMax, kMin},
  };
  Rng r(99);
  int overflowed = 0, fit = 0;
  for (const Range& rg : ranges)
    for (int iter = 0; iter < 60; ++iter) {
      Tensor<int32_t> x;
      Conv2dParams p = random_conv(r, x, 12);
      for (auto& v : x.data) v = int32_t(uniform64(r, rg.x_lo, rg.x_hi));
      if (!x.data.empty() && uniform(r, 0, 1))
        x.data[0] = int32_t(rg.x_lo);  // the most negative value
      std::vector<int32_t> w(weight_count(x, p));
      for (auto& v : w) v = int32_t(uniform64(r, rg.w_lo, rg.w_hi));
      p.zero_points.input = rg.x_zp;
      p.pad_value = int32_t(rg.x_lo);
      SCOPED_TRACE(describe(x, p));
      const Expected want = naive_conv(x, p, [&](int, size_t widx, int32_t a) {
        return Wide(int64_t(a) - p.zero_points.input) * Wide(w[widx]);
      });
      bool fits32 = true, fits64 = true;
      for (const Wide v : want.v) {
        fits32 &= v >= kMin && v <= kMax;
        fits64 &= v >= Wide(std::numeric_limits<int64_t>::min()) &&
                  v <= Wide(std::numeric_limits<int64_t>::max());
      }
      if (fits32)
        expect_same(conv2d(x, w, p), want);
      else
        EXPECT_THROW(conv2d(x, w, p), std::overflow_error);
      if (fits64)
        expect_same(conv2d<int32_t, int64_t>(x, w, p), want);
      else
        EXPECT_THROW((conv2d<int32_t, int64_t>(x, w, p)), std::overflow_error);
      (fits32 ? fit : overflowed) += 1;
      if (HasFailure()) return;
    }
  EXPECT_GT(overflowed, 10);
  EXPECT_GT(fit, 100);
}

TEST(Conv2d, CornerShapes) {
  // 1 x 1 frame under a padded 3 x 3 window: only the centre tap is real.
  Tensor<int32_t> x(1, 1, 2);
  x.data = {-128, 127};
  Conv2dParams p;
  p.out_channels = 1, p.kernel_h = p.kernel_w = 3, p.pads = {1, 1, 1, 1}, p.pad_value = -128;
  std::vector<int32_t> w(18, -128);
  const Expected want =
      naive_conv(x, p, [&](int, size_t widx, int32_t a) { return Wide(a) * w[widx]; });
  expect_same(conv2d(x, w, p), want);
  EXPECT_EQ(conv2d(x, w, p).data[0], (8 * 2 * -128 + -128 + 127) * -128);

  // Kernel as large as the frame, no padding: a single output pixel.
  Tensor<int32_t> y(3, 5, 1);
  for (size_t k = 0; k < y.size(); ++k) y.data[k] = int32_t(k) - 7;
  Conv2dParams q;
  q.out_channels = 2, q.kernel_h = 3, q.kernel_w = 5;
  std::vector<int32_t> wq(30);
  for (size_t k = 0; k < wq.size(); ++k) wq[k] = int32_t(k % 7) - 3;
  expect_same(conv2d(y, wq, q),
              naive_conv(y, q, [&](int, size_t widx, int32_t a) { return Wide(a) * wq[widx]; }));
}

TEST(Conv2d, FloatInstantiationOnIntegerValuedData) {
  Rng r(3);
  for (int iter = 0; iter < 100; ++iter) {
    Tensor<int32_t> x;
    const Conv2dParams p = random_conv(r, x, 20);
    for (auto& v : x.data) v = uniform(r, -50, 50);
    std::vector<int32_t> w(weight_count(x, p));
    for (auto& v : w) v = uniform(r, -50, 50);
    Tensor<float> xf(x.h, x.w, x.c);
    Tensor<double> xd(x.h, x.w, x.c);
    for (size_t k = 0; k < x.size(); ++k)
      xf.data[k] = float(x.data[k]), xd.data[k] = double(x.data[k]);
    const Expected want =
        naive_conv(x, p, [&](int, size_t widx, int32_t a) { return Wide(a) * w[widx]; });
    // Sums stay below 2^24, so float accumulation is exact in any order.
    expect_same(conv2d(xf, std::vector<float>(w.begin(), w.end()), p), want);
    expect_same(conv2d(xd, std::vector<double>(w.begin(), w.end()), p), want);
    if (HasFailure()) return;
  }
}

TEST(Conv2d, RejectsInconsistentParameters) {
  Tensor<int32_t> x(4, 4, 6);
  Conv2dParams p;
  p.out_channels = 4, p.groups = 4;  // 4 does not divide 6 input channels
  EXPECT_THROW(conv2d(x, std::vector<int32_t>(4 * 1), p), std::invalid_argument);
  p.groups = 2;
  EXPECT_THROW(conv2d(x, std::vector<int32_t>(5), p),
               std::invalid_argument);  // needs 4 * 3 weights
  p.kernel_h = 6;                       // larger than the frame, no pads
  EXPECT_THROW(conv2d(x, std::vector<int32_t>(4 * 6 * 3), p), std::invalid_argument);
  p.kernel_h = 1;
  p.zero_points.weight = {1, 2};  // neither 1 nor out_channels values
  EXPECT_THROW(conv2d(x, std::vector<int32_t>(4 * 3), p), std::invalid_argument);
  p.zero_points.weight.clear();
  p.zero_points.input = 1;
  EXPECT_THROW(conv2d_xnor_popcount(x, std::vector<int32_t>(4 * 3), p), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// XNOR-popcount

TEST(XnorPopcount, WidePackedRowsEqualLaneProducts) {
  Rng r(64);
  for (int iter = 0; iter < 150; ++iter) {
    Tensor<int32_t> x;
    Conv2dParams p = random_conv(r, x, 1);  // shape only; channels below
    const int c = uniform(r, 1, 140);       // MW = k*k*c rarely a multiple of 64
    x = Tensor<int32_t>(x.h, x.w, c);
    p.groups = 1;
    if (c % 2 == 0 && uniform(r, 0, 1)) {
      p.groups = 2;
      if (p.out_channels % 2) p.out_channels *= 2;
    }
    // Codes with junk above bit 0: only bit 0 is the activation/weight.
    for (auto& v : x.data) v = uniform(r, 0, 7);
    std::vector<int32_t> w(weight_count(x, p));
    for (auto& v : w) v = uniform(r, 0, 7);
    p.pad_value = uniform(r, 0, 1);
    SCOPED_TRACE(describe(x, p));
    const Expected want = naive_conv(x, p, [&](int, size_t widx, int32_t a) {
      return Wide(
          arith::lane_product(WeightArithmetic::kBinary, w[widx], 0, ActivationKind::kBipolar, a));
    });
    expect_same(conv2d_xnor_popcount(x, w, p), want);
    if (HasFailure()) return;
  }
}

TEST(XnorPopcount, WordBoundaries) {
  for (const int mw : {1, 63, 64, 65, 127, 128, 129, 1000}) {
    Tensor<int32_t> x(1, 1, mw);
    std::vector<int32_t> w(size_t(3) * mw);
    for (int k = 0; k < mw; ++k) x.data[size_t(k)] = (k * 7 + 3) % 5 < 2;
    for (size_t k = 0; k < w.size(); ++k) w[k] = (k * 11 + 1) % 3 == 0;
    const Tensor<int32_t> got = fully_connected_xnor_popcount(x, w, 3);
    for (int o = 0; o < 3; ++o) {
      int64_t want = 0;
      for (int k = 0; k < mw; ++k)
        want += arith::lane_product(WeightArithmetic::kBinary, w[size_t(o) * mw + k], 0,
                                    ActivationKind::kBipolar, x.data[size_t(k)]);
      EXPECT_EQ(got.data[size_t(o)], want) << "MW " << mw << ", output " << o;
    }
  }
}

// ---------------------------------------------------------------------------
// Fully connected and matmul

TEST(FullyConnected, FlattensHwcAndMatchesNaive) {
  Rng r(11);
  for (int iter = 0; iter < 100; ++iter) {
    Tensor<int32_t> x(uniform(r, 1, 4), uniform(r, 1, 4), uniform(r, 1, 40));
    const int out = uniform(r, 1, 30), mw = int(x.size());
    for (auto& v : x.data) v = uniform(r, -8, 7);
    std::vector<int32_t> w(size_t(out) * mw);
    for (auto& v : w) v = uniform(r, -8, 7);
    ZeroPoints zp;
    zp.input = uniform(r, -3, 3);
    if (uniform(r, 0, 1))
      for (int o = 0; o < out; ++o) zp.weight.push_back(uniform(r, -3, 3));
    const Tensor<int32_t> got = fully_connected(x, w, out, zp);
    ASSERT_EQ(got.h, 1);
    ASSERT_EQ(got.w, 1);
    ASSERT_EQ(got.c, out);
    for (int o = 0; o < out; ++o) {
      int64_t want = 0;
      for (int y = 0; y < x.h; ++y)
        for (int xx = 0; xx < x.w; ++xx)
          for (int c = 0; c < x.c; ++c) {
            const size_t k = (size_t(y) * x.w + xx) * x.c + c;  // HWC flattening
            want += int64_t(x.at(y, xx, c) - zp.input) *
                    (w[size_t(o) * mw + k] - (zp.weight.empty() ? 0 : zp.weight[size_t(o)]));
          }
      ASSERT_EQ(got.data[size_t(o)], want) << "iteration " << iter << ", output " << o;
    }
  }
}

TEST(FullyConnected, XnorMatchesLaneProducts) {
  Rng r(12);
  for (int iter = 0; iter < 100; ++iter) {
    Tensor<int32_t> x(uniform(r, 1, 3), uniform(r, 1, 3), uniform(r, 1, 100));
    const int out = uniform(r, 1, 20), mw = int(x.size());
    for (auto& v : x.data) v = uniform(r, 0, 1);
    std::vector<int32_t> w(size_t(out) * mw);
    for (auto& v : w) v = uniform(r, 0, 1);
    const Tensor<int32_t> got = fully_connected_xnor_popcount(x, w, out);
    for (int o = 0; o < out; ++o) {
      int64_t want = 0;
      for (int k = 0; k < mw; ++k)
        want += arith::lane_product(WeightArithmetic::kBinary, w[size_t(o) * mw + k], 0,
                                    ActivationKind::kBipolar, x.data[size_t(k)]);
      ASSERT_EQ(got.data[size_t(o)], want)
          << "iteration " << iter << ", MW " << mw << ", output " << o;
    }
  }
}

TEST(Matmul, OnnxMatMulIntegerZeroPoints) {
  Rng r(13);
  for (int iter = 0; iter < 200; ++iter) {
    const int m = uniform(r, 1, 9), k = uniform(r, 1, 70), n = uniform(r, 1, 9);
    Matrix<int32_t> a(m, k), b(k, n);
    for (auto& v : a.data) v = uniform(r, 0, 255);
    for (auto& v : b.data) v = uniform(r, -128, 127);
    std::vector<int32_t> azp, bzp;
    const int za = uniform(r, 0, 2), zb = uniform(r, 0, 2);
    if (za == 1) azp = {uniform(r, 0, 255)};
    if (za == 2)
      for (int i = 0; i < m; ++i) azp.push_back(uniform(r, 0, 255));
    if (zb == 1) bzp = {uniform(r, -128, 127)};
    if (zb == 2)
      for (int j = 0; j < n; ++j) bzp.push_back(uniform(r, -128, 127));
    auto zp = [](const std::vector<int32_t>& z, int i) {
      return z.empty() ? 0 : z.size() == 1 ? z[0] : z[size_t(i)];
    };
    const Matrix<int32_t> got = matmul(a, b, azp, bzp);
    const Matrix<int64_t> got64 = matmul<int32_t, int64_t>(a, b, azp, bzp);
    ASSERT_EQ(got.rows, m);
    ASSERT_EQ(got.cols, n);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        int64_t want = 0;
        for (int kk = 0; kk < k; ++kk)
          want += int64_t(a.at(i, kk) - zp(azp, i)) * (b.at(kk, j) - zp(bzp, j));
        ASSERT_EQ(got.at(i, j), want) << "iteration " << iter << " (" << i << "," << j << ")";
        ASSERT_EQ(got64.at(i, j), want);
      }
  }
  EXPECT_THROW(matmul(Matrix<int32_t>(2, 3), Matrix<int32_t>(4, 2)), std::invalid_argument);
}

TEST(Matmul, FloatInstantiation) {
  Matrix<float> a(2, 3), b(3, 2);
  a.data = {1, 2, 3, 4, 5, 6};
  b.data = {7, 8, 9, 10, 11, 12};
  const Matrix<float> y = matmul(a, b);
  EXPECT_EQ(y.data, (std::vector<float>{58, 64, 139, 154}));
}

// ---------------------------------------------------------------------------
// Pooling

// Which windows exist along one axis, enumerated rather than computed:
// floor mode keeps windows that fit inside the padded input; ceil mode keeps
// one more partial window while the previous one had not reached the end, as
// long as it starts inside the input or its leading pad.
int naive_windows(int in, int k, int s, int pb, int pe, int d, bool ceil_mode) {
  const int eff = (k - 1) * d + 1, span = in + pb + pe - eff;
  int n = 0;
  for (int o = 0;; ++o) {
    const bool ok =
        ceil_mode ? (o == 0 || (o - 1) * s < span) && o * s - pb < in : o * s + eff <= in + pb + pe;
    if (!ok) return n;
    ++n;
  }
}

Pool2dParams random_pool(Rng& r, int h, int w) {
  for (;;) {
    Pool2dParams p;
    p.kernel_h = uniform(r, 1, 4), p.kernel_w = uniform(r, 1, 4);
    p.stride_h = uniform(r, 1, 3), p.stride_w = uniform(r, 1, 3);
    p.dilation_h = uniform(r, 1, 2), p.dilation_w = uniform(r, 1, 2);
    // Pads smaller than the kernel, as ONNX requires, so no window is all pad.
    p.pads = {uniform(r, 0, p.kernel_h - 1), uniform(r, 0, p.kernel_w - 1),
              uniform(r, 0, p.kernel_h - 1), uniform(r, 0, p.kernel_w - 1)};
    p.ceil_mode = uniform(r, 0, 1);
    if (h + p.pads.top + p.pads.bottom >= (p.kernel_h - 1) * p.dilation_h + 1 &&
        w + p.pads.left + p.pads.right >= (p.kernel_w - 1) * p.dilation_w + 1)
      return p;
  }
}

enum class Reduce { kMax, kSum };

// For each window: the max or the sum of the real taps, and the counts of
// real taps and of taps inside input + explicit pads.
struct WindowResult {
  Expected value;
  std::vector<int> real, in_pads;
};

WindowResult naive_pool(const Tensor<int32_t>& x, const Pool2dParams& p, Reduce reduce) {
  WindowResult res;
  Expected& e = res.value;
  e.h = naive_windows(x.h, p.kernel_h, p.stride_h, p.pads.top, p.pads.bottom, p.dilation_h,
                      p.ceil_mode);
  e.w = naive_windows(x.w, p.kernel_w, p.stride_w, p.pads.left, p.pads.right, p.dilation_w,
                      p.ceil_mode);
  e.c = x.c;
  for (int oy = 0; oy < e.h; ++oy)
    for (int ox = 0; ox < e.w; ++ox) {
      int real = 0, in_pads = 0;
      for (int kh = 0; kh < p.kernel_h; ++kh)
        for (int kw = 0; kw < p.kernel_w; ++kw) {
          const int iy = oy * p.stride_h - p.pads.top + kh * p.dilation_h;
          const int ix = ox * p.stride_w - p.pads.left + kw * p.dilation_w;
          real += iy >= 0 && iy < x.h && ix >= 0 && ix < x.w;
          in_pads += iy >= -p.pads.top && iy < x.h + p.pads.bottom && ix >= -p.pads.left &&
                     ix < x.w + p.pads.right;
        }
      res.real.push_back(real);
      res.in_pads.push_back(in_pads);
      for (int c = 0; c < x.c; ++c) {
        Wide acc = reduce == Reduce::kMax ? Wide(std::numeric_limits<int64_t>::min()) : 0;
        for (int kh = 0; kh < p.kernel_h; ++kh)
          for (int kw = 0; kw < p.kernel_w; ++kw) {
            const int iy = oy * p.stride_h - p.pads.top + kh * p.dilation_h;
            const int ix = ox * p.stride_w - p.pads.left + kw * p.dilation_w;
            if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
            acc = reduce == Reduce::kMax ? std::max(acc, Wide(x.at(iy, ix, c)))
                                         : acc + x.at(iy, ix, c);
          }
        e.v.push_back(acc);
      }
    }
  return res;
}

TEST(Pooling, MaxPoolMatchesNaive) {
  Rng r(21);
  int padding_only = 0;
  for (int iter = 0; iter < 300; ++iter) {
    Tensor<int32_t> x(uniform(r, 1, 9), uniform(r, 1, 9), uniform(r, 1, 20));
    for (auto& v : x.data) v = int32_t(uniform64(r, std::numeric_limits<int32_t>::min(), 100));
    const Pool2dParams p = random_pool(r, x.h, x.w);
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const WindowResult want = naive_pool(x, p, Reduce::kMax);
    if (std::count(want.real.begin(), want.real.end(), 0)) {
      ++padding_only;
      EXPECT_THROW(maxpool2d(x, p), std::invalid_argument);
    } else {
      expect_same(maxpool2d(x, p), want.value);
    }
    if (HasFailure()) return;
  }
  EXPECT_LT(padding_only, 30);  // dilated windows over tiny frames; the rest must be compared
}

TEST(Pooling, AvgPoolFloorDivisionMatchesNaive) {
  Rng r(22);
  for (int iter = 0; iter < 300; ++iter) {
    Tensor<int32_t> x(uniform(r, 1, 9), uniform(r, 1, 9), uniform(r, 1, 20));
    for (auto& v : x.data) v = uniform(r, -1000, 1000);
    const Pool2dParams p = random_pool(r, x.h, x.w);
    const WindowResult sums = naive_pool(x, p, Reduce::kSum);
    for (const AvgPoolDivisor d :
         {AvgPoolDivisor::kKernelSize, AvgPoolDivisor::kIncludePad, AvgPoolDivisor::kExcludePad}) {
      Expected want = sums.value;
      for (size_t k = 0; k < want.v.size(); ++k) {
        const size_t win = k / size_t(want.c);
        const int64_t div = d == AvgPoolDivisor::kKernelSize   ? p.kernel_h * p.kernel_w
                            : d == AvgPoolDivisor::kIncludePad ? sums.in_pads[win]
                                                               : sums.real[win];
        if (div) want.v[k] = Wide(std::floor(static_cast<long double>(want.v[k]) / div));
      }
      SCOPED_TRACE("iteration " + std::to_string(iter) + ", divisor " + std::to_string(int(d)));
      const bool empty = std::count(sums.real.begin(), sums.real.end(), 0) > 0;
      if (empty && d == AvgPoolDivisor::kExcludePad) {
        EXPECT_THROW(avgpool2d(x, p, d), std::invalid_argument);
        continue;
      }
      expect_same(avgpool2d(x, p, d), want);
    }
    if (HasFailure()) return;
  }
}

TEST(Pooling, AvgPoolRoundsTowardMinusInfinity) {
  Tensor<int32_t> x(2, 2, 1);
  x.data = {-1, -2, -2, -2};  // sum -7 over 4 taps: -1.75
  Pool2dParams p;
  p.kernel_h = p.kernel_w = 2;
  EXPECT_EQ(avgpool2d(x, p).data[0], -2);
  x.data = {1, 2, 2, 2};  // 1.75
  EXPECT_EQ(avgpool2d(x, p).data[0], 1);
  // The hardware divisor counts padded taps: 3 + 0 over a 2 x 2 window.
  Tensor<int32_t> one(1, 1, 1, 7);
  p.pads = {1, 1, 0, 0};
  EXPECT_EQ(avgpool2d(one, p, AvgPoolDivisor::kKernelSize).data[0], 1);
  EXPECT_EQ(avgpool2d(one, p, AvgPoolDivisor::kExcludePad).data[0], 7);
}

TEST(Pooling, WindowsOfPaddingOnlyAreRejected) {
  Tensor<int32_t> x(3, 3, 1);
  Pool2dParams p;
  p.pads = {2, 2, 0, 0};  // a 1 x 1 window at (-2, -2) sees padding only
  EXPECT_THROW(maxpool2d(x, p), std::invalid_argument);
  EXPECT_THROW(avgpool2d(x, p, AvgPoolDivisor::kExcludePad), std::invalid_argument);
}

TEST(Pooling, WindowOutSize) {
  EXPECT_EQ(window_out_size(5, 3, 2, 1, 1), 3);
  EXPECT_EQ(window_out_size(4, 3, 2, 0, 0, 1, false), 1);
  EXPECT_EQ(window_out_size(4, 3, 2, 0, 0, 1, true), 2);
  EXPECT_EQ(window_out_size(4, 2, 1, 0, 0, 2), 2);  // dilation 2: taps 0 and 2
  // Ceil mode would add a window starting in the end padding; it is dropped.
  EXPECT_EQ(window_out_size(3, 2, 2, 1, 1, 1, true), 2);
  EXPECT_THROW(window_out_size(2, 3, 1, 0, 0), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// Padding, add, concat

TEST(Streams, Pad2dMatchesNaive) {
  Rng r(31);
  for (int iter = 0; iter < 50; ++iter) {
    Tensor<int32_t> x(uniform(r, 1, 5), uniform(r, 1, 5), uniform(r, 1, 5));
    for (auto& v : x.data) v = uniform(r, -50, 50);
    const Pads pads{uniform(r, 0, 3), uniform(r, 0, 3), uniform(r, 0, 3), uniform(r, 0, 3)};
    const int32_t fill = uniform(r, -9, 9);
    const Tensor<int32_t> y = pad2d(x, pads, fill);
    ASSERT_EQ(y.h, x.h + pads.top + pads.bottom);
    ASSERT_EQ(y.w, x.w + pads.left + pads.right);
    ASSERT_EQ(y.c, x.c);
    for (int yy = 0; yy < y.h; ++yy)
      for (int xx = 0; xx < y.w; ++xx)
        for (int c = 0; c < y.c; ++c) {
          const int iy = yy - pads.top, ix = xx - pads.left;
          const bool inside = iy >= 0 && iy < x.h && ix >= 0 && ix < x.w;
          ASSERT_EQ(y.at(yy, xx, c), inside ? x.at(iy, ix, c) : fill);
        }
  }
}

TEST(Streams, AddIsElementwiseAndNeverWraps) {
  Tensor<int32_t> a(2, 3, 4), b(2, 3, 4);
  for (size_t k = 0; k < a.size(); ++k) a.data[k] = int32_t(k) * 3 - 20, b.data[k] = 7 - int32_t(k);
  const Tensor<int32_t> s = add(a, b);
  for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(s.data[k], a.data[k] + b.data[k]);
  a.data[5] = std::numeric_limits<int32_t>::max();
  b.data[5] = 1;
  EXPECT_THROW(add(a, b), std::overflow_error);
  EXPECT_THROW(add(a, Tensor<int32_t>(2, 3, 5)), std::invalid_argument);
}

TEST(Streams, ConcatChannels) {
  Tensor<int32_t> a(2, 2, 1), b(2, 2, 3);
  for (size_t k = 0; k < a.size(); ++k) a.data[k] = 100 + int32_t(k);
  for (size_t k = 0; k < b.size(); ++k) b.data[k] = int32_t(k);
  const Tensor<int32_t> y = concat_channels<int32_t>({&a, &b});
  ASSERT_EQ(y.c, 4);
  for (int yy = 0; yy < 2; ++yy)
    for (int xx = 0; xx < 2; ++xx) {
      EXPECT_EQ(y.at(yy, xx, 0), a.at(yy, xx, 0));
      for (int c = 0; c < 3; ++c) EXPECT_EQ(y.at(yy, xx, 1 + c), b.at(yy, xx, c));
    }
  const Tensor<int32_t> taller(3, 2, 1);
  EXPECT_THROW(concat_channels<int32_t>({&a, &taller}), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// Activation units

TEST(ActivationUnits, MultithresholdMatchesArith) {
  Rng r(41);
  for (int iter = 0; iter < 100; ++iter) {
    Tensor<int64_t> acc(uniform(r, 1, 4), uniform(r, 1, 4), uniform(r, 1, 9));
    for (auto& v : acc.data) v = uniform64(r, -3000, 3000);
    Thresholds t;
    t.steps = uniform(r, 0, 15);
    t.out_bias = uniform(r, -8, 0);
    const int rows = uniform(r, 0, 1) ? 1 : acc.c;
    for (int row = 0; row < rows; ++row) {
      std::vector<int64_t> th(size_t(t.steps));
      for (auto& v : th) v = uniform64(r, -3000, 3000);
      if (uniform(r, 0, 3)) std::sort(th.begin(), th.end());  // mostly sorted, as FINN emits them
      t.values.insert(t.values.end(), th.begin(), th.end());
    }
    const Tensor<int32_t> got = multithreshold(acc, t);
    Tensor<int32_t> acc32(acc.h, acc.w, acc.c);
    for (size_t k = 0; k < acc.size(); ++k) acc32.data[k] = int32_t(acc.data[k]);
    EXPECT_EQ(multithreshold(acc32, t).data, got.data);
    for (size_t k = 0; k < acc.size(); ++k) {
      const int ch = int(k % size_t(acc.c));
      const int64_t* row = t.values.data() + size_t(rows == 1 ? 0 : ch) * t.steps;
      ASSERT_EQ(got.data[k], arith::multithreshold(acc.data[k], row, t.steps, t.out_bias))
          << "iteration " << iter << ", element " << k;
    }
  }
  Thresholds bad;
  bad.steps = 2;
  bad.values = {1, 2, 3, 4, 5, 6};  // 3 rows for 2 channels
  EXPECT_THROW(multithreshold(Tensor<int32_t>(1, 1, 2), bad), std::invalid_argument);
}

TEST(ActivationUnits, RequantizeMatchesArith) {
  Rng r(42);
  for (int iter = 0; iter < 100; ++iter) {
    Tensor<int64_t> acc(uniform(r, 1, 4), uniform(r, 1, 4), uniform(r, 1, 9));
    for (auto& v : acc.data) v = uniform64(r, -(int64_t{1} << 40), int64_t{1} << 40);
    Requantizer q;
    const int n = uniform(r, 0, 1) ? 1 : acc.c;
    for (int k = 0; k < n; ++k) {
      q.multiplier.push_back(uniform64(r, -(int64_t{1} << 31), int64_t{1} << 31));
      q.shift.push_back(uniform(r, -2, 45));
    }
    q.zero_point = uniform(r, -128, 127);
    q.lo = uniform(r, -300, 0);
    q.hi = uniform(r, 0, 300);
    q.rounding = uniform(r, 0, 1) ? arith::Rounding::kHalfEven : arith::Rounding::kHalfUp;
    const Tensor<int32_t> got = requantize(acc, q);
    for (size_t k = 0; k < acc.size(); ++k) {
      const size_t ch = n == 1 ? 0 : k % size_t(acc.c);
      ASSERT_EQ(got.data[k], arith::requantize(acc.data[k], q.multiplier[ch], q.shift[ch],
                                               q.zero_point, q.lo, q.hi, q.rounding))
          << "iteration " << iter << ", element " << k;
    }
  }
}

TEST(ActivationUnits, FixedPointScaleIsExactForFloat32) {
  Rng r(43);
  for (int iter = 0; iter < 1000; ++iter) {
    const float scale =
        std::ldexp(float(uniform64(r, 1 << 23, (1 << 24) - 1)), uniform(r, -60, 20));
    const FixedPointScale s = fixed_point_scale(scale);
    ASSERT_GE(s.multiplier, int64_t{1} << 30);
    ASSERT_LT(s.multiplier, int64_t{1} << 31);
    ASSERT_EQ(std::ldexp(double(s.multiplier), -s.shift), double(scale)) << scale;
  }
  EXPECT_EQ(fixed_point_scale(1.0).multiplier, int64_t{1} << 30);
  EXPECT_EQ(fixed_point_scale(1.0).shift, 30);
  EXPECT_THROW(fixed_point_scale(0.0), std::invalid_argument);
}

}  // namespace
