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
    return read_cycle_[size_t(j) & mask_] + 1;
  }
  int32_t* write_slot() override {
    return data_.data() + (size_t(written_) & mask_) * size_t(elems_);
  }
  void commit_write(int64_t cycle) override;

  // Consumer side.
  int64_t read_count() const override { return read_; }
  // First cycle in which the next beat may be read, or kUnknownCycle.
  int64_t read_ready_cycle() const override {
    if (read_ >= written_) return kUnknownCycle;
    return write_cycle_[size_t(read_) & mask_] + latency_;
  }
  const int32_t* read_slot() const override {
    return data_.data() + (size_t(read_) & mask_) * size_t(elems_);
  }
  void commit_read(int64_t cycle) override;

  // The stamps of beat `k`, for a party that keeps its own window on the FIFO
  // (a DMA's burst buffer, models/dma/): valid for beats written (read) and
  // no more than capacity() beats back from the newest.
  int64_t write_cycle_of(int64_t k) const { return write_cycle_[size_t(k) & mask_]; }
  int64_t read_cycle_of(int64_t k) const { return read_cycle_[size_t(k) & mask_]; }
  // How many beats back the stamps reach: the newest stamps_kept() beats' (a
  // power of two, at least capacity()).
  int64_t stamps_kept() const { return int64_t(mask_) + 1; }

  // For the fast-forward (models/stage/fast_forward.h). keep_stamps: before
  // the run, rings that hold at least `beats` beats' stamps. skip: the FIFO
  // `beats` beats on, every stamp `cycles` later, as if the beats between had
  // passed through in the repeating rhythm; peaks stay (a repetition of beats
  // already counted).
  void keep_stamps(int64_t beats);
  void skip(int64_t beats, int64_t cycles);

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
  void finish_occupancy(int64_t k, int64_t read_cycle);

  std::string name_;
  int depth_, capacity_, latency_, elems_;
  bool carries_data_;
  size_t mask_;
  int64_t written_ = 0, read_ = 0;
  std::vector<int64_t> write_cycle_, read_cycle_;  // rings indexed by beat number
  std::vector<int32_t> data_;
  int max_occupancy_ = 0;
  int64_t occupancy_cursor_ = 0;  // finish_occupancy's first beat read after the last write it looked at
  bool record_ = false;
  std::vector<FifoTimes> times_;
};

}  // namespace vine::models
