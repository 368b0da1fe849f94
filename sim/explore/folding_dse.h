// `vine dse`: the folding (PE, SIMD per layer) of a streaming design explored
// under a device's resources, on the analytic estimate, with FINN's
// SetFolding on the same network as the baseline (docs/dse.md). On request
// (DseSpace) also each layer's weight arithmetic and widths and its weights'
// placement, with an accuracy proxy (accuracy_proxy.h) as one more objective.
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
//
// With a DseSpace, a layer's options are its foldings x its weight choices
// (WeightChoice) x its placements, and the scalar becomes the option's
// resource cost + its share of a DDR channel at T + lambda x its accuracy
// proxy: still a sum over layers for a fixed T and lambda, so the sweep runs
// over T once per lambda and stays exact on the tables. The front is over
// interval, every resource, DDR bytes per frame and the proxy.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/explore/fifo_sizing.h"
#include "sim/ir/design.h"

namespace vine::explore {

struct Folding {
  int pe = 1, simd = 1;
  bool operator==(const Folding& o) const { return pe == o.pe && simd == o.simd; }
};

// One choice of a layer's weights: the network's own, or an override of its
// arithmetic and widths (one type for the layer, or one per channel group),
// as a design's per-layer `weights:` / `channel_groups:` writes it.
struct WeightChoice {
  bool own = true;
  std::optional<ir::WeightType> weights;    // not own, no groups: the layer's one type
  std::vector<ir::ChannelGroup> channel_groups;  // not own: one type per group of the network's
  double error = 0;   // the accuracy proxy's error of the choice (accuracy_proxy.h); 0 for own
  std::string label;  // "own", "fixed3", "pow2e2", "binary", "ternary", "[fixed4|fixed2]"
};

// One valid option of one layer, a folding under a weight choice and a
// placement, and its estimate (the other layers unfolded, as given
// otherwise): the cycles of its stages other than its width converters, and
// in DDR also its weight stream's channel cycles.
struct LayerOption {
  Folding folding;
  int64_t cycles = 0;
  ir::Resources resources;
  int weights = 0;  // index into DseResult::weight_choices[layer] (0: own)
  ir::MemoryStyle memory = ir::MemoryStyle::kBram;  // where its weights live (the layer's own when it has none)
  // In DDR: the cycles per frame its weight stream holds its busiest DDR
  // channel, and the bytes it moves; 0 on chip.
  int64_t ddr_cycles = 0;
  uint64_t ddr_bytes_per_frame = 0;
  double proxy = 0;  // the layer's sensitivity x its weight choice's error
};

// The space beyond the folding (docs/dse.md). Empty: the folding alone,
// with every layer's weights and placement as the design has them.
struct DseSpace {
  // Weight arithmetic to try on the layers that allow it, and the storage
  // widths: fixed at each width, pow2 at each width from 3 to 6 (exponent
  // bits = width - 2), binary and ternary at theirs; none wider than the
  // layer's (or the channel group's) own.
  std::vector<ir::WeightArithmetic> arithmetic;
  std::vector<int> widths = {2, 3, 4, 5, 6, 7, 8};
  bool placement = false;  // also each weighted layer's weights in DDR (FINN's per-vector schedule)
  std::map<std::string, double> sensitivities;  // by layer name; absent: 1
  // The weights lambda of the proxy in the sweep's objective; empty: {0}
  // when no choice has an error, else kDefaultProxyWeights.
  std::vector<double> proxy_weights;
  uint64_t seed = 1;  // of the reference weights (vine run's default)
};

inline const std::vector<double> kDefaultProxyWeights = {0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 100};

struct DsePoint {
  std::vector<Folding> folding;  // per network layer
  std::vector<int> option;       // per network layer: its index in DseResult::options (-1: none, the given design's)
  int64_t target_cycles = 0;     // the T that chose it (0: the baseline)
  double proxy_weight = 0;       // the lambda that chose it
  bool refined = false;          // changed in context from the tables' choice for T
  estimate::Estimate estimate;   // the whole design's
  double cost = 0;               // the resource cost (resource_cost) of the whole estimate
  double proxy = 0;              // the accuracy proxy: the sum over layers of LayerOption::proxy
  uint64_t ddr_bytes_per_frame = 0;  // the whole estimate's weight streams'
  // Fits, and no other fitting point is as good in interval, every resource,
  // DDR bytes and proxy, and better in one.
  bool pareto = false;
  // Checked by a timing-only run with every FIFO a frame deep
  // (with_frame_deep_fifos): the frames judged (0: not simulated) and the
  // steady interval (0: none reached).
  double simulated_interval = 0;
  int simulated_frames = 0;
  // With DseOptions::size_fifos, a simulated point's FIFOs sized by `vine
  // fifo-size`'s search (fifo_sizing.h) to the interval of its unbounded
  // FIFOs, and the point estimated again with them: its resources and fit
  // then count the FIFOs it needs, not the design's depths.
  bool fifos_sized = false;
  std::string sizing_error;        // why the sizing stopped (the figures below then unset)
  double sized_interval = 0;       // the sized design's steady interval, simulated (0: none reached)
  bool sized_least = false;        // no FIFO can be one beat shallower (FifoSizing::least)
  std::vector<SizedFifo> sized_fifos;  // every FIFO of the point, its depth the one found
  int64_t sized_fifo_bits() const {  // the sum over them of depth x width
    int64_t bits = 0;
    for (const SizedFifo& f : sized_fifos) bits += int64_t{f.bits} * f.depth;
    return bits;
  }
  estimate::Estimate sized_estimate;  // the whole estimate with the sized FIFOs
};

struct DseOptions {
  double target_fps = 0;  // SetFolding's target; 0: the fastest fitting point's fps
  int verify = 3;         // the fastest fitting front points simulated
  bool size_fifos = false;  // also size the simulated points' FIFOs (DsePoint::fifos_sized)
  int fifo_jobs = 1;        // FifoSizingOptions::jobs of those sizings
  int mvau_wwidth_max = 36;  // SetFolding's cap on SIMD x weight bits
  DseSpace space;
};

struct DseResult {
  std::vector<std::vector<WeightChoice>> weight_choices;  // per layer; [0] is the own
  std::vector<std::vector<LayerOption>> options;  // per layer, every valid option
  std::vector<double> proxy_weights;  // the lambdas swept
  double space = 0;               // options in the whole space (the product of the layers')
  int64_t targets = 0;            // targets T swept (per lambda)
  std::vector<DsePoint> points;   // one per distinct choice the sweep made, fastest first
  DsePoint given;                 // the design's own folding
  int given_match = -1;           // the cheapest fitting point at least as fast as the given one
  DsePoint set_folding;           // FINN's SetFolding at the target
  double set_folding_target_fps = 0;
  int best_match = -1;            // the cheapest fitting point at least as fast as SetFolding's
  double table_seconds = 0, sweep_seconds = 0, refine_seconds = 0, estimate_seconds = 0, verify_seconds = 0;
  double table_evaluations_per_second = 0;  // design points scored on the tables
};

// Every valid folding of every layer and its estimate on the design's
// device, the other layers unfolded (LayerOption): the weights and
// placement as given.
std::vector<std::vector<LayerOption>> layer_options(const ir::Design& base);

// The same over a space: every layer's foldings under each of its weight
// choices (filled in `choices`) and placements.
std::vector<std::vector<LayerOption>> layer_options(const ir::Design& base, const DseSpace& space,
                                                    std::vector<std::vector<WeightChoice>>& choices);

// The scalar cost of resources on a device.
double resource_cost(const ir::Resources& r, const ir::Resources& device);

// What the sweep minimises per layer for target T and proxy weight lambda:
// the option's resource cost, plus its share of a DDR channel at T (its
// channel cycles / T), plus lambda x its proxy.
double sweep_objective(const LayerOption& op, const ir::Resources& device, int64_t t, double lambda);

DseResult explore_folding(const ir::Design& base, const DseOptions& o);

// `base` with the given folding.
ir::Design with_folding(const ir::Design& base, const std::vector<Folding>& f);

// `base` with a point's options (its folding, weights and placement); with
// `overridden`, which layers' weights differ from the network's.
ir::Design design_of(const ir::Design& base, const DseResult& r, const std::vector<int>& option,
                     std::vector<bool>* overridden = nullptr);

}  // namespace vine::explore
