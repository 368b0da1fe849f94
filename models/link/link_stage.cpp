#include "models/link/link_stage.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "models/link/message_bytes.h"
#include "models/stage/scheduler.h"

namespace vine::models {

LinkStage::LinkStage(std::string name, const Params& p)
    : Stage(std::move(name), PipelineTiming{0, -1}),
      p_(p),
      link_(p.link),
      total_beats_(p.frames * p.beats_per_frame),
      frame_elements_(p.beats_per_frame * p.elements_per_beat),
      word_bits_(p.link.block_bits()),
      L_(p.link.latency_cycles()) {
  // The ends' lookahead: a block sent in one cycle arrives in a later one.
  if (L_ < 1) throw std::invalid_argument("link stage " + this->name() + ": a latency under one cycle");
  words_per_frame_ = (frame_elements_ * p.elem_bits + word_bits_ - 1) / word_bits_;
  rx_beat_.assign(size_t(p.elements_per_beat), 0);
}

void LinkStage::emit_word() {
  tx_word_.resize(size_t(p_.link.lanes), 0);  // a frame's last word: zero padding
  tx_pending_.push_back(std::move(tx_word_));
  tx_word_.clear();
}

// Appends one beat's elements to the frame's bit string; whole words wait
// for room in the transmit FIFO. `beat` null: a timing-only run's zeros.
void LinkStage::pack(const int32_t* beat) {
  const int b = p_.elem_bits;
  const uint64_t mask = b >= 64 ? ~uint64_t{0} : (uint64_t{1} << b) - 1;
  for (int e = 0; e < p_.elements_per_beat; ++e) {
    const uint64_t v = beat ? uint64_t(uint32_t(beat[e])) & mask : 0;
    tx_acc_ |= static_cast<unsigned __int128>(v) << tx_acc_bits_;
    tx_acc_bits_ += b;
    if (tx_acc_bits_ >= 64) {
      tx_word_.push_back(uint64_t(tx_acc_));
      tx_acc_ >>= 64;
      tx_acc_bits_ -= 64;
      if (int(tx_word_.size()) == p_.link.lanes) emit_word();
    }
    if (++tx_elements_ == frame_elements_) {  // the frame's last word, padded
      if (tx_acc_bits_ > 0) tx_word_.push_back(uint64_t(tx_acc_));
      tx_acc_ = 0;
      tx_acc_bits_ = 0;
      if (!tx_word_.empty()) emit_word();
      tx_elements_ = 0;
    }
  }
}

// Takes one word's elements into beats; the rest of a frame's last word is padding.
void LinkStage::unpack(const uint64_t* word) {
  const int b = p_.elem_bits;
  const uint64_t mask = b >= 64 ? ~uint64_t{0} : (uint64_t{1} << b) - 1;
  unsigned __int128 acc = rx_carry_;
  int bits = rx_carry_bits_;
  rx_carry_ = 0;
  rx_carry_bits_ = 0;
  for (int lane = 0; lane < p_.link.lanes; ++lane) {
    acc |= static_cast<unsigned __int128>(word[lane]) << bits;
    bits += 64;
    while (bits >= b) {
      uint64_t v = uint64_t(acc) & mask;
      acc >>= b;
      bits -= b;
      if (p_.elem_signed && b < 64 && (v >> (b - 1)) & 1) v |= ~mask;
      rx_beat_[size_t(rx_beat_fill_)] = int32_t(int64_t(v));
      if (++rx_beat_fill_ == p_.elements_per_beat) {
        rx_beats_.push_back(rx_beat_);
        rx_beat_fill_ = 0;
      }
      if (++rx_elements_ == frame_elements_) {
        rx_elements_ = 0;
        return;
      }
    }
  }
  // Elements that straddle words: the leftover bits start the next word's.
  rx_carry_ = acc;
  rx_carry_bits_ = bits;
}

bool LinkStage::design_edge_next(const Position& p) const {
  return __int128(p.dc) * p_.line_bps <= __int128(p.lu) * 64 * p_.clock_hz;
}

bool LinkStage::transmit_idle() const {
  return read_ == total_beats_ && tx_pending_.empty() && link_.tx_idle();
}

LinkStage::Position LinkStage::transmit_position() const { return role_ == Role::kBoth ? tx_ : peer_; }
LinkStage::Position LinkStage::receive_position() const { return role_ == Role::kBoth ? rx_ : peer_; }
int64_t LinkStage::transmit_idle_from() const { return role_ == Role::kBoth ? tx_idle_from_ : peer_idle_from_; }
int64_t LinkStage::receive_finished_at() const {
  return role_ == Role::kBoth ? rx_finished_at_ : peer_finished_at_;
}

// The TX adapter's part of accelerator cycle tx_.dc: words into the transmit
// FIFO while it has room, then one beat read from board A and packed.
LinkStage::Step LinkStage::transmit_design_cycle(Scheduler& sched) {
  StreamFifo* in = inputs()[0];
  StageStats& st = mutable_stats();
  const int64_t dc = tx_.dc;
  auto push_words = [&] {
    while (!tx_pending_.empty() && link_.can_push()) {
      link_.push(tx_pending_.front().data());
      tx_pending_.pop_front();
    }
  };
  push_words();
  if (tx_pending_.empty() && read_ < total_beats_) {
    const int64_t r = in->read_ready_cycle();
    if (r == kUnknownCycle) {
      in->consumer_waits = true;
      return Step::kBlocked;
    }
    if (r <= dc) {
      pack(data_enabled() && in->carries_data() ? in->read_slot() : nullptr);
      in->commit_read(dc);
      if (in->producer_waits) {
        in->producer_waits = false;
        sched.wake(in->producer);
      }
      read_cycles_.push_back(dc);
      ++read_;
      ++st.busy;
      push_words();  // the beat's words enter the transmit FIFO in its cycle
    } else {
      ++st.stalled_input;
      ++st.stalled_on_input[0];
    }
  } else if (!tx_pending_.empty()) {
    // The transmit FIFO is full: the link holds board A back. Not a wait on
    // the output FIFO, so no port is charged with it.
    ++st.stalled_output;
  }
  return Step::kDone;
}

// The RX adapter's part of accelerator cycle rx_.dc: the words the link has
// delivered unpacked, and one beat written into board B's FIFO.
LinkStage::Step LinkStage::receive_design_cycle(Scheduler& sched) {
  StreamFifo* out = outputs()[0];
  StageStats& st = mutable_stats();
  const int64_t dc = rx_.dc;
  while (rx_beats_.empty() && link_.can_pop()) {
    unpack(link_.front());
    link_.pop();
  }
  if (rx_beats_.empty()) return Step::kDone;
  const int64_t w = out->write_ready_cycle();
  if (w == kUnknownCycle) {
    out->producer_waits = true;
    return Step::kBlocked;
  }
  if (w > dc) return Step::kDone;
  // The beat's read on board A: told by the transmit end before any of its words.
  if (read_cycles_.empty()) {
    waits_for_peer_ = true;
    return Step::kWaitsForPeer;
  }
  if (data_enabled() && out->carries_data())
    std::memcpy(out->write_slot(), rx_beats_.front().data(), size_t(p_.elements_per_beat) * sizeof(int32_t));
  out->commit_write(dc);
  if (out->consumer_waits) {
    out->consumer_waits = false;
    sched.wake(out->consumer);
  }
  rx_beats_.pop_front();
  const int64_t lat = dc - read_cycles_.front();
  read_cycles_.pop_front();
  lat_min_ = written_ ? std::min(lat_min_, lat) : lat;
  lat_max_ = std::max(lat_max_, lat);
  lat_sum_ += double(lat);
  if (++written_ % p_.beats_per_frame == 0) frame_cycles_.push_back(dc);
  if (st.first_write < 0) st.first_write = dc;
  st.last_write = dc;
  return Step::kDone;
}

// Link cycle lu - 1 has just run: its accelerator cycle gathers the
// transmitter's state and the levels (link_trace.h). Its edge is at
// (lu - 1) x 64 / R.
void LinkStage::note_transmit_cycle() {
  const int64_t lu = tx_.lu;
  const int64_t c = int64_t(__int128(lu - 1) * 64 * p_.clock_hz / p_.line_bps);
  const LinkTxState s = link_.last_tx_state();
  if (c != trace_cycle_) {
    trace_cycle_ = c;
    trace_state_ = s;
  } else if (s > trace_state_) {
    trace_state_ = s;
  }
  while (!sent_cycles_.empty() && sent_cycles_.front() <= lu - 1 - L_) sent_cycles_.pop_front();
  LinkTrace::note(trace_.tx_state, c, int64_t(trace_state_));
  LinkTrace::note(trace_.on_wire, c + 1, int64_t(sent_cycles_.size()));
  LinkTrace::note(trace_.resent, c + 1, link_.tx_stats().frames_resent);
}

void LinkStage::note_receive_cycle() {
  const int64_t c = int64_t(__int128(rx_.lu - 1) * 64 * p_.clock_hz / p_.line_bps);
  LinkTrace::note(trace_.rx_fifo, c + 1, link_.rx_occupancy());
}

// Runs the transmit end until it blocks on board A's FIFO, waits for the
// receive end, or reaches the event where the receive end finished.
bool LinkStage::run_transmit_end(Scheduler& sched) {
  bool moved = false;
  tx_blocked_ = false;
  for (;;) {
    const int64_t finished_at = receive_finished_at();
    if (finished_at >= 0 && tx_.events() >= finished_at) {
      rewind_transmit_end();
      tx_finished_ = true;
      return moved;
    }
    if (tx_idle_from_ < 0 && transmit_idle()) tx_idle_from_ = tx_.events();
    if (design_edge_next(tx_)) {
      if (transmit_design_cycle(sched) == Step::kBlocked) {
        tx_blocked_ = true;
        return moved;
      }
      ++tx_.dc;
    } else {
      // The control blocks arriving in link cycle lu left the receiver by
      // cycle lu - L: it must have run that far.
      if (receive_position().lu < tx_.lu - L_ + 1) {
        if (role_ != Role::kBoth) waits_for_peer_ = true;
        return moved;
      }
      // The figures before it, in case the receive end finishes before this
      // cycle: possible only once every beat is read, since it finishes
      // after the last beat's write.
      if (receive_finished_at() < 0 && read_ == total_beats_) {
        Snapshot sn;
        sn.lu = tx_.lu;
        sn.stats = link_.tx_stats();
        std::vector<LinkTrace::Change>* tracks[3] = {&trace_.tx_state, &trace_.on_wire, &trace_.resent};
        for (int k = 0; k < 3; ++k) {
          sn.trace_sizes[k] = tracks[k]->size();
          if (!tracks[k]->empty()) sn.trace_backs[k] = tracks[k]->back();
        }
        sn.trace_cycle = trace_cycle_;
        sn.trace_state = trace_state_;
        snapshots_.push_back(sn);
        // The receive end finishes at an event it has not yet passed, so no
        // older link cycle than its own can be the one to go back to.
        while (!snapshots_.empty() && snapshots_.front().lu < receive_position().lu) snapshots_.pop_front();
      }
      const int64_t sent_before = link_.tx_stats().data_blocks + link_.tx_stats().trailer_blocks;
      link_.step_tx();
      const int64_t sent = link_.tx_stats().data_blocks + link_.tx_stats().trailer_blocks - sent_before;
      for (int64_t k = 0; k < sent; ++k) sent_cycles_.push_back(tx_.lu);
      ++tx_.lu;
      if (records_activity()) note_transmit_cycle();
    }
    moved = true;
  }
}

// The receive end finished at event F; the transmit end, at or past it, takes
// its figures back to F. Past F it only ran link cycles and accelerator
// cycles in which it had nothing to read (every beat was read before F), so
// only the link's transmitter figures and its traces changed.
void LinkStage::rewind_transmit_end() {
  const int64_t f = receive_finished_at();
  if (tx_.events() == f) return;
  // The position at event F: the receive end's there.
  const Position at = role_ == Role::kBoth ? rx_ : peer_;
  bool found = false;
  for (const Snapshot& sn : snapshots_) {
    if (sn.lu != at.lu) continue;
    found = true;
    link_.set_tx_stats(sn.stats);
    std::vector<LinkTrace::Change>* tracks[3] = {&trace_.tx_state, &trace_.on_wire, &trace_.resent};
    for (int k = 0; k < 3; ++k) {
      std::vector<LinkTrace::Change>& t = *tracks[k];
      if (sn.trace_sizes[k] == 0) {
        t.clear();
      } else {
        t.resize(sn.trace_sizes[k] - 1);
        t.push_back(sn.trace_backs[k]);
      }
    }
    trace_cycle_ = sn.trace_cycle;
    trace_state_ = sn.trace_state;
    break;
  }
  if (read_ != total_beats_ || (tx_.lu > at.lu && !found))
    throw std::logic_error("link stage " + name() + ": no snapshot of the transmit end where the receive end finished");
  tx_ = at;
  snapshots_.clear();
}

// Runs the receive end until it blocks on board B's FIFO, waits for the
// transmit end, or finishes: every beat written, or (a lossy link) nothing
// more can come.
bool LinkStage::run_receive_end(Scheduler& sched) {
  bool moved = false;
  rx_blocked_ = false;
  for (;;) {
    const int64_t e = rx_.events();
    if (written_ == total_beats_) {
      rx_finished_at_ = e;
      return true;
    }
    // Nothing left on this side: whether more can come is the transmit end's
    // state at this event.
    if (rx_beats_.empty() && !link_.can_pop() && link_.rx_idle()) {
      if (transmit_position().events() < e) {
        if (role_ != Role::kBoth) waits_for_peer_ = true;
        return moved;
      }
      const int64_t idle_from = transmit_idle_from();
      if (idle_from >= 0 && idle_from <= e) {  // words were lost: board B starves
        rx_finished_at_ = e;
        return true;
      }
    }
    if (design_edge_next(rx_)) {
      const Step s = receive_design_cycle(sched);
      if (s == Step::kBlocked) {
        rx_blocked_ = true;
        return moved;
      }
      if (s == Step::kWaitsForPeer) return moved;
      ++rx_.dc;
    } else {
      // The blocks arriving in link cycle lu left the transmitter by cycle
      // lu - L: it must have run that far.
      if (transmit_position().lu < rx_.lu - L_ + 1) {
        if (role_ != Role::kBoth) waits_for_peer_ = true;
        return moved;
      }
      link_.step_rx();
      ++rx_.lu;
      if (records_activity()) note_receive_cycle();
      // A frame's last word in the receive FIFO: the link's own timing,
      // whatever the next board takes.
      while (link_.stats().words_out >= int64_t(frame_arrivals_.size() + 1) * words_per_frame_)
        frame_arrivals_.push_back(rx_.lu);
    }
    moved = true;
  }
}

// The stage's state, as one stage: done once the receive end is; otherwise
// blocked on board B's FIFO, or on board A's.
void LinkStage::set_end_state() {
  StreamFifo* in = inputs()[0];
  StreamFifo* out = outputs()[0];
  const bool rx_done = role_ == Role::kTransmit ? tx_finished_ : rx_finished_at_ >= 0;
  if (rx_done && (role_ != Role::kBoth || tx_finished_)) {
    set_state(StageState::kDone, nullptr);
  } else if (role_ != Role::kTransmit && rx_blocked_) {
    set_state(StageState::kBlockedOnWrite, out);
  } else if (role_ != Role::kReceive && tx_blocked_) {
    set_state(StageState::kBlockedOnRead, in);
  } else {
    set_state(StageState::kReady, nullptr);  // waits for the other end, in another process
  }
  // The last accelerator cycle both ends have been through.
  const int64_t dc = role_ == Role::kBoth ? std::min(tx_.dc, rx_.dc)
                     : role_ == Role::kTransmit ? tx_.dc : rx_.dc;
  set_local_cycle(dc - 1);
}

void LinkStage::activate(Scheduler& sched) {
  if (state() == StageState::kDone) return;
  set_state(StageState::kReady, nullptr);
  waits_for_peer_ = false;
  if (role_ == Role::kBoth) {
    // Each end as far as it goes; an end that waited for the other may go on
    // once the other has moved.
    for (;;) {
      const bool a = tx_finished_ ? false : run_transmit_end(sched);
      const bool b = rx_finished_at_ >= 0 ? false : run_receive_end(sched);
      if (tx_finished_ && rx_finished_at_ >= 0) break;
      if (!a && !b) break;
    }
    if (rx_finished_at_ >= 0 && !tx_finished_) run_transmit_end(sched);
  } else if (role_ == Role::kTransmit) {
    if (!tx_finished_) run_transmit_end(sched);
  } else {
    if (rx_finished_at_ < 0) run_receive_end(sched);
  }
  set_end_state();
}

// ---- Ends in two processes ----------------------------------------------
//
// A message, little-endian: i64 dc, i64 lu (the end's position), i64 idle
// from (transmit end) or finished at (receive end), -1: not yet; then the
// transmit end's: i64 blocks, per block i64 arrive, i64 pushed, u8 trailer,
// lanes x u64 bits; i64 reads, per beat read i64 its cycle. Or the receive
// end's: i64 controls, per control i64 arrive, i64 sequence, u8 what.


std::vector<uint8_t> LinkStage::take_peer_message() {
  std::vector<uint8_t> b;
  if (role_ == Role::kTransmit) {
    std::deque<SerialLink::Block> blocks = link_.take_sent_blocks();
    if (tx_.dc == told_.dc && tx_.lu == told_.lu && tx_idle_from_ == told_idle_from_ && blocks.empty() &&
        read_cycles_.empty())
      return b;
    put_bytes(b, tx_.dc);
    put_bytes(b, tx_.lu);
    put_bytes(b, tx_idle_from_);
    put_bytes(b, int64_t(blocks.size()));
    for (const SerialLink::Block& x : blocks) {
      put_bytes(b, x.arrive);
      put_bytes(b, x.pushed);
      put_bytes(b, uint8_t(x.trailer ? 1 : 0));
      for (const uint64_t w : x.bits) put_bytes(b, w);
    }
    put_bytes(b, int64_t(read_cycles_.size()));
    for (const int64_t c : read_cycles_) put_bytes(b, c);
    read_cycles_.clear();
    told_ = tx_;
    told_idle_from_ = tx_idle_from_;
  } else if (role_ == Role::kReceive) {
    std::deque<SerialLink::Message> controls = link_.take_sent_controls();
    if (rx_.dc == told_.dc && rx_.lu == told_.lu && rx_finished_at_ == told_finished_at_ && controls.empty())
      return b;
    put_bytes(b, rx_.dc);
    put_bytes(b, rx_.lu);
    put_bytes(b, rx_finished_at_);
    put_bytes(b, int64_t(controls.size()));
    for (const SerialLink::Message& m : controls) {
      put_bytes(b, m.arrive);
      put_bytes(b, m.seq);
      put_bytes(b, uint8_t(m.what));
    }
    told_ = rx_;
    told_finished_at_ = rx_finished_at_;
  }
  return b;
}

void LinkStage::peer_message(const uint8_t* data, size_t size) {
  ByteReader in{data, size, "link stage"};
  peer_.dc = in.get<int64_t>();
  peer_.lu = in.get<int64_t>();
  const int64_t mark = in.get<int64_t>();
  const int64_t n = in.get<int64_t>();
  if (role_ == Role::kReceive) {  // from the transmit end
    peer_idle_from_ = mark;
    std::deque<SerialLink::Block> blocks;
    for (int64_t k = 0; k < n; ++k) {
      SerialLink::Block x;
      x.arrive = in.get<int64_t>();
      x.pushed = in.get<int64_t>();
      x.trailer = in.get<uint8_t>() != 0;
      x.bits.resize(size_t(p_.link.lanes));
      for (uint64_t& w : x.bits) w = in.get<uint64_t>();
      blocks.push_back(std::move(x));
    }
    link_.put_arriving_blocks(std::move(blocks));
    const int64_t reads = in.get<int64_t>();
    for (int64_t k = 0; k < reads; ++k) read_cycles_.push_back(in.get<int64_t>());
  } else if (role_ == Role::kTransmit) {  // from the receive end
    peer_finished_at_ = mark;
    std::deque<SerialLink::Message> controls;
    for (int64_t k = 0; k < n; ++k) {
      SerialLink::Message m;
      m.arrive = in.get<int64_t>();
      m.seq = in.get<int64_t>();
      m.what = SerialLink::Control(in.get<uint8_t>());
      controls.push_back(m);
    }
    link_.put_arriving_controls(std::move(controls));
  }
  if (in.at != size) throw std::runtime_error("link stage " + name() + ": a message longer than its contents");
}

// The transmit end's figures: the stage's counts it keeps (busy, stalls on
// board A), whether it is blocked there, the link transmitter's statistics.
std::vector<uint8_t> LinkStage::transmit_end_summary() const {
  std::vector<uint8_t> b;
  const StageStats& st = stats();
  put_bytes(b, st.busy);
  put_bytes(b, st.stalled_input);
  put_bytes(b, st.stalled_output);
  put_bytes(b, st.stalled_on_input.empty() ? int64_t(0) : st.stalled_on_input[0]);
  put_bytes(b, uint8_t(tx_blocked_ && !tx_finished_ ? 1 : 0));
  put_bytes(b, tx_.dc);
  const LinkStats s = link_.tx_stats();
  b.resize(b.size() + sizeof(LinkStats));
  std::memcpy(b.data() + b.size() - sizeof(LinkStats), &s, sizeof(LinkStats));
  return b;
}

void LinkStage::absorb_transmit_end_summary(const uint8_t* data, size_t size) {
  ByteReader in{data, size, "link stage"};
  StageStats& st = mutable_stats();
  st.busy += in.get<int64_t>();
  st.stalled_input += in.get<int64_t>();
  st.stalled_output += in.get<int64_t>();
  const int64_t on_input = in.get<int64_t>();
  if (!st.stalled_on_input.empty()) st.stalled_on_input[0] += on_input;
  tx_blocked_ = in.get<uint8_t>() != 0;
  tx_.dc = in.get<int64_t>();
  LinkStats s;
  if (in.at + sizeof(LinkStats) != size) throw std::runtime_error("link stage " + name() + ": a bad summary");
  std::memcpy(&s, data + in.at, sizeof(LinkStats));
  link_.set_tx_stats(s);
  // Now the whole stage: its state and cycle as one process would have them.
  const Role was = role_;
  role_ = Role::kBoth;
  tx_finished_ = rx_finished_at_ >= 0;
  set_end_state();
  role_ = was;
}

}  // namespace vine::models
