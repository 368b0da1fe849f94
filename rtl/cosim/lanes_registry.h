// The Verilated lanes units this build co-simulates, one C++ model per
// parameter set listed in rtl/cosim/units.txt (Verilator specialises a model
// for its parameters at build time, as synthesis does). They live in the
// units module (units_module.h), loaded on first use; a design whose PEs need
// a unit that is not there gets a clear error naming it, and a build whose
// module is not built yet says which command builds it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/pe/rtl_lanes.h"

namespace vine::cosim {

// A fresh instance of the unit built for `c`, or nullptr when none is.
std::unique_ptr<models::RtlLanes> make_lanes(const models::LanesConfig& c);
// The keys (LanesConfig::key()) of every unit available.
std::vector<std::string> built_lanes();
// Whether the Verilated units are there (the module built and loaded).
bool cosim_available();
// Empty when they are; else why not and how to get them: configured without
// Verilator, module not built yet (with the command that builds it), or the
// loader's error.
std::string cosim_problem();
// Where the units module is looked for: $VINE_COSIM_UNITS, else the build
// tree's (empty when this build was configured without Verilator).
std::string units_module_path();

// Puts `make` in place of the unit built for `key` (or adds it), for every
// later make_lanes: how a test substitutes a unit variant.
using LanesFactory = std::function<std::unique_ptr<models::RtlLanes>()>;
void install_lanes(const std::string& key, LanesFactory make);

}  // namespace vine::cosim
