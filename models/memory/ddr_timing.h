// The DDR timing model, computed rather than ticked (docs/ddr.md): each
// channel keeps the time it is busy until; a transaction takes whole bursts
// on the channels its bytes map to, starts on each when both it and the
// channel are there, occupies the channel for its bursts at the sustained
// rate, and completes one access latency after its last channel finishes.
//
// Order-dependent by nature (first come, first served in call order):
// DdrMemory decides in which order calls arrive (docs/ddr.md, guarantees).
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "models/memory/ddr_config.h"

namespace vine::models {

class DdrTiming {
 public:
  struct Access {
    sc_core::sc_time completion;  // the last byte delivered
    sc_core::sc_time busy;        // channel time it occupied, summed over its channels
    sc_core::sc_time wait;        // completion minus the completion on idle channels
  };

  explicit DdrTiming(const DdrConfig& config);  // the config must pass check()

  // Books a transaction of `length` bytes from `address` arriving at
  // `arrival` (the initiator's local time) on its channels.
  Access schedule(uint64_t address, uint64_t length, const sc_core::sc_time& arrival);

  // The same transaction on idle channels: latency + the longest occupancy.
  sc_core::sc_time uncontended(uint64_t address, uint64_t length) const;

  // Bytes each channel moves for the transaction: the bursts it touches, whole.
  std::vector<uint64_t> channel_bytes(uint64_t address, uint64_t length) const;
  // ceil(bytes / (data bytes per beat x efficiency)) beats.
  uint64_t occupancy_cycles(uint64_t bytes) const;
  // `cycles` beats of the DDR clock, to the nearest time resolution unit.
  sc_core::sc_time cycles_time(uint64_t cycles) const;
  int channel_of(uint64_t address) const;

  const sc_core::sc_time& latency() const { return latency_; }
  const sc_core::sc_time& busy_until(int channel) const { return busy_until_[channel]; }
  // Total time channel `channel` has been occupied.
  const sc_core::sc_time& channel_busy(int channel) const { return channel_busy_[channel]; }
  const DdrConfig& config() const { return config_; }

 private:
  DdrConfig config_;
  uint64_t efficiency_ppm_;  // efficiency in parts per million: exact integer rounding
  sc_core::sc_time latency_;
  std::vector<sc_core::sc_time> busy_until_;
  std::vector<sc_core::sc_time> channel_busy_;
};

}  // namespace vine::models
