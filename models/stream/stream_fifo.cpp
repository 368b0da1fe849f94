#include "models/stream/stream_fifo.h"

#include <algorithm>

namespace vine::models {

namespace {
size_t ring_size(int capacity) {
  size_t n = 1;
  while (n < size_t(capacity)) n <<= 1;
  return n;
}
}  // namespace

StreamFifo::StreamFifo(const char* basename, std::string name, int depth, int latency,
                       bool memory_style, int elements_per_word, bool carries_data)
    : sc_core::sc_object(basename),
      name_(std::move(name)),
      depth_(depth),
      capacity_(memory_style ? depth + 1 : depth),
      latency_(latency),
      elems_(elements_per_word),
      carries_data_(carries_data),
      mask_(ring_size(capacity_) - 1),
      write_cycle_(mask_ + 1),
      read_cycle_(mask_ + 1),
      data_(carries_data ? (mask_ + 1) * size_t(elements_per_word) : 0) {}

void StreamFifo::keep_stamps(int64_t beats) {
  if (written_ || read_ || beats <= stamps_kept()) return;
  mask_ = ring_size(int(beats)) - 1;
  write_cycle_.assign(mask_ + 1, 0);
  read_cycle_.assign(mask_ + 1, 0);
  if (carries_data_) data_.assign((mask_ + 1) * size_t(elems_), 0);
}

// Beat k's stamps move to beat k + beats: the rings turn by `beats`.
void StreamFifo::skip(int64_t beats, int64_t cycles) {
  const size_t n = mask_ + 1, turn = size_t(beats) & mask_;
  for (auto* ring : {&write_cycle_, &read_cycle_}) {
    std::rotate(ring->begin(), ring->begin() + std::ptrdiff_t((n - turn) & mask_), ring->end());
    for (int64_t& c : *ring) c += cycles;
  }
  if (carries_data_) {
    const size_t e = size_t(elems_);
    std::rotate(data_.begin(), data_.begin() + std::ptrdiff_t(((n - turn) & mask_) * e), data_.end());
  }
  written_ += beats;
  read_ += beats;
  occupancy_cursor_ += beats;
}

void StreamFifo::commit_write(int64_t cycle) {
  write_cycle_[size_t(written_) & mask_] = cycle;
  if (record_) times_.push_back({cycle, 0});
  ++written_;
}

void StreamFifo::commit_read(int64_t cycle) {
  const int64_t k = read_;
  read_cycle_[size_t(k) & mask_] = cycle;
  if (record_) times_[size_t(k)].read = cycle;
  ++read_;
  finish_occupancy(k, cycle);
}

// The occupancy right after beat k was written, (beats written up to w(k)) -
// (beats read up to w(k)), is final once beat k is read: every earlier read is
// known then. Reads are in order and beats k - capacity and older were read
// before w(k), so it is 1 + the number of beats in (k - capacity, k) read
// after w(k), i.e. k + 1 - (the first beat i > k - capacity with r(i) > w(k)).
// Write and read stamps both rise with the beat number, so that first beat
// never moves back from one k to the next: a cursor that only moves forward
// finds it in amortised constant time (a binary search over a 65536-deep ring
// cost a cache miss per step, a fifth of a deep-FIFO run's host time).
void StreamFifo::finish_occupancy(int64_t k, int64_t /*read_cycle*/) {
  const int64_t wk = write_cycle_[size_t(k) & mask_];
  int64_t i = std::max(occupancy_cursor_, k - capacity_ + 1);
  while (i < k && read_cycle_[size_t(i) & mask_] <= wk) ++i;
  occupancy_cursor_ = i;
  const int occ = int(k - i) + 1;
  if (occ > max_occupancy_) max_occupancy_ = occ;
}

}  // namespace vine::models
