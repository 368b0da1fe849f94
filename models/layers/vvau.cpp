#include "models/layers/vvau.h"

#include <algorithm>

namespace vine::models {

Vvau::Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int simd, int64_t pixels,
           std::vector<RowBlock> rows, OutputUnit out)
    : Stage(std::move(name), t),
      channels_(channels),
      k2_(kernel_area),
      pe_(pe),
      simd_(simd),
      positions_(kernel_area / simd),
      total_(frames * pixels * (channels / pe) * positions_),
      per_frame_(pixels * (channels / pe) * positions_),
      rows_(std::move(rows)),
      out_(std::move(out)),
      window_(size_t(kernel_area) * size_t(pe)),
      lane_(size_t(kernel_area)) {}

Vvau::Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int64_t pixels,
           std::unique_ptr<WeightLanes> lanes, OutputUnit out)
    : Vvau(std::move(name), t, frames, channels, kernel_area, pe, 1, pixels, std::vector<RowBlock>{}, std::move(out)) {
  streamed_ = true;
  lanes_ = std::move(lanes);
  acc_.assign(size_t(pe), 0);
}

Vvau::Vvau(std::string name, PipelineTiming t, int frames, int channels, int kernel_area, int pe, int64_t pixels,
           std::unique_ptr<RtlPeArray> rtl, OutputUnit out)
    : Vvau(std::move(name), t, frames, channels, kernel_area, pe, 1, pixels, std::vector<RowBlock>{}, std::move(out)) {
  rtl_ = std::move(rtl);
  rtl_->connect([this](int64_t index) { return beat_of(index); }, &out_);
  set_advance_hook(true);
}

bool Vvau::next_iteration(Iteration& it) {
  if (next_ >= total_) return false;
  const int64_t i = next_++;
  index_ = i;
  read_k_ = next_k_;
  write_nf_ = next_nf_;
  if (++next_k_ == positions_) {
    next_k_ = 0;
    if (++next_nf_ == channels_ / pe_) next_nf_ = 0;
  }
  it = {i, streamed_ ? 3u : 1u, read_k_ == positions_ - 1 ? 1u : 0u};
  return true;
}

void Vvau::consume(int port, const int32_t* beat) {
  if (port == 0) {  // SIMD positions of PE channels: the window's layout, [position][lane]
    const int64_t n = int64_t{simd_} * pe_;
    std::copy(beat, beat + n, window_.begin() + std::ptrdiff_t(read_k_ * n));
    return;
  }
  // A weight word: the PE channels' weights at kernel position read_k_.
  if (read_k_ == 0) std::fill(acc_.begin(), acc_.end(), 0);
  for (int p = 0; p < pe_; ++p)
    acc_[size_t(p)] += lanes_->product(write_nf_ * pe_ + p, beat[p], window_[size_t(read_k_ * pe_ + p)]);
}

void Vvau::produce(int, int32_t* beat) {
  if (streamed_) {
    for (int p = 0; p < pe_; ++p) beat[p] = out_.apply(acc_[size_t(p)], int(write_nf_ * pe_ + p));
    return;
  }
  if (rtl_) {  // the PEs' results fill the beat in as they leave their units
    rtl_->expect(index_, write_nf_ * pe_, beat);
    return;
  }
  for (int p = 0; p < pe_; ++p) {
    const int64_t c = write_nf_ * pe_ + p;
    for (int k = 0; k < k2_; ++k) lane_[size_t(k)] = window_[size_t(k) * size_t(pe_) + size_t(p)];
    DotProductUnit& unit = unit_of_row(rows_, c);
    unit.load(lane_.data());
    beat[p] = out_.apply(unit.dot(c), int(c));
  }
}

// Iteration (pixel, channel fold nf, kernel position k): PE p takes position
// k of channel nf * PE + p's K*K weights (a SIMD-1 lane), on the window's
// element for that channel and position, read by this iteration.
RtlBeat Vvau::beat_of(int64_t index) const {
  if (index >= total_) return {};
  const int64_t k = index % k2_, nf = index / k2_ % (channels_ / pe_);
  return {nf * pe_, k, &window_[size_t(k) * size_t(pe_)], true};
}

}  // namespace vine::models
