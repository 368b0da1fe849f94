// The shared body of `vine import finn` and `vine import qonnx`: an ONNX
// model read, translated by its kind into a Vine network and design,
// written with its .npy sidecars into -o OUTDIR, and run at once with
// --run (every option after it is `vine run`'s).
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <string>

#include "sim/cli/commands.h"
#include "sim/import/imported_design.h"
#include "sim/import/onnx_model.h"

namespace vine::cli {

struct ModelImport {
  std::string kind;         // "finn", "qonnx": the command is `vine import <kind>`
  std::string description;  // the help's text after the usage line
  std::string device_help;  // what --device defaults to, and why
  // The kind's own options, beside -o, --device and --run.
  std::function<void(boost::program_options::options_description&)> add_options;
  // The model into a design (the kind may edit the model first, as FINN's
  // folding config does).
  std::function<import::ImportedDesign(import::OnnxModel&, const boost::program_options::variables_map&)>
      translate;
  // What the summary line counts after the file name: "N layers, ...".
  std::function<std::string(const import::ImportedDesign&)> counts;
};

int run_model_import(const Args& all_args, const ModelImport& m);

}  // namespace vine::cli
