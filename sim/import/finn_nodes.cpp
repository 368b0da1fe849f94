#include "sim/import/finn_nodes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "sim/explore/finn_fifo_style.h"
#include "sim/import/finn_datatype.h"
#include "sim/import/import_error.h"

namespace vine::import {

namespace {

// The FINN operator a node is, whatever its _hls/_rtl variant or older
// _Batch name.
enum class Op {
  kMvau, kVvau, kThresholding, kDwc, kFifo, kSwg, kDownSampler, kFmPadding, kMaxPool, kPool, kAdd, kDuplicate,
  kChannelwise, kLabelSelect, kUnsupported
};

const char* kSupportedOps =
    "MVAU (MatrixVectorActivation), VVAU (VectorVectorActivation, SIMD dividing K x K), Thresholding, StreamingDataWidthConverter, StreamingFIFO, "
    "ConvolutionInputGenerator, DownSampler (2D, before an MVAU), FMPadding (before a ConvolutionInputGenerator or "
    "DownSampler), StreamingMaxPool, Pool (after a "
    "depthwise ConvolutionInputGenerator), AddStreams, DuplicateStreams, ChannelwiseOp, LabelSelect (last), each as FINN's _hls "
    "or _rtl variant";

std::string base_op(const std::string& op_type) {
  std::string b = op_type;
  for (const char* suffix : {"_hls", "_rtl", "_Batch"})
    if (b.size() > std::strlen(suffix) && b.compare(b.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
      b.resize(b.size() - std::strlen(suffix));
  return b;
}

Op op_of(const OnnxNode& n) {
  const std::string b = base_op(n.op_type);
  if (b == "MVAU" || b == "MatrixVectorActivation") return Op::kMvau;
  if (b == "VVAU" || b == "VectorVectorActivation") return Op::kVvau;
  if (b == "Thresholding") return Op::kThresholding;
  if (b == "StreamingDataWidthConverter") return Op::kDwc;
  if (b == "StreamingFIFO") return Op::kFifo;
  if (b == "ConvolutionInputGenerator" || b == "ConvolutionInputGenerator1D") return Op::kSwg;
  if (b == "FMPadding") return Op::kFmPadding;
  if (b == "DownSampler") return Op::kDownSampler;
  if (b == "StreamingMaxPool") return Op::kMaxPool;
  if (b == "Pool") return Op::kPool;
  if (b == "LabelSelect") return Op::kLabelSelect;
  if (b == "AddStreams") return Op::kAdd;
  if (b == "DuplicateStreams") return Op::kDuplicate;
  if (b == "ChannelwiseOp") return Op::kChannelwise;
  return Op::kUnsupported;
}

// Attribute access that names the node and attribute when one is missing or
// of the wrong kind.
struct Attrs {
  const OnnxNode& n;
  [[noreturn]] void fail(const std::string& a, const std::string& value, const std::string& supported) const {
    // Attributes are named as such; tensors ("weights 'W' [r, c]") and the
    // node's place in the graph ("position", "input") as they are.
    const bool attribute = a.find(' ') == std::string::npos && a != "position" && a != "input" && a != "inputs" &&
                           a != "consumer";
    throw ImportError(n.name, n.op_type, (attribute ? "attribute " : "") + a, value, supported);
  }
  const OnnxAttribute* find(const std::string& a) const {
    auto it = n.attributes.find(a);
    return it == n.attributes.end() ? nullptr : &it->second;
  }
  int64_t i(const std::string& a) const {
    const OnnxAttribute* p = find(a);
    if (!p) fail(a, "(missing)", "an integer attribute, which FINN always sets on this node");
    if (p->kind != OnnxAttribute::Kind::kInt) fail(a, p->text(), "an integer");
    return p->i;
  }
  int64_t i(const std::string& a, int64_t dflt) const { return find(a) ? i(a) : dflt; }
  std::string s(const std::string& a) const {
    const OnnxAttribute* p = find(a);
    if (!p) fail(a, "(missing)", "a string attribute, which FINN always sets on this node");
    if (p->kind != OnnxAttribute::Kind::kString) fail(a, p->text(), "a string");
    return p->s;
  }
  std::string s(const std::string& a, const std::string& dflt) const { return find(a) ? s(a) : dflt; }
  std::vector<int64_t> ints(const std::string& a, std::vector<int64_t> dflt = {}) const {
    const OnnxAttribute* p = find(a);
    if (!p) {
      if (dflt.empty()) fail(a, "(missing)", "a list of integers, which FINN always sets on this node");
      return dflt;
    }
    if (p->kind == OnnxAttribute::Kind::kInt) return {p->i};
    if (p->kind != OnnxAttribute::Kind::kInts) fail(a, p->text(), "a list of integers");
    return p->ints;
  }
  // A [h, w] (or k: [k, k]) attribute of positive sides: a window, stride
  // or image, square or not (a one-dimensional one is [1, k] or [k, 1]).
  std::pair<int, int> dims(const std::string& a) const {
    const auto v = ints(a);
    if (v.empty() || v.size() > 2 || v[0] < 1 || v.back() < 1)
      fail(a, find(a)->text(), "[h, w] (or k) with h, w >= 1");
    return {int(v[0]), int(v.back())};
  }
  static std::string dims_text(int h, int w) { return "[" + std::to_string(h) + ", " + std::to_string(w) + "]"; }
  FinnDataType dtype(const std::string& a) const {
    const std::string name = s(a);
    auto t = parse_finn_datatype(name);
    if (!t) fail(a, name, "BIPOLAR, BINARY, TERNARY, INTn, UINTn");
    return *t;
  }
};

struct Pending {  // a window-side node waiting for the MVAU it feeds
  const OnnxNode* node = nullptr;
  std::vector<const OnnxNode*> fifos_after;
  // FINN's width converter after it (a window or padding folded apart from
  // what reads it: Vine's window_simd / padding_simd), and the FIFOs after it.
  const OnnxNode* dwc = nullptr;
  std::vector<const OnnxNode*> fifos_after_dwc;
};

// What a tensor of the FINN graph is to Vine: the output of a Vine layer
// (or the network input), seen through the FIFOs, converter and window-side
// nodes that lie between it and its consumer.
struct Stream {
  std::string layer;  // Vine layer name, or "input"
  ir::Shape shape;
  ir::ActivationType type;
  std::string finn_type;  // FINN's name of the values' type
  std::vector<const OnnxNode*> fifos;   // StreamingFIFO nodes on the edge
  std::vector<bool> fifo_after_dwc;
  const OnnxNode* dwc = nullptr;
  std::vector<Pending> pending;         // FMPadding, ConvolutionInputGenerator
  const OnnxNode* producer = nullptr;   // the FINN node of that layer which writes it
  bool accumulator = false;             // raw sums (noActivation, AddStreams): Vine types them itself
};

std::string shape_text(const std::vector<int64_t>& s) {
  std::ostringstream o;
  o << '(';
  for (size_t k = 0; k < s.size(); ++k) o << (k ? ", " : "") << s[k];
  o << (s.size() == 1 ? ",)" : ")");
  return o.str();
}

class Translator {
 public:
  explicit Translator(const OnnxModel& m) : m_(m) {
    for (size_t k = 0; k < m.nodes.size(); ++k)
      for (const auto& in : m.nodes[k].inputs) consumers_[in].push_back(k);
  }

  ImportedDesign run() {
    if (m_.inputs.size() != 1)
      throw ImportError(m_.path + ": " + std::to_string(m_.inputs.size()) +
                        " graph inputs; supported: one (a FINN dataflow partition)");
    if (m_.outputs.size() != 1)
      throw ImportError(m_.path + ": " + std::to_string(m_.outputs.size()) +
                        " graph outputs; supported: one (a FINN dataflow partition)");
    d_.name = m_.graph_name;
    // FINN v0.10's op vocabulary, unless a node has a name from before it.
    d_.flushing = std::none_of(m_.nodes.begin(), m_.nodes.end(), [](const OnnxNode& n) {
      const std::string b = base_op(n.op_type);
      return b == "MatrixVectorActivation" || b == "VectorVectorActivation" || b + "_Batch" == n.op_type;
    });
    add_graph_input();
    for (const auto& n : m_.nodes) translate(n);
    finish_output();
    set_rtl_kinds();
    return std::move(d_);
  }

 private:
  const OnnxModel& m_;
  ImportedDesign d_;
  std::map<std::string, std::vector<size_t>> consumers_;
  std::map<std::string, Stream> streams_;
  std::map<std::string, ir::ActivationType> layer_types_;
  std::set<std::string> rtl_nodes_;       // _rtl nodes of templates Vine times
  std::set<std::string> rtl_dwc_layers_;  // layers whose converter FINN built as _rtl
  std::map<std::string, const OnnxNode*> hls_dwc_of_layer_, rtl_dwc_of_layer_;  // one converter of each style

  // Whether the compute node that finally reads `tensor` (through FIFOs,
  // converters, windows, padding, duplication) is an XNOR-popcount MVAU,
  // which reads FINN's BINARY 0/1 as -1/+1.
  bool read_as_bipolar(const std::string& tensor, int depth = 0) const {
    auto it = consumers_.find(tensor);
    if (it == consumers_.end() || depth > 64) return false;
    for (size_t k : it->second) {
      const OnnxNode& n = m_.nodes[k];
      switch (op_of(n)) {
        case Op::kMvau: case Op::kVvau:
          if (Attrs{n}.i("binaryXnorMode", 0) == 1) return true;
          break;
        case Op::kFifo: case Op::kDwc: case Op::kSwg: case Op::kDownSampler: case Op::kFmPadding: case Op::kDuplicate:
          for (const auto& o : n.outputs)
            if (read_as_bipolar(o, depth + 1)) return true;
          break;
        default: break;
      }
    }
    return false;
  }

  ir::ActivationType vine_type(const OnnxNode& n, const std::string& attr, const FinnDataType& t, bool as_bipolar) {
    auto v = vine_activation(t, as_bipolar);
    if (!v) Attrs{n}.fail(attr, t.name, "BIPOLAR, BINARY, TERNARY, INT2..INT16, UINT1..UINT16 activations");
    return *v;
  }

  void add_graph_input() {
    const OnnxValueInfo& in = m_.inputs[0];
    Stream s;
    s.layer = "input";
    const auto& sh = in.shape;
    if (sh.size() == 2 && sh[0] == 1 && sh[1] > 0) {
      s.shape = {1, 1, int(sh[1])};
    } else if (sh.size() == 4 && sh[0] == 1 && sh[1] > 0 && sh[2] > 0 && sh[3] > 0) {
      s.shape = {int(sh[1]), int(sh[2]), int(sh[3])};  // FINN's dataflow graphs are NHWC
    } else {
      throw ImportError(m_.path + ": graph input '" + in.name + "' of shape " + shape_text(sh) +
                        "; supported: (1, N) or (1, H, W, C), batch 1, NHWC");
    }
    // The type: FINN's annotation, or what the first node reading it declares.
    std::string name;
    if (auto it = m_.finn_datatypes.find(in.name); it != m_.finn_datatypes.end()) name = it->second;
    auto t = parse_finn_datatype(name);
    if (!t)
      throw ImportError(m_.path + ": graph input '" + in.name + "' has FINN data type '" + name +
                        "' (quantization_annotation finn_datatype); supported: BIPOLAR, BINARY, TERNARY, INTn, UINTn");
    auto v = vine_activation(*t, read_as_bipolar(in.name));
    if (!v)
      throw ImportError(m_.path + ": graph input '" + in.name + "' of type " + name +
                        "; supported: BIPOLAR, BINARY, TERNARY, INT2..INT16, UINT1..UINT16");
    s.type = *v;
    s.finn_type = name;
    d_.input_shape = s.shape;
    d_.input_type = s.type;
    streams_[in.name] = s;
  }

  const Stream& stream_in(const OnnxNode& n, size_t port) {
    if (port >= n.inputs.size())
      throw ImportError(n.name, n.op_type, "input " + std::to_string(port), "(missing)", "a streamed input");
    auto it = streams_.find(n.inputs[port]);
    if (it == streams_.end())
      throw ImportError(n.name, n.op_type, "input '" + n.inputs[port] + "'",
                        "not produced by an earlier dataflow node nor the graph input",
                        "nodes in topological order, fed by the graph input or an earlier node");
    return it->second;
  }

  // The Vine stage kind (HLS) whose RTL variant times op's RTL template.
  static std::string rtl_kind(Op op) {
    switch (op) {
      case Op::kMvau: return "mvau";
      case Op::kVvau: return "vvau";
      case Op::kSwg: return "swg";
      case Op::kThresholding: return "threshold";
      case Op::kFmPadding: return "fmpadding";
      case Op::kDwc: return "dwc";
      default: return "";
    }
  }

  // Each layer's `impl_style` map: the kinds of its FINN nodes that are
  // _rtl, and `dwc` where Vine's converter for an _rtl converter is its.
  void set_rtl_kinds() {
    std::map<std::string, const OnnxNode*> by_name;
    for (const auto& n : m_.nodes) by_name[n.name] = &n;
    for (ImportedLayer& l : d_.layers) {
      for (const std::string& node : l.finn_nodes)
        if (rtl_nodes_.count(node)) l.rtl_kinds.push_back(rtl_kind(op_of(*by_name.at(node))));
      if (auto it = rtl_dwc_layers_.find(l.name); it != rtl_dwc_layers_.end()) l.rtl_kinds.push_back("dwc");
    }
  }

  void set_out(const OnnxNode& n, Stream s) {
    if (n.outputs.empty()) throw ImportError(n.name, n.op_type, "outputs", "none", "one output");
    if (s.layer == n.name) s.producer = &n;
    streams_[n.outputs[0]] = std::move(s);
  }

  // A stream read as a layer's input: its edge FIFO (and the window-side
  // nodes, which only a conv may have) become the design's.
  void connect(const OnnxNode& consumer, const Stream& s, const std::string& layer, bool window_allowed,
               size_t port = 0) {
    if (!window_allowed && !s.pending.empty())
      throw ImportError(s.pending.back().node->name, s.pending.back().node->op_type, "consumer",
                        "'" + consumer.name + "' (" + consumer.op_type + ")",
                        "a ConvolutionInputGenerator and FMPadding feeding an MVAU");
    if (s.fifos.size() > 1)
      throw ImportError(s.fifos[1]->name, s.fifos[1]->op_type, "position",
                        "a second StreamingFIFO between '" + s.layer + "' and '" + consumer.name + "' (after '" +
                            s.fifos[0]->name + "')",
                        "one StreamingFIFO per edge between two compute nodes (Vine models one FIFO per edge)");
    // An _rtl converter: Vine's converter on this edge is the consumer's
    // (`<layer>.dwc_in`), or the producer's (`.dwc_out`) where the FIFO comes
    // after it and the edge takes its width; after the graph input Vine's
    // input DMA writes the consumer's width itself, with no converter.
    if (s.dwc && s.layer != "input") {
      const bool after = s.fifos.size() == 1 && s.fifo_after_dwc[0];
      note_dwc(*s.dwc, after ? s.layer : layer);
    }
    if (s.fifos.size() == 1) {
      d_.fifos.push_back(fifo(*s.fifos[0], s.layer, layer, s.fifo_after_dwc[0] ? dwc_out_bits(*s.dwc) : 0));
    } else if (int depth = fifo_depth_attributes(consumer, s, port); depth > 0) {
      ImportedFifo f;
      f.from = s.layer;
      f.to = layer;
      f.depth = depth;
      f.memory_style = depth > explore::kFinnMaxShiftRegisterDepth;
      f.finn_node = "inFIFODepths/outFIFODepths of " + (s.producer ? s.producer->name + " and " : "") + consumer.name;
      d_.fifos.push_back(f);
    }
  }

  // A model without StreamingFIFO nodes on an edge: the depth FINN's
  // InsertFIFO would build there from the producer's outFIFODepths and the
  // consumer's inFIFODepths (the larger; its style by FINN's rule,
  // finn_fifo_style.h). 0 when neither names one.
  int fifo_depth_attributes(const OnnxNode& consumer, const Stream& s, size_t port) const {
    int64_t depth = 0;
    const auto in = Attrs{consumer}.ints("inFIFODepths", {0});
    if (port < in.size()) depth = std::max(depth, in[port]);
    if (s.producer) {
      const auto out = Attrs{*s.producer}.ints("outFIFODepths", {0});
      if (!out.empty()) depth = std::max(depth, out[0]);
    }
    return int(depth);
  }

  int dwc_out_bits(const OnnxNode& dwc) { return int(Attrs{dwc}.i("outWidth")); }

  // A FINN converter Vine builds as one of `layer`'s: Vine's `impl_style`
  // times all of a layer's converters alike, so one layer's converters must
  // all be _rtl or all _hls.
  void note_dwc(const OnnxNode& dwc, const std::string& layer) {
    const bool rtl = rtl_nodes_.count(dwc.name) > 0;
    auto& mine = rtl ? rtl_dwc_of_layer_ : hls_dwc_of_layer_;
    const auto& other = rtl ? hls_dwc_of_layer_ : rtl_dwc_of_layer_;
    if (auto it = other.find(layer); it != other.end())
      throw ImportError(dwc.name, dwc.op_type, "op_type", dwc.op_type,
                        "converters of one style in a layer, all _hls or all _rtl (Vine's impl_style {dwc: rtl} "
                        "times every converter of '" + layer + "' alike; '" + it->second->name + "' is " +
                            it->second->op_type + ")");
    mine.emplace(layer, &dwc);
    if (rtl) rtl_dwc_layers_.insert(layer);
  }

  // A converter between two stages of one layer: FINN's inWidth and outWidth
  // must be the widths Vine's stages stream on either side of it.
  void check_dwc_widths(const OnnxNode& dwc, int64_t in_bits, int64_t out_bits, const std::string& why) {
    Attrs a{dwc};
    if (a.i("inWidth") != in_bits || a.i("outWidth") != out_bits)
      a.fail("inWidth/outWidth", std::to_string(a.i("inWidth")) + "/" + std::to_string(a.i("outWidth")),
             std::to_string(in_bits) + "/" + std::to_string(out_bits) + " (" + why + ")");
  }

  // Vine's name of the last converter of a chain named `name` between
  // widths `in` and `out`: two (`name`, `name`2) where neither divides the other.
  static std::string last_converter(const std::string& name, int64_t in, int64_t out) {
    return in % out && out % in ? name + "2" : name;
  }

  ImportedFifo fifo(const OnnxNode& n, const std::string& from, const std::string& to, int bits) {
    Attrs a{n};
    ImportedFifo f;
    f.from = from;
    f.to = to;
    f.finn_node = n.name;
    f.bits = bits;
    const int64_t depth = a.i("depth");
    if (depth < 1 || depth > (1 << 24)) a.fail("depth", std::to_string(depth), "1 .. 16777216");
    f.depth = int(depth);
    const std::string style = a.s("impl_style", "rtl");
    if (style == "rtl") {
      f.memory_style = false;
    } else if (style == "vivado") {
      f.memory_style = true;
    } else {
      a.fail("impl_style", style, "rtl (shift-register FIFO: Vine's `shift`) or vivado (AXI-Stream FIFO in memory: "
                                  "Vine's `memory`)");
    }
    return f;
  }

  void translate(const OnnxNode& n) {
    if (n.domain.rfind("finn.custom_op.fpgadataflow", 0) != 0)
      throw ImportError(n.name, n.op_type, "domain", "'" + n.domain + "'",
                        "finn.custom_op.fpgadataflow[.hls|.rtl] (a FINN dataflow partition, after "
                        "SpecializeLayers or with the older fpgadataflow nodes)");
    // An _rtl node of a template Vine times (MVAU, VVAU, sliding window,
    // thresholding, padding, width converter) puts its stage's kind in its
    // layer's `impl_style` (set_rtl_kinds). StreamingFIFO_rtl is FINN's
    // shift-register FIFO, which Vine's `shift` style is.
    const Op op = op_of(n);
    if (n.op_type.size() > 4 && n.op_type.compare(n.op_type.size() - 4, 4, "_rtl") == 0 && op != Op::kFifo &&
        op != Op::kUnsupported && !rtl_kind(op).empty())
      rtl_nodes_.insert(n.name);
    switch (op) {
      case Op::kFifo: return pass_fifo(n);
      case Op::kDwc: return pass_dwc(n);
      case Op::kSwg: case Op::kDownSampler: case Op::kFmPadding: return pass_window(n);
      case Op::kDuplicate: return pass_duplicate(n);
      case Op::kMvau: return mvau(n);
      case Op::kVvau: return vvau(n);
      case Op::kThresholding: return thresholding(n);
      case Op::kMaxPool: return maxpool(n);
      case Op::kPool: return pool(n);
      case Op::kLabelSelect: return label_select(n);
      case Op::kAdd: return add(n);
      case Op::kChannelwise: return channelwise(n);
      case Op::kUnsupported: break;
    }
    throw ImportError(n.name, n.op_type, "op_type", n.op_type, kSupportedOps);
  }

  void pass_fifo(const OnnxNode& n) {
    Stream s = stream_in(n, 0);
    fifo(n, "", "", 0);  // checks the attributes now, where the node is named
    if (s.pending.empty()) {
      s.fifos.push_back(&n);
      s.fifo_after_dwc.push_back(s.dwc != nullptr);
    } else if (s.pending.back().dwc) {
      s.pending.back().fifos_after_dwc.push_back(&n);
    } else {
      s.pending.back().fifos_after.push_back(&n);
    }
    set_out(n, std::move(s));
  }

  void pass_dwc(const OnnxNode& n) {
    Stream s = stream_in(n, 0);
    Attrs a{n};
    const int64_t in_bits = a.i("inWidth"), out_bits = a.i("outWidth");
    const int64_t elem = s.type.bits;
    if (!s.pending.empty()) {
      // After a window or padding: it folds apart from what reads it (the
      // consumer checks the widths once the lanes on each side are known).
      Pending& p = s.pending.back();
      if (p.dwc) a.fail("position", "after the converter '" + p.dwc->name + "'", "one converter after a window or padding");
      if (in_bits < 1 || out_bits < 1 || in_bits % elem || out_bits % elem)
        a.fail("inWidth/outWidth", std::to_string(in_bits) + "/" + std::to_string(out_bits),
               "multiples of the stream's element width, " + std::to_string(elem) + " bits");
      p.dwc = &n;
      set_out(n, std::move(s));
      return;
    }
    if (s.dwc) a.fail("position", "after the converter '" + s.dwc->name + "'", "one converter per edge");
    if (!s.accumulator && (in_bits % elem || out_bits % elem))
      a.fail("inWidth/outWidth", std::to_string(in_bits) + "/" + std::to_string(out_bits),
             "multiples of the stream's element width, " + std::to_string(elem) + " bits");
    s.dwc = &n;
    set_out(n, std::move(s));
  }

  void pass_window(const OnnxNode& n) {
    Stream s = stream_in(n, 0);
    Attrs a{n};
    const bool is_pad = op_of(n) == Op::kFmPadding;
    if (is_pad && !s.pending.empty())
      a.fail("position", "after '" + s.pending.back().node->name + "'", "an FMPadding right before a ConvolutionInputGenerator");
    if (!is_pad && !s.pending.empty() && op_of(*s.pending.back().node) != Op::kFmPadding)
      a.fail("position", "after '" + s.pending.back().node->name + "'", "one ConvolutionInputGenerator per MVAU");
    Pending p;
    p.node = &n;
    s.pending.push_back(std::move(p));
    set_out(n, std::move(s));
  }

  void pass_duplicate(const OnnxNode& n) {
    const Stream& s = stream_in(n, 0);
    Attrs a{n};
    if (!s.fifos.empty())
      a.fail("input", "fed through the StreamingFIFO '" + s.fifos[0]->name + "'",
             "DuplicateStreams read straight from its producer (Vine puts a FIFO on each of the copies' edges, "
             "none before the duplicator)");
    if (!s.pending.empty() || s.dwc)
      a.fail("input", "fed through '" + (s.dwc ? s.dwc->name : s.pending.back().node->name) + "'",
             "DuplicateStreams read straight from its producer");
    for (const auto& o : n.outputs) streams_[o] = s;
  }

  // The Vine layer's input stream type must be what the FINN node declares.
  void check_input_type(const OnnxNode& n, const Stream& s, const std::string& attr, const FinnDataType& t) {
    if (s.accumulator) return;  // FINN's accumulator type and Vine's exact bound may differ in width, not in values
    const ir::ActivationType want = vine_type(n, attr, t, s.type.kind == ir::ActivationKind::kBipolar &&
                                                           t.kind == FinnDataType::Kind::kBinary);
    if (!(want == s.type))
      Attrs{n}.fail(attr, t.name, "the type its input stream carries, " + s.finn_type + " (from '" + s.layer + "')");
  }

  // FINN's thresholds of a layer with C channels as Vine's (C, steps).
  ParameterArray thresholds(const OnnxNode& n, const std::string& tensor, int channels, const FinnDataType& out,
                            const ir::ActivationType& vout, int64_t act_val) {
    Attrs a{n};
    auto it = m_.initializers.find(tensor);
    if (it == m_.initializers.end())
      a.fail("input '" + tensor + "'", "not an initializer", "the thresholds as an initializer (C, steps) or (1, steps)");
    const OnnxTensor& t = it->second;
    if (t.shape.size() != 2 || (t.shape[0] != channels && t.shape[0] != 1) || t.shape[1] < 1)
      a.fail("thresholds '" + tensor + "' shape", shape_text(t.shape),
             "(" + std::to_string(channels) + ", steps) or (1, steps), steps >= 1");
    const int64_t n_thr = t.shape[1];
    int64_t steps, pre;
    if (vout.kind == ir::ActivationKind::kBipolar) {
      // FINN: BIPOLAR out = 2 x count - 1; BINARY (read as bipolar) = count + ActVal.
      steps = 1;
      pre = 0;
      if (n_thr != 1) a.fail("thresholds '" + tensor + "' steps", std::to_string(n_thr), "1 for a " + out.name + " output");
      if (out.kind == FinnDataType::Kind::kBinary && act_val != 0)
        a.fail("ActVal", std::to_string(act_val), "0 for a BINARY output read as bipolar");
    } else {
      // FINN: out = count + ActVal; Vine: code = count + (signed ? -2^(b-1) : 0).
      // Thresholds every accumulator reaches make up a higher ActVal, and
      // ones none reaches fill the steps FINN leaves out: both exact.
      steps = (int64_t{1} << vout.bits) - 1;
      pre = act_val - (vout.kind == ir::ActivationKind::kSigned ? -(int64_t{1} << (vout.bits - 1)) : 0);
      if (pre < 0 || pre + n_thr > steps)
        a.fail("ActVal", std::to_string(act_val) + " with " + std::to_string(n_thr) + " thresholds",
               "an ActVal and a number of thresholds whose codes stay within " + out.name + " (" +
                   std::to_string(vout.min_value()) + " .. " + std::to_string(vout.max_value()) + ")");
    }
    ParameterArray p;
    p.shape = {channels, steps};
    for (int c = 0; c < channels; ++c) {
      for (int64_t k = 0; k < pre; ++k) p.values.push_back(std::numeric_limits<int32_t>::min());
      for (int64_t k = 0; k < n_thr; ++k) {
        const double v = t.values[size_t((t.shape[0] == 1 ? 0 : c) * n_thr + k)];
        // acc >= T for an integer acc is acc >= ceil(T): exact.
        const double ce = std::ceil(v);
        if (!std::isfinite(v) || ce < std::numeric_limits<int32_t>::min() || ce > std::numeric_limits<int32_t>::max())
          a.fail("thresholds '" + tensor + "' [" + std::to_string(c) + ", " + std::to_string(k) + "]",
                 std::to_string(v), "a finite threshold within int32 (Vine's accumulators are 32-bit)");
        p.values.push_back(int64_t(ce));
      }
      for (int64_t k = pre + n_thr; k < steps; ++k) p.values.push_back(std::numeric_limits<int32_t>::max());
    }
    if (pre > 0 || pre + n_thr < steps)
      d_.notes.push_back(n.name + ": " + std::to_string(n_thr) + " thresholds and ActVal " + std::to_string(act_val) +
                         " written as Vine's " + std::to_string(steps) + " steps (" + std::to_string(pre) +
                         " always reached, " + std::to_string(steps - pre - n_thr) + " never)");
    return p;
  }

  static std::string weight_memory(Attrs& a) {
    const std::string rs = a.s("ram_style", "auto");
    if (rs == "block") return "bram";
    if (rs == "distributed") return "lutram";
    if (rs == "ultra") return "uram";
    if (rs == "auto") return "";
    a.fail("ram_style", rs, "auto, block, distributed, ultra");
  }

  // An MVAU's or VVAU's output: its accumulators (noActivation = 1) or the
  // thresholds of its third input, for `channels` output channels.
  void output_stage(const OnnxNode& n, Attrs& a, bool no_activation, int channels, ImportedLayer& l, Stream& out) {
    if (no_activation) {
      l.output.kind = ir::OutputKind::kAccumulator;
      // Vine's accumulator type is FINN-R's exact bound; FINN's outputDataType
      // is the accumulator type FINN chose, whose values are the same sums.
      out.finn_type = a.s("outputDataType");
      out.type = ir::ActivationType{ir::ActivationKind::kSigned, 32};
      out.accumulator = true;
      return;
    }
    const FinnDataType o_t = a.dtype("outputDataType");
    const ir::ActivationType vo = vine_type(n, "outputDataType", o_t, o_t.kind == FinnDataType::Kind::kBipolar ||
                                                                       read_as_bipolar(n.outputs.at(0)));
    if (n.inputs.size() < 3)
      a.fail("inputs", std::to_string(n.inputs.size()), "3 (input, weights, thresholds) when noActivation = 0");
    l.output.kind = ir::OutputKind::kThreshold;
    l.output.type = vo;
    l.thresholds = thresholds(n, n.inputs[2], channels, o_t, vo, a.i("ActVal", 0));
    out.type = vo;
    out.finn_type = o_t.name;
  }

  void mvau(const OnnxNode& n) {
    Attrs a{n};
    const Stream s = stream_in(n, 0);
    ImportedLayer l;
    l.name = n.name;
    const int64_t mw = a.i("MW"), mh = a.i("MH"), pe = a.i("PE"), simd = a.i("SIMD");
    if (mw < 1) a.fail("MW", std::to_string(mw), ">= 1");
    if (mh < 1) a.fail("MH", std::to_string(mh), ">= 1");
    if (pe < 1 || mh % pe) a.fail("PE", std::to_string(pe), "a divisor of MH = " + std::to_string(mh));
    if (simd < 1 || mw % simd) a.fail("SIMD", std::to_string(simd), "a divisor of MW = " + std::to_string(mw));
    const std::string mem_mode = a.s("mem_mode", "internal_decoupled");
    if (mem_mode != "internal_decoupled" && mem_mode != "internal_embedded" && mem_mode != "const" &&
        mem_mode != "decoupled")
      a.fail("mem_mode", mem_mode, "internal_decoupled, internal_embedded (weights on chip; Vine simulates no "
                                   "external weight streamer)");
    if (a.i("runtime_writeable_weights", 0) != 0)
      d_.notes.push_back(n.name + ": runtime_writeable_weights = 1 has no effect on a Vine run (its weights are the "
                                  "initializer's)");
    const bool xnor = a.i("binaryXnorMode", 0) == 1;
    if (a.find("binaryXnorMode") && !xnor && a.i("binaryXnorMode") != 0)
      a.fail("binaryXnorMode", std::to_string(a.i("binaryXnorMode")), "0 or 1");
    const int64_t no_act = a.i("noActivation", 0);
    if (no_act != 0 && no_act != 1) a.fail("noActivation", std::to_string(no_act), "0 or 1");
    const FinnDataType in_t = a.dtype("inputDataType"), w_t = a.dtype("weightDataType");
    check_input_type(n, s, "inputDataType", in_t);
    if (xnor && (in_t.kind != FinnDataType::Kind::kBinary || w_t.kind != FinnDataType::Kind::kBinary))
      a.fail("binaryXnorMode", "1 with " + in_t.name + " inputs and " + w_t.name + " weights",
             "binaryXnorMode = 1 with BINARY inputs and weights (FINN's XNOR-popcount)");

    // Geometry: one vector (fc), or one per output pixel of a conv.
    const auto niv = a.ints("numInputVectors", {1});
    int64_t vectors = 1;
    for (int64_t v : niv) vectors *= v;
    const Pending* pad = nullptr;
    const Pending* swg = nullptr;
    for (const auto& p : s.pending) (op_of(*p.node) == Op::kFmPadding ? pad : swg) = &p;
    if (pad && !swg)
      a.fail("input", "an FMPadding ('" + pad->node->name + "') without a ConvolutionInputGenerator",
             "FMPadding -> ConvolutionInputGenerator -> MVAU");
    ir::Shape in = s.shape;
    if (swg) {
      conv_window(n, l, s, pad, *swg, mw, simd);
    } else if (vectors == 1) {
      if (in.elements() != mw)
        a.fail("MW", std::to_string(mw), "the elements of its input, " + std::to_string(in.elements()) + " (" +
                                             std::to_string(in.h) + " x " + std::to_string(in.w) + " x " +
                                             std::to_string(in.c) + ")");
      l.kind = ir::LayerKind::kFc;
    } else {
      // Over H x W vectors without a window: FINN's 1x1 stride-1 convolution.
      if (niv.size() != 3 || niv[1] != in.h || niv[2] != in.w || mw != in.c)
        a.fail("numInputVectors", a.find("numInputVectors")->text(),
               "[1] (fc) or [1, H, W] = [1, " + std::to_string(in.h) + ", " + std::to_string(in.w) +
                   "] with MW = C = " + std::to_string(in.c) + " (1x1 conv), or a ConvolutionInputGenerator before it");
      l.kind = ir::LayerKind::kConv;
      l.kernel_h = l.kernel_w = 1;
      l.stride_h = l.stride_w = 1;
    }
    l.out_channels = int(mh);
    l.pe = int(pe);
    l.simd = int(simd);
    l.has_simd = true;
    l.weight_memory = weight_memory(a);
    l.weights = weight_type(n, w_t, xnor);
    l.weights_values = weights(n, mw, mh, w_t, xnor);
    if (l.kind == ir::LayerKind::kConv)  // the same values, (MH, ky, kx, C): the window's order
      l.weights_values->shape = {mh, l.kernel_h, l.kernel_w, mw / (int64_t{l.kernel_h} * l.kernel_w)};
    for (const auto& p : s.pending) l.finn_nodes.push_back(p.node->name);
    l.finn_nodes.push_back(n.name);

    Stream out;
    out.layer = l.name;
    out.shape = l.kind == ir::LayerKind::kFc ? ir::Shape{1, 1, int(mh)} : ir::Shape{out_h_, out_w_, int(mh)};
    if (l.kind == ir::LayerKind::kConv && !swg) out.shape = {in.h, in.w, int(mh)};
    output_stage(n, a, no_act == 1, int(mh), l, out);
    l.inputs = {s.layer};
    connect(n, s, l.name, true);
    internal_fifos(l.name, s);
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  // A VVAU after a depthwise window: Vine's dwconv, whose VVAU reads SIMD
  // kernel positions of PE channels per beat.
  void vvau(const OnnxNode& n) {
    Attrs a{n};
    const Stream s = stream_in(n, 0);
    ImportedLayer l;
    l.name = n.name;
    const int64_t ch = a.i("Channels"), pe = a.i("PE"), simd = a.i("SIMD", 1);
    const auto [kh, kw] = a.dims("Kernel");
    const int64_t kk = int64_t{kh} * kw;
    if (ch != s.shape.c) a.fail("Channels", std::to_string(ch), "its input's channels, " + std::to_string(s.shape.c));
    if (pe < 1 || ch % pe) a.fail("PE", std::to_string(pe), "a divisor of Channels = " + std::to_string(ch));
    // vectorvectoractivation.py, get_folded_input_shape: KH x KW % SIMD == 0.
    if (simd < 1 || kk % simd)
      a.fail("SIMD", std::to_string(simd), "a divisor of Kernel's KH x KW = " + std::to_string(kk));
    const std::string mem_mode = a.s("mem_mode", "internal_embedded");
    if (mem_mode != "internal_decoupled" && mem_mode != "internal_embedded")
      a.fail("mem_mode", mem_mode, "internal_decoupled, internal_embedded (weights on chip)");
    if (a.i("binaryXnorMode", 0) != 0) a.fail("binaryXnorMode", std::to_string(a.i("binaryXnorMode")), "0");
    const FinnDataType in_t = a.dtype("inputDataType"), w_t = a.dtype("weightDataType");
    if (rtl_nodes_.count(n.name))  // FINN's _vvu_rtl_possible: Versal parts only (specialize_layers.py)
      d_.notes.push_back(n.name + ": VVAU_rtl, timed from FINN's DSP58 VVU core, which FINN builds only for Versal "
                         "parts; Vine times it so on the design's device");
    check_input_type(n, s, "inputDataType", in_t);
    if (in_t.kind == FinnDataType::Kind::kBipolar && w_t.kind == FinnDataType::Kind::kBipolar)
      a.fail("inputDataType/weightDataType", "BIPOLAR/BIPOLAR",
             "not both bipolar (FINN's VVAU then counts agreements as (dot + k*k) / 2 in its own way)");
    const Pending* pad = nullptr;
    const Pending* swg = nullptr;
    for (const auto& p : s.pending) (op_of(*p.node) == Op::kFmPadding ? pad : swg) = &p;
    if (!swg) a.fail("input", "not from a ConvolutionInputGenerator", "a depthwise ConvolutionInputGenerator before it");
    vvau_simd_ = int(simd);
    conv_window(n, l, s, pad, *swg, 0, pe, true);
    vvau_simd_ = 1;
    if (l.kernel_h != kh || l.kernel_w != kw)
      a.fail("Kernel", a.find("Kernel")->text(), "the window's " + Attrs::dims_text(l.kernel_h, l.kernel_w));
    const auto dim = a.ints("Dim");
    if (dim.size() != 2 || dim[0] != out_h_ || dim[1] != out_w_)
      a.fail("Dim", a.find("Dim")->text(), "the window's output, [" + std::to_string(out_h_) + ", " + std::to_string(out_w_) + "]");
    l.out_channels = int(ch);
    l.pe = int(pe);
    l.simd = int(simd);
    l.weight_memory = weight_memory(a);
    l.weights = weight_type(n, w_t, false);
    // FINN's (Channels, 1, k, k) initializer is Vine's (channels, k, k).
    auto it = n.inputs.size() > 1 ? m_.initializers.find(n.inputs[1]) : m_.initializers.end();
    if (it == m_.initializers.end()) a.fail("inputs", "no weights initializer", "input, weights[, thresholds]");
    const OnnxTensor& w = it->second;
    if (w.shape != std::vector<int64_t>{ch, 1, kh, kw})
      a.fail("weights '" + n.inputs[1] + "' shape", shape_text(w.shape),
             "(Channels, 1, kh, kw) = (" + std::to_string(ch) + ", 1, " + std::to_string(kh) + ", " + std::to_string(kw) + ")");
    ParameterArray p;
    p.shape = {ch, kh, kw};
    for (double v : w.values) {
      const bool ok = v == std::floor(v) && value_fits(w_t, int64_t(v));
      if (!ok) {
        std::ostringstream o;
        o << v;
        a.fail("weights '" + n.inputs[1] + "' value", o.str(), "a value of weightDataType " + w_t.name);
      }
      p.values.push_back(int64_t(v));
    }
    l.weights_values = p;
    for (const auto& q : s.pending) l.finn_nodes.push_back(q.node->name);
    l.finn_nodes.push_back(n.name);
    Stream out;
    out.layer = l.name;
    out.shape = {out_h_, out_w_, int(ch)};
    output_stage(n, a, a.i("noActivation", 0) == 1, int(ch), l, out);
    l.inputs = {s.layer};
    connect(n, s, l.name, true);
    internal_fifos(l.name, s, "vvau");
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  static bool value_fits(const FinnDataType& t, int64_t iv) {
    switch (t.kind) {
      case FinnDataType::Kind::kBipolar: return iv == -1 || iv == 1;
      case FinnDataType::Kind::kBinary: return iv == 0 || iv == 1;
      case FinnDataType::Kind::kTernary: return iv >= -1 && iv <= 1;
      case FinnDataType::Kind::kInt: return iv >= -(int64_t{1} << (t.bits - 1)) && iv < (int64_t{1} << (t.bits - 1));
      case FinnDataType::Kind::kUint: return iv >= 0 && iv < (int64_t{1} << t.bits);
    }
    return false;
  }

  // The FIFOs between FMPadding, window and MVAU: streams inside Vine's conv.
  // A converter after the padding is Vine's `<layer>.dwc_swg`, after the
  // window `<layer>.dwc` (named for the stage they feed, stage_plan.cpp):
  // FINN's FIFO before it is the stream into it, the one after it the
  // stream out of it.
  void internal_fifos(const std::string& layer, const Stream& s, const std::string& unit = "mvau") {
    auto put = [&](const std::vector<const OnnxNode*>& fifos, const OnnxNode& after, const std::string& from,
                   const std::string& to) {
      if (fifos.empty()) return;
      if (fifos.size() > 1)
        Attrs{*fifos[1]}.fail("position", "a second StreamingFIFO after '" + after.name + "'",
                              "one StreamingFIFO per stream");
      ImportedFifo f = fifo(*fifos[0], "", "", 0);
      f.stream = from + "->" + to;
      d_.fifos.push_back(f);
    };
    for (size_t k = 0; k < s.pending.size(); ++k) {
      const Pending& p = s.pending[k];
      const bool is_pad = op_of(*p.node) == Op::kFmPadding;
      const std::string window = op_of(*s.pending.back().node) == Op::kDownSampler ? ".downsampler" : ".swg";
      const std::string from = layer + (is_pad ? ".pad" : window);
      const std::string to = layer + (k + 1 < s.pending.size() ? window : "." + unit);
      if (!p.dwc) {
        put(p.fifos_after, *p.node, from, to);
        continue;
      }
      note_dwc(*p.dwc, layer);
      Attrs c{*p.dwc};
      const std::string conv = layer + (is_pad ? ".dwc_" + window.substr(1) : ".dwc");
      put(p.fifos_after, *p.node, from, conv);
      put(p.fifos_after_dwc, *p.dwc, last_converter(conv, c.i("inWidth"), c.i("outWidth")), to);
    }
  }

  int out_h_ = 0, out_w_ = 0;
  int vvau_simd_ = 1;  // the SIMD of the VVAU whose window conv_window reads

  // The [FMPadding ->] window before an MVAU (a conv) or a VVAU (a dwconv):
  // `simd` is the channels the window streams per beat (the MVAU's SIMD,
  // the VVAU's PE); `mw` the MVAU's MW, or 0 for a VVAU.
  void conv_window(const OnnxNode& mv, ImportedLayer& l, const Stream& s, const Pending* pad_p, const Pending& swg_p,
                   int64_t mw, int64_t simd, bool depthwise = false) {
    const OnnxNode& swg = *swg_p.node;
    const OnnxNode* pad = pad_p ? pad_p->node : nullptr;
    Attrs w{swg};
    l.kind = depthwise ? ir::LayerKind::kDwConv : ir::LayerKind::kConv;
    // An MVAU of SIMD K x K x C reads the RTL window's parallel style, whose
    // SIMD is then all the channels (select_impl_style), unless a converter
    // between them packs a default-style window's narrower beats into the
    // MVAU's (finn-examples' VGG10: a window of SIMD 2 into an MVAU of 6).
    const bool whole_window = !depthwise && simd > s.shape.c && !swg_p.dwc;
    std::string consumer =
        op_of(mv) == Op::kPool ? "the Pool's PE, " : depthwise ? "the VVAU's PE, " : "the MVAU's SIMD, ";
    if (whole_window) {
      consumer = "the channels (the MVAU's SIMD " + std::to_string(simd) + " takes whole windows), ";
      simd = s.shape.c;
    }
    const int64_t elem = s.type.bits;
    // The lanes the window moves a beat: its consumer's, or its own
    // (`window_simd`) with FINN's converter between them.
    int64_t lanes = simd;
    if (const OnnxNode* dwc = swg_p.dwc) {
      Attrs c{*dwc};
      const std::string between = "between the window '" + swg.name + "' and '" + mv.name + "'";
      if (depthwise)
        c.fail("position", between,
               "a converter after a conv's window only (a depthwise window's element order depends on its SIMD, so "
               "Vine's moves its " + std::string(op_of(mv) == Op::kPool ? "Pool's" : "VVAU's") + " PE)");
      const int64_t ws = w.i("SIMD");
      if (ws < 1 || s.shape.c % ws)
        w.fail("SIMD", std::to_string(ws), "a divisor of IFMChannels = " + std::to_string(s.shape.c) +
                                               " (Vine's window_simd)");
      if (ws == simd)
        c.fail("position", between + ", both " + std::to_string(simd) + " lanes wide",
               "a converter between a window and an MVAU of different SIMD (Vine builds none between equal widths)");
      check_dwc_widths(*dwc, ws * elem, simd * elem,
                       "the window's SIMD " + std::to_string(ws) + " and the MVAU's " + std::to_string(simd) + " x " +
                           std::to_string(elem) + "-bit elements");
      lanes = ws;
      l.window_simd = int(ws);
    } else if (w.i("SIMD") != simd) {
      w.fail("SIMD", std::to_string(w.i("SIMD")),
             consumer + std::to_string(simd) + " (Vine's window streams its conv's SIMD channels per beat" +
                 (depthwise || whole_window ? std::string(")")
                                            : ", unless a StreamingDataWidthConverter between them makes the "
                                              "window's its own: window_simd)"));
    }
    ir::Shape in = s.shape;
    if (pad) {
      Attrs p{*pad};
      const auto pads = p.ints("Padding");
      if (pads.size() != 4) p.fail("Padding", p.find("Padding")->text(), "[top, left, bottom, right]");
      l.pad = {int(pads[0]), int(pads[1]), int(pads[2]), int(pads[3])};
      const int64_t ps = p.i("SIMD", 1);
      if (const OnnxNode* dwc = pad_p->dwc) {
        // A padding folded apart from its window: Vine's padding_simd.
        Attrs c{*dwc};
        if (ps < 1 || in.c % ps)
          p.fail("SIMD", std::to_string(ps), "a divisor of NumChannels = " + std::to_string(in.c) + " (Vine's padding_simd)");
        if (ps == lanes)
          c.fail("position", "between the padding '" + pad->name + "' and the window '" + swg.name + "', both " +
                                 std::to_string(lanes) + " lanes wide",
                 "a converter between a padding and a window of different SIMD (Vine builds none between equal widths)");
        check_dwc_widths(*dwc, ps * elem, lanes * elem,
                         "the padding's SIMD " + std::to_string(ps) + " and the window's " + std::to_string(lanes) +
                             " x " + std::to_string(elem) + "-bit elements");
        l.padding_simd = int(ps);
      } else if (ps != lanes) {
        p.fail("SIMD", std::to_string(ps),
               (lanes == simd ? consumer : std::string("the window's SIMD, ")) + std::to_string(lanes) +
                   " (Vine's padding streams its window's channels per beat, unless a StreamingDataWidthConverter "
                   "between them makes the padding's its own: padding_simd)");
      }
      if (p.i("NumChannels", in.c) != in.c) p.fail("NumChannels", std::to_string(p.i("NumChannels")), std::to_string(in.c));
      if (s.type.kind == ir::ActivationKind::kBipolar)
        p.fail("inputDataType", s.finn_type, "a type with a zero (FINN pads with 0, which bipolar codes cannot hold)");
      in.h += int(pads[0] + pads[2]);
      in.w += int(pads[1] + pads[3]);
    }
    if (op_of(swg) == Op::kDownSampler) {
      // FINN's DownSampler (a strided 1x1 conv's input generator, square 2D
      // images only): Vine's stage of that name in the conv's stages.
      if (depthwise) w.fail("position", "before '" + mv.name + "' (" + mv.op_type + ")", "a DownSampler before an MVAU");
      if (w.i("is1D", 0) != 0) w.fail("is1D", std::to_string(w.i("is1D")), "0 (Vine's DownSampler is 2D)");
      if (w.i("NumChannels") != in.c) w.fail("NumChannels", std::to_string(w.i("NumChannels")), std::to_string(in.c));
      const int64_t ifm = w.i("ImgDim"), stride = w.i("Stride");
      if (ifm != in.h || in.h != in.w)
        w.fail("ImgDim", std::to_string(ifm), std::to_string(in.h) + " (its square input" + (pad ? ", padded)" : ")"));
      if (stride < 1 || stride > 15) w.fail("Stride", std::to_string(stride), "1 .. 15");
      if (mw != s.shape.c)
        Attrs{mv}.fail("MW", std::to_string(mw), "C = " + std::to_string(s.shape.c) + " for the DownSampler '" +
                                                     swg.name + "' (a 1x1 conv)");
      l.kernel_h = l.kernel_w = 1;
      l.stride_h = l.stride_w = int(stride);
      out_h_ = out_w_ = int((ifm - 1) / stride + 1);
      l.stages = {"downsampler", "mvau"};
      if (pad) l.stages.insert(l.stages.begin(), "fmpadding");
      return;
    }
    // Any [KH, KW] window over any [H, W] image: FINN's one-dimensional
    // convolution is [1, K] over [1, W] (or [K, 1] over [H, 1], what qonnx's
    // Change3DTo4DTensors makes of a Conv1d), which its RTL generator runs
    // as it is (convolutioninputgenerator_rtl.py).
    const auto [kh, kw] = w.dims("ConvKernelDim");
    const auto [sh, sw] = w.dims("Stride");
    if (w.find("Dilation") && w.dims("Dilation") != std::pair<int, int>{1, 1})
      w.fail("Dilation", w.find("Dilation")->text(), "[1, 1]");
    if (w.i("depthwise", 0) != (depthwise ? 1 : 0))
      w.fail("depthwise", std::to_string(w.i("depthwise", 0)),
             depthwise ? "1 before a VVAU or a Pool" : "0 before an MVAU (a depthwise window feeds a VVAU)");
    if (w.i("IFMChannels") != in.c) w.fail("IFMChannels", std::to_string(w.i("IFMChannels")), std::to_string(in.c));
    if (w.dims("IFMDim") != std::pair<int, int>{in.h, in.w})
      w.fail("IFMDim", w.find("IFMDim")->text(), Attrs::dims_text(in.h, in.w) + " (its padded input)");
    if (kh > in.h || kw > in.w)
      w.fail("ConvKernelDim", w.find("ConvKernelDim")->text(),
             "a window no larger than its input " + Attrs::dims_text(in.h, in.w));
    const int ofm_h = (in.h - kh) / sh + 1, ofm_w = (in.w - kw) / sw + 1;
    if (w.dims("OFMDim") != std::pair<int, int>{ofm_h, ofm_w})
      w.fail("OFMDim", w.find("OFMDim")->text(), Attrs::dims_text(ofm_h, ofm_w));
    const int64_t kk = int64_t{kh} * kw;
    // Vine's RTL window takes the parallel style from its consumer (an MVAU
    // of SIMD K x K x C, a VVAU of SIMD K x K) or a 1x1 kernel.
    const bool parallel = whole_window || kk == 1 || (depthwise && vvau_simd_ > 1);
    if (w.i("parallel_window", 0) != 0 && !parallel)
      d_.notes.push_back(swg.name + ": parallel_window = 1 before a consumer that does not read whole windows is "
                                    "timed in the default style");
    if (!depthwise && mw != kk * s.shape.c)
      Attrs{mv}.fail("MW", std::to_string(mw), "kh x kw x C = " + std::to_string(kk * s.shape.c) +
                                                   " for the window '" + swg.name + "'");
    l.kernel_h = kh, l.kernel_w = kw;
    l.stride_h = sh, l.stride_w = sw;
    out_h_ = ofm_h;
    out_w_ = ofm_w;
  }

  ir::WeightType weight_type(const OnnxNode& n, const FinnDataType& t, bool xnor) {
    ir::WeightType w;
    switch (t.kind) {
      case FinnDataType::Kind::kBipolar: w.arithmetic = ir::WeightArithmetic::kBinary; w.bits = 1; return w;
      case FinnDataType::Kind::kBinary:
        if (xnor) {
          w.arithmetic = ir::WeightArithmetic::kBinary;
          w.bits = 1;
          return w;
        }
        break;
      case FinnDataType::Kind::kTernary: w.arithmetic = ir::WeightArithmetic::kTernary; w.bits = 2; return w;
      case FinnDataType::Kind::kInt:
        if (t.bits >= 2 && t.bits <= 16) {
          w.arithmetic = ir::WeightArithmetic::kFixed;
          w.bits = t.bits;
          return w;
        }
        break;
      case FinnDataType::Kind::kUint: break;
    }
    Attrs{n}.fail("weightDataType", t.name,
                  "BIPOLAR, TERNARY, INT2..INT16, and BINARY with binaryXnorMode = 1 (Vine's weights are signed: "
                  "unsigned FINN weights have no Vine weight type of the same width)");
  }

  // FINN's (MW, MH) weight initializer -- the ONNX MatMul orientation, rows in
  // the window's (ky, kx, c) order; the PE interleaving and SIMD reversal
  // FINN applies only when it writes its HLS/RTL memory files -- as Vine's
  // (MH, MW) values, one row per output channel.
  ParameterArray weights(const OnnxNode& n, int64_t mw, int64_t mh, const FinnDataType& t, bool xnor) {
    Attrs a{n};
    if (n.inputs.size() < 2) a.fail("inputs", std::to_string(n.inputs.size()), "input, weights[, thresholds]");
    auto it = m_.initializers.find(n.inputs[1]);
    if (it == m_.initializers.end())
      a.fail("input '" + n.inputs[1] + "'", "not an initializer", "the weights as an initializer of shape (MW, MH)");
    const OnnxTensor& w = it->second;
    if (w.shape != std::vector<int64_t>{mw, mh})
      a.fail("weights '" + n.inputs[1] + "' shape", shape_text(w.shape),
             "(MW, MH) = (" + std::to_string(mw) + ", " + std::to_string(mh) + ")");
    ParameterArray p;
    p.shape = {mh, mw};
    p.values.resize(size_t(mw * mh));
    for (int64_t r = 0; r < mw; ++r)
      for (int64_t c = 0; c < mh; ++c) {
        const double v = w.values[size_t(r * mh + c)];
        bool ok = v == std::floor(v);
        const int64_t iv = ok ? int64_t(v) : 0;
        switch (t.kind) {
          case FinnDataType::Kind::kBipolar: ok = ok && (iv == -1 || iv == 1); break;
          case FinnDataType::Kind::kBinary: ok = ok && (iv == 0 || iv == 1); break;
          case FinnDataType::Kind::kTernary: ok = ok && iv >= -1 && iv <= 1; break;
          case FinnDataType::Kind::kInt:
            ok = ok && iv >= -(int64_t{1} << (t.bits - 1)) && iv < (int64_t{1} << (t.bits - 1));
            break;
          case FinnDataType::Kind::kUint: ok = ok && iv >= 0 && iv < (int64_t{1} << t.bits); break;
        }
        if (!ok) {
          std::ostringstream o;
          o << v;
          a.fail("weights '" + n.inputs[1] + "' [" + std::to_string(r) + ", " + std::to_string(c) + "]", o.str(),
                 "a value of weightDataType " + t.name);
        }
        // XNOR mode: FINN's 0/1 weights stand for -1/+1.
        p.values[size_t(c * mw + r)] = xnor ? 2 * iv - 1 : iv;
      }
    return p;
  }

  // Whether `n` is the only reader of the accumulators its input stream
  // carries from an MVAU or VVAU without activation (through FIFOs and a
  // converter, nothing else): FINN's thresholds as a node of their own.
  bool thresholds_of_unit(const OnnxNode& n, const Stream& s) const {
    if (!s.accumulator || !s.producer || !s.pending.empty()) return false;
    const Op p = op_of(*s.producer);
    if (p != Op::kMvau && p != Op::kVvau) return false;
    std::string t = s.producer->outputs.at(0);
    for (int depth = 0; depth < 64; ++depth) {
      auto it = consumers_.find(t);
      if (it == consumers_.end() || it->second.size() != 1) return false;
      const OnnxNode& c = m_.nodes[it->second[0]];
      if (&c == &n) return true;
      if (op_of(c) != Op::kFifo && op_of(c) != Op::kDwc) return false;
      t = c.outputs.at(0);
    }
    return false;
  }

  // A Thresholding node's NumChannels (its input stream's channels) and its
  // PE (a divisor of them), checked; returns the PE.
  int64_t threshold_channels_pe(const Stream& s, const Attrs& a) {
    const int64_t ch = a.i("NumChannels"), pe = a.i("PE");
    if (ch != s.shape.c) a.fail("NumChannels", std::to_string(ch), "its input's channels, " + std::to_string(s.shape.c));
    if (pe < 1 || ch % pe) a.fail("PE", std::to_string(pe), "a divisor of NumChannels = " + std::to_string(ch));
    return pe;
  }

  // A Thresholding node's output type and thresholds as `l`'s threshold
  // output (its channels checked by threshold_channels_pe); returns its FINN
  // output type.
  FinnDataType threshold_output(const OnnxNode& n, const Attrs& a, ImportedLayer& l) {
    const FinnDataType o_t = a.dtype("outputDataType");
    const ir::ActivationType vo =
        vine_type(n, "outputDataType", o_t, o_t.kind == FinnDataType::Kind::kBipolar || read_as_bipolar(n.outputs.at(0)));
    if (n.inputs.size() < 2) a.fail("inputs", std::to_string(n.inputs.size()), "input and thresholds");
    l.output.kind = ir::OutputKind::kThreshold;
    l.output.type = vo;
    l.thresholds = thresholds(n, n.inputs[1], int(a.i("NumChannels")), o_t, vo, a.i("ActVal", 0));
    return o_t;
  }

  // A Thresholding node after the MVAU or VVAU whose accumulators it alone
  // reads: that layer's `thresholds: {pe: N}` (its threshold stage
  // `<layer>.threshold`, with `<layer>.dwc_threshold` between them where the
  // PEs differ, as FINN's InsertDWC puts a converter there).
  void unit_thresholds(const OnnxNode& n, const Stream& s) {
    Attrs a{n};
    const OnnxNode& unit = *s.producer;
    ImportedLayer* lp = nullptr;
    for (auto& l : d_.layers)
      if (l.name == s.layer) lp = &l;
    if (!lp) throw std::logic_error("unit_thresholds: no layer '" + s.layer + "' for '" + n.name + "'");
    ImportedLayer& l = *lp;
    const int64_t pe = threshold_channels_pe(s, a);
    const FinnDataType in_t = a.dtype("inputDataType");
    if (in_t.name != s.finn_type)
      a.fail("inputDataType", in_t.name, s.finn_type + ", the outputDataType of '" + unit.name + "'");
    if (in_t.kind != FinnDataType::Kind::kInt && in_t.kind != FinnDataType::Kind::kUint)
      a.fail("inputDataType", in_t.name, "an INTn or UINTn accumulator type");
    const FinnDataType o_t = threshold_output(n, a, l);
    const ir::ActivationType vo = l.output.type;
    l.threshold_pe = int(pe);
    l.finn_nodes.push_back(n.name);

    // The streams between the unit and its threshold stage.
    const std::string what = op_of(unit) == Op::kVvau ? "VVAU" : "MVAU";
    const std::string from = l.name + (op_of(unit) == Op::kVvau ? ".vvau" : ".mvau");
    const std::string to = l.name + ".threshold", conv = l.name + ".dwc_threshold";
    std::string into = to, out_of = to;
    if (s.dwc) {
      if (l.pe == pe)
        Attrs{*s.dwc}.fail("position", "between '" + unit.name + "' and '" + n.name + "', both PE " + std::to_string(pe),
                           "a converter between an " + what + " and its Thresholding of different PE (Vine builds "
                           "none between equal widths)");
      check_dwc_widths(*s.dwc, l.pe * in_t.bits, pe * in_t.bits,
                       "the " + what + "'s PE " + std::to_string(l.pe) + " and the Thresholding's " +
                           std::to_string(pe) + " x " + std::to_string(in_t.bits) + "-bit accumulators");
      note_dwc(*s.dwc, l.name);
      into = conv;
      out_of = last_converter(conv, l.pe, pe);
    } else if (l.pe != pe) {
      a.fail("PE", std::to_string(pe), "the PE of '" + unit.name + "', " + std::to_string(l.pe) +
                                           ", or a StreamingDataWidthConverter between them (FINN's InsertDWC)");
    }
    if (s.fifos.size() > 1)
      throw ImportError(s.fifos[1]->name, s.fifos[1]->op_type, "position",
                        "a second StreamingFIFO between '" + unit.name + "' and '" + n.name + "'",
                        "one StreamingFIFO on each side of the converter");
    if (s.fifos.size() == 1) {
      ImportedFifo f = fifo(*s.fifos[0], "", "", 0);
      f.stream = s.fifo_after_dwc[0] ? out_of + "->" + to : from + "->" + into;
      d_.fifos.push_back(f);
    } else if (int depth = fifo_depth_attributes(n, s, 0); depth > 0) {
      ImportedFifo f;
      f.stream = from + "->" + into;
      f.depth = depth;
      f.memory_style = depth > explore::kFinnMaxShiftRegisterDepth;
      f.finn_node = "inFIFODepths/outFIFODepths of " + unit.name + " and " + n.name;
      d_.fifos.push_back(f);
    }
    d_.notes.push_back(n.name + ": the thresholds of '" + unit.name + "' as a stage of their own (thresholds: {pe: " +
                       std::to_string(pe) + "})");
    Stream out;
    out.layer = l.name;
    out.shape = s.shape;
    out.type = vo;
    out.finn_type = o_t.name;
    out.producer = &n;
    set_out(n, std::move(out));
  }

  void thresholding(const OnnxNode& n) {
    Attrs a{n};
    const Stream s = stream_in(n, 0);
    if (thresholds_of_unit(n, s)) return unit_thresholds(n, s);
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {n.name};
    l.kind = ir::LayerKind::kThreshold;
    const int64_t pe = threshold_channels_pe(s, a);
    check_input_type(n, s, "inputDataType", a.dtype("inputDataType"));
    const FinnDataType o_t = threshold_output(n, a, l);
    const ir::ActivationType vo = l.output.type;
    l.pe = int(pe);
    l.inputs = {s.layer};
    connect(n, s, l.name, false);
    Stream out;
    out.layer = l.name;
    out.shape = s.shape;
    out.type = vo;
    out.finn_type = o_t.name;
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  void maxpool(const OnnxNode& n) {
    Attrs a{n};
    const Stream s = stream_in(n, 0);
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {n.name};
    l.kind = ir::LayerKind::kMaxPool;
    // A [KH, KW] pool over an [H, W] image, one-dimensional ones too
    // (StreamingMaxPool's is_1d: [1, K] over [1, W] or [K, 1] over [H, 1]).
    const auto [kh, kw] = a.dims("PoolDim");
    if (a.dims("ImgDim") != std::pair<int, int>{s.shape.h, s.shape.w})
      a.fail("ImgDim", a.find("ImgDim")->text(), "its input's " + Attrs::dims_text(s.shape.h, s.shape.w));
    if (s.shape.h % kh || s.shape.w % kw)
      a.fail("PoolDim", a.find("PoolDim")->text(),
             "sides dividing ImgDim's " + Attrs::dims_text(s.shape.h, s.shape.w) + " (Vine's pools take whole windows)");
    if (a.i("NumChannels") != s.shape.c)
      a.fail("NumChannels", std::to_string(a.i("NumChannels")), std::to_string(s.shape.c));
    const int64_t pe = a.i("PE", 1);
    if (pe < 1 || s.shape.c % pe) a.fail("PE", std::to_string(pe), "a divisor of NumChannels = " + std::to_string(s.shape.c));
    check_input_type(n, s, "dataType", a.dtype("dataType"));
    l.kernel_h = l.stride_h = kh;
    l.kernel_w = l.stride_w = kw;
    l.pe = int(pe);
    l.inputs = {s.layer};
    connect(n, s, l.name, false);
    Stream out = s;
    out.layer = l.name;
    out.shape = {s.shape.h / kh, s.shape.w / kw, s.shape.c};
    out.fifos.clear();
    out.fifo_after_dwc.clear();
    out.dwc = nullptr;
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  // FINN's Pool (finn-hlslib Pool_batch) after a depthwise window: Vine's
  // maxpool or avgpool layer, which reads the pixels itself (one pool stage,
  // no window). MaxPool is the window's maximum; QuantAvgPool is the
  // window's sum shifted right by bitlength((2^ibits - 1) K^2) - obits
  // (pool.py's execute_node), which is Vine's floor(sum / K^2) exactly when
  // K^2 is a power of two and the output keeps the input's width.
  void pool(const OnnxNode& n) {
    Attrs a{n};
    const Stream s = stream_in(n, 0);
    ImportedLayer l;
    l.name = n.name;
    const int64_t ch = a.i("Channels"), pe = a.i("PE", 1);
    if (ch != s.shape.c) a.fail("Channels", std::to_string(ch), "its input's channels, " + std::to_string(s.shape.c));
    if (pe < 1 || ch % pe) a.fail("PE", std::to_string(pe), "a divisor of Channels = " + std::to_string(ch));
    const Pending* pad = nullptr;
    const Pending* swg = nullptr;
    for (const auto& p : s.pending) (op_of(*p.node) == Op::kFmPadding ? pad : swg) = &p;
    if (!swg) a.fail("input", "not from a ConvolutionInputGenerator", "a depthwise ConvolutionInputGenerator before it");
    if (pad)
      Attrs{*pad->node}.fail("position", "before the window of the pool '" + n.name + "'",
                             "no padding before a Pool (Vine's pools take the unpadded image)");
    if (!swg->fifos_after.empty())
      Attrs{*swg->fifos_after[0]}.fail("position", "between '" + swg->node->name + "' and the pool '" + n.name + "'",
                                       "no StreamingFIFO inside a pool (Vine's pool reads the pixels itself: it has "
                                       "no window stage for the FIFO to follow)");
    conv_window(n, l, s, nullptr, *swg, 0, pe, true);
    if (a.dims("KernelSize") != std::pair<int, int>{l.kernel_h, l.kernel_w})
      a.fail("KernelSize", a.find("KernelSize")->text(), "the window's " + Attrs::dims_text(l.kernel_h, l.kernel_w));
    const auto dims = a.ints("OutImgDims");
    if (dims.size() != 2 || dims[0] != out_h_ || dims[1] != out_w_)
      a.fail("OutImgDims", a.find("OutImgDims")->text(),
             "the window's output, [" + std::to_string(out_h_) + ", " + std::to_string(out_w_) + "]");
    if (a.i("BatchSize", 1) != 1) a.fail("BatchSize", std::to_string(a.i("BatchSize")), "1");
    const FinnDataType in_t = a.dtype("InputDataType"), o_t = a.dtype("OutputDataType");
    check_input_type(n, s, "InputDataType", in_t);
    if (in_t.kind == FinnDataType::Kind::kBipolar)
      a.fail("InputDataType", in_t.name, "an integer type (Vine pools integer codes)");
    const std::string fn = a.s("Function");
    if (fn == "MaxPool") {
      l.kind = ir::LayerKind::kMaxPool;
      if (o_t.name != in_t.name) a.fail("OutputDataType", o_t.name, in_t.name + ", the input's (a max pool keeps it)");
    } else if (fn == "QuantAvgPool") {
      l.kind = ir::LayerKind::kAvgPool;
      const int64_t k2 = int64_t{l.kernel_h} * l.kernel_w;
      int log2_k2 = 0;
      while ((int64_t{1} << log2_k2) < k2) ++log2_k2;
      if ((int64_t{1} << log2_k2) != k2)
        a.fail("KernelSize", a.find("KernelSize")->text(),
               "a window of a power-of-two area (K x K = 4, 16, ...): QuantAvgPool shifts its sum, Vine's average pool "
               "divides it by K x K, the same only then");
      int max_bits = 0;
      for (int64_t m = ((int64_t{1} << in_t.bits) - 1) * k2; m; m >>= 1) ++max_bits;
      const int shift = std::max(0, max_bits - o_t.bits);
      if (shift != log2_k2 || o_t.name != in_t.name)
        a.fail("OutputDataType", o_t.name,
               in_t.name + ", the input's (QuantAvgPool then shifts its sum right by log2(K x K) = " +
                   std::to_string(log2_k2) + ", Vine's average pool's floor(sum / " + std::to_string(k2) +
                   "); this one shifts by " + std::to_string(shift) + ")");
    } else {
      a.fail("Function", fn, "MaxPool, QuantAvgPool");
    }
    l.finn_nodes = {swg->node->name, n.name};
    // The window is not a stage of Vine's pool: nothing to time from its RTL template.
    rtl_nodes_.erase(swg->node->name);
    d_.notes.push_back(n.name + ": its window " + swg->node->name + " and the pool are one Vine pool stage, which "
                       "reads each input pixel once (Vine's model of finn-hlslib's pool, not FINN's window + Pool)");
    l.pe = int(pe);
    l.inputs = {s.layer};
    connect(n, s, l.name, true);
    Stream out = s;
    out.layer = l.name;
    out.shape = {out_h_, out_w_, s.shape.c};
    out.pending.clear();
    out.fifos.clear();
    out.fifo_after_dwc.clear();
    out.dwc = nullptr;
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  // FINN's LabelSelect (top-K) at the end of the partition: Vine has no top-K
  // stage, so the graph's output becomes the scores it reads, and the note
  // says how to take the K labels from them (ONNX TopK, which FINN's
  // execute_node runs: the K largest, a tie to the lower index). Not
  // simulated: its cycles (Labels / PE per frame in finn-hlslib).
  void label_select(const OnnxNode& n) {
    Attrs a{n};
    const Stream s = stream_in(n, 0);
    if (n.outputs.size() != 1 || m_.outputs.empty() || n.outputs[0] != m_.outputs[0].name)
      a.fail("position", "not the graph's last node",
             "LabelSelect only as the last node, its output the graph's (Vine has no top-K stage)");
    if (s.layer == "input") a.fail("input", "the graph input", "the scores of a compute node");
    const int64_t labels = a.i("Labels"), k = a.i("K"), pe = a.i("PE", 1);
    if (labels != s.shape.elements())
      a.fail("Labels", std::to_string(labels), "its input's " + std::to_string(s.shape.elements()) + " elements");
    if (k < 1 || k > labels) a.fail("K", std::to_string(k), "1.." + std::to_string(labels));
    if (pe < 1 || labels % pe) a.fail("PE", std::to_string(pe), "a divisor of Labels = " + std::to_string(labels));
    check_input_type(n, s, "inputDataType", a.dtype("inputDataType"));
    d_.notes.push_back(n.name + ": top-" + std::to_string(k) + " of " + std::to_string(labels) +
                       " labels, not simulated (Vine has no top-K stage): the outputs are its input, the scores of '" +
                       s.layer + "'; its labels are the indices of the " + std::to_string(k) +
                       " largest, a tie to the lower index (ONNX TopK)");
    set_out(n, s);
  }

  void add(const OnnxNode& n) {
    Attrs a{n};
    const Stream s0 = stream_in(n, 0), s1 = stream_in(n, 1);
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {n.name};
    l.kind = ir::LayerKind::kAdd;
    const int64_t ch = a.i("NumChannels"), pe = a.i("PE");
    if (s0.shape != s1.shape)
      a.fail("inputs", "of shapes " + std::to_string(s0.shape.h) + "x" + std::to_string(s0.shape.w) + "x" +
                           std::to_string(s0.shape.c) + " and " + std::to_string(s1.shape.h) + "x" +
                           std::to_string(s1.shape.w) + "x" + std::to_string(s1.shape.c),
             "two inputs of one shape");
    if (ch != s0.shape.c) a.fail("NumChannels", std::to_string(ch), std::to_string(s0.shape.c));
    if (pe < 1 || ch % pe) a.fail("PE", std::to_string(pe), "a divisor of NumChannels = " + std::to_string(ch));
    l.output.kind = ir::OutputKind::kAccumulator;
    l.pe = int(pe);
    l.inputs = {s0.layer, s1.layer};
    connect(n, s0, l.name, false);
    connect(n, s1, l.name, false, 1);
    Stream out;
    out.layer = l.name;
    out.shape = s0.shape;
    out.finn_type = a.s("outputDataType", "");
    out.type = ir::ActivationType{ir::ActivationKind::kSigned, 32};
    out.accumulator = true;
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  // FINN's ChannelwiseOp (channelwise_op.py, finn-hlslib's
  // ChannelWiseOperation): a channelwise layer, its Func, parameter and
  // output types, and its parameters initializer (NumChannels,) as the
  // layer's parameters_file.
  void channelwise(const OnnxNode& n) {
    Attrs a{n};
    const Stream s = stream_in(n, 0);
    ImportedLayer l;
    l.name = n.name;
    l.finn_nodes = {n.name};
    l.kind = ir::LayerKind::kChannelwise;
    const int64_t ch = a.i("NumChannels"), pe = a.i("PE");
    if (ch != s.shape.c) a.fail("NumChannels", std::to_string(ch), "its input's channels, " + std::to_string(s.shape.c));
    if (pe < 1 || ch % pe) a.fail("PE", std::to_string(pe), "a divisor of NumChannels = " + std::to_string(ch));
    // numInputVectors: [N, H, W] (or [N] for a vector), batch 1, the input's pixels.
    const auto vecs = a.ints("numInputVectors", {1});
    int64_t pixels = 1;
    for (size_t k = 1; k < vecs.size(); ++k) pixels *= vecs[k];
    if (vecs.empty() || vecs[0] != 1 || pixels != int64_t{s.shape.h} * s.shape.w)
      a.fail("numInputVectors", a.find("numInputVectors") ? a.find("numInputVectors")->text() : "[1]",
             "[1, " + std::to_string(s.shape.h) + ", " + std::to_string(s.shape.w) + "]: batch 1, its input's pixels");
    const FinnDataType in_t = a.dtype("inputDataType");
    check_input_type(n, s, "inputDataType", in_t);
    if (in_t.kind == FinnDataType::Kind::kBipolar || in_t.kind == FinnDataType::Kind::kTernary)
      a.fail("inputDataType", in_t.name, "an INTn or UINTn (or BINARY) input");
    ir::ChannelwiseSpec cw;
    const std::string fn = a.s("Func", "cmp_le");  // FINN's default
    if (fn == "add") cw.function = ir::ChannelwiseFunction::kAdd;
    else if (fn == "mul") cw.function = ir::ChannelwiseFunction::kMul;
    else if (fn == "cmp_le") cw.function = ir::ChannelwiseFunction::kCmpLe;
    else if (fn == "cmp_ge") cw.function = ir::ChannelwiseFunction::kCmpGe;
    else a.fail("Func", fn, "add, mul, cmp_le, cmp_ge");
    const FinnDataType p_t = a.dtype("paramDataType");
    if (p_t.kind == FinnDataType::Kind::kBipolar || p_t.kind == FinnDataType::Kind::kTernary || p_t.bits > 32 ||
        (p_t.kind == FinnDataType::Kind::kUint && p_t.bits > 31))
      a.fail("paramDataType", p_t.name, "INT2..INT32, UINT1..UINT31 or BINARY parameters");
    cw.parameters = p_t.kind == FinnDataType::Kind::kInt ? ir::ActivationType{ir::ActivationKind::kSigned, p_t.bits}
                                                          : ir::ActivationType{ir::ActivationKind::kUnsigned, p_t.bits};
    const FinnDataType o_t = a.dtype("outputDataType");
    cw.output = vine_type(n, "outputDataType", o_t, o_t.kind == FinnDataType::Kind::kBipolar);
    if (n.inputs.size() < 2) a.fail("inputs", std::to_string(n.inputs.size()), "input and parameters");
    auto it = m_.initializers.find(n.inputs[1]);
    if (it == m_.initializers.end())
      a.fail("input '" + n.inputs[1] + "'", "not an initializer", "the parameters as an initializer (NumChannels,)");
    const OnnxTensor& t = it->second;
    if (t.shape != std::vector<int64_t>{ch})
      a.fail("parameters '" + n.inputs[1] + "' shape", shape_text(t.shape),
             "(" + std::to_string(ch) + ",): one per channel (ChannelwiseOp_hls asserts a vector)");
    ParameterArray p;
    p.shape = {ch};
    for (int64_t c = 0; c < ch; ++c) {
      const double v = t.values[size_t(c)];
      if (!std::isfinite(v) || v != std::floor(v) || !value_fits(p_t, int64_t(v)))
        a.fail("parameters '" + n.inputs[1] + "' [" + std::to_string(c) + "]", std::to_string(v),
               "an integer of paramDataType " + p_t.name);
      p.values.push_back(int64_t(v));
    }
    // FINN's output type holds every result (InferChannelwiseLinearLayer
    // picks it so); the hardware's would wrap one it did not.
    if (!cw.compares()) {
      const ir::ActivationType vin = vine_type(n, "inputDataType", in_t, false);
      const auto [lo, hi] = std::minmax_element(p.values.begin(), p.values.end());
      const arith::Range r = ir::channelwise_range(cw.function, {vin.min_value(), vin.max_value()}, {*lo, *hi});
      if (r.lo < cw.output->min_value() || r.hi > cw.output->max_value())
        a.fail("outputDataType", o_t.name + " ([" + std::to_string(cw.output->min_value()) + ", " +
                                     std::to_string(cw.output->max_value()) + "])",
               "an output type holding every result of " + fn + " over inputDataType " + in_t.name +
                   " and the parameters, " + std::to_string(r.lo) + " .. " + std::to_string(r.hi));
    }
    l.channelwise = cw;
    l.parameters = std::move(p);
    l.pe = int(pe);
    l.inputs = {s.layer};
    connect(n, s, l.name, false);
    Stream out;
    out.layer = l.name;
    out.shape = s.shape;
    out.type = *cw.output;
    out.finn_type = o_t.name;
    d_.layers.push_back(std::move(l));
    set_out(n, std::move(out));
  }

  void finish_output() {
    const std::string& name = m_.outputs[0].name;
    auto it = streams_.find(name);
    if (it == streams_.end())
      throw ImportError(m_.path + ": graph output '" + name + "' is not produced by a dataflow node");
    const Stream& s = it->second;
    if (s.layer == "input" || d_.layers.empty()) throw ImportError(m_.path + ": the model computes nothing (no MVAU, Thresholding, pool or add)");
    if (s.layer != d_.layers.back().name)
      throw ImportError(m_.path + ": graph output '" + name + "' comes from '" + s.layer +
                        "', not from the last layer; supported: the last compute node feeds the graph output");
    if (!s.pending.empty())
      throw ImportError(s.pending.back().node->name + " (" + s.pending.back().node->op_type +
                        "): feeds the graph output; supported: a window or padding feeding an MVAU");
    if (s.fifos.size() > 1)
      throw ImportError(s.fifos[1]->name + ": a second StreamingFIFO before the graph output; supported: one");
    if (s.fifos.size() == 1) d_.fifos.push_back(fifo(*s.fifos[0], s.layer, "output", 0));
    // Every tensor a layer writes must be read: Vine refuses dangling layers.
  }
};

}  // namespace

ImportedDesign translate_finn_model(const OnnxModel& m) { return Translator(m).run(); }

}  // namespace vine::import
