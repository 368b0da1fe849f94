#include "models/layers/add_streams.h"

namespace vine::models {

AddStreams::AddStreams(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels,
                       OutputUnit out)
    : Stage(std::move(name), t), total_(frames * words_per_frame), words_per_frame_(words_per_frame), channels_(channels), out_(std::move(out)) {}

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
  for (int e = 0; e < n; ++e) beat[e] = out_.apply(int64_t{a_[size_t(e)]} + b_[size_t(e)], first_channel + e);
}

}  // namespace vine::models
