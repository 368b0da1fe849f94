// The weight streamer of a layer whose weights are in DDR (weight_stream.h):
// a read DMA that fetches the layer's weight image once per input vector,
// one AXI burst (chunk) at a time, and writes its weight words into the
// FIFO the MVAU or VVAU reads beside its activations (FINN's external weight
// stream). A chunk needs a grant of its DDR channel, a port shared with every
// other streamer on the channel and granted in simulated-time order
// (models/shared/shared_port.h); the grant holds the channel for the chunk's
// occupancy. The request rides on the first word whose last byte the chunk
// holds; the chunk's words then leave one per cycle, and each is written the
// DDR's latency after it left (the pipeline depth), so requests run ahead of
// the data as a DMA's outstanding reads do. It keeps one burst outstanding:
// on interleaved channels, a chunk on another channel than the previous one
// waits out that one's occupancy, as the channel would on its own.
#pragma once

#include <functional>
#include <vector>

#include "models/layers/weight_stream.h"
#include "models/stage/stage.h"

namespace vine::models {

class WeightStreamer final : public Stage {
 public:
  // `read_word(k, codes)` writes word k of a pass (`elements` codes, in the
  // order the compute stage reads them) as the DMA delivers it: decoded from
  // the image's bytes; empty in timing-only runs.
  using WordReader = std::function<void(int64_t word, int32_t* codes)>;
  WeightStreamer(std::string name, PipelineTiming t, int frames, WeightStream stream, WordReader read_word);
  const char* kind() const override { return "weight_streamer"; }
  int64_t frame_span() const override { return pass_span_ * stream_.passes_per_frame; }

  const WeightStream& stream() const { return stream_; }
  // The DDR channels its chunks use, in the order it must be made a requester
  // of their ports (add_shared_port).
  const std::vector<int>& channels() const { return channels_; }

 protected:
  bool next_iteration(Iteration& it) override;
  bool extend_frames(int64_t frames) override {
    total_ += frames * stream_.words_per_frame();
    return true;
  }
  void produce(int port, int32_t* beat) override;

 private:
  WeightStream stream_;
  WordReader read_word_;
  std::vector<int> channels_;
  std::vector<int> port_of_chunk_;  // per chunk: its channel's index among channels_
  std::vector<int64_t> chunk_start_;  // per chunk: its first word's advance in a pass
  int64_t pass_span_ = 0;             // advances per pass: the words and the gaps
  int64_t total_, next_ = 0;
  size_t chunk_ = 0;          // the chunk of word `next_`
  int64_t left_in_chunk_ = 0;  // words of it still to request
  int64_t word_ = 0;          // the word produce() writes (its place in the pass)
};

}  // namespace vine::models
