// What the board tells its DMAs: a job, and, per job that enters the
// pipeline, where its results go (a ticket the input DMA issues and the
// output DMA redeems), so that the two ends agree on jobs even when one is
// abandoned halfway (docs/vp.md, "Reset").
#pragma once

#include <cstdint>
#include <algorithm>
#include <deque>
#include <set>
#include <systemc>

#include "models/dma/beat_format.h"

namespace vine::models {

// The SystemC message type of both DMAs' reports.
inline constexpr const char* kDmaMsgType = "vine/dma";

struct DmaJob {
  uint64_t id = 0;  // the board's job number, from 1
  uint64_t in_addr = 0, out_addr = 0;
  uint32_t frames = 0;
  int64_t start_cycle = 0;  // the accelerator cycle of the START
};

// The shape of one DMA's traffic: frames of `beats_per_frame` beats in
// `format`, back to back in DDR, each moved in transactions of
// `transfer_beats` beats (the frame's last may be shorter; a transaction
// never spans two frames, as FINN's IODMA moves frame by frame), through a
// buffer of `buffers` x transfer_beats beats (double buffering: 2).
struct DmaGeometry {
  sc_core::sc_time clock;  // the accelerator's clock period
  int64_t beats_per_frame = 0;
  BeatFormat format;
  int64_t transfer_beats = 1;
  int buffers = 2;

  uint64_t frame_bytes() const { return uint64_t(beats_per_frame) * uint64_t(format.beat_bytes()); }
  int64_t buffer_beats() const { return transfer_beats * buffers; }
  // The transaction that begins at beat `rel` of a job: up to the frame's end.
  int64_t transfer_at(int64_t rel) const {
    return std::min(transfer_beats, beats_per_frame - rel % beats_per_frame);
  }
  // The first accelerator cycle at or after `t`.
  int64_t cycle_at_or_after(const sc_core::sc_time& t) const {
    return int64_t((t.value() + clock.value() - 1) / clock.value());
  }
  sc_core::sc_time time_of(int64_t cycle) const { return clock * double(cycle); }
};

// A transaction's place: its beats [first, first + beats) in the stream's
// beat sequence (over every job), its job and its DDR address.
struct DmaTransfer {
  int64_t first = 0, beats = 0;
  uint64_t job = 0;
  uint64_t address = 0;
  int64_t job_first_beat = 0;  // where its job began in the beat sequence
  uint32_t job_frames = 0;
  bool last_of_job = false;
  int64_t end() const { return first + beats; }
};

// One DDR transaction of a DMA, for traces: issued at `issue`, its last
// byte delivered at `done` (the annotated completion).
struct DmaTransaction {
  sc_core::sc_time issue, done;
  uint64_t address = 0, bytes = 0;
};

// What the input DMA tells the output DMA of each job, when the job's first
// read is issued (so before any of its results can come out).
struct JobTicket {
  uint64_t job = 0;
  uint32_t frames = 0;
  uint64_t out_addr = 0;
};

// The tickets in flight, and the jobs abandoned by RESET.
class JobTickets {
 public:
  void issue(const JobTicket& t) { q_.push_back(t); }
  bool empty() const { return q_.empty(); }
  JobTicket redeem() {
    JobTicket t = q_.front();
    q_.pop_front();
    return t;
  }
  void abandon(uint64_t job) { abandoned_.insert(job); }
  bool abandoned(uint64_t job) const { return abandoned_.count(job) != 0; }

 private:
  std::deque<JobTicket> q_;
  std::set<uint64_t> abandoned_;
};

}  // namespace vine::models
