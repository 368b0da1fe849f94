// AddStreams: the residual add. Reads one beat from each input, adds them
// element by element and re-quantises the sums (the layer's output unit).
#pragma once

#include <vector>

#include "models/pe/output_unit.h"
#include "models/stage/stage.h"

namespace vine::models {

class AddStreams final : public Stage {
 public:
  AddStreams(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels, OutputUnit out);
  const char* kind() const override { return "addstreams"; }
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
  int64_t total_, next_ = 0, words_per_pixel_ = 1, words_per_frame_;
  int channels_;
  OutputUnit out_;
  std::vector<int32_t> a_, b_;
};

}  // namespace vine::models
