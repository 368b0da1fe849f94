#include "models/layers/dma.h"

namespace vine::models {

InputDma::InputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSource source)
    : Stage(std::move(name), t), frames_(frames), words_(words_per_frame), source_(std::move(source)) {}

bool InputDma::next_iteration(Iteration& it) {
  if (next_ >= int64_t{frames_} * words_) return false;
  it = {next_++, 0, 1};
  return true;
}

void InputDma::produce(int, int32_t* beat) {
  const int frame = int((next_ - 1) / words_);
  if (frame != loaded_) {
    source_(frame, frame_);
    loaded_ = frame;
    frame_pos_ = 0;
  }
  const int n = outputs()[0]->elements_per_word();
  for (int e = 0; e < n; ++e) beat[e] = frame_[size_t(frame_pos_++)];
}

OutputDma::OutputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSink sink)
    : Stage(std::move(name), t), frames_(frames), words_(words_per_frame), sink_(std::move(sink)) {}

bool OutputDma::next_iteration(Iteration& it) {
  // The previous beat has been read by now: account for it.
  if (next_ > 0) account_beat();
  if (next_ >= int64_t{frames_} * words_) return false;
  it = {next_++, 1, 0};
  return true;
}

void OutputDma::consume(int, const int32_t* beat) {
  const int n = inputs()[0]->elements_per_word();
  frame_.insert(frame_.end(), beat, beat + n);
}

// The skipped frames leave as the `period` frames before them did, each
// period `cycles` later; the frames after them are numbered on from there.
void OutputDma::frames_skipped(int64_t frames, int period, int64_t cycles) {
  for (std::vector<int64_t>* v : {&first_, &last_})
    for (int64_t i = 0; i < frames; ++i) v->push_back((*v)[v->size() - size_t(period)] + cycles);
}

// Called for beat next_ - 1 once its read cycle is known: when the next
// iteration is asked for (also after the last one).
void OutputDma::account_beat() {
  const int64_t k = seen_++;
  const int64_t cycle = local_cycle();
  if (k % words_ == 0) first_.push_back(cycle);
  if (k % words_ == words_ - 1) {
    last_.push_back(cycle);
    if (sink_) sink_(int(last_.size()) - 1, frame_, cycle);
    frame_.clear();
  }
}

}  // namespace vine::models
