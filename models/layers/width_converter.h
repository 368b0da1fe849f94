// StreamingDataWidthConverter: re-slices a stream of E_in-element beats into
// E_out-element beats. One iteration per output beat when narrowing (it reads
// when its buffer runs short), one per input beat when widening (it writes
// when a whole output beat is buffered): max(in words, out words) per frame.
#pragma once

#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

class WidthConverter final : public Stage {
 public:
  WidthConverter(std::string name, PipelineTiming t, int frames, int64_t elements_per_frame, int in_elements,
                 int out_elements);
  const char* kind() const override { return kind_; }
  // The registered kind it is: "dwc", or the RTL variant that re-times it.
  void set_kind(const char* kind) { kind_ = kind; }
  // One iteration per output beat when narrowing, per input beat when widening.
  int64_t frame_span() const override { return frame_elements_ / (ein_ >= eout_ ? eout_ : ein_); }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void consume(int port, const int32_t* beat) override;
  void produce(int port, int32_t* beat) override;

 private:
  const char* kind_ = "dwc";
  int frames_;
  int64_t frame_elements_;
  int ein_, eout_;
  int64_t iter_ = 0, frame_ = 0;
  int64_t got_ = 0, sent_ = 0;  // elements read and written in the current frame (cursor view)
  std::vector<int32_t> buf_;    // elements read and not yet written
  size_t head_ = 0;
};

}  // namespace vine::models
