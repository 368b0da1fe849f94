#include "sim/import/write_vine.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/data/npy.h"
#include "sim/import/import_error.h"

namespace vine::import {

namespace fs = std::filesystem;

namespace {

// Names are quoted: FINN's node names are free text to YAML.
std::string q(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

std::string activation_yaml(const ir::ActivationType& t) {
  switch (t.kind) {
    case ir::ActivationKind::kBipolar: return "type: bipolar";
    case ir::ActivationKind::kUnsigned: return "type: unsigned, bits: " + std::to_string(t.bits);
    case ir::ActivationKind::kSigned: return "type: signed, bits: " + std::to_string(t.bits);
  }
  return "";
}

std::string weights_yaml(const ir::WeightType& w) {
  switch (w.arithmetic) {
    case ir::WeightArithmetic::kBinary: return "{arithmetic: binary}";
    case ir::WeightArithmetic::kTernary: return "{arithmetic: ternary}";
    case ir::WeightArithmetic::kFixed: return "{arithmetic: fixed, bits: " + std::to_string(w.bits) + "}";
    case ir::WeightArithmetic::kPow2: break;  // FINN has no pow2 weights
  }
  return "";
}

void write_whole(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f) throw ImportError(tmp.string() + ": cannot write");
  }
  fs::rename(tmp, path);
}

void write_npy_file(const fs::path& path, const ParameterArray& p) {
  std::ostringstream o;
  data::write_npy_narrowest(o, p.shape, p.values);
  write_whole(path, o.str());
}

std::string layer_yaml(const ImportedLayer& l, const std::string& weights_file, const std::string& thresholds_file,
                       const std::string& parameters_file) {
  std::ostringstream o;
  o << "  - {name: " << q(l.name) << ", kind: " << ir::to_string(l.kind) << ", inputs: [";
  for (size_t k = 0; k < l.inputs.size(); ++k) o << (k ? ", " : "") << q(l.inputs[k]);
  o << "]";
  switch (l.kind) {
    case ir::LayerKind::kFc: o << ", out_features: " << l.out_channels; break;
    case ir::LayerKind::kConv:
    case ir::LayerKind::kDwConv:
      o << ", kernel: " << ir::window_text(l.kernel_h, l.kernel_w) << ", stride: " << ir::window_text(l.stride_h, l.stride_w);
      if (l.kind == ir::LayerKind::kConv) o << ", out_channels: " << l.out_channels;
      if (l.pad.any())
        o << ", padding: [" << l.pad.top << ", " << l.pad.left << ", " << l.pad.bottom << ", " << l.pad.right << "]";
      break;
    case ir::LayerKind::kMaxPool:
    case ir::LayerKind::kAvgPool:
      o << ", kernel: " << ir::window_text(l.kernel_h, l.kernel_w) << ", stride: " << ir::window_text(l.stride_h, l.stride_w);
      break;
    default: break;
  }
  if (l.weights) o << ", weights: " << weights_yaml(*l.weights);
  if (l.channelwise) {
    o << ", function: " << arith::to_string(l.channelwise->function) << ", parameters: {"
      << activation_yaml(l.channelwise->parameters) << "}";
    if (l.channelwise->output) o << ", output: {" << activation_yaml(*l.channelwise->output) << "}";
  }
  if (l.has_simd || l.kind == ir::LayerKind::kDwConv || l.kind == ir::LayerKind::kThreshold ||
      l.kind == ir::LayerKind::kAdd) {
    if (l.output.kind == ir::OutputKind::kThreshold)
      o << ", output: {kind: threshold, " << activation_yaml(l.output.type) << "}";
    else
      o << ", output: {kind: accumulator}";
  }
  if (!weights_file.empty()) o << ", weights_file: " << q(weights_file);
  if (!thresholds_file.empty()) o << ", thresholds_file: " << q(thresholds_file);
  if (!parameters_file.empty()) o << ", parameters_file: " << q(parameters_file);
  o << "}\n";
  return o.str();
}

std::string file_stem(const std::string& name) {
  std::string s;
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  return s;
}

}  // namespace

WrittenFiles write_vine_configs(const ImportedDesign& d, const std::string& out_dir, const std::string& model_path,
                                const std::string& device_path) {
  const fs::path dir(out_dir);
  std::error_code ec;
  fs::create_directories(dir / "params", ec);
  if (ec) throw ImportError(out_dir + ": cannot create the output folder (" + ec.message() + ")");
  WrittenFiles w;
  const std::string from = "# Imported by `vine import " + d.source + "` from " + fs::path(model_path).filename().string() +
                           " (docs/coming-from-finn.md).\n";

  std::ostringstream net;
  net << from << "network: " << q(fs::path(model_path).stem().string()) << "\n";
  net << "input: {shape: [" << d.input_shape.h << ", " << d.input_shape.w << ", " << d.input_shape.c << "], "
      << activation_yaml(d.input_type) << "}\n";
  net << "layers:\n";
  for (const auto& l : d.layers) {
    std::string wf, tf, pf;
    if (l.weights_values) {
      wf = "params/" + file_stem(l.name) + ".weights.npy";
      write_npy_file(dir / wf, *l.weights_values);
      ++w.sidecars;
    }
    if (l.thresholds) {
      tf = "params/" + file_stem(l.name) + ".thresholds.npy";
      write_npy_file(dir / tf, *l.thresholds);
      ++w.sidecars;
    }
    if (l.parameters) {
      pf = "params/" + file_stem(l.name) + ".parameters.npy";
      write_npy_file(dir / pf, *l.parameters);
      ++w.sidecars;
    }
    if (l.finn_nodes.size() > 1) {
      net << "  # from ";
      for (size_t k = 0; k < l.finn_nodes.size(); ++k) net << (k ? " -> " : "") << l.finn_nodes[k];
      net << "\n";
    }
    net << layer_yaml(l, wf, tf, pf);
  }
  w.network = (dir / "network.yaml").string();
  write_whole(w.network, net.str());

  fs::path dev = fs::absolute(device_path).lexically_normal();
  // Relative when the output folder sits near the device file (it then
  // moves with its tree), else absolute.
  fs::path rel = dev.lexically_relative(fs::absolute(dir).lexically_normal());
  int ups = 0;
  for (const auto& part : rel) ups += part == "..";
  if (ups > 3) rel.clear();
  std::ostringstream des;
  if (d.source == "finn")
    des << from << "# Folding, weight memories and FIFOs from the FINN nodes' attributes"
        << " (and the --config given, if any).\n";
  else
    des << from << "# A default design: PE = SIMD = 1 everywhere, depth-2 FIFOs but a whole frame before a residual add; fold it "
           "as any Vine design.\n";
  for (const auto& n : d.notes) des << "# note: " << n << "\n";
  des << "design: " << q(fs::path(model_path).stem().string()) << "\n";
  des << "network: network.yaml\n";
  des << "device: " << q(rel.empty() ? dev.string() : rel.string()) << "\n";
  des << "template: streaming\n";
  if (d.source == "finn" && d.flushing)
    des << "pipeline_style: flush           # FINN v0.10's op types: its templates flush (docs/simulation.md)\n";
  des << "fifo_depth: 2\n";
  des << "layers:\n";
  for (const auto& l : d.layers) {
    des << "  " << q(l.name) << ": {pe: " << l.pe;
    if (l.has_simd || l.simd > 1) des << ", simd: " << l.simd;  // a VVAU's SIMD: its kernel positions per beat
    if (l.window_simd) des << ", window_simd: " << l.window_simd;
    if (l.padding_simd) des << ", padding_simd: " << l.padding_simd;
    if (l.threshold_pe) des << ", thresholds: {pe: " << l.threshold_pe << "}";
    if (!l.stages.empty()) {
      des << ", stages: [";
      for (size_t k = 0; k < l.stages.size(); ++k) des << (k ? ", " : "") << l.stages[k];
      des << "]";
    }
    if (!l.weight_memory.empty()) des << ", weight_memory: " << l.weight_memory;
    if (!l.rtl_kinds.empty()) {  // the stages FINN built from RTL templates
      des << ", impl_style: {";
      for (size_t k = 0; k < l.rtl_kinds.size(); ++k) des << (k ? ", " : "") << l.rtl_kinds[k] << ": rtl";
      des << "}";
    }
    des << "}\n";
  }
  if (!d.fifos.empty()) {
    des << "fifos:\n";
    for (const auto& f : d.fifos) {
      des << "  - {";
      if (!f.stream.empty())
        des << "stream: " << q(f.stream);
      else
        des << "from: " << q(f.from) << ", to: " << q(f.to);
      des << ", depth: " << f.depth << ", style: " << (f.memory_style ? "memory" : "shift");
      if (f.bits) des << ", bits: " << f.bits;
      des << "}   # " << f.finn_node << "\n";
    }
  }
  w.design = (dir / "design.yaml").string();
  write_whole(w.design, des.str());
  return w;
}

}  // namespace vine::import
