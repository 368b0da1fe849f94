#include "models/layers/add_streams.h"

namespace vine::models {

AddStreams::AddStreams(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels,
                       OutputUnit out)
    : Stage(std::move(name), t), total_(frames * words_per_frame), words_per_frame_(words_per_frame), channels_(channels), out_(std::move(out)) {}

AddStreams::AddStreams(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels,
                       OutputUnit out, std::unique_ptr<RtlOutputArray> rtl)
    : AddStreams(std::move(name), t, frames, words_per_frame, channels, std::move(out)) {
  rtl_ = std::move(rtl);
  rtl_->connect(&out_);
  set_advance_hook(true);
}

bool AddStreams::next_iteration(Iteration& it) {
  if (next_ >= total_) return false;
  it = {next_++, 3, 1};
  return true;
}

void AddStreams::consume(int port, const int32_t* beat) {
  const int n = inputs()[size_t(port)]->elements_per_word();
  (port == 0 ? a_ : b_).assign(beat, beat + n);
}

void AddStreams::produce(int, int32_t* beat) {
  const int n = int(a_.size());
  const int64_t word = next_ - 1;  // the iteration being issued
  const int lanes_per_pixel = channels_ / n;
  const int first_channel = int(word % lanes_per_pixel) * n;
  if (rtl_) {  // the units' codes fill the beat in as they leave
    sums_.resize(size_t(n));
    for (int e = 0; e < n; ++e) sums_[size_t(e)] = a_[size_t(e)] + b_[size_t(e)];
    rtl_->expect(word, sums_.data(), first_channel, beat);
    return;
  }
  for (int e = 0; e < n; ++e) beat[e] = out_.apply(int64_t{a_[size_t(e)]} + b_[size_t(e)], first_channel + e);
}

}  // namespace vine::models
