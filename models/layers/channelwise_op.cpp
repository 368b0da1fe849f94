#include "models/layers/channelwise_op.h"

namespace vine::models {

ChannelwiseOp::ChannelwiseOp(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, int channels,
                             int pe, arith::ChannelwiseFunction function, std::vector<int32_t> parameters)
    : Stage(std::move(name), t),
      total_(frames * words_per_frame),
      words_per_frame_(words_per_frame),
      channels_(channels),
      pe_(pe),
      function_(function),
      parameters_(std::move(parameters)) {}

bool ChannelwiseOp::next_iteration(Iteration& it) {
  if (next_ >= total_) return false;
  it = {next_++, 1, 1};
  return true;
}

// produce() follows consume() of the same iteration, so the beat is still in its slot.
void ChannelwiseOp::consume(int, const int32_t* beat) { in_ = beat; }

void ChannelwiseOp::produce(int, int32_t* beat) {
  // Thresholding_Batch's nf: the channel fold of this beat.
  const int first_channel = int((next_ - 1) % (channels_ / pe_)) * pe_;
  for (int e = 0; e < pe_; ++e)
    beat[e] = parameters_.empty()
                  ? 0
                  : int32_t(arith::channelwise(function_, parameters_[size_t(first_channel + e)], in_[e]));
}

}  // namespace vine::models
