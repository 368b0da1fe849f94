// A cut stream crossing from one board to the next (docs/links.md, "A cut
// stream in `vine run`"): a transmit adapter that packs the stream's beats
// into link words, the SerialLink that carries them, and a receive adapter
// that unpacks them into the next board's input FIFO.
//
//   board A's FIFO -> TX adapter -> SerialLink (user clock) -> RX adapter -> board B's FIFO
//
// Packing: each frame of the stream is a string of elements of `elem_bits`
// bits, least significant first, cut into words of 64 x lanes bits; the last
// word of a frame is padded with zeros, so a frame takes
// ceil(elements x bits / (64 x lanes)) words (vine partition's count). A
// signed element is sign-extended when unpacked; the others are codes.
//
// Clocks: the adapters run in the accelerator's clock (F Hz), the link in its
// user clock (line rate / 64). Both advance in time order, an accelerator
// edge before a link edge at the same instant: a word the TX adapter pushes
// in accelerator cycle c is seen by the first link cycle at or after c; a
// word the link releases is taken by the first accelerator cycle after it.
// The adapters move any number of words in one accelerator cycle (a beat
// wider than a word enters the transmit FIFO whole) and one beat each way.
//
// Back-pressure: the TX adapter stops reading when the transmit FIFO has no
// room (the link's back-pressure on its producer); the receiver has none of
// its own (Aurora): the RX adapter stops taking words when board B's FIFO is
// full, the receive FIFO fills, and native flow control (XOFF/XON) holds the
// transmitter.
//
// In the stamp engine (models/stage/stage.h) the stage runs its two ends
// apart, as the hardware does: the transmit end (the TX adapter and the
// link's transmitter) and the receive end (the link's receiver and the RX
// adapter). Each steps both clocks in the same time order (an accelerator
// edge before a link edge at the same instant), for as long as the stamps it
// needs are known: the transmit end waits for board A's next beat when its
// write is not yet known, the receive end for a free slot in board B's FIFO
// when that slot's read is not yet known. Between the ends only the link's
// blocks pass, each L link cycles after it was sent (serial_link.h), so one
// end runs up to L link cycles ahead of the other: the link's latency is the
// lookahead. The run finishes when the receive end has written every beat
// (or, on a lossy link, when nothing more can come); the transmit end may
// have run a few link cycles past that point, and its figures are taken back
// to it, so that they are those of a stage that stopped there.
//
// With Role::kBoth (one process) the stage runs both ends. A distributed run
// (sim/run/distributed_run.h) runs the transmit end on board A's process and
// the receive end on board B's, and carries what the ends tell each other
// (peer_message) between them.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "models/link/serial_link.h"
#include "models/stage/stage.h"

namespace vine::models {

class LinkStage final : public Stage {
 public:
  struct Params {
    LinkConfig link;
    int64_t clock_hz = 100'000'000;  // the accelerator's, whole Hz
    int64_t line_bps = 0;            // the link's line rate per lane, whole bit/s
    int64_t frames = 1;
    int64_t beats_per_frame = 0;
    int elements_per_beat = 1;
    int elem_bits = 1;
    bool elem_signed = false;  // sign-extend unpacked elements
  };
  LinkStage(std::string name, const Params& p);
  const char* kind() const override { return "link"; }

  void activate(Scheduler& sched) override;

  // Which ends this process runs (before the run).
  enum class Role { kBoth, kTransmit, kReceive };
  void set_role(Role r) { role_ = r; }
  Role role() const { return role_; }
  // Ends in two processes: what this end tells the other since the last call
  // (its progress, and the blocks or control blocks it sent); empty when
  // nothing is new. The other end's process gives it to peer_message(), and
  // wakes the stage when it waits_for_peer().
  std::vector<uint8_t> take_peer_message();
  void peer_message(const uint8_t* data, size_t size);
  bool waits_for_peer() const { return waits_for_peer_; }
  // At the end, the transmit end's figures, for the receive end's process,
  // which then reports the whole stage.
  std::vector<uint8_t> transmit_end_summary() const;
  void absorb_transmit_end_summary(const uint8_t* data, size_t size);

  const SerialLink& link() const { return link_; }
  // The link's activity for the run's traces (link_trace.h), kept when the
  // stage records its activity (record_activity, before the run).
  const LinkTrace& trace() const { return trace_; }
  int64_t words_per_frame() const { return words_per_frame_; }
  int64_t beats_delivered() const { return written_; }
  // Per beat, accelerator cycles from its read on board A to its write on board B.
  int64_t beat_latency_min() const { return written_ ? lat_min_ : 0; }
  int64_t beat_latency_max() const { return lat_max_; }
  double beat_latency_mean() const { return written_ ? lat_sum_ / double(written_) : 0; }
  // Per frame, the accelerator cycle its last beat was written on board B.
  const std::vector<int64_t>& frames_delivered() const { return frame_cycles_; }
  // Per frame, the link cycle (counted from 1) after which its last word was in the receive FIFO.
  const std::vector<int64_t>& frames_arrived() const { return frame_arrivals_; }

 protected:
  bool next_iteration(Iteration&) override { return false; }  // activate() runs the stage

 private:
  // An end's place in the time-ordered events: the next accelerator cycle
  // (dc) and link cycle (lu). Both ends go through the same events in the
  // same order, so dc + lu counts the events an end has been through.
  struct Position {
    int64_t dc = 0, lu = 0;
    int64_t events() const { return dc + lu; }
  };
  bool design_edge_next(const Position& p) const;
  // Each runs its end until it blocks or finishes; true when it moved.
  bool run_transmit_end(Scheduler& sched);
  bool run_receive_end(Scheduler& sched);
  enum class Step { kDone, kBlocked, kWaitsForPeer };
  Step transmit_design_cycle(Scheduler& sched);
  Step receive_design_cycle(Scheduler& sched);
  bool transmit_idle() const;
  void pack(const int32_t* beat);
  void unpack(const uint64_t* word);
  void emit_word();
  void note_transmit_cycle();
  void note_receive_cycle();
  void set_end_state();
  // What the other end has told (with Role::kBoth: what it is).
  Position transmit_position() const;
  Position receive_position() const;
  int64_t transmit_idle_from() const;
  int64_t receive_finished_at() const;
  void rewind_transmit_end();

  Params p_;
  SerialLink link_;
  Role role_ = Role::kBoth;
  int64_t total_beats_, frame_elements_, words_per_frame_;
  int word_bits_;
  int64_t L_;  // the link's latency, link cycles

  // Transmit end.
  Position tx_;
  int64_t tx_idle_from_ = -1;           // the event from which it has nothing left to do
  bool tx_blocked_ = false;             // on board A's FIFO
  bool tx_finished_ = false;
  int64_t read_ = 0;                    // beats read
  int64_t tx_elements_ = 0;             // of the current frame, packed
  unsigned __int128 tx_acc_ = 0;
  int tx_acc_bits_ = 0;
  std::vector<uint64_t> tx_word_;       // lanes chunks being filled
  std::deque<std::vector<uint64_t>> tx_pending_;  // whole words waiting for room
  std::deque<int64_t> read_cycles_;     // per beat in flight: its read cycle (with
                                        // the ends apart: those not yet told, on the transmit end)
  std::deque<int64_t> sent_cycles_;     // for traces: the link cycles of the blocks on the wire
  // The transmit end's figures before each of its last link cycles, to take
  // them back to where the receive end finished.
  struct Snapshot {
    int64_t lu = 0;  // the link cycle it precedes
    LinkStats stats;
    size_t trace_sizes[3] = {0, 0, 0};
    LinkTrace::Change trace_backs[3];
    int64_t trace_cycle = -1;
    LinkTxState trace_state = LinkTxState::kIdle;
  };
  std::deque<Snapshot> snapshots_;

  // Receive end.
  Position rx_;
  int64_t rx_finished_at_ = -1;         // the event at which it finished
  bool rx_blocked_ = false;             // on board B's FIFO
  int64_t written_ = 0;
  int64_t rx_elements_ = 0;             // of the current frame, unpacked
  std::vector<int32_t> rx_beat_;
  int rx_beat_fill_ = 0;
  unsigned __int128 rx_carry_ = 0;  // bits of an element begun in the word before
  int rx_carry_bits_ = 0;
  std::deque<std::vector<int32_t>> rx_beats_;  // whole beats waiting for a slot

  // The other end, in another process: what it has told.
  Position peer_;
  int64_t peer_idle_from_ = -1, peer_finished_at_ = -1;
  bool waits_for_peer_ = false;
  Position told_;                       // this end's position, as last told
  int64_t told_idle_from_ = -1, told_finished_at_ = -1;

  LinkTrace trace_;
  int64_t trace_cycle_ = -1;  // the accelerator cycle whose link cycles note_transmit_cycle() is gathering
  LinkTxState trace_state_ = LinkTxState::kIdle;  // the most notable of them so far

  std::vector<int64_t> frame_cycles_, frame_arrivals_;
  int64_t lat_min_ = 0, lat_max_ = 0;
  double lat_sum_ = 0;
};

}  // namespace vine::models
