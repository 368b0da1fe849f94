// `vine import qonnx MODEL.onnx -o OUTDIR [--device DEVICE] [--run [run
// options]]`: a QONNX model as Brevitas exports it (Quant, BipolarQuant,
// Relu, MultiThreshold, MatMul, Conv, MaxPool, Add, Reshape/Flatten) into a Vine
// network with its integer weights and thresholds, a default design (PE =
// SIMD = 1) and parameter sidecars (sim/import/qonnx_nodes.h,
// docs/coming-from-finn.md), and at once simulated when --run is given.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/options.h"
#include "sim/import/import_error.h"
#include "sim/import/onnx_model.h"
#include "sim/import/qonnx_nodes.h"
#include "sim/import/write_vine.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_import_qonnx(const Args& all_args) {
  // Everything after --run belongs to `vine run`.
  const auto run_at = std::find(all_args.begin(), all_args.end(), "--run");
  const Args args(all_args.begin(), run_at);
  const bool run = run_at != all_args.end();
  const Args run_args = run ? Args(run_at + 1, all_args.end()) : Args{};

  po::options_description opts(
      "vine import qonnx MODEL.onnx -o OUTDIR [options] [--run [vine run options]]: a QONNX model "
      "(Quant/BipolarQuant "
      "on the input, the weights and the activations, Relu before an unsigned Quant, MatMul, Conv, "
      "MultiThreshold, "
      "MaxPool, Add, Reshape/Flatten; power-of-two scales; docs/coming-from-finn.md) as a Vine "
      "network with its integer weights and thresholds, a default design "
      "(PE = SIMD = 1) and .npy sidecars; --run simulates the design at once, and every option "
      "after it is `vine run`'s");
  opts.add_options()("help,h", "show this help")("output,o", po::value<std::string>(),
                                                 "folder to write into (created)")(
      "device", po::value<std::string>()->default_value(VINE_DEFAULT_DEVICE),
      "the device the design targets (default: PYNQ-Z1, as `vine import finn`)")(
      "run", "then run the design: the options after it are `vine run`'s");
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>(), "");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, hidden, pos, vm)) return kExitUsage;
  if (vm.count("help")) {
    print_help(std::cout, opts);
    return kExitOk;
  }
  if (!vm.count("model")) return usage_error("import qonnx", "missing MODEL.onnx", opts);
  if (!vm.count("output")) return usage_error("import qonnx", "missing -o OUTDIR", opts);
  const std::string model_path = vm["model"].as<std::string>();
  const std::string out_dir = vm["output"].as<std::string>();
  const std::string device = vm["device"].as<std::string>();
  if (!std::filesystem::is_regular_file(device))
    return usage_error("import qonnx", "--device " + device + ": no such file", opts);

  import::WrittenFiles written;
  try {
    const import::OnnxModel model = import::read_onnx_model(model_path);
    const import::ImportedDesign d = import::translate_qonnx_model(model);
    for (const auto& note : d.notes) spdlog::info("import: {}", note);
    written = import::write_vine_configs(d, out_dir, model_path, device);
    std::printf("imported %s: %zu layers\n  %s\n  %s\n  %d parameter files in %s\n",
                model_path.c_str(), d.layers.size(), written.network.c_str(),
                written.design.c_str(), written.sidecars,
                (std::filesystem::path(out_dir) / "params").string().c_str());
    std::fflush(stdout);
  } catch (const import::ImportError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitUsage;
  }
  if (!run) return kExitOk;
  Args r{written.design};
  r.insert(r.end(), run_args.begin(), run_args.end());
  return cmd_run(r);
}

}  // namespace vine::cli
