// DownSampler: a strided 1 x 1 conv's input generator (FINN's DownSampler,
// finn-hlslib ConvolutionInputGenerator_2D_kernel1): reads every beat of the
// feature map, one a cycle, and writes only those of every stride_w-th pixel
// of every stride_h-th row, starting with the first. A 1 x 1 window needs no line
// buffer, so FINN builds this instead of a sliding window.
#pragma once

#include "models/stage/stage.h"

namespace vine::models {

struct DownSamplerGeometry {
  int in_h = 0, in_w = 0;
  int stride_h = 2, stride_w = 2;
  int channel_folds = 1;  // beats per pixel: C / SIMD
  int lanes = 1;          // elements per beat: SIMD
};

class DownSampler final : public Stage {
 public:
  DownSampler(std::string name, PipelineTiming t, int frames, DownSamplerGeometry g);
  const char* kind() const override { return "downsampler"; }
  int64_t frame_span() const override { return int64_t{g_.in_h} * g_.in_w * g_.channel_folds; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  DownSamplerGeometry g_;
  int frames_;
  int64_t next_ = 0;
  int frame_ = 0, y_ = 0, x_ = 0, cf_ = 0;
  const int32_t* in_ = nullptr;
};

}  // namespace vine::models
