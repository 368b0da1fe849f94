#include "models/layers/thresholding.h"

namespace vine::models {

Thresholding::Thresholding(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels,
                           int pe, OutputUnit out)
    : Stage(std::move(name), t), total_(frames * words_per_frame), words_per_frame_(words_per_frame), channels_(channels), pe_(pe), out_(std::move(out)) {}

Thresholding::Thresholding(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels,
                           int pe, OutputUnit out, std::unique_ptr<RtlOutputArray> rtl)
    : Thresholding(std::move(name), t, frames, words_per_frame, channels, pe, std::move(out)) {
  rtl_ = std::move(rtl);
  rtl_->connect(&out_);
  set_advance_hook(true);
}

bool Thresholding::next_iteration(Iteration& it) {
  if (next_ >= total_) return false;
  it = {next_++, 1, 1};
  return true;
}

// produce() follows consume() of the same iteration, so the beat is still in its slot.
void Thresholding::consume(int, const int32_t* beat) { in_ = beat; }

void Thresholding::produce(int, int32_t* beat) {
  const int first_channel = int((next_ - 1) % (channels_ / pe_)) * pe_;
  if (rtl_) {  // the units' codes fill the beat in as they leave
    rtl_->expect(next_ - 1, in_, first_channel, beat);
    return;
  }
  for (int e = 0; e < pe_; ++e) beat[e] = out_.apply(in_[e], first_channel + e);
}

}  // namespace vine::models
