// The compute engine (unzipFPGA-style; docs/engine.md): one T_in x T_out MAC
// array that runs a network layer by layer, tile by tile, on data. Its DMA
// fills the halves of the input and weight buffers and drains the output
// buffer's on the board's DDR timing model, one transfer after another; the
// OVSF weights generator fills the weight buffer's halves for generated
// layers from the coefficients the DMA loaded. A phase (a tile computing
// while the next loads and the one before stores) ends when the array, the
// DMA and the generator are all done: the halves swap then.
//
// Data: the DDR's regions (the input frame, every layer's output) are held
// as tensors, and what the DMA moves is copied between them and the
// buffers; the arithmetic of a tile is the golden kernels' on the tile's
// buffers (a conv's rows with their halo and padding, a group's filters),
// and a finished row tile goes through the layer's output stage. The
// network's output is then checked against the golden reference's.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "models/engine/rtl_weights_generator.h"
#include "models/memory/ddr_timing.h"
#include "sim/engine/engine_figures.h"
#include "sim/golden/reference.h"

namespace vine::models {

class ComputeEngine {
 public:
  ComputeEngine(const ir::Design& d, const golden::NetworkParams& params);

  // Runs one frame from cycle `start` (the input frame is in DDR then);
  // returns the output codes, and the frame's figures in `figures`.
  golden::IntTensor run_frame(const golden::IntTensor& input, int64_t start,
                              engine::EngineFigures& figures);

  // Layer `layer`'s weights also come out of `g`, a Verilated generator
  // (`vine run --backend rtl`): every group checked against the C++
  // expansion and its cycle against the model's, the generation's cycles
  // the unit's (equal to the model's, or the run stops).
  void generate_on_rtl(int layer, RtlWeightsGenerator* g) { rtl_generators_[layer] = g; }

  const engine::EnginePlan& plan() const { return plan_; }
  const DdrTiming& ddr() const { return ddr_; }

 private:
  // Issues a DMA transfer at cycle `at`; returns the cycle it is done.
  int64_t dma(const engine::Transfer& t, int64_t at);
  golden::IntTensor compute_tile(const engine::EngineLayerPlan& lp, const engine::EngineTile& t,
                                 const std::vector<golden::IntTensor>& inputs,
                                 const std::vector<int32_t>& weights) const;

  const ir::Design& design_;
  const golden::NetworkParams& params_;
  golden::Reference reference_;
  engine::EnginePlan plan_;
  DdrTiming ddr_;
  sc_core::sc_time clock_;
  std::map<int, RtlWeightsGenerator*> rtl_generators_;  // by layer
};

}  // namespace vine::models
