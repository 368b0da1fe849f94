#include "models/layers/weight_streamer.h"

#include <algorithm>

namespace vine::models {

WeightStreamer::WeightStreamer(std::string name, PipelineTiming t, int frames, WeightStream stream,
                               WordReader read_word)
    : Stage(std::move(name), t),
      stream_(std::move(stream)),
      read_word_(std::move(read_word)),
      total_(frames * stream_.words_per_frame()) {
  const auto& chunks = stream_.chunks;
  for (const WeightChunk& c : chunks) {
    auto it = std::find(channels_.begin(), channels_.end(), c.channel);
    if (it == channels_.end()) it = channels_.insert(channels_.end(), c.channel);
    port_of_chunk_.push_back(int(it - channels_.begin()));
  }
  // One burst outstanding: a chunk on another channel than the one before it
  // (cyclically: a pass follows the last) is requested only once that one's
  // occupancy has passed, which its channel's grant does not enforce. The
  // gap is idle advances of the loop before the chunk's first word.
  const size_t n = chunks.size();
  auto lead = [&](size_t c) {
    const WeightChunk& before = chunks[(c + n - 1) % n];
    return before.channel == chunks[c].channel ? int64_t{0} : std::max<int64_t>(0, before.occupancy - before.items);
  };
  int64_t at = 0;
  for (size_t c = 0; c < n; ++c) {
    if (c > 0) at += lead(c);
    chunk_start_.push_back(at);
    at += chunks[c].items;
  }
  pass_span_ = at + (n ? lead(0) : 0);
}

// Iteration n writes word n, at its chunk's place in the pass; the first word
// of every chunk carries the chunk's request.
bool WeightStreamer::next_iteration(Iteration& it) {
  if (next_ >= total_) return false;
  int32_t shared = -1;
  int64_t occupancy = 0;
  if (left_in_chunk_ == 0) {
    if (next_ % stream_.words_per_pass == 0) chunk_ = 0;  // a new pass re-reads the image
    else ++chunk_;
    left_in_chunk_ = stream_.chunks[chunk_].items;
    shared = port_of_chunk_[chunk_];
    occupancy = stream_.chunks[chunk_].occupancy;
  }
  const int64_t in_chunk = stream_.chunks[chunk_].items - left_in_chunk_;
  --left_in_chunk_;
  word_ = next_ % stream_.words_per_pass;
  const int64_t pass = next_ / stream_.words_per_pass;
  it = {pass * pass_span_ + chunk_start_[chunk_] + in_chunk, 0, 1, shared, occupancy};
  ++next_;
  return true;
}

void WeightStreamer::produce(int, int32_t* beat) { read_word_(word_, beat); }

}  // namespace vine::models
