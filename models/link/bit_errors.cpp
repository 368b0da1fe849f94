#include "models/link/bit_errors.h"

#include <cmath>

namespace vine::models {

BitErrorSource::BitErrorSource(double ber, uint64_t seed, int64_t burst_every_bits, int burst_bits)
    : ber_(ber), state_(seed), burst_every_(burst_every_bits), burst_bits_(burst_bits) {
  if (ber_ > 0) draw_next();
}

// splitmix64: a small, fully specified generator, the same on every platform.
double BitErrorSource::uniform() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (double(z >> 11) + 1.0) * (1.0 / 9007199254740992.0);  // (0, 1]
}

void BitErrorSource::draw_next() {
  // The number of good bits before the next error is geometric with
  // success probability ber: floor(ln U / ln(1 - ber)).
  const double gap = std::floor(std::log(uniform()) / std::log1p(-ber_));
  const int64_t base = next_error_ < 0 ? 0 : next_error_ + 1;
  next_error_ = gap > 9e18 ? INT64_MAX : base + int64_t(gap);
}

int BitErrorSource::corrupt(uint64_t* block, int bits) {
  const int64_t end = pos_ + bits;
  int flipped = 0;
  auto flip = [&](int64_t at) {
    const int64_t i = at - pos_;
    block[i / 64] ^= uint64_t(1) << (i % 64);
    ++flipped;
  };
  while (ber_ > 0 && next_error_ < end) {
    flip(next_error_);
    draw_next();
  }
  if (burst_every_ > 0) {
    // Burst k >= 1 covers bits [k x every, k x every + burst_bits).
    for (int64_t k = std::max<int64_t>(1, pos_ / burst_every_); k * burst_every_ < end; ++k)
      for (int64_t b = std::max(pos_, k * burst_every_); b < std::min(end, k * burst_every_ + burst_bits_); ++b)
        flip(b);
  }
  pos_ = end;
  return flipped;
}

}  // namespace vine::models
