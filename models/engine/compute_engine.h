// The compute engine (unzipFPGA-style; docs/engine.md): one T_in x T_out MAC
// array that runs a network layer by layer, tile by tile, on data. Its DMA
// fills the halves of the input and weight buffers and drains the output
// buffer's on the board's DDR timing model, one transfer after another; the
// OVSF weights generator fills the weight buffer's halves for generated
// layers from the coefficients the DMA loaded. A phase (a tile computing
// while the next loads and the one before stores) ends when the array, the
// DMA and the generator are all done: the halves swap then.
//
// Data: the DDR's regions (the input frame, the weights and coefficients,
// every layer's output) are bytes in the DDR model's store
// (engine_ddr_image.h), and the DMA moves them over TLM (engine_dma.h) into
// and out of the buffers; the arithmetic of a tile is the golden kernels' on
// the tile's buffers (a conv's rows with their halo and padding, a group's
// filters), and a finished row tile goes through the layer's output stage.
// The network's output is then checked against the golden reference's.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "models/engine/engine_dma.h"
#include "models/engine/rtl_weights_generator.h"
#include "sim/engine/engine_figures.h"
#include "sim/golden/reference.h"

namespace vine::models {

class DdrMemory;

class ComputeEngine {
 public:
  // `vine run`: the engine owns a DDR (the device's), into which the
  // network's parameters are written before the first frame (debug
  // transport: the software's work, no time).
  ComputeEngine(const ir::Design& d, const golden::NetworkParams& params);
  // On the board's DDR behind `ddr`: the software puts the parameters and
  // the frames there. `params` gives the output stages (thresholds,
  // re-quantisers), which are not in DDR.
  ComputeEngine(const ir::Design& d, const golden::NetworkParams& params, DdrTransport ddr);
  ~ComputeEngine();

  // With its own DDR: writes `input` to the input region (the frame is in
  // DDR at cycle `start`), runs the frame from cycle `start`, and returns
  // the output region's codes; the frame's figures in `figures`.
  golden::IntTensor run_frame(const golden::IntTensor& input, int64_t start,
                              engine::EngineFigures& figures);
  // One frame from the DDR's input region to its output region, from cycle
  // `start`; returns the cycle it is done.
  int64_t run(int64_t start, engine::EngineFigures& figures) { return run(start, figures, plan_); }
  // The same on `placed`: the engine's plan with its transfers at other
  // addresses (a descriptor table's, platforms/board/engine_descriptor.h).
  int64_t run(int64_t start, engine::EngineFigures& figures, const engine::EnginePlan& placed);

  // Layer `layer`'s weights also come out of `g`, a Verilated generator
  // (`vine run --backend rtl`): every group checked against the C++
  // expansion and its cycle against the model's, the generation's cycles
  // the unit's (equal to the model's, or the run stops).
  void generate_on_rtl(int layer, RtlWeightsGenerator* g) { rtl_generators_[layer] = g; }

  const engine::EnginePlan& plan() const { return plan_; }
  // The DDR the engine owns (the first constructor), else null.
  DdrMemory* ddr_memory() const { return owned_ddr_.get(); }
  const EngineDma& dma() const { return dma_; }
  // The engine's one DMA, for the controller's own reads (the descriptors).
  EngineDma& dma() { return dma_; }

 private:
  // The tile's sums (a weighted layer's, in 64 bits: 16-bit weights on 16-bit
  // activations need up to 45) or a unit's output codes.
  golden::AccTensor compute_tile(const engine::EngineLayerPlan& lp, const engine::EngineTile& t,
                                 const std::vector<golden::IntTensor>& inputs,
                                 const std::vector<int32_t>& weights) const;

  const ir::Design& design_;
  const golden::NetworkParams& params_;
  golden::Reference reference_;
  engine::EnginePlan plan_;
  sc_core::sc_time clock_;
  std::unique_ptr<DdrMemory> owned_ddr_;
  EngineDma dma_;
  std::vector<uint8_t> bytes_;  // the transfer in flight
  std::map<int, RtlWeightsGenerator*> rtl_generators_;  // by layer
};

}  // namespace vine::models
