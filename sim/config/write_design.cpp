#include "sim/config/write_design.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
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
  for (const char* key : {"network", "device"})
    root[key] = rebase(root[key].as<std::string>(), d.path, out_path);
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

void write_design_with_folding(const ir::Design& d, const std::string& out_path, const std::string& header,
                               std::ostream& out) {
  YAML::Node root = design_root(d, out_path);
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
    const bool has_simd = l.kind == ir::LayerKind::kConv || l.kind == ir::LayerKind::kFc;
    if (has_simd)
      e["simd"] = d.folding[i].simd;
    else
      e.remove("simd");
  }
  root["layers"] = layers;
  emit(root, header, out);
}

void write_design_with_fifos(const ir::Design& d, const std::string& out_path, const std::string& header,
                             std::ostream& out) {
  YAML::Node root = design_root(d, out_path);
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
    fifos.push_back(e);
  }
  for (const ir::StreamFifoSpec& f : d.stream_fifos) {
    YAML::Node e = flow_map();
    e["stream"] = f.stream;
    e["depth"] = f.depth;
    if (f.memory_style) e["style"] = "memory";
    fifos.push_back(e);
  }
  root["fifos"] = fifos;
  emit(root, header, out);
}

}  // namespace vine::config
