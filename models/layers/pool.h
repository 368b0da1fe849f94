// StreamingMaxPool / average pool: reads every input beat once (PE channels of
// one pixel) in raster order, and writes an output beat in the iteration that
// reads the last pixel of its window: H * W * C / PE cycles per frame. A
// one-dimensional window ([1, K] or [K, 1]) is the same unit: FINN's 1-D
// StreamingMaxPool (finn-hlslib's 1d variant) estimates
// OFM * C/PE * (K + 1) cycles instead (streamingmaxpool.py, get_exp_cycles),
// a figure FINN itself notes may be below the real latency; Vine keeps one
// input beat per cycle for both.
#pragma once

#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

struct PoolGeometry {
  int in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;  // KH x KW windows, SH rows and SW columns apart
  int channels = 0, pe = 1;
  bool average = false;  // floor(sum / (KH * KW)), else max
};

class Pool final : public Stage {
 public:
  Pool(std::string name, PipelineTiming t, int frames, PoolGeometry g);
  const char* kind() const override { return g_.average ? "avgpool" : "maxpool"; }
  int64_t frame_span() const override { return int64_t{g_.in_h} * g_.in_w * (g_.channels / g_.pe); }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  static bool completes_window(int pos, int kernel, int stride, int out_extent, int& o);
  PoolGeometry g_;
  int frames_;
  int64_t next_ = 0;
  int frame_ = 0, y_ = 0, x_ = 0, cf_ = 0;
  int oy_ = 0, ox_ = 0, ocf_ = 0;  // the output beat the current iteration writes
  std::vector<int32_t> frame_buf_;  // the current frame's input, HWC
  int64_t filled_ = 0;
};

}  // namespace vine::models
