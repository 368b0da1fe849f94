// How the compute engine (docs/engine.md) cuts each layer into tiles, and
// where every tile's operands lie in DDR: the one plan that `vine validate`
// checks against the buffers, the simulation executes and the closed form
// sums. Pure arithmetic on the IR: no SystemC, no data.
//
// Loop order, per layer (docs/engine.md#loop-order):
//   for each row tile (output rows [row_begin, row_end), every column)
//     for each output-channel group (T_out filters, [oc_begin, oc_end))
//       the array: for each output pixel of the tile, for each kernel
//       position, for each group of T_in input channels: one cycle (with
//       input-selective PEs: for each T_in words of the pixel's window in
//       [kh][kw][ic] order: one cycle; and a group of c < T_out filters
//       takes floor(T_out / c) pixels at once).
// A tile is one (row tile, channel group) pair. A row tile's input rows are
// loaded once (before its first group), its output rows stored once (after
// its last group); a group's weights are loaded (or generated) whenever the
// tile before used another group, so a layer with one group loads them once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/ir/design.h"

namespace vine::engine {

// Bytes an element of `bits` occupies in DDR and in the buffers: whole bytes
// (choice: byte-aligned elements, as a DMA moves them).
inline int64_t element_bytes(int bits) {
  return (bits + 7) / 8;
}

// One contiguous DDR transfer.
struct Transfer {
  uint64_t address = 0;
  uint64_t bytes = 0;
};

struct EngineTile {
  int row_tile = 0, group = 0;
  int row_begin = 0, row_end = 0;        // output rows
  int in_row_begin = 0, in_row_end = 0;  // input rows read (inside the input, padding excluded)
  int oc_begin = 0,
      oc_end = 0;  // output channels of the group (all of them for a layer with one group)
  bool loads_weights = false;   // a new group: dense weights loaded or generated weights generated
  bool loads_inputs = false;    // a new row tile
  bool stores_outputs = false;  // the row tile's last group
  std::vector<Transfer> weight_loads;  // dense weights of the group (none when generated)
  std::vector<Transfer> input_loads;   // one per input of the layer
  Transfer output_store;               // when stores_outputs
  // Output pixels the dot products compute at once: 1, or with input-selective
  // PEs on a conv group of c < T_out filters min(floor(T_out / c), pixels of
  // the tile) (docs/engine.md#input-selective-pes).
  int pixels_per_set = 1;
  int64_t mac_cycles = 0;              // the array's cycles for the tile, without the overhead
  int64_t macs = 0;                    // useful multiply-accumulates
  int64_t generated_weights =
      0;  // weights the generator makes for the tile (0 unless loads_weights)
};

struct EngineLayerPlan {
  int layer = 0;  // index in the network
  std::string name;
  int rows_per_tile = 0, row_tiles = 0, groups = 0;
  bool generated = false;                   // weights from the OVSF generator
  int code_length = 0, kept = 0;            // generated: the OVSF code length L and kept codes
  int generator_lanes = 0;                  // generated: min(engine lanes, L)
  int64_t filter_len = 0;                   // weighted: weights per filter
  std::vector<Transfer> coefficient_loads;  // generated: once, at the layer's start
  // Buffer bytes one half holds at most (the largest tile's).
  int64_t input_tile_bytes = 0, weight_tile_bytes = 0, output_tile_bytes = 0, coefficient_bytes = 0;
  uint64_t output_address = 0;  // where the layer's output lies in DDR (HWC)
  std::vector<EngineTile> tiles;
};

struct EnginePlan {
  uint64_t input_address = 0;  // the network's input frame in DDR (HWC)
  uint64_t ddr_bytes = 0;      // end of the engine's DDR image
  std::vector<EngineLayerPlan> layers;
};

// The plan; throws config::ConfigError, at the design's `engine:` field or
// the layer's entry in the network, for a layer kind the engine does not run
// yet or a tile that does not fit its buffer (with the numbers).
EnginePlan plan_engine(const ir::Design& d);

}  // namespace vine::engine
