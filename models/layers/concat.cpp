#include "models/layers/concat.h"

#include <algorithm>

namespace vine::models {

Concat::Concat(std::string name, PipelineTiming t, int frames, int64_t pixels_per_frame, std::vector<int> words_per_pixel)
    : Stage(std::move(name), t), pixels_(frames * pixels_per_frame), pixels_per_frame_(pixels_per_frame), per_pixel_(std::move(words_per_pixel)) {}

bool Concat::next_iteration(Iteration& it) {
  if (pixel_ >= pixels_) return false;
  it = {next_++, 1u << input_, 1};
  if (++word_ == per_pixel_[input_]) {
    word_ = 0;
    if (++input_ == per_pixel_.size()) {
      input_ = 0;
      ++pixel_;
    }
  }
  return true;
}

// produce() follows consume() of the same iteration, so the beat is still in its slot.
void Concat::consume(int port, const int32_t* beat) {
  in_ = beat;
  in_elems_ = inputs()[size_t(port)]->elements_per_word();
}

void Concat::produce(int, int32_t* beat) { std::copy(in_, in_ + in_elems_, beat); }

}  // namespace vine::models
