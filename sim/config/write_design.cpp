#include "sim/config/write_design.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "sim/config/yaml_fields.h"

namespace vine::config {

namespace fs = std::filesystem;

namespace {

// `p`, relative to the design file it was read from, made relative to the
// folder of the file written (absolute paths stay as they are).
std::string rebase(const std::string& p, const std::string& from_file, const std::string& to_file) {
  if (fs::path(p).is_absolute()) return p;
  const fs::path target = fs::weakly_canonical(fs::absolute(fs::path(from_file).parent_path() / p));
  const fs::path folder = fs::weakly_canonical(fs::absolute(fs::path(to_file)).parent_path());
  return target.lexically_relative(folder).generic_string();
}

YAML::Node flow_map() {
  YAML::Node n(YAML::NodeType::Map);
  n.SetStyle(YAML::EmitterStyle::Flow);
  return n;
}

}  // namespace

namespace {

YAML::Node design_root(const ir::Design& d, const std::string& out_path) {
  YAML::Node root = load_yaml_file(d.path);
  for (const char* key : {"network", "device", "cluster"})
    if (root[key]) root[key] = rebase(root[key].as<std::string>(), d.path, out_path);
  // The DMAs' memory as the design holds it, written only when not the default.
  if (d.dma_memory != ir::DmaMemory::kIdeal)
    root["dma_memory"] = ir::to_string(d.dma_memory);
  else
    root.remove("dma_memory");
  // The pipelines' style as the design holds it (which may differ from the
  // file it was read from): stall, the default, only where the file wrote it.
  if (!d.pipeline_flush_kind.empty()) {
    YAML::Node m = flow_map();
    for (const auto& [kind, flush] : d.pipeline_flush_kind) m[kind] = flush ? "flush" : "stall";
    root["pipeline_style"] = m;
  } else if (d.pipeline_flush || root["pipeline_style"]) {
    root["pipeline_style"] = d.pipeline_flush ? "flush" : "stall";
  }
  return root;
}

void emit(const YAML::Node& root, const std::string& header, std::ostream& out) {
  YAML::Emitter em;
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) em << YAML::Comment(line) << YAML::Newline;
  em << root;
  out << em.c_str() << "\n";
}

}  // namespace

namespace {

YAML::Node layer_entry(YAML::Node& layers, const std::string& name) {
  YAML::Node e = layers[name];
  if (!e.IsMap()) {
    e = flow_map();
    layers[name] = e;
  }
  return e;
}

void set_folding(YAML::Node& root, const ir::Design& d) {
  YAML::Node layers = root["layers"];
  if (!layers.IsMap()) layers = YAML::Node(YAML::NodeType::Map);
  for (size_t i = 0; i < d.network.layers.size(); ++i) {
    const ir::Layer& l = d.network.layers[i];
    YAML::Node e = layers[l.name];
    if (!e.IsMap()) {
      e = flow_map();
      layers[l.name] = e;
    }
    e["pe"] = d.folding[i].pe;
    // A depthwise layer's SIMD (the VVAU's kernel positions per beat) only where it is above 1.
    const bool has_simd = l.kind == ir::LayerKind::kConv || l.kind == ir::LayerKind::kFc ||
                          (l.kind == ir::LayerKind::kDwConv && d.folding[i].simd > 1);
    if (has_simd)
      e["simd"] = d.folding[i].simd;
    else
      e.remove("simd");
    if (d.folding[i].window_simd > 0)
      e["window_simd"] = d.folding[i].window_simd;
    else
      e.remove("window_simd");
    if (d.folding[i].padding_simd > 0)
      e["padding_simd"] = d.folding[i].padding_simd;
    else
      e.remove("padding_simd");
    if (d.folding[i].duplicate_pe > 0)
      e["duplicate_pe"] = d.folding[i].duplicate_pe;
    else
      e.remove("duplicate_pe");
    if (d.folding[i].separate_thresholds()) {
      YAML::Node t = flow_map();
      t["pe"] = d.folding[i].threshold_pe;
      e["thresholds"] = t;
    } else {
      e.remove("thresholds");
    }
  }
  root["layers"] = layers;
}

void set_fifos(YAML::Node& root, const ir::Design& d) {
  YAML::Node fifos(YAML::NodeType::Sequence);
  std::set<std::string> written;  // an add reading one layer twice has two specs of one edge
  for (const ir::FifoSpec& f : d.fifos) {
    if (!written.insert(f.from + "->" + f.to).second) continue;
    YAML::Node e = flow_map();
    e["from"] = f.from;
    e["to"] = f.to;
    e["depth"] = f.depth;
    if (f.memory_style) e["style"] = "memory";
    if (f.bits) e["bits"] = f.bits;
    if (!f.finn_impl_style.empty()) e["impl_style"] = f.finn_impl_style;
    if (!f.finn_ram_style.empty()) e["ram_style"] = f.finn_ram_style;
    fifos.push_back(e);
  }
  for (const ir::StreamFifoSpec& f : d.stream_fifos) {
    YAML::Node e = flow_map();
    e["stream"] = f.stream;
    e["depth"] = f.depth;
    if (f.memory_style) e["style"] = "memory";
    if (!f.finn_impl_style.empty()) e["impl_style"] = f.finn_impl_style;
    if (!f.finn_ram_style.empty()) e["ram_style"] = f.finn_ram_style;
    fifos.push_back(e);
  }
  root["fifos"] = fifos;
}

// A refolded design's FIFOs: its own list, when the source had one. A new
// folding may drop a layer's width converter, and with it a stream whose
// depth the source gave (ir::without_missing_stream_fifos has removed it
// from `d`); the source's `fifos:` would name a stream the design lacks.
void keep_fifos(YAML::Node& root, const ir::Design& d) {
  if (root["fifos"]) set_fifos(root, d);
}

YAML::Node styles_map(const std::map<std::string, std::string>& styles) {
  YAML::Node n = flow_map();
  for (const auto& [kind, style] : styles) n[kind] = style;
  return n;
}

}  // namespace

void write_design_with_folding(const ir::Design& d, const std::string& out_path, const std::string& header,
                               std::ostream& out) {
  YAML::Node root = design_root(d, out_path);
  set_folding(root, d);
  keep_fifos(root, d);
  emit(root, header, out);
}

void write_design_with_placement(const ir::Design& d, const std::string& out_path, const std::string& header,
                                 std::ostream& out) {
  YAML::Node root = design_root(d, out_path);
  set_folding(root, d);
  keep_fifos(root, d);
  const ir::Placement& pl = d.placement;
  const fs::path folder = fs::weakly_canonical(fs::absolute(fs::path(out_path)).parent_path());
  root["cluster"] = fs::weakly_canonical(fs::absolute(pl.cluster.path)).lexically_relative(folder).generic_string();
  YAML::Node boards(YAML::NodeType::Sequence);
  for (const ir::PlacedBoard& b : pl.boards) {
    YAML::Node e = flow_map();
    e["board"] = pl.cluster.boards[size_t(b.board)].name;
    YAML::Node range(YAML::NodeType::Sequence);
    range.SetStyle(YAML::EmitterStyle::Flow);
    range.push_back(d.network.layers[size_t(b.first)].name);
    range.push_back(d.network.layers[size_t(b.last - 1)].name);
    e["layers"] = range;
    boards.push_back(e);
  }
  root["placement"] = boards;
  emit(root, header, out);
}

void write_design_with_fifos(const ir::Design& d, const std::string& out_path, const std::string& header,
                             std::ostream& out) {
  YAML::Node root = design_root(d, out_path);
  set_fifos(root, d);
  emit(root, header, out);
}

namespace {

void set_weight_memory(YAML::Node& root, const ir::Design& d) {
  const std::string design_memory = root["weight_memory"] ? root["weight_memory"].as<std::string>() : "bram";
  YAML::Node layers = root["layers"];
  if (!layers.IsMap()) layers = YAML::Node(YAML::NodeType::Map);
  for (size_t i = 0; i < d.network.layers.size(); ++i) {
    const ir::Layer& l = d.network.layers[i];
    if (!l.has_weights()) continue;
    const std::string m = ir::to_string(d.folding[i].weight_memory);
    if (m != design_memory) {
      YAML::Node e = layer_entry(layers, l.name);
      e["weight_memory"] = m;
    } else if (layers[l.name].IsMap()) {
      layers[l.name].remove("weight_memory");
    }
    // The schedule goes with the memory: only a layer in DDR has one.
    const ir::WeightSchedule ws = d.folding[i].weight_schedule;
    if (ws != ir::WeightSchedule::kVector) {
      YAML::Node e = layer_entry(layers, l.name);
      e["weight_schedule"] = ir::to_string(ws);
    } else if (layers[l.name].IsMap()) {
      layers[l.name].remove("weight_schedule");
    }
  }
  if (layers.size() > 0) root["layers"] = layers;
}

}  // namespace

void write_design_with_weight_memory(const ir::Design& d, const std::string& out_path, const std::string& header,
                                     std::ostream& out) {
  YAML::Node root = design_root(d, out_path);
  set_weight_memory(root, d);
  emit(root, header, out);
}

namespace {

YAML::Node weight_type_node(const ir::WeightType& w) {
  YAML::Node n = flow_map();
  n["arithmetic"] = arith::to_string(w.arithmetic);
  if (w.arithmetic == ir::WeightArithmetic::kFixed) n["bits"] = w.bits;
  if (w.arithmetic == ir::WeightArithmetic::kPow2) {
    n["exponent_bits"] = w.exponent_bits;
    if (w.exponent_bias) n["exponent_bias"] = w.exponent_bias;
  }
  return n;
}

}  // namespace

void write_design_with_layer_choices(const ir::Design& d, const std::vector<bool>& overridden,
                                     const std::string& out_path, const std::string& header, std::ostream& out) {
  YAML::Node root = design_root(d, out_path);
  set_folding(root, d);
  set_weight_memory(root, d);
  YAML::Node layers = root["layers"];
  for (size_t i = 0; i < d.network.layers.size() && i < overridden.size(); ++i) {
    if (!overridden[i]) continue;
    const ir::Layer& l = d.network.layers[i];
    YAML::Node e = layer_entry(layers, l.name);
    if (!l.channel_groups.empty()) {
      YAML::Node groups(YAML::NodeType::Sequence);
      for (const ir::ChannelGroup& g : l.channel_groups) {
        YAML::Node gn = flow_map();
        gn["channels"] = g.channels;
        gn["weights"] = weight_type_node(g.weights);
        groups.push_back(gn);
      }
      e["channel_groups"] = groups;
      e.remove("weights");
    } else if (l.weights) {
      e["weights"] = weight_type_node(*l.weights);
      e.remove("channel_groups");
    }
  }
  root["layers"] = layers;
  emit(root, header, out);
}

void write_design_with_finn_config(const ir::Design& d, const std::string& out_path, const std::string& header,
                                   std::ostream& out) {
  YAML::Node root = design_root(d, out_path);
  set_folding(root, d);
  if (d.finn_impl.empty())
    root.remove("finn_impl");
  else
    root["finn_impl"] = styles_map(d.finn_impl);
  set_weight_memory(root, d);
  YAML::Node layers = root["layers"];
  for (size_t i = 0; i < d.network.layers.size(); ++i) {
    YAML::Node e = layer_entry(layers, d.network.layers[i].name);
    if (d.folding[i].finn_impl.empty())
      e.remove("finn_impl");
    else
      e["finn_impl"] = styles_map(d.folding[i].finn_impl);
    // The templates that time the layer's stages, from the config's node
    // names where Vine has the RTL variant (finn_apply.h).
    const ir::LayerFolding& f = d.folding[i];
    if (f.impl_style == ir::LayerFolding::ImplStyle::kHls) {
      e.remove("impl_style");
    } else if (f.impl_style == ir::LayerFolding::ImplStyle::kRtl) {
      e["impl_style"] = "rtl";
    } else {
      YAML::Node m = flow_map();
      for (const std::string& k : f.rtl_kinds) m[k] = "rtl";
      e["impl_style"] = m;
    }
  }
  root["layers"] = layers;
  set_fifos(root, d);
  emit(root, header, out);
}

}  // namespace vine::config
