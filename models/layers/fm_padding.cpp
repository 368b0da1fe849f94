#include "models/layers/fm_padding.h"

#include <algorithm>

namespace vine::models {

FmPadding::FmPadding(std::string name, PipelineTiming t, int frames, PaddingGeometry g)
    : Stage(std::move(name), t), g_(g), frames_(frames) {}

bool FmPadding::next_iteration(Iteration& it) {
  if (frame_ >= frames_) return false;
  const int ph = g_.in_h + g_.top + g_.bottom, pw = g_.in_w + g_.left + g_.right;
  inside_ = y_ >= g_.top && y_ < g_.top + g_.in_h && x_ >= g_.left && x_ < g_.left + g_.in_w;
  it = {next_++, inside_ ? 1u : 0u, 1};
  if (++cf_ == g_.channel_folds) {
    cf_ = 0;
    if (++x_ == pw) {
      x_ = 0;
      if (++y_ == ph) {
        y_ = 0;
        ++frame_;
      }
    }
  }
  return true;
}

// produce() follows consume() of the same iteration, so the beat is still in its slot.
void FmPadding::consume(int, const int32_t* beat) { in_ = beat; }

void FmPadding::produce(int, int32_t* beat) {
  if (inside_)
    std::copy(in_, in_ + g_.lanes, beat);
  else
    std::fill(beat, beat + g_.lanes, g_.pad_code);
}

}  // namespace vine::models
