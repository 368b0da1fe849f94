// `vine import finn MODEL.onnx -o OUTDIR [--config JSON] [--device DEVICE]
// [--run [run options]]`: a FINN dataflow model into a Vine network, design
// and parameter sidecars (sim/import/, docs/coming-from-finn.md), and at
// once simulated with `vine run` when --run is given.
#include <string>
#include <vector>

#include "sim/cli/import_model.h"
#include "sim/import/finn_nodes.h"
#include "sim/import/folding_config.h"

namespace vine::cli {

namespace po = boost::program_options;

int cmd_import_finn(const Args& args) {
  ModelImport m;
  m.kind = "finn";
  m.description =
      "a FINN dataflow model (its MVAU, VVAU, Thresholding, padding, window, max pool, add, duplicate, "
      "width-converter and FIFO nodes with their weights and thresholds; docs/coming-from-finn.md) as a Vine "
      "network, design and .npy sidecars; --run simulates the design at once, and every option after it is "
      "`vine run`'s";
  m.device_help = "the device the design targets (default: PYNQ-Z1, FINN's notebooks' board)";
  m.add_options = [](po::options_description& opts) {
    opts.add_options()("config", po::value<std::string>(),
                       "FINN folding or final hardware config JSON, keyed by node name, applied to the nodes first");
  };
  m.translate = [](import::OnnxModel& model, const po::variables_map& vm) {
    std::vector<std::string> unused;
    if (vm.count("config")) unused = import::apply_folding_config(model, vm["config"].as<std::string>());
    import::ImportedDesign d = import::translate_finn_model(model);
    for (const auto& name : unused)
      d.notes.push_back("--config entry '" + name + "' names no node of the model: not applied");
    return d;
  };
  m.counts = [](const import::ImportedDesign& d) {
    return std::to_string(d.layers.size()) + " layers, " + std::to_string(d.fifos.size()) + " FIFOs";
  };
  return run_model_import(args, m);
}

}  // namespace vine::cli
