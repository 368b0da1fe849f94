// What one direction of a serial link did (docs/links.md): the figures the
// run report gives per link.
#pragma once

#include <cstdint>
#include <limits>

namespace vine::models {

struct LinkStats {
  int64_t cycles = 0;           // user-clock cycles simulated
  int64_t gap_cycles = 0;       // gearbox pauses and clock compensation
  int64_t words_in = 0;         // words accepted from the producer
  int64_t words_out = 0;        // words delivered into the receive FIFO
  int64_t data_blocks = 0;      // data blocks sent, resends included
  int64_t trailer_blocks = 0;   // frame trailers sent
  int64_t frames_sent = 0;      // frame transmissions, resends included
  int64_t frames_resent = 0;    // transmissions of a frame sent before
  int64_t crc_errors = 0;       // frames received with a CRC that does not match
  int64_t frames_discarded = 0; // good frames dropped for arriving out of order (go-back-N)
  int64_t naks = 0, acks = 0;   // sent by the receiver
  int64_t timeouts = 0;         // rewinds on the transmitter's replay timeout
  int64_t bits_flipped = 0;     // by fault injection
  int64_t overflow_frames = 0;  // frames the full receive FIFO had no room for
  int64_t words_lost = 0;       // words that never reached the receiver's user side
  int64_t xoff_events = 0;      // XOFF messages sent
  int64_t xoff_cycles = 0;      // cycles the transmitter held off after an XOFF
  int64_t replay_full_cycles = 0;  // cycles a new frame waited for room in the replay buffer
  int rx_peak_words = 0;        // the receive FIFO's peak occupancy
  // Per delivered word: cycles from entering the transmit FIFO to entering the receive FIFO.
  int64_t latency_min = std::numeric_limits<int64_t>::max(), latency_max = 0;
  double latency_sum = 0;

  double latency_mean() const { return words_out ? latency_sum / double(words_out) : 0; }
  // Fraction of cycles whose slot carried a data block.
  double utilisation() const { return cycles ? double(data_blocks) / double(cycles) : 0; }
};

}  // namespace vine::models
