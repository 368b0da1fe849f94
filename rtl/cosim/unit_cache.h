// Co-simulation units Verilated on demand. A design whose PEs need a lanes
// unit that the build's units module does not hold gets it built the first
// time, into a cache outside the source and build trees, and loaded from
// there every time after: any design co-simulates without editing
// rtl/cosim/units.txt (which the regression keeps for its own designs).
//
// A unit's cache entry is a folder named after the unit and a hash of
// everything its model depends on: the unit's parameters (LanesConfig::key()),
// the RTL sources' content (the same MD5 the build passes Verilator), the
// Verilator arguments, the C++ compiler and the content of the wrapper's
// sources (rtl/cosim/'s adapters, the interfaces they implement, and
// unit_cache.cpp, which writes the options below). It holds a small CMake project
// that Verilates that one unit into a module like the build's (units_module.h)
// and the module itself, unit.so, renamed into place only when whole. A lock
// file keeps two processes from building one entry at once.
//
// Where: $VINE_COSIM_CACHE, else $XDG_CACHE_HOME/vine/cosim, else
// ~/.cache/vine/cosim.
#pragma once

#include <string>

#include "models/pe/rtl_lanes.h"

namespace vine::cosim {

struct UnitModule {
  std::string path;     // the module, when there is one
  std::string error;    // else why not (with the build log's path)
  bool built = false;   // built by this call (false: found in the cache)
  double seconds = 0;   // the build's wall time
};

// Whether this build can build units on demand (Verilator found at configure).
bool on_demand_available();
// The cache folder in use.
std::string unit_cache_dir();
// The module holding the unit for `c`: from the cache, or Verilated and
// compiled now (minutes; a line on stderr says so first).
UnitModule unit_module_on_demand(const models::LanesConfig& c);

}  // namespace vine::cosim
