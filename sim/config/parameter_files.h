// A network's `weights_file` and `thresholds_file` fields: .npy files whose
// values replace the synthesised weights and calibrated thresholds
// (docs/data.md). Problems are ConfigErrors naming the config field, the .npy
// file, the element's index and value and the range expected.
#pragma once

#include "sim/config/yaml_fields.h"
#include "sim/ir/network.h"

namespace vine::config {

// The file a `weights_file` / `thresholds_file` field names, resolved against
// the network file's folder (values are read by load_parameter_files).
ir::ParameterFile read_parameter_file_field(const Field& f);

// Reads every layer's parameter files and checks them (check_parameter_files).
// Call after infer_network: shapes and types come from it.
void load_parameter_files(ir::Network& net);

// Checks the values already read against the layers' current shapes and
// types: again after a design overrides a layer's weights or output.
void check_parameter_files(const ir::Network& net);

}  // namespace vine::config
