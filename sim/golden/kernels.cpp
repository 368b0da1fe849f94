// Pooling, padding, residual add, concat and the activation units
// (thresholding, requantisation). The matrix-vector kernels live in
// kernels_conv.cpp.
#include "sim/golden/kernels.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace vine::golden {
namespace {

struct PoolGeometry {
  int oh = 0, ow = 0;
};

template <typename T>
PoolGeometry pool_geometry(const Tensor<T>& in, const Pool2dParams& p, const char* kernel) {
  if (p.kernel_h < 1 || p.kernel_w < 1 || p.stride_h < 1 || p.stride_w < 1 || p.dilation_h < 1 ||
      p.dilation_w < 1)
    throw std::invalid_argument(std::string(kernel) +
                                ": kernel, stride and dilation must be positive");
  PoolGeometry g;
  g.oh = window_out_size(in.h, p.kernel_h, p.stride_h, p.pads.top, p.pads.bottom, p.dilation_h,
                         p.ceil_mode);
  g.ow = window_out_size(in.w, p.kernel_w, p.stride_w, p.pads.left, p.pads.right, p.dilation_w,
                         p.ceil_mode);
  return g;
}

void check_channels(size_t given, int channels, const char* what) {
  if (given != 1 && given != size_t(channels))
    throw std::invalid_argument(std::string(what) + ": expected 1 or " + std::to_string(channels) +
                                " rows, got " + std::to_string(given));
}

}  // namespace

template <typename T>
Tensor<T> maxpool2d(const Tensor<T>& in, const Pool2dParams& p) {
  const PoolGeometry g = pool_geometry(in, p, "maxpool2d");
  Tensor<T> out(g.oh, g.ow, in.c);
  for (int oy = 0; oy < g.oh; ++oy)
    for (int ox = 0; ox < g.ow; ++ox) {
      T* __restrict o = &out.at(oy, ox, 0);
      bool any = false;
      for (int kh = 0; kh < p.kernel_h; ++kh) {
        const int iy = oy * p.stride_h - p.pads.top + kh * p.dilation_h;
        if (iy < 0 || iy >= in.h) continue;
        for (int kw = 0; kw < p.kernel_w; ++kw) {
          const int ix = ox * p.stride_w - p.pads.left + kw * p.dilation_w;
          if (ix < 0 || ix >= in.w) continue;
          const T* __restrict s = &in.at(iy, ix, 0);
          if (!any) {
            std::copy(s, s + in.c, o);
            any = true;
          } else {
            for (int c = 0; c < in.c; ++c) o[c] = o[c] < s[c] ? s[c] : o[c];
          }
        }
      }
      if (!any) throw std::invalid_argument("maxpool2d: a window covers padding only");
    }
  return out;
}

template <typename T>
Tensor<T> avgpool2d(const Tensor<T>& in, const Pool2dParams& p, AvgPoolDivisor divisor) {
  const PoolGeometry g = pool_geometry(in, p, "avgpool2d");
  // Integer sums are exact in 64 bits for any int32 window up to 2^32 taps.
  using Sum = std::conditional_t<std::is_integral_v<T>, int64_t, double>;
  Tensor<T> out(g.oh, g.ow, in.c);
  std::vector<Sum> sum(size_t(in.c));
  for (int oy = 0; oy < g.oh; ++oy)
    for (int ox = 0; ox < g.ow; ++ox) {
      std::fill(sum.begin(), sum.end(), Sum(0));
      int64_t inside_input = 0, inside_pads = 0;
      for (int kh = 0; kh < p.kernel_h; ++kh) {
        const int iy = oy * p.stride_h - p.pads.top + kh * p.dilation_h;
        const bool y_in = iy >= 0 && iy < in.h;
        const bool y_pad = iy >= -p.pads.top && iy < in.h + p.pads.bottom;
        for (int kw = 0; kw < p.kernel_w; ++kw) {
          const int ix = ox * p.stride_w - p.pads.left + kw * p.dilation_w;
          inside_pads += y_pad && ix >= -p.pads.left && ix < in.w + p.pads.right;
          if (!y_in || ix < 0 || ix >= in.w) continue;
          ++inside_input;
          const T* __restrict s = &in.at(iy, ix, 0);
          Sum* __restrict acc = sum.data();
          for (int c = 0; c < in.c; ++c) acc[c] += Sum(s[c]);
        }
      }
      int64_t d = int64_t(p.kernel_h) * p.kernel_w;
      if (divisor == AvgPoolDivisor::kIncludePad) d = inside_pads;
      if (divisor == AvgPoolDivisor::kExcludePad) d = inside_input;
      if (d == 0) throw std::invalid_argument("avgpool2d: a window covers padding only");
      T* o = &out.at(oy, ox, 0);
      for (int c = 0; c < in.c; ++c) {
        if constexpr (std::is_integral_v<T>) {
          Sum q = sum[c] / d;  // C++ truncates toward zero; floor is one less for inexact negatives
          if (sum[c] % d != 0 && sum[c] < 0) --q;
          o[c] = static_cast<T>(q);  // |q| <= max |input|: the average stays in T
        } else {
          o[c] = static_cast<T>(sum[c] / static_cast<Sum>(d));
        }
      }
    }
  return out;
}

template <typename T>
Tensor<T> pad2d(const Tensor<T>& in, const Pads& pads, T value) {
  if (pads.top < 0 || pads.left < 0 || pads.bottom < 0 || pads.right < 0)
    throw std::invalid_argument("pad2d: pads must be >= 0");
  Tensor<T> out(in.h + pads.top + pads.bottom, in.w + pads.left + pads.right, in.c, value);
  for (int y = 0; y < in.h; ++y)
    std::copy(&in.data[in.index(y, 0, 0)], &in.data[in.index(y, 0, 0)] + size_t(in.w) * in.c,
              &out.at(y + pads.top, pads.left, 0));
  return out;
}

template <typename T>
Tensor<T> add(const Tensor<T>& a, const Tensor<T>& b) {
  if (!a.same_shape(b)) throw std::invalid_argument("add: operands differ in shape");
  Tensor<T> out(a.h, a.w, a.c);
  if constexpr (std::is_integral_v<T>) {
    using Wide = std::conditional_t<(sizeof(T) < 8), int64_t, __int128>;
    bool overflow = false;
    for (size_t i = 0; i < a.size(); ++i) {
      const Wide s = Wide(a.data[i]) + Wide(b.data[i]);
      overflow |=
          s < Wide(std::numeric_limits<T>::min()) || s > Wide(std::numeric_limits<T>::max());
      out.data[i] = static_cast<T>(s);
    }
    if (overflow) throw std::overflow_error("add: a sum exceeds the element type's range");
  } else {
    for (size_t i = 0; i < a.size(); ++i) out.data[i] = a.data[i] + b.data[i];
  }
  return out;
}

template <typename T>
Tensor<T> concat_channels(const std::vector<const Tensor<T>*>& parts) {
  if (parts.empty()) throw std::invalid_argument("concat_channels: no inputs");
  int c = 0;
  for (const Tensor<T>* t : parts) {
    if (t->h != parts[0]->h || t->w != parts[0]->w)
      throw std::invalid_argument("concat_channels: inputs differ in height or width");
    c += t->c;
  }
  Tensor<T> out(parts[0]->h, parts[0]->w, c);
  for (int px = 0; px < out.h * out.w; ++px) {
    T* o = &out.data[size_t(px) * c];
    for (const Tensor<T>* t : parts) o = std::copy_n(&t->data[size_t(px) * t->c], t->c, o);
  }
  return out;
}

template <typename Acc>
Tensor<int32_t> multithreshold(const Tensor<Acc>& acc, const Thresholds& t) {
  if (t.steps < 0) throw std::invalid_argument("multithreshold: steps must be >= 0");
  const size_t rows = t.steps ? t.values.size() / size_t(t.steps) : 1;
  if (t.steps && t.values.size() % size_t(t.steps))
    throw std::invalid_argument("multithreshold: ragged rows");
  if (!t.steps && !t.values.empty())
    throw std::invalid_argument("multithreshold: values given with zero steps");
  check_channels(rows, acc.c, "multithreshold");
  std::vector<bool> sorted(rows);
  for (size_t r = 0; r < rows; ++r) {
    const int64_t* row = t.values.data() + r * t.steps;
    sorted[r] = std::is_sorted(row, row + t.steps);
  }
  Tensor<int32_t> out(acc.h, acc.w, acc.c);
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t r = rows == 1 ? 0 : i % size_t(acc.c);
    const int64_t* row = t.values.data() + r * t.steps;
    const int64_t a = acc.data[i];
    // On a sorted row the count of reached thresholds is a binary search.
    out.data[i] = sorted[r] ? int32_t(std::upper_bound(row, row + t.steps, a) - row) + t.out_bias
                            : arith::multithreshold(a, row, t.steps, t.out_bias);
  }
  return out;
}

template <typename Acc>
Tensor<int32_t> requantize(const Tensor<Acc>& acc, const Requantizer& r) {
  if (r.multiplier.size() != r.shift.size())
    throw std::invalid_argument("requantize: multiplier and shift lists differ in length");
  check_channels(r.multiplier.size(), acc.c, "requantize");
  if (r.lo > r.hi) throw std::invalid_argument("requantize: lo > hi");
  const bool shared = r.multiplier.size() == 1;
  Tensor<int32_t> out(acc.h, acc.w, acc.c);
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t ch = shared ? 0 : i % size_t(acc.c);
    out.data[i] = arith::requantize(acc.data[i], r.multiplier[ch], r.shift[ch], r.zero_point, r.lo,
                                    r.hi, r.rounding);
  }
  return out;
}

FixedPointScale fixed_point_scale(double scale, int multiplier_bits) {
  if (!(scale > 0) || !std::isfinite(scale))
    throw std::invalid_argument("fixed_point_scale: scale must be > 0");
  if (multiplier_bits < 1 || multiplier_bits > 62)
    throw std::invalid_argument("fixed_point_scale: multiplier_bits must be in [1, 62]");
  int e = 0;
  const double f = std::frexp(scale, &e);  // scale = f * 2^e, f in [0.5, 1)
  int64_t m = std::llround(std::ldexp(f, multiplier_bits));
  if (m == (int64_t{1} << multiplier_bits)) {  // f rounded up to 1.0
    m >>= 1;
    ++e;
  }
  return FixedPointScale{m, multiplier_bits - e};
}

template Tensor<int32_t> maxpool2d(const Tensor<int32_t>&, const Pool2dParams&);
template Tensor<int64_t> maxpool2d(const Tensor<int64_t>&, const Pool2dParams&);
template Tensor<float> maxpool2d(const Tensor<float>&, const Pool2dParams&);
template Tensor<double> maxpool2d(const Tensor<double>&, const Pool2dParams&);
template Tensor<int32_t> avgpool2d(const Tensor<int32_t>&, const Pool2dParams&, AvgPoolDivisor);
template Tensor<float> avgpool2d(const Tensor<float>&, const Pool2dParams&, AvgPoolDivisor);
template Tensor<double> avgpool2d(const Tensor<double>&, const Pool2dParams&, AvgPoolDivisor);
template Tensor<int32_t> pad2d(const Tensor<int32_t>&, const Pads&, int32_t);
template Tensor<int64_t> pad2d(const Tensor<int64_t>&, const Pads&, int64_t);
template Tensor<float> pad2d(const Tensor<float>&, const Pads&, float);
template Tensor<double> pad2d(const Tensor<double>&, const Pads&, double);
template Tensor<int32_t> add(const Tensor<int32_t>&, const Tensor<int32_t>&);
template Tensor<int64_t> add(const Tensor<int64_t>&, const Tensor<int64_t>&);
template Tensor<float> add(const Tensor<float>&, const Tensor<float>&);
template Tensor<double> add(const Tensor<double>&, const Tensor<double>&);
template Tensor<int32_t> concat_channels(const std::vector<const Tensor<int32_t>*>&);
template Tensor<int64_t> concat_channels(const std::vector<const Tensor<int64_t>*>&);
template Tensor<float> concat_channels(const std::vector<const Tensor<float>*>&);
template Tensor<double> concat_channels(const std::vector<const Tensor<double>*>&);
template Tensor<int32_t> multithreshold(const Tensor<int32_t>&, const Thresholds&);
template Tensor<int32_t> multithreshold(const Tensor<int64_t>&, const Thresholds&);
template Tensor<int32_t> requantize(const Tensor<int32_t>&, const Requantizer&);
template Tensor<int32_t> requantize(const Tensor<int64_t>&, const Requantizer&);

}  // namespace vine::golden
