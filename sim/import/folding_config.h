// FINN's folding / hardware config JSON (what FINN's ApplyConfig reads and a
// build writes as final_hw_config.json) applied to the nodes of an ONNX
// model before it is translated: every entry keyed by a node name sets that
// node's attributes (PE, SIMD, ram_style, mem_mode, depth, impl_style, ...);
// `Defaults` entries, `{attr: [value, [op_type, ...] or "all"]}`, set an
// attribute on every node of those op types first, as FINN does.
#pragma once

#include <string>
#include <vector>

#include "sim/import/onnx_model.h"

namespace vine::import {

// Returns the entries naming no node of the model (FINN's ApplyConfig skips
// them too: finn-examples' configs name their LabelSelect and input
// Thresholding, which a dataflow partition may lack). A value that is not an
// integer, string or list of integers is an ImportError naming the file, the
// entry and the value.
std::vector<std::string> apply_folding_config(OnnxModel& m, const std::string& json_path);

}  // namespace vine::import
