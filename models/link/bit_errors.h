// Fault injection on a link's wire: which bits of the stream of blocks the
// transmitter sends arrive flipped. Independent errors at a bit error rate
// (the gap to the next errored bit drawn from the geometric distribution
// with a seeded generator of the project's own, so a seed names the same
// pattern on every machine), and periodic bursts of consecutive flipped bits.
#pragma once

#include <cstdint>

namespace vine::models {

class BitErrorSource {
 public:
  BitErrorSource(double bit_error_rate, uint64_t seed, int64_t burst_every_bits, int burst_bits);
  // Flips the errored bits among the next `bits` bits on the wire (bit i of
  // the block is bit i % 64 of block[i / 64]); returns how many it flipped.
  int corrupt(uint64_t* block, int bits);
  int64_t bits_sent() const { return pos_; }

 private:
  double uniform();  // in (0, 1]
  void draw_next();

  double ber_;
  uint64_t state_;
  int64_t burst_every_, burst_bits_;
  int64_t pos_ = 0;              // bits sent so far
  int64_t next_error_ = -1;      // bit index of the next independent error, -1: none
};

}  // namespace vine::models
