// `vine dse`: the folding (PE, SIMD per layer) of a streaming design explored
// under a device's resources, on the analytic estimate, with FINN's
// SetFolding on the same network as the baseline (docs/dse.md).
//
// The estimate's interval is the largest per-layer cycle count and its
// resources are a sum over layers (plus FIFOs). So for a target interval T
// the cheapest folding takes, in every layer independently, its cheapest
// option with at most T cycles, where "cheapest" is one scalar: the sum over
// the device's resource kinds of the fraction each option uses (LUT, FF,
// BRAM18, URAM, DSP). Sweeping T over every cycle count a layer can have
// gives one folding per T, each the exact minimum of that scalar over the
// whole space of foldings (the product of every layer's options) that meet
// T, on the per-layer tables.
//
// The per-layer tables are estimated with the other layers unfolded (PE =
// SIMD = 1), and a layer's cycles there are its own stages' but its width
// converters', which depend on its neighbours' widths: a folding the sweep picks is refined in
// context (each layer still slower than T gets the cheapest change of its
// own or a producer's folding that brings it within T, on whole estimates),
// then estimated whole. The front and every reported figure are from those
// whole estimates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/ir/design.h"

namespace vine::explore {

struct Folding {
  int pe = 1, simd = 1;
  bool operator==(const Folding& o) const { return pe == o.pe && simd == o.simd; }
};

// One valid folding of one layer and its estimate (the other layers
// unfolded): the cycles of its stages other than its width converters.
struct LayerOption {
  Folding folding;
  int64_t cycles = 0;
  ir::Resources resources;
};

struct DsePoint {
  std::vector<Folding> folding;  // per network layer
  int64_t target_cycles = 0;     // the T that chose it (0: the baseline)
  bool refined = false;          // changed in context from the tables' choice for T
  estimate::Estimate estimate;   // the whole design's
  double cost = 0;               // the scalar the sweep minimised, from the whole estimate
  bool pareto = false;           // fits, and no other fitting point is as fast and as cheap in every resource
  // Checked by a timing-only run with every FIFO a frame deep
  // (with_frame_deep_fifos): the frames judged (0: not simulated) and the
  // steady interval (0: none reached).
  double simulated_interval = 0;
  int simulated_frames = 0;
};

struct DseOptions {
  double target_fps = 0;  // SetFolding's target; 0: the fastest fitting point's fps
  int verify = 3;         // the fastest fitting front points simulated
  int mvau_wwidth_max = 36;  // SetFolding's cap on SIMD x weight bits
};

struct DseResult {
  std::vector<std::vector<LayerOption>> options;  // per layer, every valid folding
  double space = 0;               // foldings in the whole space (the product of the options)
  int64_t targets = 0;            // targets T swept
  std::vector<DsePoint> points;   // one per distinct folding the sweep chose, fastest first
  DsePoint given;                 // the design's own folding
  int given_match = -1;           // the cheapest fitting point at least as fast as the given one
  DsePoint set_folding;           // FINN's SetFolding at the target
  double set_folding_target_fps = 0;
  int best_match = -1;            // the cheapest fitting point at least as fast as SetFolding's
  double table_seconds = 0, sweep_seconds = 0, refine_seconds = 0, estimate_seconds = 0, verify_seconds = 0;
  double table_evaluations_per_second = 0;  // folding vectors scored on the tables
};

// Every valid folding of every layer and its estimate on the design's
// device, the other layers unfolded (LayerOption).
std::vector<std::vector<LayerOption>> layer_options(const ir::Design& base);

// The scalar cost of resources on a device.
double resource_cost(const ir::Resources& r, const ir::Resources& device);

DseResult explore_folding(const ir::Design& base, const DseOptions& o);

// `base` with the given folding.
ir::Design with_folding(const ir::Design& base, const std::vector<Folding>& f);

}  // namespace vine::explore
