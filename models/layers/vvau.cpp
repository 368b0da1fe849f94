#include "models/layers/vvau.h"

#include <algorithm>

namespace vine::models {

Vvau::Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int64_t pixels,
           std::vector<RowBlock> rows, OutputUnit out)
    : Stage(std::move(name), t),
      channels_(channels),
      k2_(kernel_area),
      pe_(pe),
      total_(frames * pixels * (channels / pe) * kernel_area),
      per_frame_(pixels * (channels / pe) * kernel_area),
      rows_(std::move(rows)),
      out_(std::move(out)),
      window_(size_t(kernel_area) * size_t(pe)),
      lane_(size_t(kernel_area)) {}

bool Vvau::next_iteration(Iteration& it) {
  if (next_ >= total_) return false;
  const int64_t i = next_++;
  read_k_ = i % k2_;
  write_nf_ = (i / k2_) % (channels_ / pe_);
  it = {i, 1, read_k_ == k2_ - 1 ? 1u : 0u};
  return true;
}

void Vvau::consume(int, const int32_t* beat) {
  std::copy(beat, beat + pe_, window_.begin() + std::ptrdiff_t(read_k_ * pe_));
}

void Vvau::produce(int, int32_t* beat) {
  for (int p = 0; p < pe_; ++p) {
    const int64_t c = write_nf_ * pe_ + p;
    for (int k = 0; k < k2_; ++k) lane_[size_t(k)] = window_[size_t(k) * size_t(pe_) + size_t(p)];
    DotProductUnit& unit = unit_of_row(rows_, c);
    unit.load(lane_.data());
    beat[p] = out_.apply(unit.dot(c), int(c));
  }
}

}  // namespace vine::models
