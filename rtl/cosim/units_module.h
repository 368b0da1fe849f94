// The boundary between Vine and its Verilated co-simulation units. The units
// (one Verilator model per line of rtl/cosim/units.txt) take most of a cold
// build, and only `--backend rtl` needs them, so they live in a module of
// their own, built apart (target vine_cosim_units) and loaded with dlopen on
// the first co-simulated layer: `vine` builds and runs without them.
//
// The module exports one C function, kUnitsEntry, which hands every unit it
// holds to `add`: the unit's key (LanesConfig::key()) and a function making a
// fresh instance. The instances are models::RtlUnit (lanes or output units),
// whose interfaces are all inline (models/pe/rtl_lanes.h, rtl_output.h), so the module needs none of Vine's
// libraries and keeps every symbol but the entry hidden.
#pragma once

#include "models/pe/rtl_lanes.h"
#include "models/pe/rtl_output.h"

namespace vine::cosim {

using MakeUnit = models::RtlUnit* (*)();
using AddUnit = void (*)(const char* key, MakeUnit make);
using UnitsEntry = void (*)(AddUnit add);

// The entry's symbol name, and the module's file name in the build tree. It
// carries the RtlLanes interface version (models/pe/rtl_lanes.h), so that a
// module built against another version is refused by name, never called.
constexpr const char* kUnitsEntry = "vine_cosim_units_v5";
constexpr const char* kUnitsEnv = "VINE_COSIM_UNITS";  // overrides the module's path

}  // namespace vine::cosim
