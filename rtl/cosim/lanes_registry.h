// The Verilated units this build co-simulates (the PEs' lanes units and
// their output units), one C++ model per
// parameter set (Verilator specialises a model for its parameters, as
// synthesis does). Those listed in rtl/cosim/units.txt live in the units
// module (units_module.h), loaded on first use; any other is Verilated on
// demand into a cache and loaded from there (unit_cache.h). Without Verilator
// at configure time there are none, and a co-simulation run says so.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/pe/rtl_generator.h"
#include "models/pe/rtl_lanes.h"
#include "models/pe/rtl_output.h"

namespace vine::cosim {

// A fresh instance of the unit for `c`, built on demand if this build's
// module lacks it; nullptr when there is none, with the reason in `why`.
std::unique_ptr<models::RtlLanes> make_lanes(const models::LanesConfig& c, std::string* why = nullptr);
// The same for an output unit (multithreshold, requantizer).
std::unique_ptr<models::RtlOutput> make_output_unit(const models::LanesConfig& c, std::string* why = nullptr);
// The same for the compute engine's weights generator (ovsf_generator).
std::unique_ptr<models::RtlGenerator> make_generator(const models::LanesConfig& c, std::string* why = nullptr);
// The keys (LanesConfig::key()) of every unit loaded so far.
std::vector<std::string> built_lanes();
// Whether Verilated units are there: the module loaded, or units on demand.
bool cosim_available();
// Empty when they are; else why not and how to get them: configured without
// Verilator, or the module named by $VINE_COSIM_UNITS cannot be loaded.
std::string cosim_problem();
// Where the units module is looked for: $VINE_COSIM_UNITS, else the build
// tree's (empty when this build was configured without Verilator).
std::string units_module_path();

// Puts `make` in place of the unit built for `key` (or adds it), for every
// later make_lanes: how a test substitutes a unit variant.
// An empty `make` takes the key's entry out (the unit is then built or
// loaded as if never installed).
// A factory makes the kind of unit its key names (models::is_output_unit,
// models::is_generator_unit).
using LanesFactory = std::function<std::unique_ptr<models::RtlUnit>()>;
void install_lanes(const std::string& key, LanesFactory make);
// The entry make_lanes takes for `key` now (empty when there is none): a
// test that installs a variant saves it and puts it back afterwards, so
// that later tests in the same process get the real unit.
LanesFactory installed_lanes(const std::string& key);

}  // namespace vine::cosim
