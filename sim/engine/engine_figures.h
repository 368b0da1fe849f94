// What the compute engine (docs/engine.md) reports per layer, for the
// simulation (`vine run`) and the closed form (`vine estimate`) alike, and
// the one rule that splits a phase's cycles into computing and waiting.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/engine/engine_tiling.h"

namespace vine::engine {

struct EngineLayerFigures {
  std::string name, kind;
  bool generated = false;  // weights from the OVSF generator
  int rows_per_tile = 0, row_tiles = 0, groups = 0, tiles = 0;
  int64_t cycles = 0;   // the layer's phases, from its first load to its last store
  int64_t compute = 0;  // cycles the array computes (MAC cycles and tile overheads)
  int64_t weight_wait =
      0;  // cycles the array waits for weights (DDR, coefficients or the generator)
  int64_t activation_wait = 0;  // cycles it waits for activations (input loads, output stores)
  int64_t macs = 0;             // useful multiply-accumulates
  int64_t ddr_read_bytes = 0, ddr_write_bytes = 0;
  int64_t weight_ddr_bytes = 0;   // of the reads: dense weights and coefficients
  int64_t generated_weights = 0;  // weights the generator made
  // With input-selective PEs on: the layer's cycles the same engine takes
  // with them off (the closed form's, which equals the simulation's), for
  // the utilisation with and without; 0 when they are off.
  int64_t cycles_without_selection = 0;
  // Useful MACs over the array's T_in x T_out MACs in every cycle of the layer.
  double utilisation(int t_in, int t_out) const {
    return cycles ? double(macs) / (double(t_in) * t_out * double(cycles)) : 0.0;
  }
  double utilisation_without_selection(int t_in, int t_out) const {
    return cycles_without_selection
               ? double(macs) / (double(t_in) * t_out * double(cycles_without_selection))
               : 0.0;
  }
};

struct EngineFigures {
  std::string design;
  double clock_mhz = 0;
  int t_in = 0, t_out = 0;
  bool input_selective_pes = false;
  int64_t cycles = 0;                    // one frame, every layer
  int64_t cycles_without_selection = 0;  // input-selective PEs on: the frame with them off
  std::vector<EngineLayerFigures> layers;
  double fps() const { return cycles ? clock_mhz * 1e6 / double(cycles) : 0.0; }
};

// One phase of the double-buffered schedule: the array computes for `compute`
// cycles while the DMA moves activations for `activations` and weights (or
// coefficients) for `weights` cycles, one transfer after the other, and the
// generator runs for `generator`; the phase ends when all are done. Adds the
// phase to `f` and returns its cycles, max(compute, activations + weights,
// generator). The cycles past `compute` are waiting: for activations as far
// as the activation transfers alone would have made the array wait, for
// weights for the rest.
int64_t account_phase(EngineLayerFigures& f, int64_t compute, int64_t activations, int64_t weights,
                      int64_t generator);

// The figures' skeleton for a layer of the plan: name, kind, tiling.
EngineLayerFigures layer_figures(const ir::Design& d, const EngineLayerPlan& lp);

// A table of the layers (cycles, computing, waiting, utilisation, bytes).
std::string format_engine_table(const EngineFigures& f, const std::string& title);
nlohmann::json to_json(const EngineFigures& f);

}  // namespace vine::engine
