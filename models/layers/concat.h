// StreamingConcat: for each pixel, passes C_0 / PE beats from input 0, then
// C_1 / PE beats from input 1, and so on; one beat per cycle.
#pragma once

#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

class Concat final : public Stage {
 public:
  // `words_per_pixel[k]`: beats of input k per pixel.
  Concat(std::string name, PipelineTiming t, int frames, int64_t pixels_per_frame, std::vector<int> words_per_pixel);
  const char* kind() const override { return "concat"; }
  int64_t frame_span() const override {
    int64_t words = 0;
    for (int w : per_pixel_) words += w;
    return pixels_per_frame_ * words;
  }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    pixels_ += frames * pixels_per_frame_;
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  int64_t pixels_, pixels_per_frame_;
  std::vector<int> per_pixel_;
  int64_t next_ = 0, pixel_ = 0;
  size_t input_ = 0;
  int word_ = 0;
  const int32_t* in_ = nullptr;
  int in_elems_ = 0;
};

}  // namespace vine::models
