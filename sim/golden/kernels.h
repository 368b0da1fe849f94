// The golden reference's layer kernels: every layer kind of a Vine network,
// computed bit-exactly for one frame (batch 1) on HWC tensors. Plain C++, no
// SystemC: the simulator's outputs are compared against these frame by frame,
// and they are checked against ONNX's own conformance vectors.
//
// Arithmetic follows arithmetic.h: a convolution or matrix-vector product is a
// sum of lane products; XNOR-popcount layers count agreeing bits; thresholding
// and requantisation are arith::multithreshold and arith::requantize applied
// per element. Weights are plain integer values (decode pow2/ternary/binary
// codes with arith::weight_value first), except in the *_xnor_popcount kernels,
// which take the 1-bit codes themselves.
//
// Integer kernels never wrap silently: they pick a wide enough internal
// accumulator and throw std::overflow_error when a result does not fit the
// requested output type.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/arith/arithmetic.h"
#include "sim/golden/tensor.h"

namespace vine::golden {

struct Pads {
  int top = 0, left = 0, bottom = 0, right = 0;
};

// Number of window positions along one axis (ONNX Conv/MaxPool/AveragePool):
// floor or ceil of (in + pads - dilated kernel) / stride, plus one. In ceil
// mode a last window that would start inside the end padding is dropped
// (PyTorch's rule, which ONNX adopted), so every window sees input.
int window_out_size(int in, int kernel, int stride, int pad_begin, int pad_end, int dilation = 1,
                    bool ceil_mode = false);

// Zero points as in ONNX ConvInteger/MatMulInteger: each lane multiplies
// (x - input) by (w - weight[oc]).
struct ZeroPoints {
  int32_t input = 0;
  std::vector<int32_t> weight;  // {} = none, one value per tensor, or one per output channel
};

struct Conv2dParams {
  int out_channels = 1;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  Pads pads;
  // groups == in channels == out_channels is a depthwise conv (FINN's VVAU).
  int groups = 1;
  // Code fed into padded positions, before the input zero point is subtracted.
  // FINN's FMPadding inserts 0; ONNX ConvInteger pads with the input zero
  // point (so padded lanes contribute nothing).
  int32_t pad_value = 0;
  ZeroPoints zero_points;
};

// 2-D convolution, out[y][x][oc] = sum over kh, kw, ic of lane products.
// weights: [oc][kh][kw][in_channels / groups], the MVAU weight matrix with one
// row (MW = kh*kw*ic_per_group lanes) per output channel. Acc is the output
// accumulator type (int32_t or int64_t for integers; float/double compute in
// that type, for ONNX's float vectors).
template <typename T, typename Acc = T>
Tensor<Acc> conv2d(const Tensor<T>& in, const std::vector<T>& weights, const Conv2dParams& p);

// FINN's binary layer: weight codes and activation codes are 1 bit (bit 1 =
// +1, bit 0 = -1; only bit 0 of each code is used, as in arith::lane_product)
// and each output is the number of agreeing lanes, (dot + MW) / 2, padded lanes
// included (they carry p.pad_value). Zero points must be empty.
Tensor<int32_t> conv2d_xnor_popcount(const Tensor<int32_t>& in,
                                     const std::vector<int32_t>& weight_codes,
                                     const Conv2dParams& p);

// Matrix-vector product over the whole frame flattened in HWC order (how a
// FINN FC layer reads the stream): weights [out_features][h*w*c]. The result
// is a 1 x 1 x out_features tensor.
template <typename T, typename Acc = T>
Tensor<Acc> fully_connected(const Tensor<T>& in, const std::vector<T>& weights, int out_features,
                            const ZeroPoints& zero_points = {});

Tensor<int32_t> fully_connected_xnor_popcount(const Tensor<int32_t>& in,
                                              const std::vector<int32_t>& weight_codes,
                                              int out_features);

template <typename T>
struct Matrix {
  int rows = 0, cols = 0;
  std::vector<T> data;  // row-major

  Matrix() = default;
  Matrix(int rows_, int cols_, T fill = T{})
      : rows(rows_), cols(cols_), data(size_t(rows_) * cols_, fill) {}
  T& at(int r, int c) { return data[size_t(r) * cols + c]; }
  const T& at(int r, int c) const { return data[size_t(r) * cols + c]; }
};

// (M x K) times (K x N), ONNX MatMulInteger semantics: a lane is
// (a[m][k] - a_zp[m]) * (b[k][n] - b_zp[n]). Each zero-point vector is empty,
// one value, or one per row of a (a_zp) / per column of b (b_zp).
template <typename T, typename Acc = T>
Matrix<Acc> matmul(const Matrix<T>& a, const Matrix<T>& b,
                   const std::vector<int32_t>& a_zero_points = {},
                   const std::vector<int32_t>& b_zero_points = {});

struct Pool2dParams {
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  Pads pads;
  bool ceil_mode = false;
};

// Max over each window; padded positions never win (ONNX MaxPool). Throws if
// a window holds no input at all.
template <typename T>
Tensor<T> maxpool2d(const Tensor<T>& in, const Pool2dParams& p);

// What an average is divided by. Padded positions always add 0 to the sum.
enum class AvgPoolDivisor {
  // kernel_h * kernel_w for every window: Vine's integer average pool (the
  // hardware divides by a constant, however many lanes are padding).
  kKernelSize,
  // ONNX count_include_pad = 1: positions inside the input or its explicit
  // pads (not the extra positions a ceil-mode window reaches past them).
  kIncludePad,
  // ONNX count_include_pad = 0: positions inside the input only.
  kExcludePad,
};

// Average pool. Integer T: the window sum (exact, 64-bit) divided by the
// divisor with FLOOR division (rounded toward -infinity, like an arithmetic
// right shift for power-of-two windows); this is Vine's integer average-pool
// semantics. Floating T: sum in double, divide, round once to T.
template <typename T>
Tensor<T> avgpool2d(const Tensor<T>& in, const Pool2dParams& p,
                    AvgPoolDivisor divisor = AvgPoolDivisor::kKernelSize);

// Explicit padding (FINN's FMPadding): the border is filled with `value`.
template <typename T>
Tensor<T> pad2d(const Tensor<T>& in, const Pads& pads, T value);

// Elementwise sum of two equally shaped tensors (the residual add). Integer
// sums that leave T's range throw.
template <typename T>
Tensor<T> add(const Tensor<T>& a, const Tensor<T>& b);

// Channel concatenation: every part has the same h and w; channels of part 0
// come first in each pixel.
template <typename T>
Tensor<T> concat_channels(const std::vector<const Tensor<T>*>& parts);

// FINN MultiThreshold weights.
struct Thresholds {
  int steps = 0;  // thresholds per row: 2^A - 1 for an A-bit output
  // One row of `steps` thresholds shared by every channel, or one row per
  // channel; rows are meant to be ascending (FINN sorts them), and an unsorted
  // row still counts reached thresholds exactly as arith::multithreshold does.
  std::vector<int64_t> values;
  int32_t out_bias = 0;  // e.g. -2^(A-1) for a signed A-bit output
};

template <typename Acc>
Tensor<int32_t> multithreshold(const Tensor<Acc>& acc, const Thresholds& t);

// Multiplier-shift requantiser parameters (arith::requantize per element).
struct Requantizer {
  std::vector<int64_t> multiplier;  // one value per tensor, or one per channel
  std::vector<int> shift;           // same length as multiplier
  int32_t zero_point = 0;
  int32_t lo = std::numeric_limits<int32_t>::min();
  int32_t hi = std::numeric_limits<int32_t>::max();
  arith::Rounding rounding = arith::Rounding::kHalfUp;
};

template <typename Acc>
Tensor<int32_t> requantize(const Tensor<Acc>& acc, const Requantizer& r);

// A real scale as multiplier * 2^-shift with the multiplier normalised to
// [2^(bits-1), 2^bits) (gemmlowp's and TFLite's form; 31 bits fits a DSP
// cascade). Any float32 scale is represented exactly with bits >= 24.
struct FixedPointScale {
  int64_t multiplier = 0;
  int shift = 0;
};
FixedPointScale fixed_point_scale(double scale, int multiplier_bits = 31);

}  // namespace vine::golden
