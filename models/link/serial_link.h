// One direction of a serial link between two boards, cycle by cycle in the
// link's user clock (docs/links.md):
//
//   producer -> transmit FIFO -> framer -> lanes (one block of 64 bits per
//   lane per cycle, none in a gearbox pause or clock compensation) -> L
//   cycles -> receiver (holds a frame until its CRC-32 is checked) ->
//   receive FIFO (no back-pressure: a frame with no room is lost) -> consumer
//
// The reverse direction carries only control blocks, one per slot, with the
// same latency: native flow control (XOFF when the receive FIFO reaches its
// threshold, XON below the other; sent before anything else) and the
// retransmission layer's acknowledgements (ACK per accepted frame, NAK per
// error). The transmitter finishes the frame it is sending before it acts
// on a NAK, and stops at the next block on an XOFF, mid-frame or not.
//
// The producer and consumer are the caller's: between two step() calls it
// pushes the words the producer offers while can_push(), and pops what the
// consumer takes. A word is `lanes` 64-bit values: a stream's beats are
// packed into words by the caller.
//
// The two ends: a cycle is the transmitter's half (control blocks arriving,
// the replay timeout, one block sent) and then the receiver's (blocks
// arriving, flow control, one control block sent). Everything one end sends
// reaches the other L = latency_cycles() >= 1 cycles later, so the ends may
// be stepped apart (step_tx, step_rx, each with its own cycle count), one up
// to L cycles ahead of the other: the transmitter's cycle c needs the
// receiver's cycles up to c - L done, and the other way round. That is how a
// link's ends run in two processes (models/link/link_stage.h). Each end keeps
// its own statistics; stats() is both.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <utility>
#include <vector>

#include "models/link/bit_errors.h"
#include "models/link/link_config.h"
#include "models/link/link_stats.h"
#include "models/link/link_trace.h"

namespace vine::models {

class SerialLink {
 public:
  // Throws std::invalid_argument when the config does not check().
  explicit SerialLink(const LinkConfig& cfg);

  const LinkConfig& config() const { return cfg_; }
  int lanes() const { return cfg_.lanes; }

  // Producer side: room in the transmit FIFO for one more word.
  bool can_push() const { return int(tx_cycles_.size()) < cfg_.tx_fifo_words; }
  void push(const uint64_t* word);
  // Consumer side.
  bool can_pop() const { return !rx_cycles_.empty(); }
  const uint64_t* front() const { return &rx_data_[0]; }
  void pop();
  int rx_occupancy() const { return int(rx_cycles_.size()); }

  // Simulates one user-clock cycle: both ends, the transmitter's first.
  void step() {
    step_tx();
    step_rx();
  }
  void step_tx();
  void step_rx();
  int64_t cycle() const { return tx_cycle_; }  // the transmitter's
  int64_t tx_cycle() const { return tx_cycle_; }
  int64_t rx_cycle() const { return rx_cycle_; }
  // The transmitter has nothing left to send or to resend, and nothing
  // waiting for an acknowledgement: so it stays, once no word is pushed.
  bool tx_idle() const { return tx_cycles_.empty() && replay_.empty() && !sending_; }
  // The receiver holds nothing (no frame half arrived, no control block
  // queued or on its way back) and no block is on the wire to it: with an
  // idle transmitter, nothing more can come.
  bool rx_idle() const;
  // Nothing left to send, in flight, held or unacknowledged.
  bool drained() const { return tx_idle() && rx_idle(); }
  // Both ends' figures (each field is counted by one end).
  LinkStats stats() const;
  const LinkStats& tx_stats() const { return tx_stats_; }
  void set_tx_stats(const LinkStats& s) { tx_stats_ = s; }  // an end run elsewhere, or rewound
  // For traces: what the transmitter did in the last cycle (a gap in the
  // middle of a frame counts as the frame's), and the blocks on the wire.
  LinkTxState last_tx_state() const { return last_tx_; }
  int blocks_on_wire() const { return int(forward_.size()); }

  // What crosses between the ends. A block carries a word (data) or a
  // frame's trailer (sequence | CRC << 32 in bits[0]) and, for the latency
  // figures, the cycle its word entered the transmit FIFO.
  struct Block {
    int64_t arrive = 0;
    bool trailer = false;
    std::vector<uint64_t> bits;  // lanes values
    int64_t pushed = 0;
  };
  enum class Control : uint8_t { kXoff, kXon, kAck, kNak };
  struct Message {
    int64_t arrive = 0;
    Control what = Control::kAck;
    int64_t seq = 0;
  };
  // For ends in two processes: the transmitter's blocks sent since the last
  // call (taken off its wire), to be put on the receiver's wire; the
  // receiver's control blocks the same way back.
  std::deque<Block> take_sent_blocks() { return std::exchange(forward_, {}); }
  void put_arriving_blocks(std::deque<Block>&& b);
  std::deque<Message> take_sent_controls() { return std::exchange(reverse_, {}); }
  void put_arriving_controls(std::deque<Message>&& m);

 private:
  struct Frame {
    int64_t seq = 0;
    std::vector<uint64_t> data;     // words x lanes
    std::vector<int64_t> pushed;    // per word: the cycle it entered the transmit FIFO
    uint32_t crc = 0;
    int words() const { return int(pushed.size()); }
  };

  void receive_control(const Message& m);
  void transmit();
  void send_block(bool trailer, const uint64_t* word, int64_t pushed, uint64_t trailer_bits);
  void receive(Block& b);
  void deliver(const Frame& f);
  uint32_t frame_crc(const std::vector<uint64_t>& data, uint32_t seq) const;
  int64_t rtt_cycles() const;

  LinkConfig cfg_;
  int64_t tx_cycle_ = 0, rx_cycle_ = 0;
  LinkStats tx_stats_, rx_stats_;
  BitErrorSource errors_;
  std::set<int64_t> corrupt_;

  // Transmitter.
  std::deque<uint64_t> tx_data_;  // words x lanes
  std::deque<int64_t> tx_cycles_;
  std::deque<Frame> replay_;      // unacknowledged frames, oldest first
  Frame building_;                // the new frame being sent
  Frame resend_;                  // a copy of the replayed frame being sent: an ACK may free
                                  // the original meanwhile
  Frame* sending_ = nullptr;      // building_, resend_ or nullptr between frames
  bool sending_new_ = false;
  int sent_words_ = 0;            // of the frame being sent
  int64_t next_new_seq_ = 0;      // sequence number of the next new frame
  int64_t next_send_ = 0;         // the next frame to send (< next_new_seq_: a resend)
  int64_t transmissions_ = 0;
  bool held_off_ = false;         // XOFF received and no XON yet
  LinkTxState last_tx_ = LinkTxState::kIdle;
  int64_t last_ack_cycle_ = 0, last_trailer_cycle_ = 0;
  std::deque<Block> forward_;     // blocks on the wire

  // Receiver.
  Frame arriving_;                // data blocks of the frame on the wire
  int64_t expected_ = 0;          // next in-order sequence number
  int64_t nak_cycle_ = -1;        // when a NAK for expected_ was last sent, -1: none
  std::deque<uint64_t> rx_data_;
  std::deque<int64_t> rx_cycles_;
  bool xoff_sent_ = false;
  std::deque<Message> nfc_queue_, ack_queue_, reverse_;
  int64_t last_control_arrive_ = -1;  // of the control blocks the receiver sent
};

}  // namespace vine::models
