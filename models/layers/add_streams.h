// AddStreams: the residual add. Reads one beat from each input, adds them
// element by element and re-quantises the sums (the layer's output unit).
// On the RTL back-end that output unit is Verilated, one instance per PE
// lane, clocked with the stage's pipeline (rtl_output_array.h): the sums
// enter it one advance after their reads (the adder's register).
#pragma once

#include <vector>

#include "models/pe/output_unit.h"
#include "models/pe/rtl_output_array.h"
#include "models/stage/stage.h"

namespace vine::models {

class AddStreams final : public Stage {
 public:
  AddStreams(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels, OutputUnit out);
  // The output unit on RTL (rtl_output_array.h).
  AddStreams(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels, OutputUnit out,
             std::unique_ptr<RtlOutputArray> rtl);
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
  void advancing(int64_t index, int64_t cycle, int64_t advances, int64_t bubbles, bool bubble) override {
    rtl_->advancing(index, cycle, advances, bubbles, bubble);
  }

 private:
  int64_t total_, next_ = 0, words_per_pixel_ = 1, words_per_frame_;
  int channels_;
  OutputUnit out_;
  std::vector<int32_t> a_, b_, sums_;
  std::unique_ptr<RtlOutputArray> rtl_;
};

}  // namespace vine::models
