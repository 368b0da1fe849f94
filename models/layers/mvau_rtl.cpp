#include "models/layers/mvau_rtl.h"

#include <algorithm>

namespace vine::models {

MvauRtlSlots mvau_rtl_slots(const MatrixGeometry& g) {
  MvauRtlSlots s;
  s.sf = g.mw / g.simd;
  s.nf = g.mh / g.pe;
  if (s.nf > 1) {  // replay_buffer.sv with REP = NF > 1: AWIDTH = max(1, clog2(LEN))
    s.capacity = 2;
    while (s.capacity < s.sf) s.capacity *= 2;
    s.core_offset = 2;
  }
  return s;
}

int64_t MvauRtlSlots::read_slot(int64_t i, int64_t prev) const {
  if (capacity == 0) return (i / sf) * nf * sf + i % sf;  // a wire: read as the core takes it
  int64_t slot = prev + 1;
  if (i >= capacity) {
    // The entry i - capacity frees as its last replay (pass NF-1) reads it,
    // one cycle before the core takes it; the input is accepted from the next
    // cycle on, which is the core's slot of that entry.
    const int64_t e = i - capacity, v = e / sf, k = e % sf;
    slot = std::max(slot, (v * nf + nf - 1) * sf + k + core_offset);
  }
  return slot;
}

MvauRtl::MvauRtl(std::string name, PipelineTiming t, int frames, MatrixGeometry g, std::vector<RowBlock> rows,
                 OutputUnit out)
    : Stage(std::move(name), t),
      g_(g),
      slots_(mvau_rtl_slots(g)),
      total_vectors_(frames * g.vectors),
      rows_(std::move(rows)),
      out_(std::move(out)),
      vectors_(kVectors, std::vector<int32_t>(size_t(g.mw))),
      acc_(size_t(g.pe)) {}

// Two increasing sequences merged: the input beats' read slots and the
// neuron folds' write slots; a slot holding both is one iteration.
bool MvauRtl::next_iteration(Iteration& it) {
  const int64_t beats = total_vectors_ * slots_.sf, folds = total_vectors_ * slots_.nf;
  const bool more_reads = next_read_ < beats, more_writes = next_write_ < folds;
  if (!more_reads && !more_writes) return false;
  const int64_t r = more_reads ? slots_.read_slot(next_read_, read_at_) : INT64_MAX;
  const int64_t w = more_writes ? slots_.write_slot(next_write_ / slots_.nf, next_write_ % slots_.nf) : INT64_MAX;
  const int64_t slot = std::min(r, w);
  it = {slot, r == slot ? 1u : 0u, w == slot ? 1u : 0u};
  if (r == slot) {
    read_beat_ = next_read_++;
    read_at_ = r;
  }
  if (w == slot) write_fold_ = next_write_++;
  return true;
}

void MvauRtl::consume(int, const int32_t* beat) {
  const int64_t v = read_beat_ / slots_.sf, k = read_beat_ % slots_.sf;
  std::copy(beat, beat + g_.simd, vectors_[size_t(v % kVectors)].begin() + std::ptrdiff_t(k * g_.simd));
}

// Reads of a vector all come at least two slots before the core takes them
// (read_slot), so its first neuron fold finds it whole in the ring.
void MvauRtl::produce(int, int32_t* beat) {
  const int64_t v = write_fold_ / slots_.nf, n = write_fold_ % slots_.nf;
  if (n == 0)
    for (auto& b : rows_) b.unit->load(vectors_[size_t(v % kVectors)].data());
  const int64_t first = n * g_.pe;
  const DotProductUnit& unit = unit_of_row(rows_, first);
  unit.dot_rows(first, g_.pe, acc_.data());
  for (int p = 0; p < g_.pe; ++p) beat[p] = out_.apply(acc_[size_t(p)], int(first + p));
}

}  // namespace vine::models
