// The DMAs at the ends of the pipeline: the input DMA streams frames from
// memory one beat per cycle; the output DMA takes one beat per cycle and
// stores each frame, noting when its first and last beats arrived.
#pragma once

#include <functional>
#include <vector>

#include "models/stage/stage.h"

namespace vine::models {

class InputDma final : public Stage {
 public:
  // `fill(frame, elements)` writes the frame's activation codes (HWC order).
  using FrameSource = std::function<void(int frame, std::vector<int32_t>& elements)>;
  InputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSource source);
  const char* kind() const override { return "input_dma"; }
  // Beats per frame: frame f's first beat is the beat f * words_per_frame() it writes.
  int64_t words_per_frame() const { return words_; }
  int64_t frame_span() const override { return words_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void produce(int port, int32_t* beat) override;

 private:
  int frames_;
  int64_t words_, next_ = 0;
  FrameSource source_;
  std::vector<int32_t> frame_;
  int64_t frame_pos_ = 0;
  int loaded_ = -1;
};

class OutputDma final : public Stage {
 public:
  // `sink(frame, elements, last_beat_cycle)` receives each completed frame.
  using FrameSink = std::function<void(int frame, const std::vector<int32_t>& elements, int64_t last_cycle)>;
  OutputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSink sink);
  const char* kind() const override { return "output_dma"; }

  // Cycle of each frame's first and last beat (filled as frames complete).
  const std::vector<int64_t>& first_beat_cycles() const { return first_; }
  const std::vector<int64_t>& last_beat_cycles() const { return last_; }
  int frames_done() const { return int(last_.size()); }
  int64_t frame_span() const override { return words_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    frames_ += int(frames);
    return true;
  }
  void frames_skipped(int64_t frames, int period, int64_t cycles) override;
  void consume(int port, const int32_t* beat) override;

 private:
  void account_beat();
  int frames_;
  int64_t words_, next_ = 0, seen_ = 0;
  FrameSink sink_;
  std::vector<int32_t> frame_;
  std::vector<int64_t> first_, last_;
};

}  // namespace vine::models
