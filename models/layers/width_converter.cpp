#include "models/layers/width_converter.h"

#include <algorithm>

namespace vine::models {

WidthConverter::WidthConverter(std::string name, PipelineTiming t, int frames, int64_t elements_per_frame,
                               int in_elements, int out_elements)
    : Stage(std::move(name), t), frames_(frames), frame_elements_(elements_per_frame), ein_(in_elements),
      eout_(out_elements) {}

bool WidthConverter::next_iteration(Iteration& it) {
  if (got_ == frame_elements_ && sent_ == frame_elements_) {
    got_ = sent_ = 0;
    ++frame_;
  }
  if (frame_ >= frames_) return false;
  it = {iter_++, 0, 0};
  if (ein_ >= eout_) {  // narrowing: a write every iteration, a read when short
    if (got_ - sent_ < eout_) {
      it.reads = 1;
      got_ += ein_;
    }
    it.writes = 1;
    sent_ += eout_;
  } else {  // widening: a read every iteration, a write when a beat is complete
    it.reads = 1;
    got_ += ein_;
    if (got_ - sent_ >= eout_) {
      it.writes = 1;
      sent_ += eout_;
    }
  }
  return true;
}

void WidthConverter::consume(int, const int32_t* beat) {
  if (head_ > 4096 && head_ * 2 > buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + std::ptrdiff_t(head_));
    head_ = 0;
  }
  buf_.insert(buf_.end(), beat, beat + ein_);
}

void WidthConverter::produce(int, int32_t* beat) {
  std::copy(buf_.begin() + std::ptrdiff_t(head_), buf_.begin() + std::ptrdiff_t(head_) + eout_, beat);
  head_ += size_t(eout_);
  if (head_ == buf_.size()) {
    buf_.clear();
    head_ = 0;
  }
}

}  // namespace vine::models
