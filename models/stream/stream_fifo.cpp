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
      slots_(size_t(capacity_)),
      stamps_(slots_),
      data_(carries_data ? slots_ * size_t(elements_per_word) : 0) {}

// The fast-forward compares the newest stamps_kept() read stamps of every
// FIFO: a power of two, at least capacity() and `beats`, as it always was, so
// that it finds the same repetition.
void StreamFifo::keep_stamps(int64_t beats) {
  if (written_ || read_) return;
  slots_ = ring_size(int(std::max<int64_t>(beats, capacity_)));
  stamps_.assign(slots_, Stamps{});
  if (carries_data_) data_.assign(slots_ * size_t(elems_), 0);
}

// Beat k's stamps move to beat k + beats: the rings turn by `beats`.
void StreamFifo::skip(int64_t beats, int64_t write_cycles, int64_t read_cycles) {
  const size_t n = slots_, turn = size_t(beats) % n;
  std::rotate(stamps_.begin(), stamps_.begin() + std::ptrdiff_t((n - turn) % n), stamps_.end());
  for (Stamps& s : stamps_) {
    s.write += write_cycles;
    s.read += read_cycles;
  }
  if (carries_data_) {
    const size_t e = size_t(elems_);
    std::rotate(data_.begin(), data_.begin() + std::ptrdiff_t(((n - turn) % n) * e), data_.end());
  }
  written_ += beats;
  read_ += beats;
  write_pos_ = size_t(written_) % n;
  read_pos_ = size_t(read_) % n;
  occupancy_cursor_ += beats;
}

}  // namespace vine::models
