// The figures a serial link between two boards is built from (docs/links.md):
// the physical layer modelled after AMD's Aurora 64B/66B core (PG074), its
// receive FIFO and native flow control, and the framing and retransmission
// layer Vine puts above it. A plain value: a cluster config fills it, a test
// writes one by hand. Every time is in cycles of the link's user clock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vine::models {

struct LinkConfig {
  // --- Physical layer (PG074) ---
  int lanes = 4;                   // bonded lanes, 1..16
  double line_rate_gbps = 25.78125;  // per lane, on the wire (66-bit blocks)
  // The user interface moves 64 bits per lane per user-clock cycle, so the
  // user clock is line rate / 64. 64B/66B sends 66 bits per 64, which the
  // transmit gearbox pays back with one pause cycle in every
  // `gearbox_period` cycles (33: 32 blocks of 66 bits are 33 words of 64).
  // 0: no pause (a datapath whose gearbox needs none).
  int gearbox_period = 33;
  // Clock compensation: `cc_cycles` cycles without data at the start of
  // every `cc_period` cycles (PG074: every 4,992 user_clk cycles, up to
  // eight CC characters). 0: none.
  int cc_period = 4992;
  int cc_cycles = 8;
  // One way, from a block accepted at the transmitter to the same block at
  // the receiver: the core's logic latency plus the cable. PG074 gives 46
  // cycles of logic in the default configuration; its 1-2 gearbox and 7
  // clock-compensation cycles are not added here because the slots above
  // model them where they fall.
  int logic_latency_cycles = 46;
  double cable_m = 1.0;
  double propagation_ns_per_m = 5.0;  // about 2/3 c in copper or fibre

  // --- Buffers and native flow control ---
  int tx_fifo_words = 512;  // the transmitter's input FIFO; it back-pressures its producer
  // The receive FIFO: the receiver has no back-pressure, so a block that
  // finds it full is lost. Native flow control sends XOFF to the partner
  // when the occupancy reaches `xoff_words` and XON when it falls to
  // `xon_words`; the words already sent keep arriving (xoff_headroom_words).
  int rx_fifo_words = 2048;
  bool flow_control = true;
  int xoff_words = 1024;
  int xon_words = 256;

  // --- Framing and retransmission (Vine's link layer above Aurora) ---
  // A frame is up to `frame_words` data blocks closed by one trailer block
  // carrying its sequence number and a CRC-32 over the data and sequence.
  int frame_words = 64;
  // Go-back-N: the receiver accepts frames only in order and with a good
  // CRC, acknowledges each accepted frame, and sends one NAK per error; the
  // transmitter keeps up to `replay_frames` unacknowledged frames and, on a
  // NAK, sends again from the frame named. Off: frames are delivered as they
  // arrive, CRC errors counted, lost words lost.
  bool retransmission = true;
  int replay_frames = 32;

  // --- Fault injection on the forward direction ---
  double bit_error_rate = 0;  // per bit on the wire, independent errors
  uint64_t error_seed = 1;
  // Bursts: every `burst_every_bits` bits (0: none), `burst_bits` consecutive bits flipped.
  int64_t burst_every_bits = 0;
  int burst_bits = 0;
  // Frame transmissions (counted from 0, resends included) to corrupt with
  // one flipped bit: an exact, repeatable error pattern.
  std::vector<int64_t> corrupt_transmissions;

  // The user clock, MHz.
  double user_clock_mhz() const { return line_rate_gbps * 1000.0 / 64.0; }
  int block_bits() const { return 64 * lanes; }
  // Cable delay in user-clock cycles, rounded up.
  int propagation_cycles() const;
  // One-way latency in user-clock cycles.
  int latency_cycles() const { return logic_latency_cycles + propagation_cycles(); }
  // Cycle c carries no block: a gearbox pause or clock compensation.
  bool is_gap(int64_t c) const {
    return (gearbox_period > 0 && c % gearbox_period == gearbox_period - 1) ||
           (cc_period > 0 && c % cc_period < cc_cycles);
  }
  // Cycles in [0, n) that can carry a block, in closed form.
  int64_t slots_before(int64_t n) const;
  // The payload rate with every slot busy: data blocks of frames of
  // `frame_words`, Gb/s.
  double payload_gbps() const;
  // User-clock cycles a saturated link takes for `words` words in the long
  // run: frames of `frame_words` data blocks and a trailer, in the slots
  // the gearbox pause and clock compensation leave (the closed form
  // `vine partition` uses and `vine run` of a placed design approaches).
  double saturated_cycles(int64_t words) const;
  // A bound on the words the receive FIFO can hold beyond xoff_words: the
  // frame released in the cycle it got there, the XOFF's trip back, the
  // blocks on the wire, and the frame held for its CRC check. With
  // xoff_words + this <= rx_fifo_words no word is lost.
  int xoff_headroom_words() const;

  // Empty when the figures are usable, else what is wrong (the field named).
  std::string check() const;
};

}  // namespace vine::models
