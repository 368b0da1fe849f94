#include "models/layers/dma.h"

#include <algorithm>

namespace vine::models {

FrameChunks::FrameChunks(int64_t beats_per_frame, FrameTransfer t)
    : transfer_(std::move(t)), beats_(beats_per_frame), span_(beats_per_frame) {
  if (!in_ddr()) return;
  const auto& chunks = transfer_.chunks;
  offset_.reserve(size_t(beats_));
  port_.assign(size_t(beats_), -1);
  occupancy_.assign(size_t(beats_), 0);
  int64_t at = 0, beat = 0;
  for (size_t k = 0; k < chunks.size(); ++k) {
    const DdrChunk& c = chunks[k];
    auto ch = std::find(channels_.begin(), channels_.end(), c.channel);
    if (ch == channels_.end()) ch = channels_.insert(channels_.end(), c.channel);
    const int port = int(ch - channels_.begin());
    // The output DMA's beats wait out the rest of the previous burst's
    // occupancy (the frame's first chunk follows the previous frame's last).
    const int64_t before = chunks[(k + chunks.size() - 1) % chunks.size()].occupancy;
    const int64_t lead = transfer_.write ? std::max<int64_t>(0, before - c.items) : 0;
    const size_t first = size_t(beat);
    for (int64_t j = 0; j < c.items; ++j) offset_.push_back(at + lead + j);
    const size_t asks = transfer_.write ? first + size_t(c.items) - 1 : first;
    port_[asks] = port;
    occupancy_[asks] = c.occupancy;
    beat += c.items;
    at += transfer_.write ? lead + c.items : std::max(c.occupancy, c.items);
  }
  span_ = at;
}

void FrameChunks::iteration_of(int64_t frame, int64_t beat, Iteration& it) const {
  if (!in_ddr()) {
    it.index = frame * beats_ + beat;
    return;
  }
  it.index = frame * span_ + offset_[size_t(beat)];
  it.shared = port_[size_t(beat)];
  it.occupancy = occupancy_[size_t(beat)];
}

InputDma::InputDma(std::string name, PipelineTiming t, int frames, int64_t words_per_frame, FrameSource source,
                   FrameChunks memory)
    : Stage(std::move(name), t),
      frames_(frames),
      words_(words_per_frame),
      source_(std::move(source)),
      memory_(memory.in_ddr() ? std::move(memory) : FrameChunks(words_per_frame, {})) {}

bool InputDma::next_iteration(Iteration& it) {
  if (next_ >= int64_t{frames_} * words_) return false;
  it = {next_, 0, 1};
  memory_.iteration_of(next_ / words_, next_ % words_, it);
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
      memory_(memory.in_ddr() ? std::move(memory) : FrameChunks(words_per_frame, {})) {}

bool OutputDma::next_iteration(Iteration& it) {
  // The previous beat has been read by now: account for it.
  if (next_ > 0) account_beat();
  if (next_ >= int64_t{frames_} * words_) return false;
  it = {next_, 1, 0};
  memory_.iteration_of(next_ / words_, next_ % words_, it);
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
