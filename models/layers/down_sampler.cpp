#include "models/layers/down_sampler.h"

#include <algorithm>

namespace vine::models {

DownSampler::DownSampler(std::string name, PipelineTiming t, int frames, DownSamplerGeometry g)
    : Stage(std::move(name), t), g_(g), frames_(frames) {}

bool DownSampler::next_iteration(Iteration& it) {
  if (frame_ >= frames_) return false;
  // Every beat is read; a kept pixel's beat is written in the same cycle
  // (finn-hlslib's loop: one read per iteration at II 1, a write when kept).
  const bool kept = y_ % g_.stride_h == 0 && x_ % g_.stride_w == 0;
  it = {next_++, 1u, kept ? 1u : 0u};
  if (++cf_ == g_.channel_folds) {
    cf_ = 0;
    if (++x_ == g_.in_w) {
      x_ = 0;
      if (++y_ == g_.in_h) {
        y_ = 0;
        ++frame_;
      }
    }
  }
  return true;
}

void DownSampler::consume(int, const int32_t* beat) { in_ = beat; }

// produce() follows consume() of the same iteration, so the beat is still in its slot.
void DownSampler::produce(int, int32_t* beat) { std::copy(in_, in_ + g_.lanes, beat); }

}  // namespace vine::models
