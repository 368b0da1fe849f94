// Vector-vector-activation unit (finn-hlslib VVAU, depthwise convolution):
// per output pixel, C/PE channel folds of K*K/SIMD iterations; every
// iteration reads one beat (PE channels at SIMD kernel positions, FINN's
// order: element s * PE + p is channel p at the fold's s-th position) and the
// last one of a channel fold writes the PE channels' outputs. With SIMD 1 and
// its weights in DDR, every
// iteration also reads a weight word of PE weights (one kernel position)
// from input 1, and the lanes accumulate each as it comes (weight_lanes.h).
// On the RTL back-end the PE array is Verilated lanes units clocked with the
// stage's pipeline (rtl_pe_array.h).
#pragma once

#include <vector>

#include <memory>

#include "models/pe/output_unit.h"
#include "models/pe/weight_lanes.h"
#include "models/pe/row_block.h"
#include "models/pe/rtl_pe_array.h"
#include "models/stage/stage.h"

namespace vine::models {

class Vvau final : public Stage {
 public:
  // `rows`: one dot-product row per channel, K*K wide.
  Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int simd, int64_t pixels,
       std::vector<RowBlock> rows, OutputUnit out);
  // Weights from a stream on input 1, computed by `lanes` (null in timing-only
  // runs); SIMD 1 (ir::check_design refuses more).
  Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int64_t pixels,
       std::unique_ptr<WeightLanes> lanes, OutputUnit out);
  // The PE array on Verilated units (the RTL back-end); SIMD 1 as above.
  Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int64_t pixels,
       std::unique_ptr<RtlPeArray> rtl, OutputUnit out);
  const char* kind() const override { return kind_; }
  // The RTL variant (vvau_rtl_kind.cpp) reports its own kind.
  void set_kind(const char* kind) { kind_ = kind; }
  int64_t frame_span() const override { return per_frame_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    total_ += frames * per_frame_;
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;
  void advancing(int64_t index, int64_t cycle, int64_t advances, int64_t bubbles, bool bubble) override {
    rtl_->advancing(index, cycle, advances, bubbles, bubble);
  }

 private:
  RtlBeat beat_of(int64_t index) const;  // the PE array's beat at iteration `index`

  const char* kind_ = "vvau";
  int channels_, k2_, pe_, simd_;
  int64_t positions_;  // iterations per channel fold: K*K / SIMD
  int64_t total_, next_ = 0, per_frame_ = 0;
  std::vector<RowBlock> rows_;
  bool streamed_ = false;
  std::unique_ptr<WeightLanes> lanes_;
  std::unique_ptr<RtlPeArray> rtl_;
  std::vector<int64_t> acc_;  // the streamed lanes' accumulators
  OutputUnit out_;
  int64_t read_k_ = 0, write_nf_ = 0, index_ = 0;  // of the iteration next_iteration gave
  // The beat of kernel positions and channel fold of iteration next_, stepped with it:
  // dividing next_ cost two 64-bit divisions an iteration, a beat each.
  int64_t next_k_ = 0, next_nf_ = 0;
  std::vector<int32_t> window_;  // [kernel position][lane] of the current channel fold
  std::vector<int32_t> lane_;
};

}  // namespace vine::models
