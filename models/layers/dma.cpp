#include "models/layers/dma.h"

#include <algorithm>

namespace vine::models {

FrameChunks::FrameChunks(FrameTransfer t) : transfer_(std::move(t)) {
  for (const DdrChunk& c : transfer_.chunks) {
    auto it = std::find(channels_.begin(), channels_.end(), c.channel);
    if (it == channels_.end()) it = channels_.insert(channels_.end(), c.channel);
    port_of_chunk_.push_back(int(it - channels_.begin()));
  }
}

// The input DMA asks with a chunk's first beat, the output DMA with its last.
void FrameChunks::request_of(int64_t beat, int32_t& shared, int64_t& occupancy) {
  if (!in_ddr()) return;
  if (beat == 0) {  // every frame walks its buffer's chunks from the first
    chunk_ = 0;
    left_in_chunk_ = transfer_.chunks[0].items;
  } else if (left_in_chunk_ == 0) {
    left_in_chunk_ = transfer_.chunks[++chunk_].items;
  }
  const bool first = left_in_chunk_ == transfer_.chunks[chunk_].items;
  --left_in_chunk_;
  if (transfer_.write ? left_in_chunk_ == 0 : first) {
    shared = port_of_chunk_[chunk_];
    occupancy = transfer_.chunks[chunk_].occupancy;
  }
}

InputDma::InputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSource source,
                   FrameChunks memory)
    : Stage(std::move(name), t),
      frames_(frames),
      words_(words_per_frame),
      source_(std::move(source)),
      memory_(std::move(memory)) {}

bool InputDma::next_iteration(Iteration& it) {
  if (next_ >= int64_t{frames_} * words_) return false;
  it = {next_, 0, 1};
  memory_.request_of(next_ % words_, it.shared, it.occupancy);
  ++next_;
  return true;
}

void InputDma::produce(int, int32_t* beat) {
  const int frame = int((next_ - 1) / words_);
  if (frame != loaded_) {
    source_(frame, frame_);
    loaded_ = frame;
    frame_pos_ = 0;
  }
  const int n = outputs()[0]->elements_per_word();
  for (int e = 0; e < n; ++e) beat[e] = frame_[size_t(frame_pos_++)];
}

OutputDma::OutputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSink sink,
                     FrameChunks memory)
    : Stage(std::move(name), t),
      frames_(frames),
      words_(words_per_frame),
      sink_(std::move(sink)),
      memory_(std::move(memory)) {}

bool OutputDma::next_iteration(Iteration& it) {
  // The previous beat has been read by now: account for it.
  if (next_ > 0) account_beat();
  if (next_ >= int64_t{frames_} * words_) return false;
  it = {next_, 1, 0};
  memory_.request_of(next_ % words_, it.shared, it.occupancy);
  ++next_;
  return true;
}

void OutputDma::consume(int, const int32_t* beat) {
  const int n = inputs()[0]->elements_per_word();
  frame_.insert(frame_.end(), beat, beat + n);
}

// The skipped frames leave as the `period` frames before them did, each
// period `cycles` later; the frames after them are numbered on from there.
void OutputDma::frames_skipped(int64_t frames, int period, int64_t cycles) {
  for (std::vector<int64_t>* v : {&first_, &last_})
    for (int64_t i = 0; i < frames; ++i) v->push_back((*v)[v->size() - size_t(period)] + cycles);
}

// Called for beat next_ - 1 once its read cycle is known: when the next
// iteration is asked for (also after the last one).
void OutputDma::account_beat() {
  const int64_t k = seen_++;
  const int64_t cycle = local_cycle();
  if (k % words_ == 0) first_.push_back(cycle);
  if (k % words_ == words_ - 1) {
    last_.push_back(cycle);
    if (sink_) sink_(int(last_.size()) - 1, frame_, cycle);
    frame_.clear();
  }
}

}  // namespace vine::models
