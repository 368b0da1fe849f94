// A network: a graph of quantised layers, as a network config describes it,
// with shapes and activation types filled in by infer_network().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/arith/arithmetic.h"
#include "sim/arith/channelwise.h"
#include "sim/ir/source_location.h"

namespace vine::ir {

// The most parameter memory (weights and thresholds) a network may need:
// 4 GiB, a sixth of this project's 24 GiB machines.
inline constexpr double kMaxParameterBytes = 4.0 * (1ull << 30);

using arith::ActivationKind;
using arith::ActivationType;
using arith::WeightArithmetic;

struct Shape {
  int h = 0, w = 0, c = 0;
  int64_t elements() const { return int64_t{h} * w * c; }
  bool operator==(const Shape& o) const { return h == o.h && w == o.w && c == o.c; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

// The arithmetic of a block of weights.
struct WeightType {
  WeightArithmetic arithmetic = WeightArithmetic::kFixed;
  // Bits per weight in weight memory: fixed = signed width, binary = 1,
  // ternary = 2, pow2 = exponent_bits + 2 (zero flag and sign).
  int bits = 8;
  int exponent_bits = 0;  // pow2 only
  int exponent_bias = 0;  // pow2 only: v = s * 2^(e - bias)
  int64_t min_value() const;
  int64_t max_value() const;
};

// Channel-wise mixed precision: consecutive output channels sharing a weight type.
struct ChannelGroup {
  int channels = 0;
  WeightType weights;
  SourceLocation where;
};

enum class LayerKind { kConv, kDwConv, kFc, kMaxPool, kAvgPool, kPad, kAdd, kConcat, kThreshold, kRequant, kChannelwise };
const char* to_string(LayerKind k);

// What turns a layer's accumulators into the activations it streams out.
enum class OutputKind { kAccumulator, kThreshold, kRequant };
const char* to_string(OutputKind k);

// A kernel's or stride's value as a network config writes it: `3` when
// square, `[1, 3]` (height, width) otherwise.
std::string window_text(int h, int w);

// Windows of side k at stride s along a side of `in` pixels, padding
// included; 0 when the kernel is longer than the side (C++'s division
// truncates toward zero, so the bare formula would say 1).
int windows_along(int in, int k, int s);

struct OutputSpec {
  OutputKind kind = OutputKind::kAccumulator;
  ActivationType type;  // for kThreshold / kRequant
};

// What a channelwise layer (FINN's ChannelwiseOp) does with each element and
// its channel's parameter: sim/arith/channelwise.h.
using arith::ChannelwiseFunction;

// A channelwise layer's function and types.
struct ChannelwiseSpec {
  ChannelwiseFunction function = ChannelwiseFunction::kAdd;
  ActivationType parameters{ActivationKind::kSigned, 8};  // the type every parameter is of
  // The output type as the config gives it; absent: the narrowest type
  // holding every result (1-bit unsigned for a comparison).
  std::optional<ActivationType> output;
  bool compares() const { return function == ChannelwiseFunction::kCmpLe || function == ChannelwiseFunction::kCmpGe; }
};

// The range of `function` over inputs in `in` and parameters in `param`.
arith::Range channelwise_range(ChannelwiseFunction function, const arith::Range& in, const arith::Range& param);

struct Padding {
  int top = 0, left = 0, bottom = 0, right = 0;
  bool any() const { return top || left || bottom || right; }
};

// Weights or thresholds a network config takes from a .npy file
// (`weights_file`, `thresholds_file`; docs/data.md) instead of synthesising
// them: the file's values in C order, checked against the layer's shape and
// types by the config loader.
struct ParameterFile {
  std::string path;      // resolved against the network file's folder
  SourceLocation where;  // the config field that names it
  std::vector<int64_t> shape;   // the file's
  std::vector<int64_t> values;
};

// Weights the network generates from OVSF codes instead of storing them
// (unzipFPGA's compact representation; docs/weights-generator.md): each
// filter a sum of the layer's kept codes weighted by per-filter
// coefficients, all synthesised from the seed (golden::synthesize_ovsf_layer).
struct GeneratedWeights {
  double kept_ratio = 0.25;  // kept codes / code length L, in (0, 1]
  int coeff_bits = 8;        // two's complement coefficient width
  SourceLocation where;      // the `generated_weights` field
};

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::kConv;
  std::vector<std::string> inputs;  // producer layer names; "input" is the network input
  SourceLocation where;

  // conv, dwconv, maxpool, avgpool: the window, KH x KW at strides SH, SW
  // (a network config's `kernel: K` is K x K; `kernel: [KH, KW]` any other,
  // e.g. [1, 3] for a one-dimensional convolution along the width).
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int64_t kernel_positions() const { return int64_t{kernel_h} * kernel_w; }  // KH x KW
  bool square_window() const { return kernel_h == kernel_w && stride_h == stride_w; }
  // A 1x1 kernel at stride 1: pixels straight from the stream, no window.
  bool pointwise() const { return kernel_h == 1 && kernel_w == 1 && stride_h == 1 && stride_w == 1; }
  Padding pad;        // conv, dwconv, pad
  int out_channels = 0;  // conv, fc
  int pad_value = 0;     // code written into padded positions (pad, conv, dwconv)

  // conv, dwconv, fc: weights (one type, or one per channel group).
  std::optional<WeightType> weights;
  std::vector<ChannelGroup> channel_groups;
  // conv, dwconv, fc, add, threshold, requant
  OutputSpec output;
  // Weight values ([oc][kh][kw][ic] conv, [c][kh][kw] dwconv, [out][in] fc)
  // and thresholds ([channel][step]) from .npy files; absent: synthesised.
  std::optional<ParameterFile> weights_file;
  std::optional<ParameterFile> thresholds_file;
  // channelwise: its function and types, and its per-channel parameters
  // from a .npy file (absent: synthesised from the seed).
  std::optional<ChannelwiseSpec> channelwise;
  std::optional<ParameterFile> parameters_file;
  // conv, dwconv, fc: the fraction of synthesised weights pruned to zero, at
  // positions fixed by the layer's name (sim/ir/weight_bitmap.h); 0: none.
  double weight_sparsity = 0;
  SourceLocation weight_sparsity_where;
  // conv, dwconv, fc: weights generated from OVSF codes and coefficients.
  std::optional<GeneratedWeights> generated_weights;

  // Filled in by infer_network().
  Shape in_shape;            // of inputs[0]
  Shape out_shape;
  ActivationType in_type;    // of inputs[0]
  ActivationType out_type;   // what this layer streams out
  arith::Range acc_range;    // accumulator range (compute and add layers)
  std::vector<int> input_index;  // resolved inputs: -1 = network input, else layer index

  bool has_weights() const { return kind == LayerKind::kConv || kind == LayerKind::kDwConv || kind == LayerKind::kFc; }
  // Whether the layer ends in an output stage (`output`: accumulator,
  // threshold or requantiser) that turns sums into the codes it streams out.
  bool has_output_stage() const {
    return has_weights() || kind == LayerKind::kAdd || kind == LayerKind::kThreshold || kind == LayerKind::kRequant;
  }
  // The MVAU/VVAU view of a weighted layer.
  int64_t matrix_width() const;   // MW: KH*KW*Cin (conv), KH*KW (dwconv, per channel), Cin*H*W (fc)
  int64_t matrix_height() const;  // MH: Cout (conv, fc), C (dwconv)
  int64_t output_pixels() const { return int64_t{out_shape.h} * out_shape.w; }
  // The weight type of output channel `ch` (channel groups or the layer's one type).
  const WeightType& weight_type_of_channel(int ch) const;
  int max_weight_bits() const;
};

struct Network {
  std::string name;
  std::string description;
  std::string path;  // file it was loaded from
  Shape input_shape;
  ActivationType input_type;
  int classes = 0;   // top-1 is taken over the first `classes` outputs of the last layer
  std::vector<Layer> layers;

  int find_layer(const std::string& name) const;  // -1 if absent
  const Layer& output_layer() const { return layers.back(); }
};

// Resolves inputs, infers every layer's shapes and activation types, and checks
// that the graph makes sense. Throws ConfigError naming the layer's location.
void infer_network(Network& net);

}  // namespace vine::ir
