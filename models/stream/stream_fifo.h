// A stream between two stages: a bounded FIFO with valid/ready back-pressure,
// at most one beat written and one read per cycle, and a write-to-read
// latency. It carries each beat's cycle stamps, so that stages can compute
// when a beat becomes readable or a slot free without ticking a clock:
//   - beat k written in cycle w(k) is readable from cycle w(k) + latency;
//   - beat k may be written in cycle t only if beat k - capacity was read in
//     a cycle before t (a full FIFO accepts no write in the cycle it is read).
// HLS shift-register FIFOs: capacity = depth, latency 1. Memory-style FIFOs:
// capacity = depth + 1, latency 2 (docs/simulation.md).
//
// In SystemC it is a channel (an sc_object implementing both stream
// interfaces) named after the hardware, e.g. `accel.conv0->conv1` for a
// graph edge or `accel.conv1.swg->mvau` inside a layer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <systemc>
#include <utility>
#include <vector>

#include "models/stream/stream_if.h"

namespace vine::models {

class Stage;

struct FifoTimes {  // one beat's stamps, for traces
  int64_t write = 0, read = 0;
};

class StreamFifo final : public sc_core::sc_object, public StreamReadIf, public StreamWriteIf {
 public:
  // `basename` names the channel in its parent module (the innermost module
  // holding both its ends); `name` is the stream's name in the plan and the
  // reports, relative to the accelerator ("conv1.swg->conv1.mvau").
  StreamFifo(const char* basename, std::string name, int depth, int latency, bool memory_style,
             int elements_per_word, bool carries_data);
  const char* kind() const override { return "vine_stream_fifo"; }

  // The plan's name. (sc_object::name() is the full hierarchical one.)
  const std::string& name() const { return name_; }
  int depth() const { return depth_; }
  int capacity() const { return capacity_; }
  int latency() const { return latency_; }
  int elements_per_word() const override { return elems_; }
  bool carries_data() const { return carries_data_; }

  // Producer side.
  int64_t written() const override { return written_; }
  // First cycle in which the next beat may be written, or kUnknownCycle.
  int64_t write_ready_cycle() const override {
    const int64_t j = written_ - capacity_;
    if (j < 0) return 0;
    if (j >= read_) return kUnknownCycle;
    return stamps_[back(write_pos_, size_t(capacity_))].read + 1;
  }
  int32_t* write_slot() override { return data_.data() + write_pos_ * size_t(elems_); }
  void commit_write(int64_t cycle) override;

  // Consumer side.
  int64_t read_count() const override { return read_; }
  // First cycle in which the next beat may be read, or kUnknownCycle.
  int64_t read_ready_cycle() const override {
    if (read_ >= written_) return kUnknownCycle;
    return stamps_[read_pos_].write + latency_;
  }
  const int32_t* read_slot() const override { return data_.data() + read_pos_ * size_t(elems_); }
  void commit_read(int64_t cycle) override;

  // The stamps of beat `k`, for a party that keeps its own window on the FIFO
  // (a DMA's burst buffer, models/dma/): valid for beats written (read) and
  // no more than capacity() beats back from the newest.
  int64_t write_cycle_of(int64_t k) const { return stamps_[size_t(k) % slots_].write; }
  int64_t read_cycle_of(int64_t k) const { return stamps_[size_t(k) % slots_].read; }
  // How many beats back the stamps reach: the newest stamps_kept() beats'
  // (capacity(); after keep_stamps, a power of two).
  int64_t stamps_kept() const { return int64_t(slots_); }

  // For the fast-forward (models/stage/fast_forward.h). keep_stamps: before
  // the run, rings that hold at least `beats` beats' stamps. skip: the FIFO
  // `beats` beats on, every stamp `cycles` later, as if the beats between had
  // passed through in the repeating rhythm; peaks stay (a repetition of beats
  // already counted).
  void keep_stamps(int64_t beats);
  // `write_cycles` and `read_cycles` differ when the two ends' timing drifts
  // apart (a producer filling the FIFO a little more each frame).
  void skip(int64_t beats, int64_t write_cycles, int64_t read_cycles);

  // Slack, for the fast-forward's drift: by how many cycles the stamp a
  // beat waited on was earlier than the cycle the beat moved in. A write's
  // is its cycle - (the read of beat k - capacity + 1), a read's its cycle -
  // (the write of beat k + latency); 0 means that stamp set the cycle (or
  // tied the stamp that did). The least since the last take_*, or
  // kNoSlack when no beat moved against such a stamp.
  static constexpr int64_t kNoSlack = INT64_MAX;
  void track_slack(bool on) { track_slack_ = on; }
  int64_t take_write_slack() { return std::exchange(write_slack_, kNoSlack); }
  int64_t take_read_slack() { return std::exchange(read_slack_, kNoSlack); }

  int occupancy() const {
    return int(written_ - read_);
  }  // beats written and not yet read, by count
  // Peaks are final once a beat is read; beats never read (a deadlock) still count.
  int max_occupancy() const { return std::max(max_occupancy_, occupancy()); }

  // Wake-ups: a stage that found no beat (or no slot) waits for the other side.
  Stage* producer = nullptr;
  Stage* consumer = nullptr;
  bool consumer_waits = false, producer_waits = false;

  // Every beat's stamps, when recording for traces.
  void record_times(bool on) { record_ = on; }
  bool records_times() const { return record_; }
  const std::vector<FifoTimes>& times() const { return times_; }

 private:
  void finish_occupancy(int64_t k, size_t slot);
  // The ring slot `d` beats before `slot` (d <= slots_).
  size_t back(size_t slot, size_t d) const { return slot >= d ? slot - d : slot + slots_ - d; }

  std::string name_;
  int depth_, capacity_, latency_, elems_;
  bool carries_data_;
  // The rings, indexed by beat number modulo slots_: beat k's stamps and data
  // sit in slot k % slots_. A beat's write and read stamps share a slot (one
  // cache line for the read side's load and store), and the ring holds
  // exactly capacity() beats, so that the slot a write takes is the slot whose
  // read stamp says when it is free (one line for the write side too): a deep
  // FIFO's stamps were written long before they are read back and have left
  // the cache, and separate, power-of-two rings cost four misses a beat where
  // this costs two.
  struct Stamps {
    int64_t write = 0, read = 0;
  };
  size_t slots_;
  int64_t written_ = 0, read_ = 0;
  size_t write_pos_ = 0, read_pos_ = 0;  // written_ % slots_, read_ % slots_
  std::vector<Stamps> stamps_;
  std::vector<int32_t> data_;
  int max_occupancy_ = 0;
  int64_t occupancy_cursor_ = 0;  // finish_occupancy's first beat read after the last write it looked at
  bool record_ = false;
  std::vector<FifoTimes> times_;
  bool track_slack_ = false;
  int64_t write_slack_ = kNoSlack, read_slack_ = kNoSlack;
};

// Called once a beat on both sides: inline, in the stage's loop.
inline void StreamFifo::commit_write(int64_t cycle) {
  if (track_slack_ && written_ >= capacity_)
    write_slack_ = std::min(write_slack_, cycle - stamps_[back(write_pos_, size_t(capacity_))].read - 1);
  stamps_[write_pos_].write = cycle;
  if (record_) times_.push_back({cycle, 0});
  ++written_;
  if (++write_pos_ == slots_) write_pos_ = 0;
}

inline void StreamFifo::commit_read(int64_t cycle) {
  const int64_t k = read_;
  const size_t slot = read_pos_;
  stamps_[slot].read = cycle;
  if (track_slack_) read_slack_ = std::min(read_slack_, cycle - stamps_[slot].write - latency_);
  if (record_) times_[size_t(k)].read = cycle;
  ++read_;
  if (++read_pos_ == slots_) read_pos_ = 0;
  finish_occupancy(k, slot);
}

// The occupancy right after beat k was written, (beats written up to w(k)) -
// (beats read up to w(k)), is final once beat k is read: every earlier read is
// known then. Reads are in order and beats k - capacity and older were read
// before w(k), so it is 1 + the number of beats in (k - capacity, k) read
// after w(k), i.e. k + 1 - (the first beat i > k - capacity with r(i) > w(k)).
// Write and read stamps both rise with the beat number, so that first beat
// never moves back from one k to the next: a cursor that only moves forward
// finds it in amortised constant time (a binary search over a 65536-deep ring
// cost a cache miss per step, a fifth of a deep-FIFO run's host time).
inline void StreamFifo::finish_occupancy(int64_t k, size_t slot) {
  const int64_t wk = stamps_[slot].write;
  int64_t i = std::max(occupancy_cursor_, k - capacity_ + 1);
  for (size_t s = back(slot, size_t(k - i)); i < k && stamps_[s].read <= wk; ++i)
    if (++s == slots_) s = 0;
  occupancy_cursor_ = i;
  const int occ = int(k - i) + 1;
  if (occ > max_occupancy_) max_occupancy_ = occ;
}

}  // namespace vine::models
