#include "sim/config/parameter_files.h"

#include <algorithm>
#include <filesystem>
#include <limits>

#include "sim/arith/weight_code.h"
#include "sim/data/npy.h"

namespace vine::config {

namespace fs = std::filesystem;

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  data::NpyArray a;
  a.shape = shape;
  return a.shape_string();
}

// "[3, 0, 2, 1]": the element's index along every axis.
std::string index_text(int64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  std::string s = "[";
  for (size_t i = 0; i < idx.size(); ++i) s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + "]";
}

std::string weight_range_text(const ir::WeightType& w) {
  switch (w.arithmetic) {
    case ir::WeightArithmetic::kFixed:
      return "a " + std::to_string(w.bits) + "-bit fixed weight, an integer in [" + std::to_string(w.min_value()) +
             ", " + std::to_string(w.max_value()) + "]";
    case ir::WeightArithmetic::kPow2:
      return "a pow2 weight: 0 or +-2^e with e in [0, " + std::to_string((1 << w.exponent_bits) - 1) + "]";
    case ir::WeightArithmetic::kBinary: return "a binary weight: -1 or +1";
    case ir::WeightArithmetic::kTernary: return "a ternary weight: -1, 0 or +1";
  }
  return "";
}

// The shape a layer's weights file must have, in the golden reference's order.
std::vector<int64_t> weights_shape(const ir::Layer& l) {
  switch (l.kind) {
    case ir::LayerKind::kConv: return {l.out_shape.c, l.kernel_h, l.kernel_w, l.in_shape.c};
    case ir::LayerKind::kDwConv: return {l.out_shape.c, l.kernel_h, l.kernel_w};
    default: return {l.matrix_height(), l.matrix_width()};
  }
}

int threshold_steps(const ir::Layer& l) {
  return l.out_type.kind == ir::ActivationKind::kBipolar ? 1 : (1 << l.out_type.bits) - 1;
}

void check_shape(const ir::Layer& l, const ir::ParameterFile& f, const std::vector<int64_t>& shape,
                 const std::vector<int64_t>& want, const std::string& layout) {
  if (shape != want)
    throw ConfigError(f.where, "'" + f.path + "' of shape " + shape_text(shape),
                      "shape " + shape_text(want) + " " + layout + " for layer '" + l.name + "'");
}

void check_weights(const ir::Layer& l, const ir::ParameterFile& f) {
  const int64_t cols = l.matrix_width();
  const std::vector<int64_t> shape = weights_shape(l);
  for (size_t i = 0; i < f.values.size(); ++i) {
    const ir::WeightType& w = l.weight_type_of_channel(int(int64_t(i) / cols));
    if (!arith::weight_code(w.arithmetic, f.values[i], w.bits, w.exponent_bits))
      throw ConfigError(f.where,
                        "value " + std::to_string(f.values[i]) + " at index " + index_text(int64_t(i), shape) +
                            " (element " + std::to_string(i) + ") of '" + f.path + "'",
                        weight_range_text(w) + " for layer '" + l.name + "'");
  }
}

void check_thresholds(const ir::Layer& l, const ir::ParameterFile& f) {
  if (!l.has_output_stage() || l.output.kind != ir::OutputKind::kThreshold)
    throw ConfigError(f.where, "'" + f.path + "'",
                      "no thresholds_file on layer '" + l.name + "', whose output is " +
                          (l.has_output_stage() ? ir::to_string(l.output.kind) : "not thresholded"));
  // Thresholds are compared with the layer's accumulators, which Vine holds
  // as int32: beyond the accumulator's range a threshold is simply always or
  // never reached, so only int32 is required.
  const std::vector<int64_t> shape{l.out_shape.c, threshold_steps(l)};
  check_shape(l, f, f.shape, shape, "(channels, steps = 2^bits - 1, or 1 for bipolar)");
  for (size_t i = 0; i < f.values.size(); ++i)
    if (f.values[i] < std::numeric_limits<int32_t>::min() || f.values[i] > std::numeric_limits<int32_t>::max())
      throw ConfigError(f.where,
                        "value " + std::to_string(f.values[i]) + " at index " + index_text(int64_t(i), shape) +
                            " of '" + f.path + "'",
                        "a threshold in [" + std::to_string(std::numeric_limits<int32_t>::min()) + ", " +
                            std::to_string(std::numeric_limits<int32_t>::max()) + "] for layer '" + l.name + "'");
}

// A channelwise layer's parameters: one per channel, each of the layer's
// parameter type; with an output type given, every result over the input's
// range and the file's values must be one of its codes.
void check_channelwise_parameters(const ir::Layer& l, const ir::ParameterFile& f) {
  if (!l.channelwise)
    throw ConfigError(f.where, "'" + f.path + "'", "no parameters_file on layer '" + l.name + "', not a channelwise layer");
  const ir::ChannelwiseSpec& cw = *l.channelwise;
  const std::vector<int64_t> shape{l.out_shape.c};
  check_shape(l, f, f.shape, shape, "(channels)");
  int64_t lo = 0, hi = 0;
  for (size_t i = 0; i < f.values.size(); ++i) {
    if (f.values[i] < cw.parameters.min_value() || f.values[i] > cw.parameters.max_value())
      throw ConfigError(f.where,
                        "value " + std::to_string(f.values[i]) + " at index " + index_text(int64_t(i), shape) +
                            " of '" + f.path + "'",
                        "a parameter of the layer's type, in [" + std::to_string(cw.parameters.min_value()) + ", " +
                            std::to_string(cw.parameters.max_value()) + "], for layer '" + l.name + "'");
    lo = i ? std::min(lo, f.values[i]) : f.values[i];
    hi = i ? std::max(hi, f.values[i]) : f.values[i];
  }
  if (!cw.output || cw.compares()) return;
  const arith::Range r = ir::channelwise_range(cw.function, {l.in_type.min_value(), l.in_type.max_value()}, {lo, hi});
  if (r.lo < cw.output->min_value() || r.hi > cw.output->max_value())
    throw ConfigError(f.where, "'" + f.path + "', parameters " + std::to_string(lo) + " to " + std::to_string(hi),
                      "parameters whose results (" + std::to_string(r.lo) + " to " + std::to_string(r.hi) +
                          " over the input's range) are codes of layer '" + l.name + "''s output type, [" +
                          std::to_string(cw.output->min_value()) + ", " + std::to_string(cw.output->max_value()) + "]");
}

void read_values(ir::ParameterFile& f) {
  data::NpyArray a;
  try {
    a = data::read_npy(f.path);
  } catch (const data::NpyError& e) {
    throw ConfigError(f.where, "'" + f.path + "'", std::string("a .npy file of integers; ") + e.what());
  }
  f.shape = std::move(a.shape);
  f.values = std::move(a.values);
}

const char* weights_layout(const ir::Layer& l) {
  switch (l.kind) {
    case ir::LayerKind::kConv: return "(out_channels, kernel height, kernel width, in_channels)";
    case ir::LayerKind::kDwConv: return "(channels, kernel height, kernel width)";
    default: return "(out_features, in_features), inputs in HWC order";
  }
}

}  // namespace

ir::ParameterFile read_parameter_file_field(const Field& f) {
  ir::ParameterFile p;
  const std::string s = f.as_string();
  const fs::path full = fs::path(s).is_absolute() ? fs::path(s) : fs::path(f.file()).parent_path() / s;
  if (!fs::is_regular_file(full)) f.fail("a path to an existing .npy file (relative to the network file): " + full.string());
  p.path = full.lexically_normal().string();
  p.where = f.where();
  return p;
}

void load_parameter_files(ir::Network& net) {
  for (auto& l : net.layers) {
    if (l.weights_file) read_values(*l.weights_file);
    if (l.thresholds_file) read_values(*l.thresholds_file);
    if (l.parameters_file) read_values(*l.parameters_file);
  }
  check_parameter_files(net);
}

void check_parameter_files(const ir::Network& net) {
  for (const auto& l : net.layers) {
    if (l.weights_file) {
      check_shape(l, *l.weights_file, l.weights_file->shape, weights_shape(l), weights_layout(l));
      check_weights(l, *l.weights_file);
    }
    if (l.thresholds_file) {
      check_thresholds(l, *l.thresholds_file);
    }
    if (l.parameters_file) check_channelwise_parameters(l, *l.parameters_file);
  }
}

}  // namespace vine::config
