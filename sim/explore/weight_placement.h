// `vine dataflow`: where each layer's weights live, on chip or streamed from
// the board's DDR, chosen to move the fewest weight bytes from DDR per frame
// while the whole design's BRAM18 stays within a budget (Nguyen, Kim and
// Lee's objective; docs/dataflow.md).
//
// Every layer with weights has a short list of options (placement_options):
// its weights in the design's on-chip memory for that layer (bram when the
// design put it in ddr), or in ddr, read once per vector, or, for a conv
// layer, once per output row or once per frame (docs/ddr-weights.md). An option's cost is measured on the
// estimate of the design with that one layer changed: the BRAM18 it adds to
// the whole design's (its weight memory, and any FIFO the change brings)
// and the DDR bytes per frame the layer's weight stream moves. Both sum over
// layers, so the best placement for a budget is a multiple-choice knapsack,
// solved exactly by dynamic programming over whole BRAM18 counts. The same
// table gives the optimum at every budget at once: the Pareto front of BRAM18
// against DDR bytes per frame. The interval is not a sum (DDR channel cycles
// add up across layers and the interval is the largest of the stages' and
// the channels'), so every front point's fps is the whole design's estimate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/estimate/estimate.h"
#include "sim/ir/design.h"

namespace vine::explore {

// One place a layer's weights can live, and what it costs the design.
struct PlacementOption {
  ir::MemoryStyle memory = ir::MemoryStyle::kBram;
  ir::WeightSchedule schedule = ir::WeightSchedule::kVector;  // in DDR: how often it is read
  // The whole design's BRAM18 with this layer at this option and every other
  // layer as given, minus the design's as given: may be negative.
  int64_t bram18_delta = 0;
  uint64_t ddr_bytes_per_frame = 0;  // the layer's weight stream's (0 on chip)
};

// The options of layer `layer` of `d` (which must have weights), on-chip
// first. An option whose design the estimate or the weight-stream planner
// refuses (a weight word wider than a DDR burst chunk, no DDR) is left out.
std::vector<PlacementOption> placement_options(const ir::Design& d, int layer);

// `d` with every layer's weight memory and schedule as `memory` and
// `schedule` give them (one entry per network layer; layers without weights
// keep theirs; an empty `schedule` leaves the schedules as they are).
ir::Design with_weight_memory(const ir::Design& d, const std::vector<ir::MemoryStyle>& memory,
                              const std::vector<ir::WeightSchedule>& schedule = {});

// One placement: the optimum of some budget, estimated whole.
struct PlacementPoint {
  std::vector<ir::MemoryStyle> memory;  // per network layer
  std::vector<ir::WeightSchedule> schedule;  // per network layer
  int64_t bram18 = 0;                   // the knapsack's sum (equal to the estimate's)
  uint64_t ddr_bytes_per_frame = 0;     // likewise
  int layers_in_ddr = 0;
  estimate::Estimate estimate;          // the whole design's: fps, interval, resources
};

struct PlacementResult {
  std::vector<int> layers;                          // the network layers with weights, in order
  std::vector<std::vector<PlacementOption>> options;  // per entry of `layers`
  int64_t budget_bram18 = 0;
  int64_t given_bram18 = 0;  // the design's as given
  // The least BRAM18 any placement needs (every layer at its cheapest
  // option): above the budget, no placement fits and `chosen` is empty.
  int64_t least_bram18 = 0;
  int64_t most_bram18 = 0;   // every layer at its dearest option
  bool feasible = false;
  PlacementPoint chosen;     // the optimum for the budget
  PlacementPoint given;      // the design as given
  // The optimum at every budget from least_bram18 to most_bram18 at which
  // it changes, cheapest first: BRAM18 increasing, DDR bytes decreasing
  // strictly. Among placements with the same DDR bytes, the one with the
  // fewest BRAM18.
  std::vector<PlacementPoint> front;
  int chosen_index = -1;     // the front point chosen (the last within the budget)
};

// The placement of `d`'s weights that moves the fewest DDR bytes per frame
// with the design's BRAM18 at most `budget_bram18` (< 0: the device's), and
// the front. Throws ConfigError when the design as given cannot be estimated.
PlacementResult place_weights(const ir::Design& d, int64_t budget_bram18 = -1);

}  // namespace vine::explore
