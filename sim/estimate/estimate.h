// The analytic estimate of a streaming design: closed-form cycles per stage and
// layer, the interval (slowest layer), fps, and resources against the device.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/ir/design.h"
#include "sim/ir/stage_plan.h"

namespace vine::estimate {

struct StageEstimate {
  ir::StagePlan plan;
  int64_t cycles = 0;
  ir::Resources resources;
};

struct LayerEstimate {
  std::string name;
  std::string kind;
  int pe = 1, simd = 1;
  int64_t cycles = 0;  // the slowest of its stages: the layer's initiation interval per frame
  ir::Resources resources;
  // Its MVAU's (VVAU's) weight memory alone, part of `resources`: in its
  // weight_memory style, nothing when the weights are in DDR.
  ir::Resources weight_memory;
  std::vector<StageEstimate> stages;
  // Weights in DDR (models/layers/weight_stream.h): bytes the DDR moves for
  // them per frame (whole bursts), and the channel they are on; else 0, -1.
  uint64_t ddr_bytes_per_frame = 0;
  int ddr_channel = -1;
};

// A DDR channel the weight streams share: the cycles per frame its grants
// hold it, summed over its streams. The channel can serve no faster.
struct DdrChannelEstimate {
  int channel = 0;
  int64_t cycles = 0;            // accelerator cycles per frame
  uint64_t bytes_per_frame = 0;  // moved, whole bursts
  std::vector<std::string> streams;  // the weight streamers and DMAs on it, in pipeline order
};

// A DMA whose frames are in DDR (`dma_memory: ddr`, models/layers/frame_buffers.h).
struct DmaEstimate {
  std::string stage;             // "input_dma", "output_dma"
  int64_t cycles = 0;            // its closed-form cycles per frame
  uint64_t bytes_per_frame = 0;  // the DDR moves, whole bursts
  int channel = 0;               // the channel of its first burst
};

// One stream of the process network, as the simulator builds it: the stage
// plan's width, depth and style, so the cost is that of the FIFO that runs.
struct FifoEstimate {
  std::string name;                // the plan's (and the simulator's) FIFO name
  std::string producer, consumer;  // stage names
  bool graph_edge =
      false;  // an edge of the layer graph; else inside a layer (converters, duplicators, ...)
  int depth = 0;
  int width_bits = 0;
  bool memory_style = false;
  ir::Resources resources;
};

struct Estimate {
  std::string design;
  double clock_mhz = 0;
  int64_t interval_cycles = 0;
  double fps = 0;
  // The bottleneck, one definition for the estimate and the run: the
  // stage(s) with the most cycles of work per frame (interval_cycles), every
  // one of them when several tie, in pipeline order; and their layers.
  std::vector<std::string> bottleneck_stages;
  std::vector<std::string> bottleneck_layers;
  std::string bottleneck;         // the first of bottleneck_layers (a DMA's stage name when none)
  // A DDR channel whose weight streams (and DMAs) need more cycles per
  // frame than any stage (-1: none): then the interval is its cycles, and
  // the bottleneck stages are the streamers and DMAs contending for it.
  int bottleneck_ddr_channel = -1;
  std::vector<DdrChannelEstimate> ddr_channels;  // the channels weight streams and DMAs use
  // With `dma_memory: ddr`, the two DMAs (whose cycles then count towards
  // the interval); empty with an ideal memory, which never holds them up.
  std::vector<DmaEstimate> dmas;
  int64_t latency_cycles_sum = 0; // FINN's pessimistic latency: the sum of layer cycles
  ir::Resources resources;        // layers + FIFOs (graph edges and layer-internal streams)
  ir::Resources device;
  std::string device_name;
  bool fits = false;
  std::vector<LayerEstimate> layers;
  std::vector<FifoEstimate> fifos;  // every stream of the plan, in pipeline order
};

// Throws ConfigError for designs the analytic model does not cover.
Estimate estimate_design(const ir::Design& d);

// The bytes the DDR moves per frame for the weights of every layer that
// keeps them there (the layers' ddr_bytes_per_frame summed).
inline uint64_t weight_ddr_bytes_per_frame(const Estimate& e) {
  uint64_t bytes = 0;
  for (const LayerEstimate& l : e.layers) bytes += l.ddr_bytes_per_frame;
  return bytes;
}

nlohmann::json to_json(const Estimate& e);
// "a, b, c" ("none" for no names).
std::string join_names(const std::vector<std::string>& names);
std::string format_table(const Estimate& e);

}  // namespace vine::estimate
