#include "models/layers/tiled_mvau.h"

#include <algorithm>

namespace vine::models {

TiledMvau::TiledMvau(std::string name, PipelineTiming t, int frames, MatrixGeometry g, int64_t tile,
                     std::unique_ptr<WeightLanes> lanes, OutputUnit out)
    : Stage(std::move(name), t),
      g_(g),
      sf_count_(g.mw / g.simd),
      nf_count_(g.mh / g.pe),
      tile_(tile),
      tiles_(frames * (g.vectors / tile)),
      lanes_(std::move(lanes)),
      out_(std::move(out)) {
  if (lanes_) {
    for (auto& b : in_) b.assign(size_t(tile_ * g_.mw), 0);
    for (auto& b : outputs_) b.assign(size_t(tile_ * g_.mh), 0);
    acc_.assign(size_t(tile_ * g_.pe), 0);
  }
}

bool TiledMvau::next_iteration(Iteration& it) {
  const int64_t loads = tile_ * sf_count_, drains = tile_ * nf_count_;
  switch (phase_) {
    case Phase::kPrologue:
      it = {index_++, 1, 0};
      in_tile_ = 0;
      in_beat_ = i_;
      if (++i_ == loads) {
        phase_ = Phase::kTile;
        i_ = 0;
      }
      return true;
    case Phase::kTile: {
      const int64_t n = nf_count_ * sf_count_ * tile_;
      // The next tile's inputs and the last tile's outputs are spread evenly
      // over the tile's n iterations: beat b at the first iteration i with
      // (i + 1) x B >= (b + 1) x n, so that the stage reads and writes at the
      // rates the streams around it run at, not in bursts that stall its
      // arithmetic. Iterations that touch no stream are skipped (their
      // indices still count): the next one is the earliest of the next weight
      // word (x == 0), the next input beat and the next output beat.
      auto next_step = [&](int64_t beats) {  // the iteration of the next beat at or after i_
        const int64_t b = i_ * beats / n;    // beats before i_
        return b < beats ? ((b + 1) * n + beats - 1) / beats - 1 : n;
      };
      for (;;) {
        const bool prefetch = t_ + 1 < tiles_, drain = t_ > 0;
        int64_t next = (i_ + tile_ - 1) / tile_ * tile_;
        if (prefetch) next = std::min(next, next_step(loads));
        if (drain) next = std::min(next, next_step(drains));
        if (next < n) {
          index_ += next - i_;
          i_ = next;
          break;
        }
        index_ += n - i_;  // nothing left in this tile
        i_ = 0;
        if (++t_ == tiles_) {
          phase_ = Phase::kEpilogue;
          return next_iteration(it);
        }
      }
      auto step = [&](int64_t beats) { return (i_ + 1) * beats / n != i_ * beats / n; };
      uint32_t reads = 0, writes = 0;
      if (t_ + 1 < tiles_ && step(loads)) {
        reads |= 1;
        in_tile_ = t_ + 1;
        in_beat_ = i_ * loads / n;
      }
      if (i_ % tile_ == 0) {  // the weight word (nf, sf), for the whole tile
        reads |= 2;
        nf_ = i_ / (sf_count_ * tile_);
        sf_ = (i_ / tile_) % sf_count_;
        compute_tile_ = t_;
      }
      if (t_ > 0 && step(drains)) {
        writes = 1;
        out_tile_ = t_ - 1;
        out_beat_ = i_ * drains / n;
      }
      it = {index_++, reads, writes};
      if (++i_ == n) {
        i_ = 0;
        if (++t_ == tiles_) phase_ = Phase::kEpilogue;
      }
      return true;
    }
    case Phase::kEpilogue:
      it = {index_++, 0, 1};
      out_tile_ = tiles_ - 1;
      out_beat_ = i_;
      if (++i_ == drains) phase_ = Phase::kDone;
      return true;
    case Phase::kDone:
      return false;
  }
  return false;
}

void TiledMvau::consume(int port, const int32_t* beat) {
  if (port == 0) {  // input beat b of a tile: vector b / SF, fold b % SF
    const int64_t x = in_beat_ / sf_count_, sf = in_beat_ % sf_count_;
    std::copy(beat, beat + g_.simd, in_[in_tile_ % 2].begin() + std::ptrdiff_t(x * g_.mw + sf * g_.simd));
    return;
  }
  // Weight word (nf, sf) against the tile's T vectors; after the last fold
  // the tile's outputs of the neuron fold nf are done.
  const std::vector<int32_t>& in = in_[compute_tile_ % 2];
  if (sf_ == 0) std::fill(acc_.begin(), acc_.end(), 0);
  for (int64_t x = 0; x < tile_; ++x)
    lanes_->accumulate_word(nf_ * g_.pe, g_.pe, g_.simd, beat, &in[size_t(x * g_.mw + sf_ * g_.simd)],
                            &acc_[size_t(x * g_.pe)]);
  if (sf_ == sf_count_ - 1)
    for (int64_t x = 0; x < tile_; ++x)
      for (int p = 0; p < g_.pe; ++p) {
        const int64_t row = nf_ * g_.pe + p;
        outputs_[compute_tile_ % 2][size_t(x * g_.mh + row)] = out_.apply(acc_[size_t(x * g_.pe + p)], int(row));
      }
}

void TiledMvau::produce(int, int32_t* beat) {
  // Output beat b of a tile: pixel b / NF, neuron fold b % NF.
  const int64_t x = out_beat_ / nf_count_, nf = out_beat_ % nf_count_;
  const int32_t* o = &outputs_[out_tile_ % 2][size_t(x * g_.mh + nf * g_.pe)];
  std::copy(o, o + g_.pe, beat);
}

}  // namespace vine::models
