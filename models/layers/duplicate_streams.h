// DuplicateStreams: copies every beat to each of its outputs, one beat per cycle.
#pragma once

#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

class DuplicateStreams final : public Stage {
 public:
  DuplicateStreams(std::string name, PipelineTiming t, int frames, int64_t words_per_frame);
  const char* kind() const override { return "duplicate"; }
  int64_t frame_span() const override { return words_per_frame_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    total_ += frames * words_per_frame_;
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  int64_t total_, next_ = 0, words_per_frame_;
  std::vector<int32_t> beat_;
};

}  // namespace vine::models
