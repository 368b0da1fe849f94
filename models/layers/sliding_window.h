// ConvolutionInputGenerator (finn-hlslib, HLS 2D; its NonSquare variant for
// KH != KW): per frame a loop of
//   IFM_w*KH*cf + OFM_h * max(OFM_w*KH*KW*cf, SH*IFM_w*cf)   (cf = C / lanes)
// iterations, re-entered for every frame. The first KH rows are only read;
// then each output row is a block in which iteration j writes window beat j
// (while j < OFM_w*KH*KW*cf) and reads ahead the next SH input rows
// (while j < SH*IFM_w*cf); the last block reads what is left of the frame.
// FINN's get_exp_cycles for this template writes the read block with the
// column stride (stride_w * IFM_w * cf); the template reads SH rows per
// output row, which Vine models (the two agree for square strides). FINN
// builds a one-dimensional window ([1, K] over [1, W], or [K, 1] over
// [H, 1]) with its own HLS variants (ConvolutionInputGenerator_1D*, is1D)
// or with the RTL generator; Vine's HLS stage is this 2-D template for
// every shape, and its RTL stage (sliding_window_rtl.h) the RTL generator.
// Window beats leave in the order the MVAU consumes them: per output pixel,
// kernel row, kernel column, channel fold; for a VVAU (depthwise) the
// channel fold comes before the kernel positions, and a VVAU of SIMD > 1
// takes SIMD kernel positions of a channel fold per beat: the generator packs
// that many consecutive window beats into one output beat and writes it with
// the last (what the width converter FINN's InsertDWC puts between
// finn-hlslib's generator and such a VVAU does), so its loop and its cycles
// stay those of one window beat per iteration.
#pragma once

#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

struct WindowGeometry {
  int in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;  // KH x KW windows, SH rows and SW columns apart
  int channel_folds = 1;  // cf: beats per pixel
  int lanes = 1;          // elements per beat
  bool depthwise = false;
  int positions_per_beat = 1;  // depthwise: kernel positions per output beat (the VVAU's SIMD)
};

// The input beat (index in the frame, in arrival order) of window beat j
// (counted over the frame, in the order above).
int64_t window_beat_source(const WindowGeometry& g, int64_t j);

class SlidingWindow final : public Stage {
 public:
  SlidingWindow(std::string name, PipelineTiming t, int frames, WindowGeometry g);
  const char* kind() const override { return "swg"; }
  int64_t iterations_per_frame() const { return initial_ + int64_t{g_.out_h} * block_; }
  int64_t frame_span() const override { return frame_span_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  int64_t rows_read_in_block(int b) const;
  WindowGeometry g_;
  int frames_;
  int64_t initial_, window_beats_, block_, frame_span_;
  int frame_ = 0, block_index_ = -1;  // -1: the initial rows
  int64_t j_ = 0;                      // iteration within the phase/block
  int64_t block_reads_ = 0;
  int64_t write_j_ = 0;                // window beat the current iteration writes
  int write_block_ = 0;
  std::vector<int32_t> frame_buf_;     // the frame's beats in arrival order
  int64_t filled_ = 0;
};

}  // namespace vine::models
