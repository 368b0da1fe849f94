// What the board tells its DMAs: a job, and, per frame that enters the
// pipeline, where its results go (a ticket the input DMA issues and the
// output DMA redeems), so that the two ends agree on frames even when a job
// is abandoned halfway (docs/vp.md, "Reset").
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <systemc>

#include "models/dma/beat_format.h"

namespace vine::models {

struct DmaJob {
  uint64_t id = 0;  // the board's job number, from 1
  uint64_t in_addr = 0, out_addr = 0;
  uint32_t frames = 0;
  int64_t start_cycle = 0;  // the accelerator cycle of the START
};

// The shape of one DMA's traffic: frames of `beats_per_frame` beats in
// `format`, moved in transactions of at most `transfer_beats` beats (a
// transaction never spans two frames), with `buffers` transactions' worth
// of buffer (double buffering: 2).
struct DmaGeometry {
  sc_core::sc_time clock;  // the accelerator's clock period
  int64_t beats_per_frame = 0;
  BeatFormat format;
  int64_t transfer_beats = 1;
  int buffers = 2;

  uint64_t frame_bytes() const { return uint64_t(beats_per_frame) * uint64_t(format.beat_bytes()); }
  int64_t transfers_per_frame() const {
    return (beats_per_frame + transfer_beats - 1) / transfer_beats;
  }
  int64_t transfer_first_beat(int64_t t) const { return t * transfer_beats; }
  int64_t transfer_beats_of(int64_t t) const {
    return std::min(transfer_beats, beats_per_frame - t * transfer_beats);
  }
  // The first accelerator cycle at or after `t`.
  int64_t cycle_at_or_after(const sc_core::sc_time& t) const {
    return int64_t((t.value() + clock.value() - 1) / clock.value());
  }
  sc_core::sc_time time_of(int64_t cycle) const { return clock * double(cycle); }
};

struct FrameTicket {
  uint64_t job = 0;
  uint32_t frame = 0;  // in the job
  uint64_t out_addr = 0;
  bool last = false;   // the job's last frame: its completion is the job's
};

// The tickets in flight, and the jobs abandoned by RESET.
class FrameTickets {
 public:
  void issue(const FrameTicket& t) { q_.push_back(t); }
  bool empty() const { return q_.empty(); }
  FrameTicket redeem() {
    FrameTicket t = q_.front();
    q_.pop_front();
    return t;
  }
  void abandon(uint64_t job) { abandoned_.insert(job); }
  bool abandoned(uint64_t job) const { return abandoned_.count(job) != 0; }

 private:
  std::deque<FrameTicket> q_;
  std::set<uint64_t> abandoned_;
};

}  // namespace vine::models
