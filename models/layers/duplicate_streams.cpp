#include "models/layers/duplicate_streams.h"

#include <algorithm>

namespace vine::models {

DuplicateStreams::DuplicateStreams(std::string name, PipelineTiming t, int frames, int64_t words_per_frame)
    : Stage(std::move(name), t), total_(frames * words_per_frame), words_per_frame_(words_per_frame) {}

bool DuplicateStreams::next_iteration(Iteration& it) {
  if (next_ >= total_) return false;
  it = {next_++, 1, (1u << outputs().size()) - 1};
  return true;
}

void DuplicateStreams::consume(int, const int32_t* beat) { beat_.assign(beat, beat + inputs()[0]->elements_per_word()); }

void DuplicateStreams::produce(int, int32_t* beat) { std::copy(beat_.begin(), beat_.end(), beat); }

}  // namespace vine::models
