// ChannelwiseOp_Batch: FINN's ChannelwiseOp, finn-hlslib's Thresholding_Batch
// with a ChannelWiseOperation activation (activations.hpp). Each element is
// combined with its channel's parameter (add, mul, cmp_le, cmp_ge:
// sim/arith/channelwise.h); PE channels per beat, one beat per cycle, the
// parameters of channel fold nf read from a memory of NumChannels / PE words.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/stage/stage.h"
#include "sim/arith/channelwise.h"

namespace vine::models {

class ChannelwiseOp final : public Stage {
 public:
  // `parameters`: one per channel; empty in timing-only runs (the stage then
  // writes zeros).
  ChannelwiseOp(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels, int pe,
                arith::ChannelwiseFunction function, std::vector<int32_t> parameters);
  const char* kind() const override { return "channelwise"; }
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
  int channels_, pe_;
  arith::ChannelwiseFunction function_;
  std::vector<int32_t> parameters_;
  const int32_t* in_ = nullptr;
};

}  // namespace vine::models
