// Writes an imported FINN model as Vine configs: OUTDIR/network.yaml (layers,
// with `weights_file:` / `thresholds_file:` naming .npy sidecars in
// OUTDIR/params/), OUTDIR/design.yaml (folding, weight memories, FIFO depths
// and styles) and the sidecars themselves. Each file is written through a
// temporary beside it and renamed whole.
#pragma once

#include <string>

#include "sim/import/imported_design.h"

namespace vine::import {

struct WrittenFiles {
  std::string network, design;
  int sidecars = 0;
};

// `model_path` and `device_path` are named in the files' comments and the
// design's `device:` (relative to OUTDIR when it can be).
WrittenFiles write_vine_configs(const ImportedDesign& d, const std::string& out_dir, const std::string& model_path,
                                const std::string& device_path);

}  // namespace vine::import
