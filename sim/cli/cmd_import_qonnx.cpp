// `vine import qonnx MODEL.onnx -o OUTDIR [--device DEVICE] [--run [run
// options]]`: a QONNX model as Brevitas exports it (Quant, BipolarQuant,
// Relu, MultiThreshold, MatMul, Conv, MaxPool, Add, Reshape/Flatten) into a Vine
// network with its integer weights and thresholds, a default design (PE =
// SIMD = 1) and parameter sidecars (sim/import/qonnx_nodes.h,
// docs/coming-from-finn.md), and at once simulated when --run is given.
#include <string>

#include "sim/cli/import_model.h"
#include "sim/import/qonnx_nodes.h"

namespace vine::cli {

int cmd_import_qonnx(const Args& args) {
  ModelImport m;
  m.kind = "qonnx";
  m.description =
      "a QONNX model (Quant/BipolarQuant on the input, the weights and the activations, Relu before an unsigned "
      "Quant, MatMul, Conv, MultiThreshold, MaxPool, Add, Reshape/Flatten; power-of-two scales; "
      "docs/coming-from-finn.md) as a Vine network with its integer weights and thresholds, a default design "
      "(PE = SIMD = 1) and .npy sidecars; --run simulates the design at once, and every option after it is "
      "`vine run`'s";
  m.device_help = "the device the design targets (default: PYNQ-Z1, as `vine import finn`)";
  m.translate = [](import::OnnxModel& model, const boost::program_options::variables_map&) {
    return import::translate_qonnx_model(model);
  };
  m.counts = [](const import::ImportedDesign& d) { return std::to_string(d.layers.size()) + " layers"; };
  return run_model_import(args, m);
}

}  // namespace vine::cli
