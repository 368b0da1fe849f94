#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "sim/engine/engine_estimate.h"
#include "sim/engine/engine_resources.h"
#include "sim/estimate/estimate.h"
#include "sim/ir/stage_plan.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_estimate(const Args& args) {
  po::options_description opts(
      "vine estimate DESIGN [--json FILE|-]: closed-form cycles per layer, interval, fps and resources");
  opts.add_options()("help,h", "show this help")(
      "json", po::value<std::string>(), "also write the estimate as JSON to FILE; '-': to stdout, and the table to stderr");
  po::variables_map vm;
  if (auto done = parse_command("estimate", args, opts, "design", "DESIGN", vm)) return *done;
  const ir::Design d = config::load_design(vm["design"].as<std::string>());
  log_design_loaded(d);
  if (vm.count("json")) {
    const std::string problem = check_output_path("json", vm["json"].as<std::string>(), input_files(d));
    if (!problem.empty()) return usage_error("estimate", problem, opts);
  }
  if (d.hw_template == ir::Template::kEngine) {
    // The compute engine's closed form (docs/engine.md#timing).
    const engine::EngineFigures f = engine::estimate_engine(d);
    // And its resources against the device (docs/engine.md#resources).
    const engine::EngineResources res = engine::engine_resources(d);
    report_stream(vm.count("json") ? vm["json"].as<std::string>() : "")
        << engine::format_engine_table(f, "closed form (uncontended DDR)") << engine::format_engine_resources(res);
    nlohmann::json j = engine::to_json(f);
    j["resources"] = engine::to_json(res);
    if (vm.count("json") && !write_output("json", vm["json"].as<std::string>(),
                                          [&](std::ostream& out) { out << j.dump(2) << "\n"; }))
      return kExitUsage;
    return kExitOk;
  }
  if (d.hw_template == ir::Template::kStreaming) log_plan(ir::plan_process_network(d));
  const estimate::Estimate e = estimate::estimate_design(d);
  report_stream(vm.count("json") ? vm["json"].as<std::string>() : "") << estimate::format_table(e);
  if (vm.count("json") && !write_output("json", vm["json"].as<std::string>(),
                                        [&](std::ostream& out) { out << estimate::to_json(e).dump(2) << "\n"; }))
    return kExitUsage;
  return kExitOk;
}

}  // namespace vine::cli
