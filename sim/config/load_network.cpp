#include <map>
#include <tuple>

#include "sim/config/layer_fields.h"
#include "sim/config/loaders.h"
#include "sim/config/open_config.h"
#include "sim/config/parameter_files.h"
#include "sim/ir/weight_bitmap.h"

namespace vine::config {

namespace {

const std::map<std::string, ir::LayerKind> kLayerKinds = {
    {"conv", ir::LayerKind::kConv},       {"dwconv", ir::LayerKind::kDwConv},
    {"fc", ir::LayerKind::kFc},           {"maxpool", ir::LayerKind::kMaxPool},
    {"avgpool", ir::LayerKind::kAvgPool}, {"pad", ir::LayerKind::kPad},
    {"add", ir::LayerKind::kAdd},         {"concat", ir::LayerKind::kConcat},
    {"threshold", ir::LayerKind::kThreshold}, {"requant", ir::LayerKind::kRequant},
    {"channelwise", ir::LayerKind::kChannelwise}};

ir::Padding read_padding(const Field& f) {
  ir::Padding p;
  if (f.is_sequence()) {
    const auto v = f.items();
    if (v.size() != 4) f.fail("one integer, or a list [top, left, bottom, right]");
    p.top = int(v[0].as_int(0, 64));
    p.left = int(v[1].as_int(0, 64));
    p.bottom = int(v[2].as_int(0, 64));
    p.right = int(v[3].as_int(0, 64));
  } else {
    p.top = p.left = p.bottom = p.right = int(f.as_int(0, 64));
  }
  return p;
}

// A kernel or stride: one integer K (K x K), or a list [height, width] (a
// one-dimensional window is [1, K] along the width or [K, 1] along the height).
std::pair<int, int> read_window_pair(const Field& f, int max) {
  const std::string expected = "an integer in [1, " + std::to_string(max) + "], or a list [height, width] of two";
  if (f.is_sequence()) {
    const auto v = f.items();
    if (v.size() != 2) {
      // The list as written: a wrong length reads better than "a list".
      std::string text;
      for (const auto& x : v) text += (text.empty() ? "" : ", ") + (x.is_scalar() ? x.node().Scalar() : x.value_text());
      throw ConfigError(f.where(), "[" + text + "]", expected);
    }
    return {int(v[0].as_int(1, max)), int(v[1].as_int(1, max))};
  }
  if (!f.is_scalar()) f.fail(expected);
  const int k = int(f.as_int(1, max));
  return {k, k};
}

// A channelwise layer's parameter type: integers of up to 32 bits (FINN's
// paramDataType; the golden reference holds them as int32).
ir::ActivationType read_parameter_type(const Field& f) {
  MapReader m(f);
  ir::ActivationType t;
  const std::string kind = m.get_choice("type", {"unsigned", "signed"});
  t.kind = kind == "signed" ? ir::ActivationKind::kSigned : ir::ActivationKind::kUnsigned;
  t.bits = int(m.get_int("bits", kind == "signed" ? 2 : 1, kind == "signed" ? 32 : 31));
  m.done();
  return t;
}

// FINN's ChannelwiseOp: `function`, `parameters` (their type), an optional
// `output` type.
ir::ChannelwiseSpec read_channelwise(MapReader& m) {
  static const std::map<std::string, ir::ChannelwiseFunction> kFunctions = {
      {"add", ir::ChannelwiseFunction::kAdd},
      {"mul", ir::ChannelwiseFunction::kMul},
      {"cmp_le", ir::ChannelwiseFunction::kCmpLe},
      {"cmp_ge", ir::ChannelwiseFunction::kCmpGe}};
  ir::ChannelwiseSpec c;
  c.function = kFunctions.at(m.get_choice("function", {"add", "mul", "cmp_le", "cmp_ge"}));
  c.parameters = read_parameter_type(m.get("parameters"));
  if (auto o = m.find("output")) {
    MapReader om(*o);
    c.output = read_activation_type(om);
    om.done();
  }
  return c;
}

ir::Layer read_layer(const Field& f) {
  MapReader m(f);
  ir::Layer l;
  l.where = f.where();
  l.name = m.get_string("name");
  l.where.field = f.path() + "(" + l.name + ")";
  std::vector<std::string> kinds;
  for (const auto& kv : kLayerKinds) kinds.push_back(kv.first);
  l.kind = kLayerKinds.at(m.get_choice("kind", kinds));
  using K = ir::LayerKind;
  const bool windowed = l.kind == K::kConv || l.kind == K::kDwConv || l.kind == K::kMaxPool || l.kind == K::kAvgPool;
  if (auto in = m.find("inputs"))
    for (const auto& i : in->items()) l.inputs.push_back(i.as_string());
  if (windowed) {
    std::tie(l.kernel_h, l.kernel_w) = read_window_pair(m.get("kernel"), 15);
    // A pool's windows tile its input by default; a convolution's slide by one.
    const bool pool = l.kind == K::kMaxPool || l.kind == K::kAvgPool;
    if (auto st = m.find("stride")) std::tie(l.stride_h, l.stride_w) = read_window_pair(*st, 15);
    else if (pool) l.stride_h = l.kernel_h, l.stride_w = l.kernel_w;
  }
  if (l.kind == K::kConv || l.kind == K::kDwConv || l.kind == K::kPad) {
    if (auto p = m.find("padding")) l.pad = read_padding(*p);
    else if (l.kind == K::kPad) m.get("padding");
    l.pad_value = int(m.get_int("pad_value", -32768, 65535, 0));
  }
  if (l.kind == K::kConv) l.out_channels = int(m.get_int("out_channels", 1, 1 << 16));
  if (l.kind == K::kDwConv) l.out_channels = int(m.get_int("out_channels", 1, 1 << 16, 0));
  if (l.kind == K::kFc) l.out_channels = int(m.get_int("out_features", 1, 1 << 20));
  if (l.has_weights()) {
    if (auto g = m.find("channel_groups")) {
      l.channel_groups = read_channel_groups(*g);
      if (auto w = m.find("weights")) l.weights = read_weight_type(*w);
    } else {
      l.weights = read_weight_type(m.get("weights"));
    }
  }
  if (l.has_output_stage()) {
    if (auto o = m.find("output")) l.output = read_output(*o, l.kind);
    else if (l.kind == K::kThreshold || l.kind == K::kRequant) m.get("output");
  }
  if (l.kind == K::kChannelwise) {
    l.channelwise = read_channelwise(m);
    if (auto pf = m.find("parameters_file")) l.parameters_file = read_parameter_file_field(*pf);
  }
  // Real parameters instead of synthesised ones (docs/data.md).
  if (l.has_weights())
    if (auto wf = m.find("weights_file")) l.weights_file = read_parameter_file_field(*wf);
  if (auto sp = m.find("weight_sparsity")) {
    if (!l.has_weights()) sp->fail("no weight_sparsity on a layer without weights");
    if (l.weights_file) sp->fail("no weight_sparsity beside weights_file (the file's zeros are its pruned weights)");
    l.weight_sparsity = sp->as_double(0, 0.999);
    l.weight_sparsity_where = sp->where();
    if (l.weight_sparsity > 0 && !ir::prunable(l))
      sp->fail("no weight_sparsity on " + l.name + ": binary weights (+1/-1) have no zero to prune to");
  }
  if (l.has_output_stage())
    if (auto tf = m.find("thresholds_file")) l.thresholds_file = read_parameter_file_field(*tf);
  if (auto gw = m.find("generated_weights")) {
    if (!l.has_weights()) gw->fail("no generated_weights on a layer without weights");
    if (l.weights_file) gw->fail("no generated_weights beside weights_file (the file gives the weights)");
    if (l.weight_sparsity > 0) gw->fail("no generated_weights beside weight_sparsity (the codes give every weight)");
    if (!l.channel_groups.empty()) gw->fail("no generated_weights on a layer with channel_groups (one weight type)");
    if (l.weights->arithmetic != ir::WeightArithmetic::kFixed)
      gw->fail("no generated_weights on " + l.name + ": OVSF sums are fixed-point integers, its weights are " +
               std::string(arith::to_string(l.weights->arithmetic)));
    MapReader gm(*gw);
    ir::GeneratedWeights g;
    g.kept_ratio = gm.get_double("kept_ratio", 1e-9, 1.0);
    g.coeff_bits = int(gm.get_int("coeff_bits", 1, 16));
    g.where = gw->where();
    gm.done();
    l.generated_weights = g;
  }
  m.done();
  // channel groups without a layer-wide type: the first group stands for the layer.
  if (l.has_weights() && !l.weights) l.weights = l.channel_groups.front().weights;
  return l;
}

}  // namespace

ir::Network load_network(const std::string& path) {
  Field root = open_config(path, ConfigKind::kNetwork);
  MapReader m(root);
  ir::Network net;
  net.path = path;
  net.name = m.get_string("network");
  net.description = m.get_string("description", "");
  {
    MapReader in(m.get("input"));
    const auto shape = in.get("shape").items();
    if (shape.size() != 3) in.get("shape").fail("[height, width, channels]");
    net.input_shape = {int(shape[0].as_int(1, 4096)), int(shape[1].as_int(1, 4096)), int(shape[2].as_int(1, 65536))};
    net.input_type = read_activation_type(in);
    in.done();
  }
  net.classes = int(m.get_int("classes", 1, 1 << 20, 0));
  for (const auto& lf : m.get("layers").items()) net.layers.push_back(read_layer(lf));
  m.done();
  ir::infer_network(net);
  // A generated filter pads to a power-of-two code length, up to 2^24
  // (golden::ovsf_code_length's bound).
  for (const ir::Layer& l : net.layers)
    if (l.generated_weights && l.matrix_width() > (int64_t{1} << 24))
      throw ConfigError(l.generated_weights->where, "filters of " + std::to_string(l.matrix_width()) + " weights",
                        "filters of at most 2^24 weights for generated_weights on " + l.name);
  load_parameter_files(net);
  return net;
}

}  // namespace vine::config
