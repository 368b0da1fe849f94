#include "sim/import/qonnx_nodes.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "sim/explore/finn_fifo_style.h"
#include "sim/import/finn_datatype.h"
#include "sim/import/import_error.h"

namespace vine::import {

namespace {

const char* kSupportedOps =
    "Quant and BipolarQuant (on the graph input or on a weight initializer), MatMul, Conv, "
    "MultiThreshold, MaxPool, AveragePool and GlobalAveragePool (each before a Trunc), Trunc, Mul and Div (by a "
    "power-of-two scalar), Add (of two quantised streams), Relu (before an unsigned Quant), Reshape and Flatten "
    "(to (1, N))";

std::string shape_text(const std::vector<int64_t>& s) {
  std::ostringstream o;
  o << '(';
  for (size_t k = 0; k < s.size(); ++k) o << (k ? ", " : "") << s[k];
  o << (s.size() == 1 ? ",)" : ")");
  return o.str();
}

std::string num(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// A scale the integer path reproduces exactly: a positive power of two
// (1 included). Dividing a float32 threshold by it, or multiplying an
// integer by it, loses nothing, so "acc x scale >= T" is "acc >= ceil(T / scale)"
// bit for bit however the float graph is evaluated.
bool power_of_two(double s) {
  if (!(s > 0) || !std::isfinite(s)) return false;
  int e = 0;
  return std::frexp(s, &e) == 0.5;
}

const char* kScales =
    "a positive power of two (1, 0.5, 0.125, 2, ...): Vine's integer path reproduces only those "
    "exactly";

int64_t ceil_div2(int64_t a) {
  return a >= 0 ? (a + 1) / 2 : -((-a) / 2);
}

// An integer weight tensor out of a Quant or BipolarQuant: its values and,
// per element, its scale.
struct QuantWeights {
  const OnnxNode* node = nullptr;
  std::vector<int64_t> shape;
  std::vector<int64_t> values;
  std::vector<double> scales;
  ir::WeightType type;
};

// What a tensor of the QONNX graph is to Vine.
struct Stream {
  std::string layer;  // Vine layer name, or "input"
  ir::Shape shape;    // HWC
  enum class Layout {
    kNchw,
    kFlat
  } layout = Layout::kFlat;  // the ONNX tensor: (1, C, H, W) or (1, N)
  ir::ActivationType type;   // codes (not accumulator)
  double scale = 1;          // codes: value = Vine value x scale
  bool accumulator = false;
  std::vector<double> acc_scales;  // accumulator: value = acc x scale of its channel
  int64_t xnor_mw = 0;             // accumulator counts agreements: the +-1 dot is 2 acc - mw
  int layer_index = -1;            // the layer whose accumulator it is
  const OnnxNode* relu = nullptr;  // the Relu the raw sums went through
  std::vector<int64_t> acc_bias;   // a folded bias per channel, in accumulator units (empty: none)
  // An average pool's output before its Trunc: the Vine avgpool layer writes
  // floor(sum / area) of the window's codes; the float graph carries a
  // multiple of the sum, value = sum x sum_scale, until the Trunc.
  const OnnxNode* pool = nullptr;
  double sum_scale = 0;
  int64_t pool_area = 0;
};

class Translator {
 public:
  explicit Translator(const OnnxModel& m) : m_(m) {
    for (const auto& n : m.nodes)
      for (const auto& in : n.inputs) consumers_[in].push_back(&n);
  }

  ImportedDesign run() {
    if (m_.inputs.size() != 1)
      throw ImportError(m_.path + ": " + std::to_string(m_.inputs.size()) +
                        " graph inputs; supported: one");
    if (m_.outputs.size() != 1)
      throw ImportError(m_.path + ": " + std::to_string(m_.outputs.size()) +
                        " graph outputs; supported: one");
    d_.name = m_.graph_name;
    d_.source = "qonnx";
    bool quantised = false;
    for (const auto& n : m_.nodes)
      quantised = quantised || n.op_type == "Quant" || n.op_type == "BipolarQuant";
    if (!quantised)
      throw ImportError(
          m_.path +
          ": no Quant or BipolarQuant node: a float ONNX model, not a QONNX one; supported: "
          "a model whose input and weights are quantised (Brevitas' export_qonnx)");
    const OnnxValueInfo& in = m_.inputs[0];
    const auto& sh = in.shape;
    if (sh.size() == 2 && sh[0] == 1 && sh[1] > 0) {
      input_.shape = {1, 1, int(sh[1])};
      input_.layout = Stream::Layout::kFlat;
    } else if (sh.size() == 4 && sh[0] == 1 && sh[1] > 0 && sh[2] > 0 && sh[3] > 0) {
      input_.shape = {int(sh[2]), int(sh[3]), int(sh[1])};
      input_.layout = Stream::Layout::kNchw;
    } else {
      throw ImportError(m_.path + ": graph input '" + in.name + "' of shape " + shape_text(sh) +
                        "; supported: (1, N) or (1, C, H, W), batch 1, NCHW");
    }
    input_.layer = "input";
    for (const auto& n : m_.nodes) translate(n);
    finish_output();
    return std::move(d_);
  }

 private:
  const OnnxModel& m_;
  ImportedDesign d_;
  Stream input_;
  bool input_quantised_ = false;
  std::map<std::string, std::vector<const OnnxNode*>> consumers_;
  std::map<std::string, Stream> streams_;
  std::map<std::string, QuantWeights> weights_;

  [[noreturn]] static void fail(const OnnxNode& n, const std::string& what,
                                const std::string& value, const std::string& supported) {
    throw ImportError(n.name, n.op_type, what, value, supported);
  }
  static const OnnxAttribute* attr(const OnnxNode& n, const std::string& a) {
    auto it = n.attributes.find(a);
    return it == n.attributes.end() ? nullptr : &it->second;
  }
  static int64_t attr_i(const OnnxNode& n, const std::string& a, int64_t dflt) {
    const OnnxAttribute* p = attr(n, a);
    if (!p) return dflt;
    if (p->kind != OnnxAttribute::Kind::kInt) fail(n, "attribute " + a, p->text(), "an integer");
    return p->i;
  }
  static double attr_f(const OnnxNode& n, const std::string& a, double dflt) {
    const OnnxAttribute* p = attr(n, a);
    if (!p) return dflt;
    if (p->kind == OnnxAttribute::Kind::kInt) return double(p->i);
    if (p->kind != OnnxAttribute::Kind::kFloat) fail(n, "attribute " + a, p->text(), "a number");
    return p->f;
  }
  static std::string attr_s(const OnnxNode& n, const std::string& a, const std::string& dflt) {
    const OnnxAttribute* p = attr(n, a);
    if (!p) return dflt;
    if (p->kind != OnnxAttribute::Kind::kString) fail(n, "attribute " + a, p->text(), "a string");
    return p->s;
  }
  static std::vector<int64_t> attr_ints(const OnnxNode& n, const std::string& a,
                                        std::vector<int64_t> dflt) {
    const OnnxAttribute* p = attr(n, a);
    if (!p) return dflt;
    if (p->kind == OnnxAttribute::Kind::kInt) return {p->i};
    if (p->kind != OnnxAttribute::Kind::kInts)
      fail(n, "attribute " + a, p->text(), "a list of integers");
    return p->ints;
  }

  const OnnxTensor& init(const OnnxNode& n, size_t port, const std::string& role) {
    if (port >= n.inputs.size() || n.inputs[port].empty())
      fail(n, "input " + std::to_string(port), "(missing)", role);
    auto it = m_.initializers.find(n.inputs[port]);
    if (it == m_.initializers.end())
      fail(n, "input '" + n.inputs[port] + "'", "not an initializer", role + " as an initializer");
    return it->second;
  }

  // One value for the whole tensor (a scalar or every element equal).
  double scalar(const OnnxNode& n, size_t port, const std::string& role) {
    const OnnxTensor& t = init(n, port, role);
    if (t.values.empty()) fail(n, role + " '" + n.inputs[port] + "'", "empty", "one value");
    for (double v : t.values)
      if (v != t.values[0])
        fail(n, role + " '" + n.inputs[port] + "' of shape " + shape_text(t.shape),
             "with differing values", "one value for the whole tensor");
    return t.values[0];
  }

  const Stream& stream_in(const OnnxNode& n, size_t port) {
    if (port >= n.inputs.size())
      fail(n, "input " + std::to_string(port), "(missing)", "a quantised stream");
    auto it = streams_.find(n.inputs[port]);
    if (it != streams_.end()) {
      const Stream& s = it->second;
      if (s.pool && n.op_type != "Trunc" && n.op_type != "Mul" && n.op_type != "Div")
        fail(n, "input '" + n.inputs[port] + "'", "the output of the average pool '" + s.pool->name + "' before a Trunc",
             "a Trunc after an AveragePool (perhaps through a Mul or Div by a power of two), as Brevitas exports "
             "TruncAvgPool2d: its codes are the Trunc's");
      return s;
    }
    if (n.inputs[port] == m_.inputs[0].name)
      fail(n, "input '" + n.inputs[port] + "'", "the unquantised graph input",
           "a Quant or BipolarQuant on the graph input first (it gives Vine's input type)");
    if (m_.initializers.count(n.inputs[port]))
      fail(n, "input '" + n.inputs[port] + "'", "an initializer",
           "a stream from the graph input or an earlier node");
    fail(n, "input '" + n.inputs[port] + "'", "not produced by an earlier node nor the graph input",
         "nodes in topological order");
  }

  void set_out(const OnnxNode& n, Stream s) {
    if (n.outputs.empty()) fail(n, "outputs", "none", "one output");
    streams_[n.outputs[0]] = std::move(s);
  }

  void translate(const OnnxNode& n) {
    const std::string& op = n.op_type;
    if (op == "Quant") return quant(n);
    if (op == "BipolarQuant") return bipolar_quant(n);
    if (op == "MatMul") return matmul(n);
    if (op == "Conv") return conv(n);
    if (op == "MultiThreshold") return multithreshold(n);
    if (op == "MaxPool") return maxpool(n);
    if (op == "AveragePool" || op == "GlobalAveragePool") return average_pool(n);
    if (op == "Trunc") return trunc(n);
    if (op == "Mul" || op == "Div") return scale_by(n);
    if (op == "Add") return add(n);
    if (op == "Reshape" || op == "Flatten") return flatten(n);
    if (op == "Relu") return relu(n);
    fail(n, "op_type", op, kSupportedOps);
  }

  // ---- quantisers -----------------------------------------------------

  // Quant(x, scale, zero_point, bitwidth): clip(round(x / scale + zp)) - zp, times scale.
  void quant(const OnnxNode& n) {
    if (n.inputs.size() != 4)
      fail(n, "inputs", std::to_string(n.inputs.size()), "4 (x, scale, zero_point, bitwidth)");
    const std::string rounding = attr_s(n, "rounding_mode", "ROUND");
    if (rounding != "ROUND")
      fail(n, "attribute rounding_mode", rounding,
           "ROUND (round half to even; the only mode Vine's import checks)");
    const bool is_signed = attr_i(n, "signed", 1) != 0, narrow = attr_i(n, "narrow", 0) != 0;
    const double bits_f = scalar(n, 3, "bitwidth");
    if (bits_f != std::floor(bits_f) || bits_f < 1 || bits_f > 16)
      fail(n, "bitwidth '" + n.inputs[3] + "'", num(bits_f), "an integer 1 .. 16");
    const int bits = int(bits_f);
    const OnnxTensor& zp = init(n, 2, "the zero point");
    for (double z : zp.values)
      if (z != 0)
        fail(n, "zero_point '" + n.inputs[2] + "'", num(z),
             "0 (Vine's codes are symmetric: an offset would shift every product)");
    const int64_t lo = is_signed ? -(int64_t{1} << (bits - 1)) + (narrow ? 1 : 0) : 0;
    const int64_t hi =
        is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1 - (narrow ? 1 : 0);
    if (lo > hi)
      fail(n, "bitwidth", "1 with signed = 1 and narrow = 1", "a range of more than one value");

    if (m_.initializers.count(n.inputs[0])) {  // weights
      const OnnxTensor& w = m_.initializers.at(n.inputs[0]);
      QuantWeights q;
      q.node = &n;
      q.shape = w.shape;
      q.scales = broadcast_scales(n, w, 1);
      for (size_t k = 0; k < w.values.size(); ++k) {
        const double s = q.scales[k];
        if (!(s > 0)) fail(n, "scale '" + n.inputs[1] + "'", num(s), "positive scales");
        const double r = std::nearbyint(double(float(w.values[k] / s)));  // round half to even
        q.values.push_back(std::min<int64_t>(hi, std::max<int64_t>(lo, int64_t(r))));
      }
      // Vine's fixed weights are signed: a signed Quant of b bits is fixed b
      // (b = 1, {-1, 0}, as fixed 2); an unsigned one of b bits needs b + 1.
      q.type.arithmetic = ir::WeightArithmetic::kFixed;
      q.type.bits = std::max(2, is_signed ? bits : bits + 1);
      if (q.type.bits > 16)
        fail(n, "bitwidth", std::to_string(bits) + " unsigned",
             "weights that fit Vine's 16-bit signed fixed weights");
      weights_[n.outputs.at(0)] = std::move(q);
      return;
    }
    const double scale = scalar(n, 1, "scale");
    if (!power_of_two(scale)) fail(n, "scale '" + n.inputs[1] + "'", num(scale), kScales);
    if (n.inputs[0] != m_.inputs[0].name) {
      const Stream& s = stream_in(n, 0);
      if (!s.accumulator)
        fail(n, "input '" + n.inputs[0] + "'", "quantised codes (a requantisation)",
             "the graph input, a weight initializer, or the raw sums of a MatMul, Conv or Add");
      return activation_quant(n, s, is_signed, narrow, bits, scale);
    }
    if (input_quantised_)
      fail(n, "input '" + n.inputs[0] + "'", "the graph input a second time",
           "one input quantiser");
    if (bits == 1 && is_signed)
      fail(n, "bitwidth", "1 with signed = 1", "2 .. 16 signed, 1 .. 16 unsigned");
    Stream s = input_;
    s.type = ir::ActivationType{
        is_signed ? ir::ActivationKind::kSigned : ir::ActivationKind::kUnsigned, bits};
    s.scale = scale;
    if (narrow)
      d_.notes.push_back(n.name + ": a narrow-range input; Vine's input type " +
                         std::string(is_signed ? "signed" : "unsigned") + " " +
                         std::to_string(bits) + " bits holds it (the codes " + std::to_string(lo) +
                         " .. " + std::to_string(hi) + " it quantises to)");
    quantised_input(n, s);
  }

  void quantised_input(const OnnxNode& n, const Stream& s) {
    input_quantised_ = true;
    d_.input_shape = s.shape;
    d_.input_type = s.type;
    d_.notes.push_back(n.name + ": the network input is its codes; its float value is code x " +
                       num(s.scale));
    set_out(n, s);
  }

  // The scale of each element of `w`, broadcast (numpy rules) from the
  // initializer at input `port`.
  std::vector<double> broadcast_scales(const OnnxNode& n, const OnnxTensor& w, size_t port) {
    const OnnxTensor& s = init(n, port, "the scale");
    if (s.shape.size() > w.shape.size())
      fail(n, "scale '" + n.inputs[port] + "' shape", shape_text(s.shape),
           "one that broadcasts to " + shape_text(w.shape));
    const size_t off = w.shape.size() - s.shape.size();
    for (size_t k = 0; k < s.shape.size(); ++k)
      if (s.shape[k] != 1 && s.shape[k] != w.shape[off + k])
        fail(n, "scale '" + n.inputs[port] + "' shape", shape_text(s.shape),
             "one that broadcasts to " + shape_text(w.shape));
    std::vector<double> out(w.values.size());
    std::vector<int64_t> idx(w.shape.size(), 0);
    for (size_t e = 0; e < out.size(); ++e) {
      int64_t si = 0;
      for (size_t k = 0; k < s.shape.size(); ++k)
        si = si * s.shape[k] + (s.shape[k] == 1 ? 0 : idx[off + k]);
      out[e] = s.values.empty() ? 1 : s.values[size_t(si)];
      for (size_t k = w.shape.size(); k-- > 0;) {
        if (++idx[k] < w.shape[k]) break;
        idx[k] = 0;
      }
    }
    return out;
  }

  // BipolarQuant(x, scale): +scale where x >= 0, else -scale.
  void bipolar_quant(const OnnxNode& n) {
    if (n.inputs.size() != 2) fail(n, "inputs", std::to_string(n.inputs.size()), "2 (x, scale)");
    if (m_.initializers.count(n.inputs[0])) {
      const OnnxTensor& w = m_.initializers.at(n.inputs[0]);
      QuantWeights q;
      q.node = &n;
      q.shape = w.shape;
      q.scales = broadcast_scales(n, w, 1);
      for (size_t k = 0; k < w.values.size(); ++k) {
        if (!(q.scales[k] > 0))
          fail(n, "scale '" + n.inputs[1] + "'", num(q.scales[k]), "positive scales");
        q.values.push_back(w.values[k] >= 0 ? 1 : -1);
      }
      q.type.arithmetic = ir::WeightArithmetic::kBinary;
      q.type.bits = 1;
      weights_[n.outputs.at(0)] = std::move(q);
      return;
    }
    const double scale = scalar(n, 1, "scale");
    if (!power_of_two(scale)) fail(n, "scale '" + n.inputs[1] + "'", num(scale), kScales);
    if (n.inputs[0] != m_.inputs[0].name) {
      const Stream& s = stream_in(n, 0);
      if (!s.accumulator)
        fail(n, "input '" + n.inputs[0] + "'", "quantised codes",
             "the graph input, a weight initializer, or the raw sums of a MatMul, Conv or Add");
      return activation_bipolar(n, s, scale);
    }
    if (input_quantised_)
      fail(n, "input '" + n.inputs[0] + "'", "the graph input a second time",
           "one input quantiser");
    Stream s = input_;
    s.type = ir::ActivationType{ir::ActivationKind::kBipolar, 1};
    s.scale = scale;
    quantised_input(n, s);
  }

  const QuantWeights& weights_in(const OnnxNode& n, size_t port) {
    if (port >= n.inputs.size())
      fail(n, "input " + std::to_string(port), "(missing)", "quantised weights");
    auto it = weights_.find(n.inputs[port]);
    if (it != weights_.end()) return it->second;
    if (m_.initializers.count(n.inputs[port]))
      fail(n, "weights '" + n.inputs[port] + "'", "a float initializer without a Quant",
           "weights quantised by a Quant or BipolarQuant node (Vine's weights are integers)");
    fail(n, "weights '" + n.inputs[port] + "'", "not an initializer's Quant or BipolarQuant",
         "weights quantised by a Quant or BipolarQuant node on an initializer");
  }

  // A code stream read by a compute layer.
  const Stream& codes_in(const OnnxNode& n, size_t port) {
    const Stream& s = stream_in(n, port);
    if (s.accumulator)
      fail(n, "input '" + n.inputs[port] + "'", "the raw sums of '" + s.layer + "'",
           "a quantised stream (a MultiThreshold between two MatMul/Conv layers)");
    return s;
  }

  // The per-output-channel scale of weights whose output channel is axis `axis`.
  std::vector<double> channel_scales(const OnnxNode& n, const QuantWeights& w, size_t axis) {
    std::vector<double> sc(size_t(w.shape[axis]), 0);
    std::vector<int64_t> idx(w.shape.size(), 0);
    for (size_t e = 0; e < w.values.size(); ++e) {
      double& c = sc[size_t(idx[axis])];
      if (c == 0) c = w.scales[e];
      if (c != w.scales[e])
        fail(
            *w.node, "scale '" + w.node->inputs[1] + "'",
            "differing within output channel " + std::to_string(idx[axis]) + " of '" + n.name + "'",
            "one scale per output channel (per tensor or per channel)");
      for (size_t k = w.shape.size(); k-- > 0;) {
        if (++idx[k] < w.shape[k]) break;
        idx[k] = 0;
      }
    }
    return sc;
  }

  Stream accumulator_of(const ImportedLayer& l, const Stream& in,
                        const std::vector<double>& wscales, int64_t mw) {
    Stream out;
    out.layer = l.name;
    out.accumulator = true;
    for (double w : wscales) out.acc_scales.push_back(in.scale * w);
    out.xnor_mw = in.type.kind == ir::ActivationKind::kBipolar && l.weights &&
                          l.weights->arithmetic == ir::WeightArithmetic::kBinary
                      ? mw
                      : 0;
    out.layer_index = int(d_.layers.size());
    return out;
  }

  // ---- compute layers --------------------------------------------------

  void matmul(const OnnxNode& n) {
    const Stream s = codes_in(n, 0);
    const QuantWeights& w = weights_in(n, 1);
    const int64_t mw = s.shape.elements();
    if (s.layout == Stream::Layout::kNchw && (s.shape.h > 1 || s.shape.w > 1))
      fail(n, "input '" + n.inputs[0] + "'", "a (1, C, H, W) tensor",
           "a (1, N) input (Flatten or Reshape it first)");
    if (w.shape.size() != 2 || w.shape[0] != mw)
      fail(n, "weights '" + n.inputs[1] + "' shape", shape_text(w.shape),
           "(N, out) with N = " + std::to_string(mw) + ", the input's elements");
    const int64_t mh = w.shape[1];
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {w.node->name, n.name};
    l.kind = ir::LayerKind::kFc;
    l.out_channels = int(mh);
    l.weights = w.type;
    l.has_simd = true;
    // QONNX flattens NCHW (index c*H*W + y*W + x); Vine's fc reads its
    // input flattened HWC ((y*W + x)*C + c): the rows are permuted to match.
    const int H = s.shape.h, W = s.shape.w, C = s.shape.c;
    ParameterArray p;
    p.shape = {mh, mw};
    p.values.resize(size_t(mh * mw));
    for (int64_t i = 0; i < mw; ++i) {
      const int64_t c = i / (int64_t{H} * W), y = (i / W) % H, x = i % W;
      const int64_t j = (y * W + x) * C + c;
      for (int64_t o = 0; o < mh; ++o) p.values[size_t(o * mw + j)] = w.values[size_t(i * mh + o)];
    }
    l.weights_values = p;
    l.inputs = {s.layer};
    Stream out = accumulator_of(l, s, channel_scales(n, w, 1), mw);
    out.shape = {1, 1, int(mh)};
    out.layout = Stream::Layout::kFlat;
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  void conv(const OnnxNode& n) {
    const Stream s = codes_in(n, 0);
    if (s.layout != Stream::Layout::kNchw)
      fail(n, "input '" + n.inputs[0] + "'", "a (1, N) tensor", "(1, C, H, W)");
    const QuantWeights& w = weights_in(n, 1);
    if (n.inputs.size() > 2 && !n.inputs[2].empty() && !m_.initializers.count(n.inputs[2]))
      fail(n, "input 2 (bias) '" + n.inputs[2] + "'", "not an initializer", "a bias initializer");
    if (attr_i(n, "group", 1) != 1)
      fail(n, "attribute group", std::to_string(attr_i(n, "group", 1)), "1");
    if (attr_s(n, "auto_pad", "NOTSET") != "NOTSET")
      fail(n, "attribute auto_pad", attr_s(n, "auto_pad", ""), "NOTSET with explicit pads");
    for (int64_t d : attr_ints(n, "dilations", {1, 1}))
      if (d != 1) fail(n, "attribute dilations", attr(n, "dilations")->text(), "[1, 1]");
    if (w.shape.size() != 4 || w.shape[1] != s.shape.c || w.shape[2] != w.shape[3])
      fail(n, "weights '" + n.inputs[1] + "' shape", shape_text(w.shape),
           "(out, " + std::to_string(s.shape.c) +
               ", k, k): square kernels over the input's channels");
    const int64_t oc = w.shape[0], k = w.shape[2], ic = s.shape.c;
    const auto ks = attr_ints(n, "kernel_shape", {k, k});
    if (ks.size() != 2 || ks[0] != k || ks[1] != k)
      fail(n, "attribute kernel_shape", attr(n, "kernel_shape")->text(),
           "the weights' [" + std::to_string(k) + ", " + std::to_string(k) + "]");
    const auto st = attr_ints(n, "strides", {1, 1});
    if (st.size() != 2 || st[0] != st[1] || st[0] < 1)
      fail(n, "attribute strides", attr(n, "strides")->text(),
           "a square [s, s] (Vine's strides are square)");
    const auto pads = attr_ints(n, "pads", {0, 0, 0, 0});
    if (pads.size() != 4)
      fail(n, "attribute pads", attr(n, "pads")->text(), "[top, left, bottom, right]");
    if ((pads[0] || pads[1] || pads[2] || pads[3]) && s.type.kind == ir::ActivationKind::kBipolar)
      fail(n, "attribute pads", attr(n, "pads")->text(),
           "no padding on bipolar input (its codes hold no 0)");
    const int64_t ph = s.shape.h + pads[0] + pads[2], pw = s.shape.w + pads[1] + pads[3];
    if (ph != pw)
      fail(n, "attribute pads", attr(n, "pads")->text(),
           "a square padded image (Vine's images are square)");
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {w.node->name, n.name};
    l.kind = ir::LayerKind::kConv;
    l.kernel_h = l.kernel_w = int(k);
    l.stride_h = l.stride_w = int(st[0]);
    l.pad = {int(pads[0]), int(pads[1]), int(pads[2]), int(pads[3])};
    l.out_channels = int(oc);
    l.weights = w.type;
    l.has_simd = true;
    // [out, in, kh, kw] -> Vine's (out, kh, kw, in).
    ParameterArray p;
    p.shape = {oc, k, k, ic};
    p.values.resize(size_t(oc * k * k * ic));
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t c = 0; c < ic; ++c)
        for (int64_t y = 0; y < k; ++y)
          for (int64_t x = 0; x < k; ++x)
            p.values[size_t(((o * k + y) * k + x) * ic + c)] =
                w.values[size_t(((o * ic + c) * k + y) * k + x)];
    l.weights_values = p;
    l.inputs = {s.layer};
    Stream out = accumulator_of(l, s, channel_scales(n, w, 0), k * k * ic);
    const int oh = int((ph - k) / st[0] + 1);
    out.shape = {oh, oh, int(oc)};
    out.layout = Stream::Layout::kNchw;
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) fold_bias(n, out, n.inputs[2], true);
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  // MultiThreshold(x, T): count of T[c, i] <= x, times out_scale, plus out_bias.
  void multithreshold(const OnnxNode& n) {
    const Stream s = stream_in(n, 0);
    const std::string layout = attr_s(n, "data_layout", "NCHW");
    if (s.layout == Stream::Layout::kNchw && layout != "NCHW")
      fail(n, "attribute data_layout", layout, "NCHW (the layout of its input)");
    const FinnDataType o_t = [&] {
      const std::string name = attr_s(n, "out_dtype", "");
      auto t = parse_finn_datatype(name);
      if (!t || t->kind == FinnDataType::Kind::kTernary)
        fail(n, "attribute out_dtype", name.empty() ? "(missing)" : name,
             "BIPOLAR, BINARY, INTn, UINTn");
      return *t;
    }();
    const double out_scale = attr_f(n, "out_scale", 1), out_bias = attr_f(n, "out_bias", 0);
    if (!(out_scale > 0)) fail(n, "attribute out_scale", num(out_scale), "a positive number");
    ir::ActivationType vo;
    double scale = out_scale;
    std::string want_bias;
    switch (o_t.kind) {
      case FinnDataType::Kind::kBipolar:
        // +-sigma: out_scale 2 sigma, out_bias -sigma.
        vo = {ir::ActivationKind::kBipolar, 1};
        scale = out_scale / 2;
        if (out_bias != -scale)
          want_bias = num(-scale) + " (-out_scale / 2: the values -+" + num(scale) + ")";
        break;
      case FinnDataType::Kind::kBinary:
      case FinnDataType::Kind::kUint:
        vo = {ir::ActivationKind::kUnsigned, o_t.bits};
        if (out_bias != 0) want_bias = "0 for an unsigned out_dtype";
        break;
      case FinnDataType::Kind::kInt:
        vo = {ir::ActivationKind::kSigned, o_t.bits};
        if (out_bias != -double(int64_t{1} << (o_t.bits - 1)) * out_scale)
          want_bias = num(-double(int64_t{1} << (o_t.bits - 1)) * out_scale) +
                      " (-2^(bits-1) x out_scale for " + o_t.name + ")";
        break;
      default:
        break;
    }
    if (!want_bias.empty()) fail(n, "attribute out_bias", num(out_bias), want_bias);
    if (vo.bits > 16) fail(n, "attribute out_dtype", o_t.name, "at most 16 bits");
    const int channels = s.shape.c;
    const int64_t C = s.layout == Stream::Layout::kFlat ? s.shape.elements() : channels;
    if (s.layout == Stream::Layout::kFlat && (s.shape.h > 1 || s.shape.w > 1))
      fail(n, "input '" + n.inputs[0] + "'", "a flattened image",
           "a (1, N) vector or a (1, C, H, W) image");
    const OnnxTensor& t = init(n, 1, "the thresholds");
    if (t.shape.size() != 2 || (t.shape[0] != C && t.shape[0] != 1) || t.shape[1] < 1)
      fail(n, "thresholds '" + n.inputs[1] + "' shape", shape_text(t.shape),
           "(" + std::to_string(C) + ", steps) or (1, steps)");
    const int64_t n_thr = t.shape[1];
    const int64_t steps = vo.kind == ir::ActivationKind::kBipolar ? 1 : (int64_t{1} << vo.bits) - 1;
    if (n_thr > steps)
      fail(n, "thresholds '" + n.inputs[1] + "' steps", std::to_string(n_thr),
           "at most " + std::to_string(steps) + " for out_dtype " + o_t.name);

    // Thresholds on the integer Vine compares: value = acc x scale[c] (or code x scale).
    if (s.relu)
      fail(*s.relu, "consumer", "the MultiThreshold '" + n.name + "'", "an unsigned Quant");
    const bool attach = attaches(n, s);
    if (!s.accumulator && s.type.kind == ir::ActivationKind::kBipolar)
      fail(n, "input '" + n.inputs[0] + "'", "bipolar codes",
           "a stream with integer codes (or raw sums)");
    ParameterArray p;
    p.shape = {C, steps};
    for (int64_t c = 0; c < C; ++c) {
      const double sc = s.accumulator ? s.acc_scales[size_t(c)] : s.scale;
      if (!power_of_two(sc))
        fail(n, "the scale of input '" + n.inputs[0] + "' (channel " + std::to_string(c) + ")",
             num(sc), std::string(kScales) + "; it is the input's scale times the weights' scale");
      for (int64_t k = 0; k < n_thr; ++k) {
        const double v = t.values[size_t((t.shape[0] == 1 ? 0 : c) * n_thr + k)];
        double ce = std::ceil(v / sc);  // exact: sc is a power of two
        if (!std::isfinite(v) || ce < std::numeric_limits<int32_t>::min() ||
            ce > std::numeric_limits<int32_t>::max())
          fail(n,
               "thresholds '" + n.inputs[1] + "' [" + std::to_string(c) + ", " + std::to_string(k) +
                   "]",
               num(v), "a finite threshold whose integer (/ " + num(sc) + ") lies within int32");
        int64_t ti = int64_t(ce);
        // XNOR popcount: the +-1 dot is 2 acc - MW, so dot >= T is acc >= ceil((T + MW) / 2).
        if (s.accumulator) ti = on_accumulator(s, c, ti);
        p.values.push_back(ti);
      }
      for (int64_t k = n_thr; k < steps; ++k)
        p.values.push_back(std::numeric_limits<int32_t>::max());
    }
    if (n_thr < steps)
      d_.notes.push_back(n.name + ": " + std::to_string(n_thr) + " thresholds written as Vine's " +
                         std::to_string(steps) + " steps (the rest never reached)");
    threshold_stage(n, s, attach, std::move(p), vo, scale);
  }

  // Thresholds `p` (on the integer Vine compares) as the output of the layer
  // whose raw sums `s` are (`attach`), or as a threshold layer of their own.
  void threshold_stage(const OnnxNode& n, const Stream& s, bool attach, ParameterArray p,
                       const ir::ActivationType& vo, double scale) {
    Stream out;
    out.shape = s.shape;
    out.layout = s.layout;
    out.type = vo;
    out.scale = scale;
    if (attach) {
      ImportedLayer& l = d_.layers[size_t(s.layer_index)];
      l.output.kind = ir::OutputKind::kThreshold;
      l.output.type = vo;
      l.thresholds = std::move(p);
      if (s.relu) l.finn_nodes.push_back(s.relu->name);
      l.finn_nodes.push_back(n.name);
      out.layer = l.name;
    } else {
      ImportedLayer l;
      l.name = n.name;
      l.finn_nodes = {n.name};
      l.kind = ir::LayerKind::kThreshold;
      l.output.kind = ir::OutputKind::kThreshold;
      l.output.type = vo;
      l.thresholds = std::move(p);
      l.inputs = {s.layer};
      out.layer = l.name;
      d_.layers.push_back(std::move(l));
    }
    set_out(n, std::move(out));
  }

  // A threshold t on the integer sum the float graph sees (acc + bias) as
  // one on Vine's accumulator: less the folded bias, and for an XNOR
  // popcount, whose +-1 dot is 2 acc - MW, acc >= ceil((t + MW) / 2).
  static int64_t on_accumulator(const Stream& s, int64_t c, int64_t t) {
    if (!s.acc_bias.empty()) t -= s.acc_bias[size_t(c)];
    return s.xnor_mw ? ceil_div2(t + s.xnor_mw) : t;
  }

  // A bias added to raw sums (a Conv's third input, an Add of an
  // initializer): exact when each channel's bias is a whole number of
  // accumulator units (bias / (input scale x weight scale), as Brevitas'
  // Int32Bias quantises it); then folded into the thresholds that follow.
  // `conv_bias`: a Conv's (C,) input; else an Add's, broadcast by ONNX's rules.
  void fold_bias(const OnnxNode& n, Stream& s, const std::string& tensor, bool conv_bias) {
    const OnnxTensor& b = m_.initializers.at(tensor);
    const int64_t C = int64_t(s.acc_scales.size());
    // Where ONNX broadcasts the bias's one non-1 axis: channels are axis -3
    // of (1, C, H, W) and axis -1 of (1, C).
    bool per_channel = b.elements() == 1;
    if (!per_channel && b.elements() == C) {
      const size_t axis = conv_bias || s.layout == Stream::Layout::kFlat ? 1 : 3;
      per_channel = b.shape.size() >= axis && b.shape[b.shape.size() - axis] == C;
    }
    if (!per_channel)
      fail(n, "bias '" + tensor + "' shape", shape_text(b.shape),
           s.layout == Stream::Layout::kFlat || conv_bias
               ? "(" + std::to_string(C) + ",) or one value"
               : "(" + std::to_string(C) + ", 1, 1) or (1, " + std::to_string(C) +
                     ", 1, 1): one value per channel of the NCHW sums, or one value");
    if (s.acc_bias.empty()) s.acc_bias.assign(size_t(C), 0);
    for (int64_t c = 0; c < C; ++c) {
      const double v = b.values[size_t(b.elements() == 1 ? 0 : c)] / s.acc_scales[size_t(c)];
      if (v != std::floor(v) || std::fabs(v) > double(std::numeric_limits<int32_t>::max()))
        fail(n, "bias '" + tensor + "' [" + std::to_string(c) + "]",
             num(b.values[size_t(b.elements() == 1 ? 0 : c)]),
             "a whole number of the sums' units, " + num(s.acc_scales[size_t(c)]) +
                 " (input scale x weight scale), within int32");
      s.acc_bias[size_t(c)] += int64_t(v);
    }
  }

  // Whether the thresholds of `n` on the raw sums `s` become their layer's
  // output (an fc or conv whose sums nothing else reads) or a layer of their own.
  bool attaches(const OnnxNode& n, const Stream& s) {
    if (!s.accumulator || d_.layers.at(size_t(s.layer_index)).kind == ir::LayerKind::kAdd)
      return false;
    if (consumers_[n.inputs[0]].size() != 1)
      fail(n, "input '" + n.inputs[0] + "'", "also read by another node",
           "raw sums read by the quantiser alone");
    return true;
  }

  // An activation quantiser on raw sums, value = acc x sc[c]: Quant's
  // clip(round_half_even(value / s)) as thresholds. The code reaches k when
  // value / s > k - 1/2, or equals it and k is even (the tie rounds to the
  // even neighbour): on the integer acc, with r = s / sc[c] a power of two,
  // acc >= (k - 1/2) r, strictly when k is odd.
  void activation_quant(const OnnxNode& n, const Stream& s, bool is_signed, bool narrow, int bits,
                        double scale) {
    if (s.relu && is_signed)
      fail(*s.relu, "consumer", "the signed Quant '" + n.name + "'",
           "a Relu read by an unsigned Quant alone (which clips at 0 anyway)");
    if (is_signed && bits < 2)
      fail(n, "bitwidth", "1 with signed = 1", "2 .. 16 signed, 1 .. 16 unsigned");
    const bool attach = attaches(n, s);
    const ir::ActivationType vo{
        is_signed ? ir::ActivationKind::kSigned : ir::ActivationKind::kUnsigned, bits};
    const int64_t lo = is_signed ? -(int64_t{1} << (bits - 1)) + (narrow ? 1 : 0) : 0;
    const int64_t hi =
        is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1 - (narrow ? 1 : 0);
    const int64_t code_min = is_signed ? -(int64_t{1} << (bits - 1)) : 0;
    const int64_t steps = (int64_t{1} << bits) - 1;
    const int64_t C = int64_t(s.acc_scales.size());
    ParameterArray p;
    p.shape = {C, steps};
    for (int64_t c = 0; c < C; ++c) {
      const double sc = s.acc_scales[size_t(c)];
      if (!power_of_two(sc))
        fail(n, "the scale of input '" + n.inputs[0] + "' (channel " + std::to_string(c) + ")",
             num(sc), std::string(kScales) + "; it is the input's scale times the weights' scale");
      const double r = scale / sc;
      for (int64_t j = 1; j <= steps; ++j) {
        const int64_t k = code_min + j;
        int64_t ti;
        if (k <= lo) {
          ti = std::numeric_limits<int32_t>::min();
        } else if (k > hi) {
          ti = std::numeric_limits<int32_t>::max();
        } else {
          const double t = (double(k) - 0.5) * r;  // exact: r is a power of two
          double ce = std::ceil(t);
          if (ce == t && (k % 2 != 0)) ce += 1;  // a tie rounds to the even k - 1
          if (ce < std::numeric_limits<int32_t>::min() || ce > std::numeric_limits<int32_t>::max())
            fail(n, "scale '" + n.inputs[1] + "'", num(scale),
                 "a scale whose thresholds lie within int32");
          ti = int64_t(ce);
          ti = on_accumulator(s, c, ti);
        }
        p.values.push_back(ti);
      }
    }
    threshold_stage(n, s, attach, std::move(p), vo, scale);
  }

  // BipolarQuant on raw sums: +1 where value >= 0, i.e. acc >= 0.
  void activation_bipolar(const OnnxNode& n, const Stream& s, double scale) {
    if (s.relu)
      fail(*s.relu, "consumer", "the BipolarQuant '" + n.name + "'",
           "a Relu read by an unsigned Quant alone");
    const bool attach = attaches(n, s);
    const int64_t C = int64_t(s.acc_scales.size());
    ParameterArray p;
    p.shape = {C, 1};
    for (int64_t c = 0; c < C; ++c) p.values.push_back(on_accumulator(s, c, 0));
    threshold_stage(n, s, attach, std::move(p), ir::ActivationType{ir::ActivationKind::kBipolar, 1},
                    scale);
  }

  // Relu on raw sums read by an unsigned Quant: a no-op (the Quant clips
  // at 0 all the same).
  void relu(const OnnxNode& n) {
    Stream s = stream_in(n, 0);
    if (!s.accumulator || s.relu)
      fail(n, "input '" + n.inputs[0] + "'", s.accumulator ? "another Relu" : "quantised codes",
           "the raw sums of a MatMul, Conv or Add, read by an unsigned Quant");
    if (consumers_[n.inputs[0]].size() != 1)
      fail(n, "input '" + n.inputs[0] + "'", "also read by another node",
           "raw sums read by the Relu alone");
    const auto& readers = consumers_[n.outputs.at(0)];
    if (readers.size() != 1 || readers[0]->op_type != "Quant")
      fail(n, "consumer",
           readers.empty() ? "none" : "'" + readers[0]->name + "' (" + readers[0]->op_type + ")",
           "one unsigned Quant (Brevitas' QuantReLU), which clips at 0 anyway");
    s.relu = &n;
    set_out(n, std::move(s));
  }

  void maxpool(const OnnxNode& n) {
    const Stream s = codes_in(n, 0);
    if (s.layout != Stream::Layout::kNchw)
      fail(n, "input '" + n.inputs[0] + "'", "a (1, N) tensor", "(1, C, H, W)");
    const auto ks = attr_ints(n, "kernel_shape", {});
    if (ks.size() != 2 || ks[0] != ks[1] || ks[0] < 1)
      fail(n, "attribute kernel_shape",
           attr(n, "kernel_shape") ? attr(n, "kernel_shape")->text() : "(missing)",
           "a square [k, k]");
    const int64_t k = ks[0];
    const auto st = attr_ints(n, "strides", {1, 1});
    if (st.size() != 2 || st[0] != st[1] || st[0] < 1)
      fail(n, "attribute strides", attr(n, "strides")->text(), "a square [s, s]");
    for (int64_t p : attr_ints(n, "pads", {0, 0, 0, 0}))
      if (p != 0) fail(n, "attribute pads", attr(n, "pads")->text(), "[0, 0, 0, 0]");
    if (attr_i(n, "ceil_mode", 0) != 0) fail(n, "attribute ceil_mode", "1", "0");
    if (attr_s(n, "auto_pad", "NOTSET") != "NOTSET")
      fail(n, "attribute auto_pad", attr_s(n, "auto_pad", ""), "NOTSET");
    for (int64_t d : attr_ints(n, "dilations", {1, 1}))
      if (d != 1) fail(n, "attribute dilations", attr(n, "dilations")->text(), "[1, 1]");
    if (s.shape.h != s.shape.w || s.shape.h < k)
      fail(n, "input '" + n.inputs[0] + "'",
           std::to_string(s.shape.h) + " x " + std::to_string(s.shape.w),
           "a square image at least the kernel's size");
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {n.name};
    l.kind = ir::LayerKind::kMaxPool;
    l.kernel_h = l.kernel_w = int(k);
    l.stride_h = l.stride_w = int(st[0]);
    l.inputs = {s.layer};
    Stream out = s;  // the max of codes is the code of the max: scale > 0
    out.layer = l.name;
    const int oh = int((s.shape.h - k) / st[0] + 1);
    out.shape = {oh, oh, s.shape.c};
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  // AveragePool / GlobalAveragePool of codes: Vine's avgpool, floor(sum /
  // K^2) of each window's codes. The float graph's average, sum x scale /
  // K^2, is carried as a multiple of the sum to the Trunc that quantises it
  // (trunc), which decides whether the floor is the Trunc's.
  void average_pool(const OnnxNode& n) {
    const Stream s = codes_in(n, 0);
    if (s.layout != Stream::Layout::kNchw)
      fail(n, "input '" + n.inputs[0] + "'", "a (1, N) tensor", "(1, C, H, W)");
    if (s.type.kind == ir::ActivationKind::kBipolar)
      fail(n, "input '" + n.inputs[0] + "'", "bipolar codes", "integer codes (Vine's average pool sums codes)");
    int64_t k = s.shape.h, stride = 1;
    if (n.op_type == "GlobalAveragePool") {
      if (s.shape.h != s.shape.w)
        fail(n, "input '" + n.inputs[0] + "'", std::to_string(s.shape.h) + " x " + std::to_string(s.shape.w),
             "a square image (Vine's pool window is square)");
    } else {
      const auto ks = attr_ints(n, "kernel_shape", {});
      if (ks.size() != 2 || ks[0] != ks[1] || ks[0] < 1)
        fail(n, "attribute kernel_shape", attr(n, "kernel_shape") ? attr(n, "kernel_shape")->text() : "(missing)",
             "a square [k, k]");
      k = ks[0];
      const auto st = attr_ints(n, "strides", {1, 1});
      if (st.size() != 2 || st[0] != st[1] || st[0] < 1)
        fail(n, "attribute strides", attr(n, "strides")->text(), "a square [s, s]");
      stride = st[0];
      for (int64_t p : attr_ints(n, "pads", {0, 0, 0, 0}))
        if (p != 0) fail(n, "attribute pads", attr(n, "pads")->text(), "[0, 0, 0, 0] (Vine's pools take no padding)");
      if (attr_i(n, "ceil_mode", 0) != 0) fail(n, "attribute ceil_mode", "1", "0");
      if (attr_s(n, "auto_pad", "NOTSET") != "NOTSET")
        fail(n, "attribute auto_pad", attr_s(n, "auto_pad", ""), "NOTSET");
      for (int64_t d : attr_ints(n, "dilations", {1, 1}))
        if (d != 1) fail(n, "attribute dilations", attr(n, "dilations")->text(), "[1, 1]");
      if (s.shape.h != s.shape.w || s.shape.h < k)
        fail(n, "input '" + n.inputs[0] + "'", std::to_string(s.shape.h) + " x " + std::to_string(s.shape.w),
             "a square image at least the kernel's size");
    }
    if (!power_of_two(double(k * k)))
      fail(n, n.op_type == "GlobalAveragePool" ? "input '" + n.inputs[0] + "' area" : "attribute kernel_shape",
           std::to_string(k) + " x " + std::to_string(k),
           "a window of a power-of-two area (2 x 2, 4 x 4, ...): Vine's floor(sum / K^2) is a Trunc's shift only then");
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {n.name};
    l.kind = ir::LayerKind::kAvgPool;
    l.kernel_h = l.kernel_w = int(k);
    l.stride_h = l.stride_w = int(stride);
    l.inputs = {s.layer};
    Stream out = s;
    out.layer = l.name;
    const int oh = int((s.shape.h - k) / stride + 1);
    out.shape = {oh, oh, s.shape.c};
    out.pool = &n;
    out.pool_area = k * k;
    out.sum_scale = s.scale / double(k * k);  // the average of codes x scale is sum x scale / K^2
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  // Trunc after an average pool (Brevitas' TruncAvgPool2d: AveragePool, Mul
  // by K^2, Trunc). qonnx's trunc: y = round(x / scale + zp), divided by
  // 2^(in_bits - out_bits) (v1, five inputs) or by out_scale / scale rounded
  // to a power of two (v2, six inputs, clipped to out_bits' range), then
  // rounded by rounding_mode. With scale the pool sum's unit, y is the sum of
  // codes exactly; with a FLOOR by K^2 into the codes' own type the result
  // is Vine's floor(sum / K^2).
  void trunc(const OnnxNode& n) {
    const Stream s = stream_in(n, 0);
    if (!s.pool)
      fail(n, "input '" + n.inputs[0] + "'", s.accumulator ? "raw sums" : "quantised codes",
           "the output of an AveragePool or GlobalAveragePool (through a Mul or Div by a power of two)");
    const bool v2 = n.inputs.size() == 6;
    if (n.inputs.size() != 5 && !v2)
      fail(n, "inputs", std::to_string(n.inputs.size()),
           "5 (x, scale, zero_point, input_bit_width, output_bit_width: qonnx's Trunc v1) or 6 (x, scale, "
           "zero_point, input_bit_width, output_scale, output_bit_width: v2)");
    std::string rounding = attr_s(n, "rounding_mode", "FLOOR");
    for (char& c : rounding) c = char(std::toupper(static_cast<unsigned char>(c)));
    if (rounding != "FLOOR")
      fail(n, "attribute rounding_mode", rounding, "FLOOR (Vine's average pool floors its sum / K^2)");
    const double scale = scalar(n, 1, "scale");
    if (scale != s.sum_scale)
      fail(n, "scale '" + n.inputs[1] + "'", num(scale),
           num(s.sum_scale) + ", the unit of the pool's sum of codes (so that round(x / scale) is that sum)");
    const double zp = scalar(n, 2, "zero point");
    if (zp != 0) fail(n, "zero point '" + n.inputs[2] + "'", num(zp), "0");
    const int bits = s.type.bits;
    const bool is_signed = s.type.kind == ir::ActivationKind::kSigned;
    const size_t out_bits_port = v2 ? 5 : 4;
    const double out_bits = scalar(n, out_bits_port, "output bit width");
    if (out_bits != bits)
      fail(n, "output bit width '" + n.inputs[out_bits_port] + "'", num(out_bits),
           std::to_string(bits) + ", the pooled codes' (Vine's average pool keeps its input's type)");
    double out_scale = scale;
    double divisor = 0;
    std::string divisor_input;
    if (v2) {
      out_scale = scalar(n, 4, "output scale");
      if (!power_of_two(out_scale)) fail(n, "output scale '" + n.inputs[4] + "'", num(out_scale), kScales);
      divisor = std::exp2(std::round(std::log2(out_scale / scale)));
      divisor_input = "output scale '" + n.inputs[4] + "'";
      if (attr_i(n, "signed", 1) != (is_signed ? 1 : 0))
        fail(n, "attribute signed", std::to_string(attr_i(n, "signed", 1)),
             std::string(is_signed ? "1" : "0") + ", the pooled codes' (the clip must not cut their range)");
      if (attr_i(n, "narrow", 0) != 0) fail(n, "attribute narrow", "1", "0 (the clip must not cut the codes' range)");
    } else {
      const double in_bits = scalar(n, 3, "input bit width");
      divisor = std::exp2(in_bits - out_bits);
      divisor_input = "input bit width '" + n.inputs[3] + "'";
    }
    if (divisor != double(s.pool_area))
      fail(n, divisor_input, num(v2 ? out_scale : scalar(n, 3, "input bit width")),
           std::string(v2 ? "out_scale / scale" : "2^(input bits - output bits)") + " = " +
               std::to_string(s.pool_area) + ", the pool's K^2 (Vine's average pool divides by it; this one gives " +
               num(divisor) + ")");
    Stream out = s;
    out.pool = nullptr;
    out.scale = out_scale;
    d_.layers.back().finn_nodes.push_back(n.name);
    set_out(n, std::move(out));
  }

  // Mul or Div by a scalar initializer: a power of two changes only the
  // scale of the codes, of the raw sums (then folded into the thresholds
  // that follow, as every power-of-two scale is) or of a pool's sum.
  void scale_by(const OnnxNode& n) {
    if (n.inputs.size() != 2) fail(n, "inputs", std::to_string(n.inputs.size()), "2");
    const size_t port = n.op_type == "Mul" && m_.initializers.count(n.inputs[0]) ? 0 : 1;
    if (!m_.initializers.count(n.inputs[port]))
      fail(n, "input '" + n.inputs[1] + "'", "not an initializer",
           n.op_type == "Mul" ? "a stream times a scalar initializer" : "a stream divided by a scalar initializer");
    const double v = scalar(n, port, "factor");
    if (!power_of_two(v)) fail(n, "factor '" + n.inputs[port] + "'", num(v), kScales);
    const double f = n.op_type == "Mul" ? v : 1 / v;
    Stream s = stream_in(n, 1 - port);
    if (s.accumulator || s.pool) {
      if (consumers_[n.inputs[1 - port]].size() != 1)
        fail(n, "input '" + n.inputs[1 - port] + "'", "also read by another node",
             "a stream read by the " + n.op_type + " alone");
    }
    if (s.relu) fail(n, "input '" + n.inputs[1 - port] + "'", "a Relu's output", "a Relu read by an unsigned Quant alone");
    if (s.pool) {
      s.sum_scale *= f;
    } else if (s.accumulator) {
      for (double& a : s.acc_scales) a *= f;
    } else {
      s.scale *= f;
    }
    set_out(n, std::move(s));
  }

  void add(const OnnxNode& n) {
    if (n.inputs.size() != 2) fail(n, "inputs", std::to_string(n.inputs.size()), "2");
    for (size_t k = 0; k < 2; ++k)
      if (m_.initializers.count(n.inputs[k])) {  // a bias on raw sums
        Stream s = stream_in(n, 1 - k);
        if (!s.accumulator || d_.layers.at(size_t(s.layer_index)).kind == ir::LayerKind::kAdd ||
            s.relu)
          fail(n, "input '" + n.inputs[k] + "'",
               "an initializer (a bias) on " +
                   std::string(s.accumulator ? "these sums" : "quantised codes"),
               "a bias added to the raw sums of a MatMul or Conv, before their quantiser");
        if (consumers_[n.inputs[1 - k]].size() != 1)
          fail(n, "input '" + n.inputs[1 - k] + "'", "also read by another node",
               "raw sums read by the bias Add alone");
        fold_bias(n, s, n.inputs[k], false);
        d_.layers[size_t(s.layer_index)].finn_nodes.push_back(n.name);
        return set_out(n, std::move(s));
      }
    const Stream a = codes_in(n, 0), b = codes_in(n, 1);
    if (a.shape != b.shape || a.layout != b.layout)
      fail(n, "inputs", "of different shapes", "two inputs of one shape");
    if (a.scale != b.scale)
      fail(n, "inputs", "of scales " + num(a.scale) + " and " + num(b.scale),
           "one scale (the sum of codes is then the sum of values over that scale)");
    for (const Stream* s : {&a, &b})
      if (s->type.kind == ir::ActivationKind::kBipolar)
        fail(n, "inputs", "bipolar codes", "integer codes (Vine's add sums codes)");
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {n.name};
    l.kind = ir::LayerKind::kAdd;
    l.output.kind = ir::OutputKind::kAccumulator;
    l.inputs = {a.layer, b.layer};
    Stream out;
    out.layer = l.name;
    out.accumulator = true;
    out.acc_scales.assign(
        size_t(a.layout == Stream::Layout::kFlat ? a.shape.elements() : a.shape.c), a.scale);
    out.layer_index = int(d_.layers.size());
    out.shape = a.shape;
    out.layout = a.layout;
    // The shortcut must hold what arrives while the other branch fills: a
    // whole input frame on each input edge never deadlocks (`vine fifo-size`
    // finds the depths a build needs).
    for (const Stream* s : {&a, &b}) {
      ImportedFifo f;
      f.from = s->layer;
      f.to = l.name;
      f.depth = int(a.shape.elements());
      f.memory_style = f.depth > explore::kFinnMaxShiftRegisterDepth;
      f.finn_node = "an input of the residual add '" + n.name + "': a whole frame";
      d_.fifos.push_back(f);
    }
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  // Reshape / Flatten that only flatten (1, C, H, W) to (1, C*H*W).
  void flatten(const OnnxNode& n) {
    Stream s = stream_in(n, 0);
    const int64_t total = s.shape.elements();
    if (n.op_type == "Flatten") {
      if (attr_i(n, "axis", 1) != 1)
        fail(n, "attribute axis", std::to_string(attr_i(n, "axis", 1)), "1");
    } else {
      const OnnxTensor& t = init(n, 1, "the target shape");
      const bool ok = t.values.size() == 2 && (t.values[0] == 1 || t.values[0] == -1) &&
                      (t.values[1] == double(total) || t.values[1] == -1) &&
                      !(t.values[0] == -1 && t.values[1] == -1);
      if (!ok) {
        std::vector<int64_t> v(t.values.begin(), t.values.end());
        fail(n, "shape '" + n.inputs[1] + "'", shape_text(v),
             "(1, " + std::to_string(total) + ") or (1, -1): a reshape that only flattens");
      }
    }
    if (s.accumulator && (s.shape.h > 1 || s.shape.w > 1))
      fail(n, "input '" + n.inputs[0] + "'", "the raw sums of '" + s.layer + "'",
           "a quantised image");
    s.layout = Stream::Layout::kFlat;
    set_out(n, std::move(s));
  }

  void finish_output() {
    const std::string& name = m_.outputs[0].name;
    auto it = streams_.find(name);
    if (it == streams_.end())
      throw ImportError(m_.path + ": graph output '" + name +
                        "' is not produced by a translated node");
    const Stream& s = it->second;
    if (s.layer == "input" || d_.layers.empty())
      throw ImportError(m_.path + ": the model computes nothing");
    if (s.pool)
      throw ImportError(m_.path + ": graph output '" + name + "' is the average pool '" + s.pool->name +
                        "' before a Trunc; supported: a Trunc after it (its codes are Vine's)");
    if (s.layer != d_.layers.back().name)
      throw ImportError(
          m_.path + ": graph output '" + name + "' comes from '" + s.layer +
          "', not from the last layer; supported: the last compute node feeds the graph output");
    if (s.accumulator && !s.acc_bias.empty())
      throw ImportError(
          m_.path + ": graph output '" + name + "' is the raw sums of '" + s.layer +
          "' plus a folded bias; supported: a quantiser after a bias (Vine's raw sums carry none)");
    if (s.accumulator) {
      std::string scales = num(s.acc_scales.at(0));
      for (double v : s.acc_scales)
        if (v != s.acc_scales[0]) scales = "per channel";
      d_.notes.push_back("output: the raw sums of '" + s.layer + "'" +
                         (s.xnor_mw ? " as agreement counts a (the float value is (2a - " +
                                          std::to_string(s.xnor_mw) + ") x scale)"
                                    : "") +
                         "; float value = sum x " + scales);
    } else {
      d_.notes.push_back(
          "output: codes of '" + s.layer + "'; float value = " +
          (s.type.kind == ir::ActivationKind::kBipolar ? "(2 code - 1)" : std::string("code")) +
          " x " + num(s.scale));
    }
  }
};

}  // namespace

ImportedDesign translate_qonnx_model(const OnnxModel& m) {
  return Translator(m).run();
}

}  // namespace vine::import
