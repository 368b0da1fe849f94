// Vector-vector-activation unit (finn-hlslib VVAU, depthwise convolution):
// per output pixel, C/PE channel folds of K*K iterations; every iteration
// reads one beat (PE channels at one kernel position) and the last kernel
// position writes the PE channels' outputs. With its weights in DDR, every
// iteration also reads a weight word of PE weights (one kernel position)
// from input 1, and the lanes accumulate each as it comes (weight_lanes.h).
#pragma once

#include <vector>

#include <memory>

#include "models/pe/output_unit.h"
#include "models/pe/weight_lanes.h"
#include "models/pe/row_block.h"
#include "models/stage/stage.h"

namespace vine::models {

class Vvau final : public Stage {
 public:
  // `rows`: one dot-product row per channel, K*K wide.
  Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int64_t pixels,
       std::vector<RowBlock> rows, OutputUnit out);
  // Weights from a stream on input 1, computed by `lanes` (null in timing-only runs).
  Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int64_t pixels,
       std::unique_ptr<WeightLanes> lanes, OutputUnit out);
  const char* kind() const override { return "vvau"; }
  int64_t frame_span() const override { return per_frame_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    total_ += frames * per_frame_;
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  int channels_, k2_, pe_;
  int64_t total_, next_ = 0, per_frame_ = 0;
  std::vector<RowBlock> rows_;
  bool streamed_ = false;
  std::unique_ptr<WeightLanes> lanes_;
  std::vector<int64_t> acc_;  // the streamed lanes' accumulators
  OutputUnit out_;
  int64_t read_k_ = 0, write_nf_ = 0;
  // The kernel position and channel fold of iteration next_, stepped with it:
  // dividing next_ cost two 64-bit divisions an iteration, a beat each.
  int64_t next_k_ = 0, next_nf_ = 0;
  std::vector<int32_t> window_;  // [kernel position][lane] of the current channel fold
  std::vector<int32_t> lane_;
};

}  // namespace vine::models
