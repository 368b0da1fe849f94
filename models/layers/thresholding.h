// Thresholding_Batch: a standalone multi-threshold or requantisation layer,
// PE channels per beat, one beat per cycle.
#pragma once

#include <memory>

#include "models/pe/output_unit.h"
#include "models/pe/rtl_output_array.h"
#include "models/stage/stage.h"

namespace vine::models {

class Thresholding final : public Stage {
 public:
  Thresholding(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels, int pe,
               OutputUnit out);
  // On the RTL back-end: the PE lanes' units Verilated, clocked with the
  // stage's pipeline (rtl_output_array.h).
  Thresholding(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels, int pe,
               OutputUnit out, std::unique_ptr<RtlOutputArray> rtl);
  const char* kind() const override { return kind_; }
  // The registered kind it is: "threshold", or the RTL variant that re-times it.
  void set_kind(const char* kind) { kind_ = kind; }
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
  const char* kind_ = "threshold";
  int64_t total_, next_ = 0, words_per_frame_;
  int channels_, pe_;
  OutputUnit out_;
  const int32_t* in_ = nullptr;
  std::unique_ptr<RtlOutputArray> rtl_;
};

}  // namespace vine::models
