// The Verilated lanes units built into this binary, one C++ model per
// parameter set listed in rtl/cosim/units.txt (Verilator specialises a model
// for its parameters at build time, as synthesis does). A design whose PEs
// need a unit that is not built gets a clear error naming it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/pe/rtl_lanes.h"

namespace vine::cosim {

// A fresh instance of the unit built for `c`, or nullptr when none is.
std::unique_ptr<models::RtlLanes> make_lanes(const models::LanesConfig& c);
// The keys (LanesConfig::key()) of every unit built in.
std::vector<std::string> built_lanes();
// Whether this build has Verilator-built units at all (VINE_BUILD_RTL).
bool cosim_available();

// Puts `make` in place of the unit built for `key` (or adds it), for every
// later make_lanes: how a test substitutes a unit variant.
using LanesFactory = std::function<std::unique_ptr<models::RtlLanes>()>;
void install_lanes(const std::string& key, LanesFactory make);

}  // namespace vine::cosim
