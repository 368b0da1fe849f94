// `vine rtl-units DESIGN...`: the Verilated units (each layer's lanes and its
// output unit, docs/cosim.md) that co-simulating the designs with every PE on
// RTL instantiates, one `unit NAME=VALUE...` line each, in the format of
// rtl/cosim/units.txt (scripts/cosim-units keeps that file). --check FILE
// instead reports the units FILE lacks.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <set>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/config/loaders.h"
#include "sim/run/pe_backend.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_rtl_units(const Args& args) {
  po::options_description opts(
      "vine rtl-units DESIGN... [options]: the RTL units (lanes and output units) a co-simulation builds");
  opts.add_options()("help,h", "show this help")("by-layer", "prefix each unit with the layer that uses it")(
      "check", po::value<std::string>(), "list the units FILE (rtl/cosim/units.txt) lacks; exit 2 if any");
  po::options_description hidden;
  hidden.add_options()("designs", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("designs", -1);
  po::variables_map vm;
  if (!parse_options(args, opts, hidden, pos, vm)) return kExitUsage;
  if (vm.count("help")) {
    print_help(std::cout, opts);
    return kExitOk;
  }
  if (!vm.count("designs")) return usage_error("rtl-units", "missing DESIGN", opts);

  std::vector<std::string> lines;
  std::set<std::string> seen;
  for (const auto& path : vm["designs"].as<std::vector<std::string>>()) {
    const ir::Design d = config::load_design(path);
    log_design_loaded(d);
    for (const auto& u : sim::rtl_lanes_of(d, sim::BackendChoice::kRtl)) {
      const std::string key = u.config.key();
      const bool first = seen.insert(key).second;  // --check looks at every unit, listed by layer or not
      if (vm.count("by-layer"))
        lines.push_back(d.name + "." + u.layer + ": " + key);
      else if (first)
        lines.push_back(key);
    }
  }
  if (!vm.count("check")) {
    for (const auto& l : lines) std::cout << l << "\n";
    return kExitOk;
  }
  const std::string file = vm["check"].as<std::string>();
  std::ifstream in(file);
  if (!in) {
    std::cerr << "vine rtl-units: cannot read --check file '" << file << "'\n";
    return kExitUsage;
  }
  std::set<std::string> listed;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') listed.insert(line);
  int missing = 0;
  for (const auto& key : seen)
    if (!listed.count(key)) {
      std::cout << "missing from " << file << ": " << key << "\n";
      ++missing;
    }
  return missing ? kExitSimulation : kExitOk;
}

}  // namespace vine::cli
