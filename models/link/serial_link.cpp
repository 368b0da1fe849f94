#include "models/link/serial_link.h"

#include <algorithm>
#include <stdexcept>

#include "models/link/crc32.h"

namespace vine::models {

SerialLink::SerialLink(const LinkConfig& cfg)
    : cfg_(cfg),
      errors_(cfg.bit_error_rate, cfg.error_seed, cfg.burst_every_bits, cfg.burst_bits),
      corrupt_(cfg.corrupt_transmissions.begin(), cfg.corrupt_transmissions.end()) {
  if (const std::string e = cfg.check(); !e.empty()) throw std::invalid_argument("link: " + e);
}

void SerialLink::push(const uint64_t* word) {
  if (!can_push()) throw std::logic_error("link: push into a full transmit FIFO");
  tx_data_.insert(tx_data_.end(), word, word + lanes());
  tx_cycles_.push_back(tx_cycle_);
  ++tx_stats_.words_in;
}

void SerialLink::pop() {
  if (!can_pop()) throw std::logic_error("link: pop from an empty receive FIFO");
  rx_data_.erase(rx_data_.begin(), rx_data_.begin() + lanes());
  rx_cycles_.pop_front();
}

bool SerialLink::rx_idle() const {
  return forward_.empty() && arriving_.pushed.empty() && last_control_arrive_ < rx_cycle_ &&
         nfc_queue_.empty() && ack_queue_.empty();
}

LinkStats SerialLink::stats() const {
  LinkStats s = tx_stats_;  // cycles, gaps, words in, blocks and frames sent, timeouts, flips, XOFF cycles
  const LinkStats& r = rx_stats_;
  s.words_out = r.words_out;
  s.crc_errors = r.crc_errors;
  s.frames_discarded = r.frames_discarded;
  s.naks = r.naks;
  s.acks = r.acks;
  s.overflow_frames = r.overflow_frames;
  s.words_lost = r.words_lost;
  s.xoff_events = r.xoff_events;
  s.rx_peak_words = r.rx_peak_words;
  s.latency_min = r.latency_min;
  s.latency_max = r.latency_max;
  s.latency_sum = r.latency_sum;
  return s;
}

void SerialLink::put_arriving_blocks(std::deque<Block>&& b) {
  for (Block& x : b) forward_.push_back(std::move(x));
}

void SerialLink::put_arriving_controls(std::deque<Message>&& m) {
  for (Message& x : m) reverse_.push_back(x);
}

uint32_t SerialLink::frame_crc(const std::vector<uint64_t>& data, uint32_t seq) const {
  Crc32 crc;
  crc.add(data.data(), data.size());
  crc.add(uint64_t(seq));
  return crc.value();
}

// A round trip and two frames: how long a transmitter waits for word of its
// oldest unacknowledged frame before it sends again from it, and a receiver
// before it repeats a NAK.
int64_t SerialLink::rtt_cycles() const {
  const int cc = cfg_.cc_period > 0 ? cfg_.cc_cycles : 0;
  return 2 * int64_t(cfg_.latency_cycles()) + 2 * (cfg_.frame_words + 1) + cc + 2;
}

void SerialLink::step_tx() {
  const int64_t c = tx_cycle_;
  // 1. Control blocks reaching the transmitter.
  if (!reverse_.empty() && reverse_.front().arrive < c) throw std::logic_error("link: a control block arrived late");
  while (!reverse_.empty() && reverse_.front().arrive == c) {
    receive_control(reverse_.front());
    reverse_.pop_front();
  }
  // 2. A transmitter whose oldest frame has gone unanswered for a round trip
  // (its NAK's frame was lost again, or the last frame was) sends from it again.
  if (cfg_.retransmission && !replay_.empty() && !sending_ && next_send_ > replay_.front().seq &&
      c - std::max(last_ack_cycle_, last_trailer_cycle_) >= rtt_cycles()) {
    next_send_ = replay_.front().seq;
    ++tx_stats_.timeouts;
  }
  // 3. One block on the wire, in a slot.
  const bool gap = cfg_.is_gap(c);
  last_tx_ = LinkTxState::kIdle;  // transmit() says what it sent
  if (gap) {
    ++tx_stats_.gap_cycles;
    // For traces, a gap in the middle of a frame belongs to that frame.
    if (held_off_)
      last_tx_ = LinkTxState::kXoff;
    else if (sending_)
      last_tx_ = sending_new_ ? LinkTxState::kSending : LinkTxState::kResending;
  } else if (held_off_) {
    ++tx_stats_.xoff_cycles;
    last_tx_ = LinkTxState::kXoff;
  } else {
    transmit();
  }
  ++tx_stats_.cycles;
  ++tx_cycle_;
}

void SerialLink::step_rx() {
  const int64_t c = rx_cycle_;
  // 4. Blocks reaching the receiver.
  if (!forward_.empty() && forward_.front().arrive < c) throw std::logic_error("link: a block arrived late");
  while (!forward_.empty() && forward_.front().arrive == c) {
    receive(forward_.front());
    forward_.pop_front();
  }
  // 5. Native flow control on the receive FIFO's occupancy.
  if (cfg_.flow_control) {
    const int occ = rx_occupancy();
    if (!xoff_sent_ && occ >= cfg_.xoff_words) {
      nfc_queue_.push_back({0, Control::kXoff, 0});
      xoff_sent_ = true;
      ++rx_stats_.xoff_events;
    } else if (xoff_sent_ && occ <= cfg_.xon_words) {
      nfc_queue_.push_back({0, Control::kXon, 0});
      xoff_sent_ = false;
    }
  }
  // 6. One control block back, in a slot; flow control first.
  if (!cfg_.is_gap(c)) {
    std::deque<Message>& q = !nfc_queue_.empty() ? nfc_queue_ : ack_queue_;
    if (!q.empty()) {
      Message m = q.front();
      q.pop_front();
      m.arrive = c + cfg_.latency_cycles();
      last_control_arrive_ = m.arrive;
      reverse_.push_back(m);
    }
  }
  ++rx_cycle_;
}

void SerialLink::receive_control(const Message& m) {
  switch (m.what) {
    case Control::kXoff:
      held_off_ = true;
      break;
    case Control::kXon:
      held_off_ = false;
      break;
    case Control::kAck:  // every frame before m.seq is in
      while (!replay_.empty() && replay_.front().seq < m.seq) replay_.pop_front();
      next_send_ = std::max(next_send_, m.seq);
      last_ack_cycle_ = tx_cycle_;
      break;
    case Control::kNak:  // send again from m.seq, once the current frame is out
      while (!replay_.empty() && replay_.front().seq < m.seq) replay_.pop_front();
      next_send_ = m.seq;
      last_ack_cycle_ = tx_cycle_;
      break;
  }
}

void SerialLink::transmit() {
  if (!sending_) {  // between frames: a resend, or a new frame if there is a word for it
    if (next_send_ < next_new_seq_) {
      const auto it = std::find_if(replay_.begin(), replay_.end(),
                                   [&](const Frame& f) { return f.seq == next_send_; });
      if (it == replay_.end()) throw std::logic_error("link: replayed frame not in the buffer");
      resend_ = *it;
      sending_ = &resend_;
      sending_new_ = false;
      ++tx_stats_.frames_resent;
    } else if (!tx_cycles_.empty()) {
      if (cfg_.retransmission && int(replay_.size()) >= cfg_.replay_frames) {
        ++tx_stats_.replay_full_cycles;
        return;
      }
      building_ = Frame{};
      building_.seq = next_new_seq_;
      sending_ = &building_;
      sending_new_ = true;
    } else {
      return;  // idle
    }
    sent_words_ = 0;
    ++tx_stats_.frames_sent;
  }
  Frame& f = *sending_;
  if (sending_new_ && sent_words_ == f.words() && f.words() < cfg_.frame_words &&
      !tx_cycles_.empty()) {  // the framer takes the next word into the frame
    f.data.insert(f.data.end(), tx_data_.begin(), tx_data_.begin() + lanes());
    tx_data_.erase(tx_data_.begin(), tx_data_.begin() + lanes());
    f.pushed.push_back(tx_cycles_.front());
    tx_cycles_.pop_front();
  }
  if (sent_words_ < f.words()) {
    send_block(false, &f.data[size_t(sent_words_) * lanes()], f.pushed[sent_words_], 0);
    ++sent_words_;
    return;
  }
  // The frame is complete (full, or no word waiting): its trailer.
  if (sending_new_) f.crc = frame_crc(f.data, uint32_t(f.seq));
  uint64_t trailer = uint64_t(uint32_t(f.seq)) | (uint64_t(f.crc) << 32);
  if (corrupt_.count(transmissions_)) trailer ^= uint64_t(1) << 32;  // the pattern's error
  ++transmissions_;
  send_block(true, nullptr, 0, trailer);
  last_trailer_cycle_ = tx_cycle_;
  // Next comes the frame after this one, unless a NAK (back) or an ACK
  // (ahead) named another while it was on the wire.
  if (next_send_ == f.seq) next_send_ = f.seq + 1;
  if (sending_new_) {
    ++next_new_seq_;
    if (cfg_.retransmission) replay_.push_back(std::move(building_));
  }
  sending_ = nullptr;
}

void SerialLink::send_block(bool trailer, const uint64_t* word, int64_t pushed,
                            uint64_t trailer_bits) {
  last_tx_ = sending_new_ ? LinkTxState::kSending : LinkTxState::kResending;
  Block b;
  b.arrive = tx_cycle_ + cfg_.latency_cycles();
  b.trailer = trailer;
  b.pushed = pushed;
  if (trailer) {
    b.bits.assign(size_t(lanes()), 0);
    b.bits[0] = trailer_bits;
    ++tx_stats_.trailer_blocks;
  } else {
    b.bits.assign(word, word + lanes());
    ++tx_stats_.data_blocks;
  }
  tx_stats_.bits_flipped += errors_.corrupt(b.bits.data(), cfg_.block_bits());
  forward_.push_back(std::move(b));
}

void SerialLink::receive(Block& b) {
  if (!b.trailer) {
    arriving_.data.insert(arriving_.data.end(), b.bits.begin(), b.bits.end());
    arriving_.pushed.push_back(b.pushed);
    return;
  }
  Frame f = std::move(arriving_);
  arriving_ = Frame{};
  const uint32_t seq32 = uint32_t(b.bits[0]);
  const uint32_t crc = uint32_t(b.bits[0] >> 32);
  const bool good = frame_crc(f.data, seq32) == crc;
  if (!good) ++rx_stats_.crc_errors;
  if (!cfg_.retransmission) {  // delivered as it came, what does not fit is lost
    deliver(f);
    return;
  }
  // The sequence number is 32 bits on the wire: the one expected, if it matches.
  const bool in_order = good && seq32 == uint32_t(expected_);
  const bool fits = rx_occupancy() + f.words() <= cfg_.rx_fifo_words;
  if (in_order && fits) {
    deliver(f);
    ++expected_;
    nak_cycle_ = -1;
    ack_queue_.push_back({0, Control::kAck, expected_});
    ++rx_stats_.acks;
    return;
  }
  if (in_order) ++rx_stats_.overflow_frames;
  if (good && !in_order) ++rx_stats_.frames_discarded;
  // Go-back-N: one NAK per error; another only if a round trip has passed
  // without the frame (the resend was lost too).
  const bool behind = good && int64_t(int32_t(seq32 - uint32_t(expected_))) < 0;
  if (!behind && (nak_cycle_ < 0 || rx_cycle_ - nak_cycle_ >= rtt_cycles())) {
    ack_queue_.push_back({0, Control::kNak, expected_});
    nak_cycle_ = rx_cycle_;
    ++rx_stats_.naks;
  }
}

void SerialLink::deliver(const Frame& f) {
  for (int w = 0; w < f.words(); ++w) {
    if (rx_occupancy() >= cfg_.rx_fifo_words) {
      ++rx_stats_.words_lost;
      continue;
    }
    rx_data_.insert(rx_data_.end(), f.data.begin() + size_t(w) * lanes(),
                    f.data.begin() + size_t(w + 1) * lanes());
    rx_cycles_.push_back(rx_cycle_);
    const int64_t lat = rx_cycle_ - f.pushed[w];
    rx_stats_.latency_min = std::min(rx_stats_.latency_min, lat);
    rx_stats_.latency_max = std::max(rx_stats_.latency_max, lat);
    rx_stats_.latency_sum += double(lat);
    ++rx_stats_.words_out;
  }
  rx_stats_.rx_peak_words = std::max(rx_stats_.rx_peak_words, rx_occupancy());
}

}  // namespace vine::models
