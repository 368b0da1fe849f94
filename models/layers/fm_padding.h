// FMPadding: writes the padded feature map, one beat (lanes channels) per
// cycle; a padding position writes the pad code without reading.
#pragma once

#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

struct PaddingGeometry {
  int in_h = 0, in_w = 0, top = 0, left = 0, bottom = 0, right = 0;
  int channel_folds = 1;  // beats per pixel
  int lanes = 1;          // elements per beat
  int32_t pad_code = 0;
};

class FmPadding final : public Stage {
 public:
  FmPadding(std::string name, PipelineTiming t, int frames, PaddingGeometry g);
  const char* kind() const override { return kind_; }
  // The registered kind it is: "fmpadding", or the RTL variant that re-times it.
  void set_kind(const char* kind) { kind_ = kind; }
  int64_t frame_span() const override {
    return int64_t{g_.in_h + g_.top + g_.bottom} * (g_.in_w + g_.left + g_.right) * g_.channel_folds;
  }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  const char* kind_ = "fmpadding";
  PaddingGeometry g_;
  int frames_;
  int64_t next_ = 0;
  int frame_ = 0, y_ = 0, x_ = 0, cf_ = 0;
  bool inside_ = false;
  const int32_t* in_ = nullptr;
};

}  // namespace vine::models
