// Matrix-vector kernels: convolution (via one im2col row per output pixel),
// fully connected, matmul, and their XNOR-popcount forms.
//
// Speed: every integer product runs on the narrowest lane type that provably
// holds the operands and the whole accumulator (int16 lanes with int32 sums
// map onto pmaddwd), on contiguous rows that g++ -O3 vectorises; the hot loops
// are also compiled for x86-64-v3 (AVX2, POPCNT) and picked at load time.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "sim/golden/kernels.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VINE_HOT_LOOP __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VINE_HOT_LOOP
#endif
#define VINE_INLINE inline __attribute__((always_inline))

namespace vine::golden {
namespace {

// ---------------------------------------------------------------------------
// Lane arithmetic

// out[o] = row . w[o] for `count` weight rows of `mw` lanes.
template <typename A, typename L>
VINE_INLINE void dot_rows(const L* __restrict row, const L* __restrict w, int mw, int count,
                          A* __restrict out) {
  for (int o = 0; o < count; ++o) {
    const L* __restrict wr = w + size_t(o) * mw;
    A s = 0;
    for (int i = 0; i < mw; ++i) s += A(row[i]) * A(wr[i]);
    out[o] = s;
  }
}

// acc[c] += x[c] * w[c]: one kernel position of a depthwise window.
template <typename A, typename L>
VINE_INLINE void mac_lanes(const L* __restrict x, const L* __restrict w, int n, A* __restrict acc) {
  for (int c = 0; c < n; ++c) acc[c] += A(x[c]) * A(w[c]);
}

VINE_HOT_LOOP void dot_rows_i16(const int16_t* row, const int16_t* w, int mw, int count,
                                int32_t* out) {
  dot_rows<int32_t>(row, w, mw, count, out);
}
VINE_HOT_LOOP void dot_rows_i32(const int32_t* row, const int32_t* w, int mw, int count,
                                int32_t* out) {
  dot_rows<int32_t>(row, w, mw, count, out);
}
VINE_HOT_LOOP void dot_rows_i32_wide(const int32_t* row, const int32_t* w, int mw, int count,
                                     int64_t* out) {
  dot_rows<int64_t>(row, w, mw, count, out);
}
VINE_HOT_LOOP void mac_lanes_i16(const int16_t* x, const int16_t* w, int n, int32_t* acc) {
  mac_lanes(x, w, n, acc);
}
VINE_HOT_LOOP void mac_lanes_i32(const int32_t* x, const int32_t* w, int n, int32_t* acc) {
  mac_lanes(x, w, n, acc);
}
VINE_HOT_LOOP void mac_lanes_i32_wide(const int32_t* x, const int32_t* w, int n, int64_t* acc) {
  mac_lanes(x, w, n, acc);
}

// Preparation passes over whole tensors and weight matrices: for layers with
// few output pixels (FC, deep convs) they cost as much as the MACs, so they
// are vectorisable int32 loops too.
VINE_HOT_LOOP void min_max_i32(const int32_t* v, size_t n, int32_t* lo, int32_t* hi) {
  int32_t a = std::numeric_limits<int32_t>::max(), b = std::numeric_limits<int32_t>::min();
  for (size_t i = 0; i < n; ++i) {
    a = v[i] < a ? v[i] : a;
    b = v[i] > b ? v[i] : b;
  }
  *lo = a, *hi = b;
}
// dst = src - zp where every difference is known to fit the lane type, so
// the int32 subtraction cannot overflow.
VINE_HOT_LOOP void subtract_i16(const int32_t* src, size_t n, int32_t zp, int16_t* dst) {
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] - zp);
}
VINE_HOT_LOOP void subtract_i32(const int32_t* src, size_t n, int32_t zp, int32_t* dst) {
  for (size_t i = 0; i < n; ++i) dst[i] = src[i] - zp;
}

template <typename L, typename T>
void subtract_zero_point(const T* src, size_t n, int32_t zp, L* dst) {
  if constexpr (std::is_same_v<T, int32_t> && std::is_same_v<L, int16_t>)
    subtract_i16(src, n, zp, dst);
  else if constexpr (std::is_same_v<T, int32_t> && std::is_same_v<L, int32_t>)
    subtract_i32(src, n, zp, dst);
  else if constexpr (std::is_integral_v<T>)
    for (size_t i = 0; i < n; ++i) dst[i] = static_cast<L>(int64_t(src[i]) - zp);
  else
    for (size_t i = 0; i < n; ++i) dst[i] = static_cast<L>(src[i] - static_cast<T>(zp));
}

template <typename A, typename L>
void dot_rows_fast(const L* row, const L* w, int mw, int count, A* out) {
  if constexpr (std::is_same_v<L, int16_t> && std::is_same_v<A, int32_t>)
    dot_rows_i16(row, w, mw, count, out);
  else if constexpr (std::is_same_v<L, int32_t> && std::is_same_v<A, int32_t>)
    dot_rows_i32(row, w, mw, count, out);
  else if constexpr (std::is_same_v<L, int32_t> && std::is_same_v<A, int64_t>)
    dot_rows_i32_wide(row, w, mw, count, out);
  else
    dot_rows<A>(row, w, mw, count, out);
}

template <typename A, typename L>
void mac_lanes_fast(const L* x, const L* w, int n, A* acc) {
  if constexpr (std::is_same_v<L, int16_t> && std::is_same_v<A, int32_t>)
    mac_lanes_i16(x, w, n, acc);
  else if constexpr (std::is_same_v<L, int32_t> && std::is_same_v<A, int32_t>)
    mac_lanes_i32(x, w, n, acc);
  else if constexpr (std::is_same_v<L, int32_t> && std::is_same_v<A, int64_t>)
    mac_lanes_i32_wide(x, w, n, acc);
  else
    mac_lanes(x, w, n, acc);
}

// Which (lane, accumulator) pair a product needs. The bound is FINN-R's
// accumulator bound taken loosely: MW * max|x| * max|w| covers every partial
// sum, so the narrow sums never overflow.
enum class Lanes { kI16Acc32, kI32Acc32, kI32Acc64, kI64Acc128 };

struct ValueRange {
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  void include(int64_t v) { include(v, v); }
  void include(int64_t l, int64_t h) {
    lo = std::min(lo, l);
    hi = std::max(hi, h);
  }
  // The values v - zp for v in data[0, n).
  void include_shifted(const int32_t* data, size_t n, int64_t zp) {
    if (n == 0) return;
    int32_t l, h;
    min_max_i32(data, n, &l, &h);
    include(l - zp, h - zp);
  }
  bool fits(int64_t tlo, int64_t thi) const { return lo > hi || (lo >= tlo && hi <= thi); }
  __int128 max_abs() const {
    if (lo > hi) return 0;
    const __int128 a = lo < 0 ? -static_cast<__int128>(lo) : lo;
    const __int128 b = hi < 0 ? -static_cast<__int128>(hi) : hi;
    return std::max(a, b);
  }
};

Lanes choose_lanes(const ValueRange& x, const ValueRange& w, int mw) {
  const __int128 bound = x.max_abs() * w.max_abs() * mw;
  const bool x16 = x.fits(INT16_MIN, INT16_MAX), w16 = w.fits(INT16_MIN, INT16_MAX);
  const bool x32 = x.fits(INT32_MIN, INT32_MAX), w32 = w.fits(INT32_MIN, INT32_MAX);
  if (x16 && w16 && bound <= INT32_MAX) return Lanes::kI16Acc32;
  if (x32 && w32 && bound <= INT32_MAX) return Lanes::kI32Acc32;
  if (x32 && w32 && bound <= INT64_MAX) return Lanes::kI32Acc64;
  return Lanes::kI64Acc128;
}

// Only a wider internal accumulator can hold a value the output type cannot.
template <typename Out, typename A>
Out narrow(A v, const char* kernel) {
  if constexpr (!std::is_floating_point_v<Out> && sizeof(A) > sizeof(Out)) {
    if (v < A(std::numeric_limits<Out>::lowest()) || v > A(std::numeric_limits<Out>::max()))
      throw std::overflow_error(std::string(kernel) +
                                ": an accumulator exceeds the output type's range");
  }
  return static_cast<Out>(v);
}

int32_t zero_point_at(const std::vector<int32_t>& zp, int i) {
  if (zp.empty()) return 0;
  if (zp.size() == 1) return zp[0];
  return zp.at(size_t(i));
}

void check_zero_points(const std::vector<int32_t>& zp, int n, const char* what) {
  if (!zp.empty() && zp.size() != 1 && zp.size() != size_t(n))
    throw std::invalid_argument(std::string(what) + ": expected 0, 1 or " + std::to_string(n) +
                                " zero points, got " + std::to_string(zp.size()));
}

// ---------------------------------------------------------------------------
// Convolution geometry

struct ConvGeometry {
  int oh = 0, ow = 0;
  int icg = 0, ocg = 0;  // channels per group
  int mw = 0;            // lanes per output: kh * kw * icg
  bool touches_padding = false;
};

template <typename T>
ConvGeometry conv_geometry(const Tensor<T>& in, const Conv2dParams& p, size_t weight_count,
                           const char* kernel) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument(std::string(kernel) + ": " + why);
  };
  if (p.groups < 1 || p.out_channels < 1) fail("groups and out_channels must be positive");
  if (in.c % p.groups || p.out_channels % p.groups)
    fail("groups must divide the input and output channels");
  if (p.kernel_h < 1 || p.kernel_w < 1 || p.stride_h < 1 || p.stride_w < 1 || p.dilation_h < 1 ||
      p.dilation_w < 1)
    fail("kernel, stride and dilation must be positive");
  if (p.pads.top < 0 || p.pads.left < 0 || p.pads.bottom < 0 || p.pads.right < 0)
    fail("pads must be >= 0");
  ConvGeometry g;
  g.icg = in.c / p.groups;
  g.ocg = p.out_channels / p.groups;
  g.mw = p.kernel_h * p.kernel_w * g.icg;
  g.oh = window_out_size(in.h, p.kernel_h, p.stride_h, p.pads.top, p.pads.bottom, p.dilation_h);
  g.ow = window_out_size(in.w, p.kernel_w, p.stride_w, p.pads.left, p.pads.right, p.dilation_w);
  if (weight_count != size_t(p.out_channels) * g.mw)
    fail("expected " + std::to_string(size_t(p.out_channels) * g.mw) +
         " weights ([oc][kh][kw][ic/groups]), got " + std::to_string(weight_count));
  check_zero_points(p.zero_points.weight, p.out_channels, kernel);
  g.touches_padding = p.pads.top || p.pads.left || p.pads.bottom || p.pads.right;
  return g;
}

// ---------------------------------------------------------------------------
// Integer / floating convolution on a chosen lane type

template <typename L, typename A, typename T, typename Out>
void conv_core(const Tensor<T>& in, const std::vector<T>& weights, const Conv2dParams& p,
               const ConvGeometry& g, Tensor<Out>& out) {
  // Zero points are subtracted once, here, so the window loops are pure MACs.
  // The caller chose L wide enough for every difference.
  std::vector<L> x(in.size());
  subtract_zero_point(in.data.data(), in.size(), p.zero_points.input, x.data());
  // (Without padding this value is never read and need not fit L.)
  L pad_code;
  if constexpr (std::is_integral_v<T>)
    pad_code = static_cast<L>(int64_t(p.pad_value) - p.zero_points.input);
  else
    pad_code = static_cast<L>(static_cast<T>(p.pad_value) - static_cast<T>(p.zero_points.input));
  const std::vector<L> pad_pixel(size_t(in.c), pad_code);
  std::vector<L> w(weights.size());
  for (int oc = 0; oc < p.out_channels; ++oc)
    subtract_zero_point(weights.data() + size_t(oc) * g.mw, size_t(g.mw),
                        zero_point_at(p.zero_points.weight, oc), w.data() + size_t(oc) * g.mw);

  const int kpos = p.kernel_h * p.kernel_w;
  auto source = [&](int oy, int ox, int kh, int kw) -> const L* {
    const int iy = oy * p.stride_h - p.pads.top + kh * p.dilation_h;
    const int ix = ox * p.stride_w - p.pads.left + kw * p.dilation_w;
    if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) return pad_pixel.data();
    return x.data() + in.index(iy, ix, 0);
  };

  std::vector<A> acc(size_t(p.out_channels));
  if (g.icg == 1 && g.ocg == 1) {
    // Depthwise (VVAU): one lane per channel per kernel position, so the
    // vector loop runs across channels instead of along a 9-lane row.
    std::vector<L> wt(size_t(kpos) * in.c);  // [kh][kw][c]
    for (int c = 0; c < in.c; ++c)
      for (int k = 0; k < kpos; ++k) wt[size_t(k) * in.c + c] = w[size_t(c) * kpos + k];
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox) {
        std::fill(acc.begin(), acc.end(), A(0));
        for (int kh = 0; kh < p.kernel_h; ++kh)
          for (int kw = 0; kw < p.kernel_w; ++kw)
            mac_lanes_fast(source(oy, ox, kh, kw), wt.data() + size_t(kh * p.kernel_w + kw) * in.c,
                           in.c, acc.data());
        Out* o = &out.at(oy, ox, 0);
        for (int c = 0; c < p.out_channels; ++c) o[c] = narrow<Out>(acc[c], "conv2d");
      }
    return;
  }

  // General case: gather the window once per output pixel into one im2col row
  // per group ([kh][kw][ic] as the weights), then one dot product per output
  // channel, as the MVAU's PEs see it.
  std::vector<L> row(size_t(p.groups) * g.mw);
  const size_t icg_bytes = size_t(g.icg) * sizeof(L);
  for (int oy = 0; oy < g.oh; ++oy)
    for (int ox = 0; ox < g.ow; ++ox) {
      for (int kh = 0; kh < p.kernel_h; ++kh)
        for (int kw = 0; kw < p.kernel_w; ++kw) {
          const L* src = source(oy, ox, kh, kw);
          L* dst = row.data() + size_t(kh * p.kernel_w + kw) * g.icg;
          for (int grp = 0; grp < p.groups; ++grp)
            std::memcpy(dst + size_t(grp) * g.mw, src + size_t(grp) * g.icg, icg_bytes);
        }
      for (int grp = 0; grp < p.groups; ++grp)
        dot_rows_fast(row.data() + size_t(grp) * g.mw, w.data() + size_t(grp) * g.ocg * g.mw, g.mw,
                      g.ocg, acc.data() + size_t(grp) * g.ocg);
      Out* o = &out.at(oy, ox, 0);
      for (int oc = 0; oc < p.out_channels; ++oc) o[oc] = narrow<Out>(acc[oc], "conv2d");
    }
}

// ---------------------------------------------------------------------------
// Bit-packed XNOR-popcount

int words_for(int bits) {
  return (bits + 63) / 64;
}

// ORs n bits of src starting at bit src_bit into dst at bit dst_bit (dst's
// target bits must be zero).
void copy_bits(uint64_t* dst, int64_t dst_bit, const uint64_t* src, int64_t src_bit, int64_t n) {
  while (n > 0) {
    const int so = int(src_bit & 63), dof = int(dst_bit & 63);
    const int take = int(std::min<int64_t>(n, std::min(64 - so, 64 - dof)));
    const uint64_t mask = take == 64 ? ~uint64_t{0} : (uint64_t{1} << take) - 1;
    dst[dst_bit >> 6] |= ((src[src_bit >> 6] >> so) & mask) << dof;
    src_bit += take;
    dst_bit += take;
    n -= take;
  }
}

// Packs bit 0 of each code; bits past n stay 0, so tail lanes of two packed
// vectors always agree and are not counted as disagreements.
VINE_HOT_LOOP void pack_codes(const int32_t* codes, int n, uint64_t* words) {
  const int full = n / 64;
  for (int k = 0; k < full; ++k) {  // fixed 64-lane OR-reduction: vectorises
    uint64_t word = 0;
    for (int b = 0; b < 64; ++b) word |= uint64_t(codes[k * 64 + b] & 1) << b;
    words[k] = word;
  }
  if (n % 64) {
    uint64_t word = 0;
    for (int b = 0; b < n % 64; ++b) word |= uint64_t(codes[full * 64 + b] & 1) << b;
    words[full] = word;
  }
}

// out[o] = lanes - popcount(row ^ w[o]): FINN's XNOR-popcount, agreements.
VINE_HOT_LOOP void xnor_popcount_rows(const uint64_t* row, const uint64_t* w, int words, int count,
                                      int lanes, int32_t* out) {
  for (int o = 0; o < count; ++o) {
    const uint64_t* wr = w + size_t(o) * words;
    int disagree = 0;
    for (int i = 0; i < words; ++i) disagree += __builtin_popcountll(row[i] ^ wr[i]);
    out[o] = lanes - disagree;
  }
}

template <typename T>
Tensor<T> flatten(const Tensor<T>& in) {
  Tensor<T> flat;
  flat.h = flat.w = 1;
  flat.c = int(in.size());
  flat.data = in.data;
  return flat;
}

}  // namespace

// ---------------------------------------------------------------------------

int window_out_size(int in, int kernel, int stride, int pad_begin, int pad_end, int dilation,
                    bool ceil_mode) {
  if (kernel < 1 || stride < 1 || dilation < 1 || pad_begin < 0 || pad_end < 0)
    throw std::invalid_argument(
        "window_out_size: kernel, stride, dilation must be positive and pads >= 0");
  const int64_t span = int64_t(in) + pad_begin + pad_end - (int64_t(kernel - 1) * dilation + 1);
  if (span < 0)
    throw std::invalid_argument("window_out_size: the window (" + std::to_string(kernel) +
                                " taps, dilation " + std::to_string(dilation) +
                                ") is larger than the padded input (" +
                                std::to_string(int64_t(in) + pad_begin + pad_end) + ")");
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= int64_t(in) + pad_begin) --out;
  return int(out);
}

template <typename T, typename Acc>
Tensor<Acc> conv2d(const Tensor<T>& in, const std::vector<T>& weights, const Conv2dParams& p) {
  const ConvGeometry g = conv_geometry(in, p, weights.size(), "conv2d");
  Tensor<Acc> out(g.oh, g.ow, p.out_channels);
  if constexpr (std::is_floating_point_v<T>) {
    conv_core<T, T>(in, weights, p, g, out);
  } else {
    static_assert(std::is_same_v<T, int32_t>, "integer conv2d takes int32 values");
    const int64_t xzp = p.zero_points.input;
    ValueRange xr, wr;
    xr.include_shifted(in.data.data(), in.size(), xzp);
    if (g.touches_padding) xr.include(p.pad_value - xzp);
    for (int oc = 0; oc < p.out_channels; ++oc)
      wr.include_shifted(weights.data() + size_t(oc) * g.mw, size_t(g.mw),
                         zero_point_at(p.zero_points.weight, oc));
    switch (choose_lanes(xr, wr, g.mw)) {
      case Lanes::kI16Acc32:
        conv_core<int16_t, int32_t>(in, weights, p, g, out);
        break;
      case Lanes::kI32Acc32:
        conv_core<int32_t, int32_t>(in, weights, p, g, out);
        break;
      case Lanes::kI32Acc64:
        conv_core<int32_t, int64_t>(in, weights, p, g, out);
        break;
      case Lanes::kI64Acc128:
        conv_core<int64_t, __int128>(in, weights, p, g, out);
        break;
    }
  }
  return out;
}

Tensor<int32_t> conv2d_xnor_popcount(const Tensor<int32_t>& in,
                                     const std::vector<int32_t>& weight_codes,
                                     const Conv2dParams& p) {
  const ConvGeometry g = conv_geometry(in, p, weight_codes.size(), "conv2d_xnor_popcount");
  if (p.zero_points.input != 0 || !p.zero_points.weight.empty())
    throw std::invalid_argument("conv2d_xnor_popcount: bipolar lanes have no zero points");
  const int px_words = words_for(in.c), row_words = words_for(g.mw);

  std::vector<uint64_t> x(size_t(in.h) * in.w * px_words);
  for (int i = 0; i < in.h * in.w; ++i)
    pack_codes(&in.data[size_t(i) * in.c], in.c, &x[size_t(i) * px_words]);
  const std::vector<int32_t> pad_codes(size_t(in.c), p.pad_value);
  std::vector<uint64_t> pad_pixel(static_cast<size_t>(px_words));
  pack_codes(pad_codes.data(), in.c, pad_pixel.data());
  std::vector<uint64_t> w(size_t(p.out_channels) * row_words);
  for (int oc = 0; oc < p.out_channels; ++oc)
    pack_codes(&weight_codes[size_t(oc) * g.mw], g.mw, &w[size_t(oc) * row_words]);

  Tensor<int32_t> out(g.oh, g.ow, p.out_channels);
  std::vector<uint64_t> row(size_t(p.groups) * row_words);
  for (int oy = 0; oy < g.oh; ++oy)
    for (int ox = 0; ox < g.ow; ++ox) {
      std::fill(row.begin(), row.end(), uint64_t{0});
      for (int kh = 0; kh < p.kernel_h; ++kh)
        for (int kw = 0; kw < p.kernel_w; ++kw) {
          const int iy = oy * p.stride_h - p.pads.top + kh * p.dilation_h;
          const int ix = ox * p.stride_w - p.pads.left + kw * p.dilation_w;
          const bool inside = iy >= 0 && iy < in.h && ix >= 0 && ix < in.w;
          const uint64_t* src = inside ? &x[(size_t(iy) * in.w + ix) * px_words] : pad_pixel.data();
          const int64_t lane0 = int64_t(kh * p.kernel_w + kw) * g.icg;
          for (int grp = 0; grp < p.groups; ++grp)
            copy_bits(&row[size_t(grp) * row_words], lane0, src, int64_t(grp) * g.icg, g.icg);
        }
      for (int grp = 0; grp < p.groups; ++grp)
        xnor_popcount_rows(&row[size_t(grp) * row_words], &w[size_t(grp) * g.ocg * row_words],
                           row_words, g.ocg, g.mw, &out.at(oy, ox, grp * g.ocg));
    }
  return out;
}

template <typename T, typename Acc>
Tensor<Acc> fully_connected(const Tensor<T>& in, const std::vector<T>& weights, int out_features,
                            const ZeroPoints& zero_points) {
  Conv2dParams p;
  p.out_channels = out_features;
  p.zero_points = zero_points;
  return conv2d<T, Acc>(flatten(in), weights, p);
}

Tensor<int32_t> fully_connected_xnor_popcount(const Tensor<int32_t>& in,
                                              const std::vector<int32_t>& weight_codes,
                                              int out_features) {
  Conv2dParams p;
  p.out_channels = out_features;
  return conv2d_xnor_popcount(flatten(in), weight_codes, p);
}

template <typename T, typename Acc>
Matrix<Acc> matmul(const Matrix<T>& a, const Matrix<T>& b,
                   const std::vector<int32_t>& a_zero_points,
                   const std::vector<int32_t>& b_zero_points) {
  if (a.cols != b.rows)
    throw std::invalid_argument("matmul: (" + std::to_string(a.rows) + " x " +
                                std::to_string(a.cols) + ") times (" + std::to_string(b.rows) +
                                " x " + std::to_string(b.cols) + ")");
  check_zero_points(a_zero_points, a.rows, "matmul a");
  check_zero_points(b_zero_points, b.cols, "matmul b");
  // A 1 x M image of K channels against N output channels: row m of `a` is
  // pixel m (row-major (M, K) is already HWC), column n of `b` is weight row n.
  const int m = a.rows, k = a.cols, n = b.cols;
  Conv2dParams p;
  p.out_channels = n;
  p.zero_points.weight = b_zero_points;
  std::vector<T> wts(size_t(n) * k);
  for (int kk = 0; kk < k; ++kk)
    for (int j = 0; j < n; ++j) wts[size_t(j) * k + kk] = b.at(kk, j);
  Matrix<Acc> y(m, n);
  if (a_zero_points.size() <= 1) {
    p.zero_points.input = zero_point_at(a_zero_points, 0);
    Tensor<T> img;
    img.h = 1, img.w = m, img.c = k;
    img.data = a.data;
    y.data = conv2d<T, Acc>(img, wts, p).data;
    return y;
  }
  // conv2d has one input zero point, so a per-row a_zp runs row by row.
  for (int i = 0; i < m; ++i) {
    p.zero_points.input = a_zero_points[size_t(i)];
    Tensor<T> px(1, 1, k);
    std::copy(a.data.begin() + size_t(i) * k, a.data.begin() + size_t(i + 1) * k, px.data.begin());
    const Tensor<Acc> r = conv2d<T, Acc>(px, wts, p);
    std::copy(r.data.begin(), r.data.end(), y.data.begin() + size_t(i) * n);
  }
  return y;
}

template Tensor<int32_t> conv2d<int32_t, int32_t>(const Tensor<int32_t>&,
                                                  const std::vector<int32_t>&, const Conv2dParams&);
template Tensor<int64_t> conv2d<int32_t, int64_t>(const Tensor<int32_t>&,
                                                  const std::vector<int32_t>&, const Conv2dParams&);
template Tensor<float> conv2d<float, float>(const Tensor<float>&, const std::vector<float>&,
                                            const Conv2dParams&);
template Tensor<double> conv2d<double, double>(const Tensor<double>&, const std::vector<double>&,
                                               const Conv2dParams&);
template Tensor<int32_t> fully_connected<int32_t, int32_t>(const Tensor<int32_t>&,
                                                           const std::vector<int32_t>&, int,
                                                           const ZeroPoints&);
template Tensor<int64_t> fully_connected<int32_t, int64_t>(const Tensor<int32_t>&,
                                                           const std::vector<int32_t>&, int,
                                                           const ZeroPoints&);
template Tensor<float> fully_connected<float, float>(const Tensor<float>&,
                                                     const std::vector<float>&, int,
                                                     const ZeroPoints&);
template Tensor<double> fully_connected<double, double>(const Tensor<double>&,
                                                        const std::vector<double>&, int,
                                                        const ZeroPoints&);
template Matrix<int32_t> matmul<int32_t, int32_t>(const Matrix<int32_t>&, const Matrix<int32_t>&,
                                                  const std::vector<int32_t>&,
                                                  const std::vector<int32_t>&);
template Matrix<int64_t> matmul<int32_t, int64_t>(const Matrix<int32_t>&, const Matrix<int32_t>&,
                                                  const std::vector<int32_t>&,
                                                  const std::vector<int32_t>&);
template Matrix<float> matmul<float, float>(const Matrix<float>&, const Matrix<float>&,
                                            const std::vector<int32_t>&,
                                            const std::vector<int32_t>&);
template Matrix<double> matmul<double, double>(const Matrix<double>&, const Matrix<double>&,
                                               const std::vector<int32_t>&,
                                               const std::vector<int32_t>&);

}  // namespace vine::golden
