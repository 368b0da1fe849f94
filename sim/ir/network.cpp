#include "sim/ir/network.h"

#include <cmath>
#include <cstdint>
#include <unordered_map>

#include <algorithm>

#include "sim/config/config_error.h"

namespace vine::ir {

using config::ConfigError;

int64_t WeightType::min_value() const {
  switch (arithmetic) {
    case WeightArithmetic::kFixed: return -(int64_t{1} << (bits - 1));
    case WeightArithmetic::kPow2: return -(int64_t{1} << ((1 << exponent_bits) - 1));
    case WeightArithmetic::kBinary:
    case WeightArithmetic::kTernary: return -1;
  }
  return 0;
}

int64_t WeightType::max_value() const {
  switch (arithmetic) {
    case WeightArithmetic::kFixed: return (int64_t{1} << (bits - 1)) - 1;
    case WeightArithmetic::kPow2: return int64_t{1} << ((1 << exponent_bits) - 1);
    case WeightArithmetic::kBinary:
    case WeightArithmetic::kTernary: return 1;
  }
  return 0;
}

const char* to_string(LayerKind k) {
  switch (k) {
    case LayerKind::kConv: return "conv";
    case LayerKind::kDwConv: return "dwconv";
    case LayerKind::kFc: return "fc";
    case LayerKind::kMaxPool: return "maxpool";
    case LayerKind::kAvgPool: return "avgpool";
    case LayerKind::kPad: return "pad";
    case LayerKind::kAdd: return "add";
    case LayerKind::kConcat: return "concat";
    case LayerKind::kThreshold: return "threshold";
    case LayerKind::kRequant: return "requant";
    case LayerKind::kChannelwise: return "channelwise";
  }
  return "?";
}

arith::Range channelwise_range(ChannelwiseFunction function, const arith::Range& in, const arith::Range& param) {
  switch (function) {
    case ChannelwiseFunction::kAdd: return {in.lo + param.lo, in.hi + param.hi};
    case ChannelwiseFunction::kMul: {
      const int64_t c[4] = {in.lo * param.lo, in.lo * param.hi, in.hi * param.lo, in.hi * param.hi};
      return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
    }
    case ChannelwiseFunction::kCmpLe:
    case ChannelwiseFunction::kCmpGe: return {0, 1};
  }
  return {0, 0};
}

const char* to_string(OutputKind k) {
  switch (k) {
    case OutputKind::kAccumulator: return "accumulator";
    case OutputKind::kThreshold: return "threshold";
    case OutputKind::kRequant: return "requant";
  }
  return "?";
}

int windows_along(int in, int k, int s) { return in < k ? 0 : (in - k) / s + 1; }

std::string window_text(int h, int w) {
  return h == w ? std::to_string(h) : "[" + std::to_string(h) + ", " + std::to_string(w) + "]";
}

int64_t Layer::matrix_width() const {
  switch (kind) {
    case LayerKind::kConv: return kernel_positions() * in_shape.c;
    case LayerKind::kDwConv: return kernel_positions();
    case LayerKind::kFc: return in_shape.elements();
    default: return 0;
  }
}

int64_t Layer::matrix_height() const {
  switch (kind) {
    case LayerKind::kConv:
    case LayerKind::kFc: return out_channels;
    case LayerKind::kDwConv: return in_shape.c;
    default: return 0;
  }
}

const WeightType& Layer::weight_type_of_channel(int ch) const {
  int first = 0;
  for (const auto& g : channel_groups) {
    if (ch < first + g.channels) return g.weights;
    first += g.channels;
  }
  return *weights;
}

int Layer::max_weight_bits() const {
  int b = weights ? weights->bits : 0;
  for (const auto& g : channel_groups) b = std::max(b, g.weights.bits);
  return b;
}

int Network::find_layer(const std::string& n) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == n) return int(i);
  return -1;
}

namespace {

SourceLocation at(const Layer& l, const std::string& field) {
  SourceLocation w = l.where;
  if (!field.empty()) w.field += "." + field;
  return w;
}

ActivationType type_for_range(const arith::Range& r) {
  if (r.lo >= 0) return ActivationType{ActivationKind::kUnsigned, r.bits()};
  return ActivationType{ActivationKind::kSigned, r.bits()};
}

arith::Range lane_product_range(const WeightType& w, const ActivationType& a) {
  if (arith::is_xnor_popcount(w.arithmetic, a.kind)) return {0, 1};
  const int64_t c[4] = {w.min_value() * a.min_value(), w.min_value() * a.max_value(),
                        w.max_value() * a.min_value(), w.max_value() * a.max_value()};
  return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
}

void infer_weighted(Layer& l) {
  const int64_t mw = l.matrix_width();
  arith::Range acc{0, 0};
  auto widen = [&](const WeightType& w) {
    const arith::Range p = lane_product_range(w, l.in_type);
    // The accumulator's bound must fit the 64 bits it is computed in.
    int64_t lo = 0, hi = 0;
    if (__builtin_mul_overflow(p.lo, mw, &lo) || __builtin_mul_overflow(p.hi, mw, &hi))
      throw ConfigError(at(l, "weights"), "an accumulator range beyond 64 bits (" + std::to_string(mw) + " products of up to " +
                                              std::to_string(std::max(-p.lo, p.hi)) + ")",
                        "a layer whose sums fit 64 bits: narrower inputs or weights");
    const arith::Range a = arith::accumulator_range(p.lo, p.hi, mw);
    acc.lo = std::min(acc.lo, a.lo);
    acc.hi = std::max(acc.hi, a.hi);
  };
  if (l.channel_groups.empty()) {
    widen(*l.weights);
  } else {
    int64_t total = 0;
    for (const auto& g : l.channel_groups) {
      widen(g.weights);
      total += g.channels;
    }
    if (total != l.matrix_height())
      throw ConfigError(at(l, "channel_groups"), "groups covering " + std::to_string(total) + " channels",
                        "groups covering all " + std::to_string(l.matrix_height()) + " output channels");
  }
  // The bound above is FINN-R's: MW lane products, each within the product of
  // the weight and activation ranges, so |sum| <= MW * max|w| * max|x| (a
  // 3 x 3 x 512 window of 16 x 16-bit products needs 45 bits). The golden
  // reference and the compute engine hold sums wider than 32 bits in 64
  // (sim/golden/reference.h); an accumulator output travels on as a 32-bit
  // code, though, so its sums must fit 32 bits.
  if (l.output.kind == OutputKind::kAccumulator && (acc.lo < INT32_MIN || acc.hi > INT32_MAX))
    throw ConfigError(at(l, "weights"),
                      "sums from " + std::to_string(acc.lo) + " to " + std::to_string(acc.hi) + " (" +
                          std::to_string(mw) + " products per output)",
                      "sums that fit 32-bit signed integers on an accumulator output, the codes activations travel as: "
                      "a threshold or requant output, narrower weights or inputs, or fewer products per output");
  l.acc_range = acc;
}

void apply_output(Layer& l) {
  if (l.output.kind == OutputKind::kAccumulator) {
    // Activations travel as 32-bit codes (streams, golden tensors): the sums
    // do, infer_weighted() made sure.
    l.out_type = type_for_range(l.acc_range);
  } else {
    l.out_type = l.output.type;
  }
}

int window_out(int in, int pad_total, int k, int s) { return windows_along(in + pad_total, k, s); }

std::string type_text(const ActivationType& t) {
  if (t.kind == ActivationKind::kBipolar) return "bipolar";
  return std::string(t.kind == ActivationKind::kSigned ? "signed " : "unsigned ") + std::to_string(t.bits) + "-bit";
}

// A channelwise layer's output type: the config's, which must hold every
// result (the hardware's output type would wrap one it does not), or the
// narrowest that does. With a parameters_file the results are those of the
// file's values (config::check_parameter_files checks them); without, of any
// parameter of the parameter type.
void infer_channelwise(Layer& l) {
  const ChannelwiseSpec& cw = *l.channelwise;
  if (l.in_type.kind == ActivationKind::kBipolar)
    throw ConfigError(at(l, "inputs"), "a bipolar input", "an integer (unsigned or signed) input to a channelwise layer");
  const arith::Range in{l.in_type.min_value(), l.in_type.max_value()};
  const arith::Range param{cw.parameters.min_value(), cw.parameters.max_value()};
  const arith::Range r = channelwise_range(cw.function, in, param);
  l.acc_range = r;
  if (cw.output) {
    if (cw.compares() && !(cw.output->kind == ActivationKind::kUnsigned && cw.output->bits == 1) &&
        cw.output->kind != ActivationKind::kBipolar)
      throw ConfigError(at(l, "output"), type_text(*cw.output),
                        std::string("a 1-bit output (unsigned or bipolar) for ") + to_string(cw.function) +
                            ", whose results are 0 and 1");
    if (!cw.compares() && cw.output->kind == ActivationKind::kBipolar)
      throw ConfigError(at(l, "output"), "bipolar",
                        std::string("an unsigned or signed output for ") + to_string(cw.function));
    if (!cw.compares() && !l.parameters_file && (r.lo < cw.output->min_value() || r.hi > cw.output->max_value()))
      throw ConfigError(at(l, "output"), type_text(*cw.output),
                        "an output type holding every result of " + std::string(to_string(cw.function)) + ", " +
                            std::to_string(r.lo) + " to " + std::to_string(r.hi) +
                            " (inputs and parameters over their types' ranges), e.g. " + type_text(type_for_range(r)));
    l.out_type = *cw.output;
  } else {
    l.out_type = cw.compares() ? ActivationType{ActivationKind::kUnsigned, 1} : type_for_range(r);
  }
  // Codes travel as 32-bit signed integers.
  if (l.out_type.min_value() < INT32_MIN || l.out_type.max_value() > INT32_MAX)
    throw ConfigError(at(l, "parameters"), "results from " + std::to_string(r.lo) + " to " + std::to_string(r.hi),
                      "results that fit 32-bit signed integers, the codes activations travel as: narrower "
                      "parameters, or an output type given");
}

}  // namespace

void infer_network(Network& net) {
  if (net.layers.empty()) throw ConfigError(SourceLocation{net.path, 0, 0, "layers"}, "an empty list", "at least one layer");
  std::unordered_map<std::string, int> earlier;  // layer name -> index: linear in the layers, not quadratic
  for (size_t i = 0; i < net.layers.size(); ++i) {
    Layer& l = net.layers[i];
    if (earlier.count(l.name))
      throw ConfigError(at(l, "name"), "'" + l.name + "'", "a layer name not used before (duplicate)");
    if (l.name == "input" || l.name == "output")
      throw ConfigError(at(l, "name"), "'" + l.name + "'", "a name other than 'input' and 'output' (reserved)");
    if (l.inputs.empty()) l.inputs.push_back(i == 0 ? "input" : net.layers[i - 1].name);
    const size_t want = (l.kind == LayerKind::kAdd || l.kind == LayerKind::kConcat) ? 2 : 1;
    if (l.kind == LayerKind::kConcat ? l.inputs.size() < 2 : l.inputs.size() != want)
      throw ConfigError(at(l, "inputs"), std::to_string(l.inputs.size()) + " inputs",
                        std::string(to_string(l.kind)) + " to take " +
                            (l.kind == LayerKind::kConcat ? "at least 2" : std::to_string(want)) + " input(s)");
    l.input_index.clear();
    std::vector<Shape> shapes;
    std::vector<ActivationType> types;
    for (const auto& in : l.inputs) {
      if (in == "input") {
        l.input_index.push_back(-1);
        shapes.push_back(net.input_shape);
        types.push_back(net.input_type);
        continue;
      }
      const auto found = earlier.find(in);
      const int idx = found == earlier.end() ? -1 : found->second;
      if (idx < 0)
        throw ConfigError(at(l, "inputs"), "'" + in + "'", "the name of an earlier layer or 'input'");
      l.input_index.push_back(idx);
      shapes.push_back(net.layers[idx].out_shape);
      types.push_back(net.layers[idx].out_type);
    }
    l.in_shape = shapes[0];
    l.in_type = types[0];
    // The pad code travels on the padded stream: it must be one of its codes.
    if (l.pad.any() && (l.pad_value < l.in_type.min_code() || l.pad_value > l.in_type.max_code()))
      throw ConfigError(at(l, "pad_value"), std::to_string(l.pad_value),
                        "a code of the padded stream's type, in [" + std::to_string(l.in_type.min_code()) + ", " +
                            std::to_string(l.in_type.max_code()) + "]");
    const Shape& s = l.in_shape;

    switch (l.kind) {
      case LayerKind::kConv:
      case LayerKind::kDwConv: {
        const int oh = window_out(s.h, l.pad.top + l.pad.bottom, l.kernel_h, l.stride_h);
        const int ow = window_out(s.w, l.pad.left + l.pad.right, l.kernel_w, l.stride_w);
        if (oh < 1 || ow < 1)
          throw ConfigError(at(l, "kernel"), window_text(l.kernel_h, l.kernel_w),
                            "a kernel no larger than the padded input " + std::to_string(s.h + l.pad.top + l.pad.bottom) +
                                "x" + std::to_string(s.w + l.pad.left + l.pad.right));
        if (l.kind == LayerKind::kDwConv) {
          if (l.out_channels && l.out_channels != s.c)
            throw ConfigError(at(l, "out_channels"), std::to_string(l.out_channels),
                              "the input's " + std::to_string(s.c) + " channels (depthwise)");
          l.out_channels = s.c;
        }
        l.out_shape = {oh, ow, l.out_channels};
        infer_weighted(l);
        apply_output(l);
        break;
      }
      case LayerKind::kFc:
        l.out_shape = {1, 1, l.out_channels};
        infer_weighted(l);
        apply_output(l);
        break;
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool: {
        if (l.kernel_h > s.h || l.kernel_w > s.w)
          throw ConfigError(at(l, "kernel"), window_text(l.kernel_h, l.kernel_w),
                            "a window no larger than the input " + std::to_string(s.h) + "x" + std::to_string(s.w));
        l.out_shape = {window_out(s.h, 0, l.kernel_h, l.stride_h), window_out(s.w, 0, l.kernel_w, l.stride_w), s.c};
        l.out_type = l.in_type;
        break;
      }
      case LayerKind::kPad:
        l.out_shape = {s.h + l.pad.top + l.pad.bottom, s.w + l.pad.left + l.pad.right, s.c};
        l.out_type = l.in_type;
        break;
      case LayerKind::kAdd: {
        if (shapes[1] != shapes[0])
          throw ConfigError(at(l, "inputs"), "'" + l.inputs[1] + "' of shape " + std::to_string(shapes[1].h) + "x" +
                                                 std::to_string(shapes[1].w) + "x" + std::to_string(shapes[1].c),
                            "the shape of '" + l.inputs[0] + "': " + std::to_string(s.h) + "x" +
                                std::to_string(s.w) + "x" + std::to_string(s.c));
        for (size_t k = 0; k < 2; ++k)
          if (types[k].kind == ActivationKind::kBipolar)
            throw ConfigError(at(l, "inputs"), "bipolar input '" + l.inputs[k] + "'",
                              "integer (unsigned or signed) inputs to add");
        l.acc_range = {types[0].min_value() + types[1].min_value(), types[0].max_value() + types[1].max_value()};
        l.out_shape = s;
        apply_output(l);
        break;
      }
      case LayerKind::kConcat: {
        int c = 0;
        for (size_t k = 0; k < shapes.size(); ++k) {
          if (shapes[k].h != s.h || shapes[k].w != s.w)
            throw ConfigError(at(l, "inputs"), "'" + l.inputs[k] + "'", "inputs of equal height and width");
          if (!(types[k] == types[0]))
            throw ConfigError(at(l, "inputs"), "'" + l.inputs[k] + "'", "inputs of the same activation type");
          c += shapes[k].c;
        }
        l.out_shape = {s.h, s.w, c};
        l.out_type = l.in_type;
        break;
      }
      case LayerKind::kThreshold:
      case LayerKind::kRequant:
        if (l.in_type.kind == ActivationKind::kBipolar)
          throw ConfigError(at(l, "inputs"), "a bipolar input", "an integer input to re-quantise");
        l.acc_range = {l.in_type.min_value(), l.in_type.max_value()};
        l.out_shape = s;
        apply_output(l);
        break;
      case LayerKind::kChannelwise:
        l.out_shape = s;
        infer_channelwise(l);
        break;
    }
    if (l.out_type.kind == ActivationKind::kBipolar && l.output.kind == OutputKind::kRequant)
      throw ConfigError(at(l, "output.type"), "bipolar", "unsigned or signed for a requantiser");
    earlier.emplace(l.name, int(i));
  }
  // The last layer is the network's output; every other layer's output must
  // feed some layer, or its stream would have no consumer and the pipeline
  // could never drain it.
  std::vector<bool> read(net.layers.size(), false);
  for (const auto& l : net.layers)
    for (int idx : l.input_index)
      if (idx >= 0) read[size_t(idx)] = true;
  for (size_t i = 0; i + 1 < net.layers.size(); ++i)
    if (!read[i])
      throw ConfigError(at(net.layers[i], "name"), "'" + net.layers[i].name + "', whose output no layer reads",
                        "every layer but the last (the network's output, '" + net.output_layer().name +
                            "') to feed a later layer");
  // The golden reference and the models hold every weight (code and value,
  // 2 x 4 bytes) and threshold (8 bytes) of the synthesised parameters: a
  // network past the limit is refused here rather than attempted.
  double bytes = 0;
  for (const auto& l : net.layers) {
    if (l.has_weights()) bytes += 8.0 * double(l.matrix_width()) * double(l.matrix_height());
    if (l.has_output_stage() && l.output.kind == OutputKind::kThreshold)
      bytes += 8.0 * double(l.out_shape.c) * (std::ldexp(1.0, l.output.type.bits) - 1);
  }
  if (bytes > kMaxParameterBytes)
    throw ConfigError(SourceLocation{net.path, 0, 0, "layers"},
                      "weights and thresholds needing " + std::to_string(int64_t(bytes / (1 << 20))) + " MiB",
                      "at most " + std::to_string(int64_t(kMaxParameterBytes / (1 << 20))) +
                          " MiB of parameters, Vine's limit for the synthesised weights it holds in memory");
  if (net.classes <= 0) net.classes = int(net.output_layer().out_shape.elements());
  if (net.classes > net.output_layer().out_shape.elements())
    throw ConfigError(SourceLocation{net.path, 0, 0, "classes"}, std::to_string(net.classes),
                      "at most the last layer's " + std::to_string(net.output_layer().out_shape.elements()) +
                          " outputs");
}

}  // namespace vine::ir
