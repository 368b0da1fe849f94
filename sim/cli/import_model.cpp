#include "sim/cli/import_model.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "sim/cli/exit_codes.h"
#include "sim/cli/options.h"
#include "sim/import/import_error.h"
#include "sim/import/write_vine.h"

namespace vine::cli {

namespace po = boost::program_options;

int run_model_import(const Args& all_args, const ModelImport& m) {
  const std::string cmd = "import " + m.kind;
  // Everything after --run belongs to `vine run`.
  const auto run_at = std::find(all_args.begin(), all_args.end(), "--run");
  const Args args(all_args.begin(), run_at);
  const bool run = run_at != all_args.end();
  const Args run_args = run ? Args(run_at + 1, all_args.end()) : Args{};

  po::options_description opts("vine " + cmd + " MODEL.onnx -o OUTDIR [options] [--run [vine run options]]: " +
                               m.description);
  opts.add_options()("help,h", "show this help")("output,o", po::value<std::string>(), "folder to write into (created)");
  if (m.add_options) m.add_options(opts);
  opts.add_options()("device", po::value<std::string>()->default_value(VINE_DEFAULT_DEVICE), m.device_help.c_str())(
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
  if (!vm.count("model")) return usage_error(cmd, "missing MODEL.onnx", opts);
  if (!vm.count("output")) return usage_error(cmd, "missing -o OUTDIR", opts);
  const std::string model_path = vm["model"].as<std::string>();
  const std::string out_dir = vm["output"].as<std::string>();
  const std::string device = vm["device"].as<std::string>();
  if (!std::filesystem::is_regular_file(device)) return usage_error(cmd, "--device " + device + ": no such file", opts);

  import::WrittenFiles written;
  try {
    import::OnnxModel model = import::read_onnx_model(model_path);
    const import::ImportedDesign d = m.translate(model, vm);
    for (const auto& note : d.notes) spdlog::info("import: {}", note);
    written = import::write_vine_configs(d, out_dir, model_path, device);
    std::printf("imported %s: %s\n  %s\n  %s\n  %d parameter files in %s\n", model_path.c_str(),
                m.counts(d).c_str(), written.network.c_str(), written.design.c_str(), written.sidecars,
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
