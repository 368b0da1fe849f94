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
// transmitter. This adapter pair is where a message between two processes
// (one MPI rank per board) would go.
//
// In the stamp engine (models/stage/stage.h) the stage steps both clocks
// for as long as the stamps it needs are known: it waits for board A's next
// beat when its write is not yet known, and for a free slot in board B's
// FIFO when that slot's read is not yet known.
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
  bool design_cycle(Scheduler& sched);
  void pack(const int32_t* beat);
  void unpack(const uint64_t* word);
  void emit_word();

  Params p_;
  SerialLink link_;
  int64_t total_beats_, frame_elements_, words_per_frame_;
  int word_bits_;
  // Time order: accelerator cycle dc_ at dc_ / F, link cycle lu_ at lu_ x 64 / R.
  int64_t dc_ = 0, lu_ = 0;
  bool tx_done_in_dc_ = false;  // this cycle's TX part ran (the RX part blocked)

  // TX adapter.
  int64_t read_ = 0;                    // beats read
  int64_t tx_elements_ = 0;             // of the current frame, packed
  unsigned __int128 tx_acc_ = 0;
  int tx_acc_bits_ = 0;
  std::vector<uint64_t> tx_word_;       // lanes chunks being filled
  std::deque<std::vector<uint64_t>> tx_pending_;  // whole words waiting for room
  std::deque<int64_t> read_cycles_;     // per beat in flight: its read cycle

  // RX adapter.
  int64_t written_ = 0;
  int64_t rx_elements_ = 0;             // of the current frame, unpacked
  std::vector<int32_t> rx_beat_;
  int rx_beat_fill_ = 0;
  unsigned __int128 rx_carry_ = 0;  // bits of an element begun in the word before
  int rx_carry_bits_ = 0;
  std::deque<std::vector<int32_t>> rx_beats_;  // whole beats waiting for a slot
  int64_t rx_beats_made_ = 0;

  void note_link_cycle();

  LinkTrace trace_;
  int64_t trace_cycle_ = -1;  // the accelerator cycle whose link cycles note_link_cycle() is gathering
  LinkTxState trace_state_ = LinkTxState::kIdle;  // the most notable of them so far

  std::vector<int64_t> frame_cycles_, frame_arrivals_;
  int64_t lat_min_ = 0, lat_max_ = 0;
  double lat_sum_ = 0;
};

}  // namespace vine::models
