// `vine export finn DESIGN [-o FOLDING.json]`: the design as FINN's folding
// config (sim/finn_config/finn_export.h, docs/finn-configs.md).
// `vine export engine-image DESIGN -o IMAGE`: a compute engine's network
// image for its driver (platforms/board/engine_image.h, docs/driver.md).
// `export` takes the format first, so that other formats can join them.
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "sim/cli/options.h"
#include "sim/cli/output_file.h"
#include "sim/config/loaders.h"
#include "platforms/board/engine_image.h"
#include "sim/engine/engine_tiling.h"
#include "sim/finn_config/finn_export.h"
#include "sim/golden/network_params.h"

namespace vine::cli {

namespace po = boost::program_options;

namespace {

int export_finn(const Args& args) {
  po::options_description opts(
      "vine export finn DESIGN [-o FOLDING.json]: the design's folding, weight memories and FIFO depths as\n"
      "FINN's folding config JSON, one entry per FINN node by its FINN name (docs/finn-configs.md)");
  opts.add_options()("help,h", "show this help")(
      "output,o", po::value<std::string>()->default_value("-"), "write the JSON to FILE ('-': stdout)")(
      "input-thresholding", po::value<std::string>(),
      "STYLE (hls or rtl): FINN's graph starts with an input quantiser (a Thresholding node Vine's network has "
      "no layer for), which shifts the Thresholding and FIFO indices");
  po::variables_map vm;
  if (auto done = parse_command("export finn", args, opts, "design", "DESIGN", vm)) return *done;
  finn::FinnOnlyNodes extra;
  if (vm.count("input-thresholding")) {
    extra.input_thresholding = vm["input-thresholding"].as<std::string>();
    if (extra.input_thresholding != "hls" && extra.input_thresholding != "rtl")
      return usage_error("export finn", "--input-thresholding: expected hls or rtl, got '" + extra.input_thresholding + "'", opts);
  }
  const ir::Design d = config::load_design(vm["design"].as<std::string>());
  log_design_loaded(d);
  if (d.hw_template == ir::Template::kEngine)
    return usage_error("export finn", d.path + " is a compute engine (template: engine): FINN builds streaming "
                                      "dataflow designs, which have a folding config; an engine has none", opts);
  const std::string path = vm["output"].as<std::string>();
  if (const std::string problem = is_stdout(path) ? "" : check_output_paths({{"output", path}}, input_files(d)); !problem.empty())
    return usage_error("export finn", problem, opts);
  const nlohmann::ordered_json j = finn::finn_folding_config(d, extra);
  if (!write_output("output", path, [&](std::ostream& out) { out << j.dump(2) << "\n"; })) return kExitUsage;
  if (!is_stdout(path)) spdlog::info("wrote FINN's folding config of {} ({} nodes) to {}", d.name, j.size() - 1, path);
  return kExitOk;
}

int export_engine_image(const Args& args) {
  po::options_description opts(
      "vine export engine-image DESIGN -o IMAGE [--seed S]: a compute engine's network image: every weighted\n"
      "layer's weights (or OVSF coefficients and codes) and the layer-descriptor table, relative to the image's\n"
      "base, for the driver's vine_engine_load (docs/driver.md, \"The compute engine\")");
  opts.add_options()("help,h", "show this help")("output,o", po::value<std::string>(), "write the image to FILE")(
      "seed,s", po::value<uint64_t>()->default_value(1),
      "seed of the synthetic weights and thresholds (the engine's thresholds and re-quantisers are its "
      "configuration, not in the image: the virtual platform's seed= option must be the same, which the "
      "driver checks by the engine's CONFIG_ID)");
  po::variables_map vm;
  if (auto done = parse_command("export engine-image", args, opts, "design", "DESIGN", vm)) return *done;
  if (!vm.count("output")) return usage_error("export engine-image", "-o IMAGE is required (the image is binary)", opts);
  const ir::Design d = config::load_design(vm["design"].as<std::string>());
  log_design_loaded(d);
  if (d.hw_template != ir::Template::kEngine)
    return usage_error("export engine-image", d.path + " is a streaming design: its weights are on chip or "
                                              "streamed by its own DMAs, and it has no layer descriptors; "
                                              "give a compute engine (template: engine)", opts);
  const std::string path = vm["output"].as<std::string>();
  if (is_stdout(path)) return usage_error("export engine-image", "-o -: the image is binary; give a file", opts);
  if (const std::string problem = check_output_paths({{"output", path}}, input_files(d)); !problem.empty())
    return usage_error("export engine-image", problem, opts);
  const uint64_t seed = vm["seed"].as<uint64_t>();
  const engine::EnginePlan plan = engine::plan_engine(d);
  const std::vector<uint8_t> image =
      platforms::engine_image(d, plan, golden::synthesize_params(d.network, seed));
  if (!write_output("output", path, [&](std::ostream& out) {
        out.write(reinterpret_cast<const char*>(image.data()), std::streamsize(image.size()));
      }))
    return kExitUsage;
  spdlog::info("wrote the network image of {} ({} layers, {} bytes; {} bytes of device memory) to {}", d.name,
               plan.layers.size(), image.size(), plan.ddr_bytes, path);
  return kExitOk;
}

}  // namespace

int cmd_export(const Args& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::ostream& out = args.empty() ? std::cerr : std::cout;
    out << "usage: vine export finn DESIGN [-o FOLDING.json]   (vine export finn --help for its options)\n"
           "       vine export engine-image DESIGN -o IMAGE     (vine export engine-image --help)\n";
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "finn") return export_finn(Args(args.begin() + 1, args.end()));
  if (args[0] == "engine-image") return export_engine_image(Args(args.begin() + 1, args.end()));
  std::cerr << "vine export: unknown format '" << args[0] << "', expected: finn or engine-image\n";
  return kExitUsage;
}

}  // namespace vine::cli
