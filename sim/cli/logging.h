// What `vine` logs, through spdlog, to stderr only: stdout carries the
// reports (tables, summaries, JSON) and must read the same whatever the
// verbosity. Errors are not logged: they keep their own format (main.cpp).
#pragma once

#include <string>

#include "sim/ir/design.h"
#include "sim/ir/network.h"
#include "sim/ir/stage_plan.h"

namespace vine::cli {

enum class Verbosity {
  kQuiet,    // warnings only
  kNormal,   // info: what was loaded, how big the plan is, how long things took
  kVerbose,  // debug: also every stage and FIFO, resolved paths, phase timings
};

// Installs the stderr logger at kNormal; call once before anything logs.
void init_logging();

// Sets the verbosity a -v/--verbose or -q/--quiet asked for. Both may be
// given before the command and among its options; asking for both is a
// usage error: returns false with `problem` filled in.
bool choose_verbosity(Verbosity v, std::string& problem);

Verbosity verbosity();

// Info: the network (layers, classes). Debug: the file it came from.
void log_network_loaded(const ir::Network& net);
// Info: the design, its network and device. Debug: the files, each layer's
// folding, weight memory and PE back-end.
void log_design_loaded(const ir::Design& d);
// Info: stages and FIFOs of the process network (graph edges and internal).
// Debug: every stage and every FIFO with its width, depth and style.
void log_plan(const ir::StreamingPlan& plan);

}  // namespace vine::cli
