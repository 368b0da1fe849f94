// The compute-engine template (unzipFPGA-style, docs/engine.md): one tiled
// T_in x T_out MAC array that runs the network layer by layer, tile by tile,
// with double-buffered on-chip input, weight and output buffers filled and
// drained by one DMA on the board's DDR, and an OVSF weights generator for
// the layers whose weights the network generates. Every figure is a design
// parameter (`engine:` in a design with `template: engine`).
#pragma once

#include <cstdint>

#include "sim/ir/source_location.h"

namespace vine::ir {

// Where the engine's buffers go (`buffers:`, docs/engine.md#resources); a
// buffer of at most 4096 bits is LUTRAM in every case.
enum class EngineBufferMemory {
  kBram,  // RAMB18s in their best aspect ratio (the streaming buffers' rule)
  kUram,  // UltraRAM: 72-bit x 4096-word blocks (288 Kbit)
  kAuto,  // a placement that fits the device's BRAM18 and URAM with the fewest URAM (every one
          // tried); when none fits, the largest in URAM first
};

struct EngineConfig {
  int t_in = 16;   // input channels the array reads per cycle (lanes of each dot product)
  int t_out = 16;  // output channels it computes per cycle (dot products)
  // On-chip buffers, bytes per half (each buffer is two halves: one filled
  // or drained by the DMA while the array uses the other).
  int64_t input_buffer_bytes = 64 * 1024;
  int64_t weight_buffer_bytes = 64 * 1024;
  int64_t output_buffer_bytes = 64 * 1024;
  // The coefficients and kept codes of a generated layer, loaded once at the
  // layer's start (one buffer, not double-buffered).
  int64_t coefficient_buffer_bytes = 64 * 1024;
  // Cycles a tile costs beyond its MAC cycles: the array's pipeline filling
  // and draining and the controller swapping the halves.
  int tile_overhead_cycles = 8;
  // The OVSF weights generator: weights per cycle (a power of two); its
  // latency is the RTL's (vine_rtl_timing.h), by the layer's kept codes.
  int generator_lanes = 16;
  // Input-selective PEs (docs/engine.md#input-selective-pes): each lane of a
  // dot product selects its input word instead of being wired to one input
  // channel, so the T_in lanes take the filter's next T_in weights in
  // [kh][kw][ic] order (other kernel positions once the input channels run
  // out) and a layer with fewer than T_in input channels per window position
  // (the stem, depthwise layers) does not leave lanes idle.
  bool input_selective_pes = false;
  EngineBufferMemory buffers = EngineBufferMemory::kBram;
  SourceLocation where;  // the `engine:` field
  // The buffer fields themselves (or `engine:` when a default was taken):
  // where a tile that does not fit is reported.
  SourceLocation input_buffer_where, weight_buffer_where, output_buffer_where,
      coefficient_buffer_where;
};

}  // namespace vine::ir
