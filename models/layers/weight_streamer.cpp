#include "models/layers/weight_streamer.h"

#include <algorithm>

namespace vine::models {

WeightStreamer::WeightStreamer(std::string name, PipelineTiming t, int frames, WeightStream stream,
                               WordReader read_word)
    : Stage(std::move(name), t),
      stream_(std::move(stream)),
      read_word_(std::move(read_word)),
      total_(frames * stream_.words_per_frame()) {
  for (const WeightChunk& c : stream_.chunks) {
    auto it = std::find(channels_.begin(), channels_.end(), c.channel);
    if (it == channels_.end()) it = channels_.insert(channels_.end(), c.channel);
    port_of_chunk_.push_back(int(it - channels_.begin()));
  }
}

// Iteration n writes word n; the first word of every chunk carries the
// chunk's request.
bool WeightStreamer::next_iteration(Iteration& it) {
  if (next_ >= total_) return false;
  int32_t shared = -1;
  int64_t occupancy = 0;
  if (left_in_chunk_ == 0) {
    if (next_ % stream_.words_per_pass == 0) chunk_ = 0;  // a new pass re-reads the image
    else ++chunk_;
    left_in_chunk_ = stream_.chunks[chunk_].words;
    shared = port_of_chunk_[chunk_];
    occupancy = stream_.chunks[chunk_].occupancy;
  }
  --left_in_chunk_;
  word_ = next_ % stream_.words_per_pass;
  it = {next_++, 0, 1, shared, occupancy};
  return true;
}

void WeightStreamer::produce(int, int32_t* beat) { read_word_(word_, beat); }

}  // namespace vine::models
