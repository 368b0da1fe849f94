// `vine import finn-config CONFIG.json DESIGN -o OUT.yaml`: a FINN folding
// (or final hardware) config applied to a Vine design, written as a new
// design (sim/finn_config/finn_apply.h, docs/finn-configs.md).
#include <spdlog/spdlog.h>

#include <iostream>
#include <map>
#include <sstream>

#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/config/write_design.h"
#include "sim/finn_config/finn_apply.h"

namespace vine::cli {

namespace po = boost::program_options;

namespace {

// A layer's `impl_style` as the design writes it.
std::string impl_style(const ir::LayerFolding& f) {
  if (f.impl_style == ir::LayerFolding::ImplStyle::kHls) return "hls";
  if (f.impl_style == ir::LayerFolding::ImplStyle::kRtl) return "rtl";
  std::string m;
  for (const std::string& k : f.rtl_kinds) m += (m.empty() ? "{" : ", ") + k + ": rtl";
  return m.empty() ? "hls" : m + "}";
}

// What the config changed, layer by layer, and what it could not apply.
void report(std::ostream& out, const ir::Design& before, const finn::AppliedConfig& a, const std::string& config) {
  out << "applied " << config << " to " << before.name << ": " << a.nodes << " nodes (" << a.fifos << " FIFOs)";
  if (a.fifos_defaulted) out << "; " << a.fifos_defaulted << " FIFOs it does not list at FINN's default depth 2";
  out << "\n";
  if (a.style_unstated)
    out << "  note: the design states no pipeline_style, so its stages are timed as stall pipelines; the templates "
           "of FINN v0.10 on, whose node names the config has, flush: add `pipeline_style: flush` for such a "
           "build (docs/simulation.md)\n";
  const ir::Design& d = a.design;
  int changed = 0;
  for (size_t i = 0; i < d.folding.size(); ++i) {
    const auto &was = before.folding[i], &now = d.folding[i];
    std::ostringstream line;
    if (was.pe != now.pe) line << " pe " << was.pe << " -> " << now.pe;
    if (was.simd != now.simd) line << " simd " << was.simd << " -> " << now.simd;
    if (was.window_simd != now.window_simd)  // 0: the window has the MVAU's SIMD
      line << " window_simd " << (was.window_simd ? std::to_string(was.window_simd) : "none") << " -> "
           << (now.window_simd ? std::to_string(now.window_simd) : "none");
    if (was.padding_simd != now.padding_simd)  // 0: the padding has the window's SIMD
      line << " padding_simd " << (was.padding_simd ? std::to_string(was.padding_simd) : "none") << " -> "
           << (now.padding_simd ? std::to_string(now.padding_simd) : "none");
    if (was.duplicate_pe != now.duplicate_pe)  // 0: the DuplicateStreams copies the layer's output lanes
      line << " duplicate_pe " << (was.duplicate_pe ? std::to_string(was.duplicate_pe) : "none") << " -> "
           << (now.duplicate_pe ? std::to_string(now.duplicate_pe) : "none");
    if (was.threshold_pe != now.threshold_pe)  // 0: the thresholds inside the MVAU or VVAU
      line << " thresholds pe " << (was.threshold_pe ? std::to_string(was.threshold_pe) : "inside") << " -> "
           << (now.threshold_pe ? std::to_string(now.threshold_pe) : "inside");
    if (was.weight_memory != now.weight_memory)
      line << " weight_memory " << ir::to_string(was.weight_memory) << " -> " << ir::to_string(now.weight_memory);
    if (was.finn_impl != now.finn_impl)
      for (const auto& [k, s] : now.finn_impl) line << " finn_impl " << k << ": " << s;
    if (impl_style(was) != impl_style(now)) line << " impl_style " << impl_style(was) << " -> " << impl_style(now);
    if (!line.str().empty()) {
      out << "  " << d.network.layers[i].name << ":" << line.str() << "\n";
      ++changed;
    }
  }
  int fifos = 0;
  for (size_t i = 0; i < d.fifos.size(); ++i)
    fifos += d.fifos[i].depth != before.fifos[i].depth;
  out << "  " << changed << " layers changed, " << fifos << " graph-edge FIFO depths changed, "
      << d.stream_fifos.size() << " streams inside layers with their own depth\n";
  if (!a.finn_only.input_thresholding.empty() || !a.finn_only.tail.empty()) {
    out << "  FINN nodes Vine's network has no stage for:";
    if (!a.finn_only.input_thresholding.empty()) out << " Thresholding_" << a.finn_only.input_thresholding << " (input quantiser)";
    for (const auto& t : a.finn_only.tail) out << " " << t;
    out << "\n";
  }
  // Grouped by attribute and reason: a MobileNet config gives resType on 28 nodes.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> groups;
  for (const auto& n : a.not_applied) groups[{n.field, n.why}].push_back(n.node + " " + n.value);
  for (const auto& [key, nodes] : groups) {
    out << "  not applied: " << key.first << " on " << nodes.size() << (nodes.size() == 1 ? " node (" : " nodes (")
        << nodes.front() << (nodes.size() > 1 ? ", ..., " + nodes.back() : "") << "): " << key.second << "\n";
  }
}

}  // namespace

int cmd_import_finn_config(const Args& args) {
  po::options_description opts(
      "vine import finn-config CONFIG.json DESIGN -o OUT.yaml: a FINN folding config (PE, SIMD, weight memory,\n"
      "FIFO depths and styles) applied to a Vine design by FINN's node names (docs/finn-configs.md)");
  opts.add_options()("help,h", "show this help")("output,o", po::value<std::string>(),
                                                   "write the design with the config applied (Vine YAML; '-': stdout)");
  po::variables_map vm;
  std::vector<std::string> files;
  if (auto done = parse_files_command(args, opts, 2, vm, files)) return *done;
  if (files.size() != 2) return usage_error("import finn-config", "expected CONFIG.json DESIGN", opts);
  if (!vm.count("output")) return usage_error("import finn-config", "missing -o OUT.yaml", opts);
  const std::string path = vm["output"].as<std::string>();
  const ir::Design d = config::load_design(files[1]);
  log_design_loaded(d);
  std::vector<std::string> inputs = input_files(d);
  inputs.push_back(files[0]);
  if (const std::string problem = is_stdout(path) ? "" : check_output_paths({{"output", path}}, inputs); !problem.empty())
    return usage_error("import finn-config", problem, opts);
  finn::AppliedConfig a;
  try {
    a = finn::apply_finn_config(d, finn::read_finn_config(files[0]), files[0]);
  } catch (const finn::FinnConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  report(is_stdout(path) ? std::cerr : std::cout, d, a, files[0]);
  const std::string header = "Written by `vine import finn-config " + files[0] + " " + d.path + "`:\n" +
                             "design " + d.name + " with that FINN folding config applied.";
  if (!write_output("output", path, [&](std::ostream& out) {
        config::write_design_with_finn_config(a.design, is_stdout(path) ? d.path : path, header, out);
      }))
    return kExitUsage;
  return kExitOk;
}

}  // namespace vine::cli
