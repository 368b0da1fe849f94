#include "models/layers/mvau.h"

#include <algorithm>

namespace vine::models {

Mvau::Mvau(std::string name, PipelineTiming t, int frames, MatrixGeometry g, std::vector<RowBlock> rows, OutputUnit out)
    : Stage(std::move(name), t),
      g_(g),
      sf_count_(g.mw / g.simd),
      nf_count_(g.mh / g.pe),
      total_vectors_(frames * g.vectors),
      rows_(std::move(rows)),
      out_(std::move(out)),
      vector_(size_t(g.mw)) {}

Mvau::Mvau(std::string name, PipelineTiming t, int frames, MatrixGeometry g, std::unique_ptr<WeightLanes> lanes,
           OutputUnit out)
    : Mvau(std::move(name), t, frames, g, std::vector<RowBlock>{}, std::move(out)) {
  streamed_ = true;
  lanes_ = std::move(lanes);
  acc_.assign(size_t(g.pe), 0);
}

Mvau::Mvau(std::string name, PipelineTiming t, int frames, MatrixGeometry g, std::unique_ptr<RtlPeArray> rtl,
           OutputUnit out)
    : Mvau(std::move(name), t, frames, g, std::vector<RowBlock>{}, std::move(out)) {
  rtl_ = std::move(rtl);
  rtl_->connect([this](int64_t index) { return beat_of(index); }, &out_);
  set_advance_hook(true);
}

void Mvau::set_bit_serial(std::vector<int> fold_cycles) {
  fold_cycles_.assign(fold_cycles.begin(), fold_cycles.end());
  fold_start_.clear();
  bit_serial_span_ = 0;
  for (int64_t c : fold_cycles_) {
    fold_start_.push_back(bit_serial_span_);
    bit_serial_span_ += sf_count_ * c;
  }
}

// Bit-serial lanes: fold (v, nf, sf) occupies the w = fold_cycles_[nf]
// indices from v * span + fold_start_[nf] + sf * w. The nf == 0 pass reads
// each fold's beat at its first cycle; the output beat is written from an
// iteration at the last fold's last cycle (one iteration with the last read
// when w = 1), the pipeline depth counting from there (pe_timing.h). The
// other passes touch a stream only there.
bool Mvau::next_bit_serial(Iteration& it) {
  if (v_ >= total_vectors_) return false;
  const int64_t w = fold_cycles_[size_t(nf_)];
  const int64_t first = v_ * bit_serial_span_ + fold_start_[size_t(nf_)];
  write_nf_ = nf_;
  if (nf_ == 0 && !write_pending_) {
    const bool last_fold = sf_ == sf_count_ - 1;
    const bool writes_now = last_fold && w == 1;
    it = {first + sf_ * w, 1u, writes_now ? 1u : 0u};
    read_sf_ = sf_;
    if (!last_fold) {
      ++sf_;
      return true;
    }
    sf_ = 0;
    if (!writes_now) {
      write_pending_ = true;
      return true;
    }
  } else {
    it = {first + sf_count_ * w - 1, 0u, 1u};
    write_pending_ = false;
  }
  index_ = it.index;
  if (++nf_ == nf_count_) {
    nf_ = 0;
    ++v_;
  }
  return true;
}

// Iterations (v, nf, sf) with v the vector, index v*NF*SF + nf*SF + sf. Only
// the nf == 0 pass reads, and only sf == SF-1 writes, so the cursor visits SF
// iterations in the first pass and one in each of the others.
bool Mvau::next_iteration(Iteration& it) {
  if (!fold_cycles_.empty()) return next_bit_serial(it);
  if (v_ >= total_vectors_) return false;
  const int64_t index = (v_ * nf_count_ + nf_) * sf_count_ + sf_;
  const bool last_fold = sf_ == sf_count_ - 1;
  if (streamed_) {  // every iteration reads a weight word
    it = {index, (nf_ == 0 ? 1u : 0u) | 2u, last_fold ? 1u : 0u};
    read_sf_ = sf_;
    write_nf_ = nf_;
    if (!last_fold) {
      ++sf_;
    } else if (sf_ = 0; ++nf_ == nf_count_) {
      nf_ = 0;
      ++v_;
    }
    return true;
  }
  it = {index, nf_ == 0 ? 1u : 0u, last_fold ? 1u : 0u};
  index_ = index;
  read_sf_ = sf_;
  write_nf_ = nf_;
  if (nf_ == 0 && !last_fold) {
    ++sf_;
  } else if (++nf_ < nf_count_) {
    sf_ = sf_count_ - 1;  // later passes: only the writing fold touches a stream
  } else {
    nf_ = 0;
    sf_ = 0;
    ++v_;
  }
  return true;
}

void Mvau::consume(int port, const int32_t* beat) {
  if (port == 0) {
    std::copy(beat, beat + g_.simd, vector_.begin() + std::ptrdiff_t(read_sf_ * g_.simd));
    return;
  }
  // A weight word: PE rows of SIMD weights against the vector's fold read_sf_.
  if (read_sf_ == 0) std::fill(acc_.begin(), acc_.end(), 0);
  lanes_->accumulate_word(write_nf_ * g_.pe, g_.pe, g_.simd, beat, &vector_[size_t(read_sf_ * g_.simd)], acc_.data());
}

void Mvau::produce(int, int32_t* beat) {
  if (streamed_) {
    for (int p = 0; p < g_.pe; ++p) beat[p] = out_.apply(acc_[size_t(p)], int(write_nf_ * g_.pe + p));
    return;
  }
  const int64_t first = write_nf_ * g_.pe;
  if (rtl_) {  // the PEs' results fill the beat in as they leave their units
    rtl_->expect(index_, first, beat);
    return;
  }
  if (write_nf_ == 0)
    for (auto& b : rows_) b.unit->load(vector_.data());
  // A channel group holds whole multiples of PE rows: one unit serves the fold.
  const DotProductUnit& unit = unit_of_row(rows_, first);
  acc_.resize(size_t(g_.pe));
  unit.dot_rows(first, g_.pe, acc_.data());
  for (int p = 0; p < g_.pe; ++p) beat[p] = out_.apply(acc_[size_t(p)], int(first + p));
}

// Iteration (v, nf, sf): PE p takes fold sf of row nf * PE + p, on the
// buffered vector's fold sf (read in the nf == 0 pass, at or before it).
// On bit-serial lanes fold (v, nf, sf) spans w = fold_cycles_[nf] iterations
// (next_bit_serial): its beat enters the PEs at the first of them and holds
// them for the w cycles, so the others offer none.
RtlBeat Mvau::beat_of(int64_t index) const {
  if (!fold_cycles_.empty()) {
    if (index >= total_vectors_ * bit_serial_span_) return {};
    const int64_t o = index % bit_serial_span_;
    const auto nf = int64_t(std::upper_bound(fold_start_.begin(), fold_start_.end(), o) - fold_start_.begin()) - 1;
    const int64_t w = fold_cycles_[size_t(nf)], k = o - fold_start_[size_t(nf)];
    if (k % w != 0) return {};
    return {nf * g_.pe, k / w, &vector_[size_t(k / w * g_.simd)], false};
  }
  if (index >= total_vectors_ * nf_count_ * sf_count_) return {};
  const int64_t sf = index % sf_count_, nf = index / sf_count_ % nf_count_;
  return {nf * g_.pe, sf, &vector_[size_t(sf * g_.simd)], false};
}

}  // namespace vine::models
