#include "models/link/link_stage.h"

#include <algorithm>
#include <cstring>

#include "models/stage/scheduler.h"

namespace vine::models {

LinkStage::LinkStage(std::string name, const Params& p)
    : Stage(std::move(name), PipelineTiming{0, -1}),
      p_(p),
      link_(p.link),
      total_beats_(p.frames * p.beats_per_frame),
      frame_elements_(p.beats_per_frame * p.elements_per_beat),
      word_bits_(p.link.block_bits()) {
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

bool LinkStage::design_cycle(Scheduler& sched) {
  StreamFifo* in = inputs()[0];
  StreamFifo* out = outputs()[0];
  StageStats& st = mutable_stats();
  auto push_words = [&] {
    while (!tx_pending_.empty() && link_.can_push()) {
      link_.push(tx_pending_.front().data());
      tx_pending_.pop_front();
    }
  };
  if (!tx_done_in_dc_) {
    push_words();
    if (tx_pending_.empty() && read_ < total_beats_) {
      const int64_t r = in->read_ready_cycle();
      if (r == kUnknownCycle) {
        in->consumer_waits = true;
        set_state(StageState::kBlockedOnRead, in);
        return false;
      }
      if (r <= dc_) {
        pack(data_enabled() && in->carries_data() ? in->read_slot() : nullptr);
        in->commit_read(dc_);
        if (in->producer_waits) {
          in->producer_waits = false;
          sched.wake(in->producer);
        }
        read_cycles_.push_back(dc_);
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
    tx_done_in_dc_ = true;
  }
  while (rx_beats_.empty() && link_.can_pop()) {
    unpack(link_.front());
    link_.pop();
  }
  if (!rx_beats_.empty()) {
    const int64_t w = out->write_ready_cycle();
    if (w == kUnknownCycle) {
      out->producer_waits = true;
      set_state(StageState::kBlockedOnWrite, out);
      return false;
    }
    if (w <= dc_) {
      if (data_enabled() && out->carries_data())
        std::memcpy(out->write_slot(), rx_beats_.front().data(),
                    size_t(p_.elements_per_beat) * sizeof(int32_t));
      out->commit_write(dc_);
      if (out->consumer_waits) {
        out->consumer_waits = false;
        sched.wake(out->consumer);
      }
      rx_beats_.pop_front();
      const int64_t lat = dc_ - read_cycles_.front();
      read_cycles_.pop_front();
      lat_min_ = written_ ? std::min(lat_min_, lat) : lat;
      lat_max_ = std::max(lat_max_, lat);
      lat_sum_ += double(lat);
      if (++written_ % p_.beats_per_frame == 0) frame_cycles_.push_back(dc_);
      if (st.first_write < 0) st.first_write = dc_;
      st.last_write = dc_;
    }
  }
  tx_done_in_dc_ = false;
  set_local_cycle(dc_);
  return true;
}

// Link cycle lu_ - 1 has just run: its accelerator cycle gathers its state
// and its levels (link_trace.h). Its edge is at (lu_ - 1) x 64 / R.
void LinkStage::note_link_cycle() {
  const int64_t c = int64_t(__int128(lu_ - 1) * 64 * p_.clock_hz / p_.line_bps);
  const LinkTxState s = link_.last_tx_state();
  if (c != trace_cycle_) {
    trace_cycle_ = c;
    trace_state_ = s;
  } else if (s > trace_state_) {
    trace_state_ = s;
  }
  LinkTrace::note(trace_.tx_state, c, int64_t(trace_state_));
  LinkTrace::note(trace_.on_wire, c + 1, link_.blocks_on_wire());
  LinkTrace::note(trace_.rx_fifo, c + 1, link_.rx_occupancy());
  LinkTrace::note(trace_.resent, c + 1, link_.stats().frames_resent);
}

void LinkStage::activate(Scheduler& sched) {
  if (state() == StageState::kDone) return;
  set_state(StageState::kReady, nullptr);
  const __int128 R = p_.line_bps, F = p_.clock_hz;
  for (;;) {
    if (written_ == total_beats_) {
      set_state(StageState::kDone, nullptr);
      return;
    }
    // Nothing more can come: every beat sent and the link idle, yet beats
    // missing (words lost on a link without retransmission). Board B starves.
    if (read_ == total_beats_ && tx_pending_.empty() && link_.drained() && !link_.can_pop() &&
        rx_beats_.empty()) {
      set_state(StageState::kDone, nullptr);
      return;
    }
    if (__int128(dc_) * R <= __int128(lu_) * 64 * F) {  // the accelerator's edge comes first
      if (!design_cycle(sched)) return;
      ++dc_;
    } else {
      link_.step();
      ++lu_;
      if (records_activity()) note_link_cycle();
      // A frame's last word in the receive FIFO: the link's own timing,
      // whatever the next board takes.
      while (link_.stats().words_out >= int64_t(frame_arrivals_.size() + 1) * words_per_frame_)
        frame_arrivals_.push_back(lu_);
    }
  }
}

}  // namespace vine::models
